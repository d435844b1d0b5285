"""A whole ``qd.graph.do_while`` loop as one kernel of one block, when every task of its body fits in that block.

A conditional WHILE node costs each iteration a couple of microseconds per kernel node, however little the nodes do
(``cuda/device_graph.py``). A loop whose body is a few small tasks (a 16-lane update, then ``c[()] -= 1``) is bound
by that cost alone. When the host knows that every parallel task of the body has at most one block of lanes (the
graph is built per set of grid sizes, :mod:`quadrants_llvm.cuda.lane_grid`), the loop runs instead as the kernel
``P_loop_k(ctx, slot, abort)`` launched with one block:

    do {
        task_a(ctx)                       # a parallel task: the block's threads walk its lanes (a grid of one block)
        barrier
        if thread == 0: task_b(ctx)       # a serial task: one thread
        barrier
    } while (c[()] != 0, read by every thread after the last barrier, and no abort)

The tasks are the same functions the main module launches (``grid.py``, ``tasks.py``), so a lane does exactly what it
does there. The barriers give the ordering of separate launches: ``barrier.sync`` makes each thread's earlier global
stores visible to the block. Every thread reads the condition between two barriers, so all of them take the same
branch and no thread's next-iteration store can race with another's read. The abort word (the host's Ctrl-C, mapped
host memory: a read crosses the bus) is read by every thread once per ``ABORT_EVERY`` iterations and or-reduced by
the barrier that follows, so the decision stays uniform.

Only flat bodies qualify (:func:`fusable`): tasks, no nested loop, no print, and no check but those the host decides
before the launch (cuda/host_values.py: the graph runs only when they pass, so they never record a failure, whose
tables are numbered per module). The SIMT tasks of a loop share one kernel's 48 KiB of block shared memory
(builder/block_shared.py).
"""

from __future__ import annotations

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_stmts
from quadrants_llvm.builder import block_shared
from quadrants_llvm.builder.grid import _parallel, mark_kernel
from quadrants_llvm.builder.types import I1, I32, I64, PTR, VOID

__all__ = ["ABORT_EVERY", "build_block_loops", "fusable"]

ABORT_EVERY = 64  # iterations between two reads of the host's abort word
_SYNC = "llvm.nvvm.barrier.cta.sync.all"  # barrier.sync 0 (not .aligned: correct even where code is duplicated)
_RED_OR = "llvm.nvvm.barrier.cta.red.or.all"  # barrier.red.or.pred: a barrier that or-reduces one predicate


def fusable(loop: N.DoWhile, passed=lambda check: False) -> bool:
    """Whether ``loop``'s body is flat tasks without prints or checks but those ``passed(check)`` says the host has
    passed (the grid sizes are the caller's test)."""
    if not loop.body:
        return False
    for item in loop.body:
        if not isinstance(item, (N.ParallelFor, N.SerialBlock)):
            return False
        for s in iter_stmts(item.body):
            if isinstance(s, N.Print) or (isinstance(s, N.Check) and not passed(s)):
                return False
    return True


def build_block_loops(bld, loops: dict[int, tuple[N.DoWhile, list[int]]]) -> list[str]:
    """Add ``loop_i(ctx, slot, abort)`` for each ``i`` of ``loops`` (loop index -> the loop and the task index of
    each body item) to ``bld``'s module (a :class:`quadrants_llvm.builder.tasks._Builder` of the whole program), with
    the task functions they call; returns the kernel names."""
    module = bld.module
    sync = _declare(module, _SYNC, VOID, [I32])
    red_or = _declare(module, _RED_OR, I1, [I32, I1])
    tid_fn = _declare(module, bld.target.grid_index[0], I32, [])
    built: dict[int, ll.Function] = {}
    names = []
    bld.shared_pool = [block_shared.MAX_BYTES]  # every task of this module may end up in one kernel
    for index, (loop, task_ids) in sorted(loops.items()):
        calls = []
        for k, item in zip(task_ids, loop.body, strict=True):
            if k not in built:
                if isinstance(item, N.ParallelFor):
                    # not alone: other tasks of the loop write between barriers, so no read-only data path
                    fn = _parallel(bld, k, item, alone=False)
                else:
                    fn = bld.serial_task(k, item)
                fn.linkage = "internal"
                built[k] = fn
            calls.append((built[k], isinstance(item, N.SerialBlock)))
        kernel = bld.function(f"loop_{index}", VOID, [PTR, I64, I64])
        _loop_body(kernel, calls, sync, red_or, tid_fn)
        mark_kernel(module, kernel, bld.target)
        names.append(kernel.name)
    return names


def _declare(module: ll.Module, name: str, ret, params) -> ll.Function:
    return module.globals.get(name) or ll.Function(module, ll.FunctionType(ret, params), name=name)


def _loop_body(kernel: ll.Function, calls: list, sync, red_or, tid_fn) -> None:
    ctx, slot, abort = kernel.args
    zero32 = ll.Constant(I32, 0)
    b = ll.IRBuilder(kernel.append_basic_block("entry"))
    first = b.icmp_unsigned("==", b.call(tid_fn, []), zero32)
    # slot: the launch-context word holding the condition ndarray's data pointer (it does not move during the launch)
    cond_ptr = b.inttoptr(b.load(b.inttoptr(slot, ll.PointerType(I64)), typ=I64), ll.PointerType(I32))
    abort_ptr = b.inttoptr(abort, ll.PointerType(I32))
    count = b.alloca(I32, name="iterations")
    b.store(zero32, count)
    loop, done = kernel.append_basic_block("loop"), kernel.append_basic_block("done")
    b.branch(loop)
    b.position_at_end(loop)
    for fn, serial in calls:
        if serial:
            with b.if_then(first):
                b.call(fn, [ctx])
        else:
            b.call(fn, [ctx])
        b.call(sync, [zero32])
    n = b.add(b.load(count, typ=I32), ll.Constant(I32, 1))
    b.store(n, count)
    go = b.icmp_signed("!=", b.load(cond_ptr, typ=I32, name="cond"), zero32)
    # the abort word only every ABORT_EVERY iterations, in a block of its own: the pointer is not known to be
    # dereferenceable, so LLVM cannot turn the conditional read into one per iteration; the barriers around it
    # (memory-clobbering calls) keep it from being hoisted out of the loop
    here = b.block
    read, merged = kernel.append_basic_block("read_abort"), kernel.append_basic_block("decide")
    b.cbranch(b.icmp_unsigned("==", b.and_(n, ll.Constant(I32, ABORT_EVERY - 1)), zero32), read, merged)
    b.position_at_end(read)
    asked_now = b.icmp_signed("!=", b.load(abort_ptr, typ=I32), zero32)
    b.branch(merged)
    b.position_at_end(merged)
    asked = b.phi(I1)
    asked.add_incoming(ll.Constant(I1, 0), here)
    asked.add_incoming(asked_now, read)
    # the barrier orders every thread's read of the condition before any thread's next store to it, and or-reduces
    # the abort reads so that every thread leaves on the same iteration
    aborted = b.call(red_or, [zero32, asked])
    b.cbranch(b.and_(go, b.not_(aborted)), loop, done)
    b.position_at_end(done)
    b.ret_void()
