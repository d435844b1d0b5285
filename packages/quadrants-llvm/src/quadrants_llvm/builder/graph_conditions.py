"""Serial tasks that also decide whether their ``do_while`` loop goes on: one graph node per iteration fewer.

A CUDA graph runs a ``qd.graph.do_while`` loop as a conditional WHILE node whose body ends with a kernel that reads the
condition ndarray and calls ``cudaGraphSetConditional`` (``cuda/device_graph.py``). Each kernel node of the body
costs a couple of microseconds per iteration, however little it does, so when the body ends with a serial task (the
usual ``c[()] -= 1`` or convergence test) this module builds that task again as ``P_task_k_cond(ctx, handle, slot,
abort)``: the task's body, then the condition read and the call, in the one thread that already ran the body (it sees
its own store to the condition).

The kernels call ``cudaGraphSetConditional`` from the device runtime library, so they live in a module of their own
that is linked with ``libcudadevrt.a`` when a graph is built; the program's main module stays loadable without it.
The module is built from the same program, so its launch-context layout is the main module's. A parallel loop of
exactly one lane with constant bounds (``for _ in range(1):``, the common way to write such a step) counts as a
serial task: its one lane runs with the loop variable set to the first index. Tasks that print or check are not
fused (their record tables are numbered per module), nor a one-lane loop whose body uses ``continue``.
"""

from __future__ import annotations

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_stmts
from quadrants_llvm.builder.grid import mark_kernel
from quadrants_llvm.builder.types import I32, I64, PTR, VOID

__all__ = ["as_serial", "build_condition_kernels", "SET_CONDITIONAL"]

SET_CONDITIONAL = "cudaGraphSetConditional"  # device runtime: (handle: u64, value: u32)


def as_serial(item) -> N.SerialBlock | None:
    """``item`` as a serial task that may carry its loop's condition, or ``None``."""
    if isinstance(item, N.ParallelFor):
        if not all(isinstance(e, N.Const) for e in (*item.begins, *item.ends)):
            return None
        lanes = 1
        for lo, hi in zip(item.begins, item.ends, strict=True):
            lanes *= max(0, int(hi.value) - int(lo.value))
        if lanes != 1 or any(isinstance(s, N.Continue) for s in iter_stmts(item.body)):
            return None
        start = tuple(N.Decl(v, N.Const(int(lo.value), v.dtype)) for v, lo in zip(item.vars, item.begins, strict=True))
        item = N.SerialBlock(body=start + item.body, loc=item.loc)
    if not isinstance(item, N.SerialBlock) or any(isinstance(s, (N.Print, N.Check)) for s in iter_stmts(item.body)):
        return None
    return item


def build_condition_kernels(bld, tasks: dict[int, N.SerialBlock]) -> list[str]:
    """Add ``task_k`` (internal) and the kernel ``task_k_cond`` for each ``k`` of ``tasks`` to ``bld``'s module (a
    :class:`quadrants_llvm.builder.tasks._Builder` of the whole program); returns the kernel names."""
    module = bld.module
    set_cond = ll.Function(module, ll.FunctionType(VOID, [I64, I32]), name=SET_CONDITIONAL)
    names = []
    for k, item in sorted(tasks.items()):
        body = bld.serial_task(k, item)
        body.linkage = "internal"
        fn = bld.function(f"task_{k}_cond", VOID, [PTR, I64, I64, I64])
        ctx, handle, slot, abort = fn.args
        b = ll.IRBuilder(fn.append_basic_block("entry"))
        b.call(body, [ctx])
        # slot: the launch-context word holding the condition ndarray's data pointer; abort: the host's Ctrl-C word
        data = b.load(b.inttoptr(slot, ll.PointerType(I64)), typ=I64)
        # plain loads: this thread wrote the condition itself, and a kernel launch starts with fresh caches
        cond = b.load(b.inttoptr(data, ll.PointerType(I32)), typ=I32)
        stop = b.load(b.inttoptr(abort, ll.PointerType(I32)), typ=I32)
        go = b.and_(b.icmp_signed("!=", cond, ll.Constant(I32, 0)), b.icmp_signed("==", stop, ll.Constant(I32, 0)))
        b.call(set_cond, [handle, b.zext(go, I32)])
        b.ret_void()
        mark_kernel(module, fn, bld.target)
        names.append(fn.name)
    return names
