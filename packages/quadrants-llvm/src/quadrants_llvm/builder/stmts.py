"""Statement emitters: :data:`STMT_EMITTERS` maps each statement node type to ``fn(em, stmt)``.

Structured control flow maps directly onto basic blocks: ``If`` → then/else/merge, ``RangeFor`` → head/body/latch
(the counter increment is ``nsw``: it never exceeds the i32 end bound), ``Loop`` → head/body. ``Break``/``Continue``
jump to the innermost loop's exit/latch and leave the builder in a fresh block with no predecessors, so statements
after them (if any survived ``remove_dead_code``) are harmless dead code.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.print_format import PrintLayout
from quadrants.ir.walk import iter_stmts
from quadrants_llvm.builder import numerics as nm
from quadrants_llvm.builder.append_if import emit_guarded_append, is_guarded_append
from quadrants_llvm.builder.atomics import combine, emit_atomic_rmw
from quadrants_llvm.builder.calls import emit_call
from quadrants_llvm.builder.exprs import emit_expr
from quadrants_llvm.builder.function import from_mem, to_mem
from quadrants_llvm.builder.sum_loops import constant_locals, sum_loop_hints
from quadrants_llvm.builder.types import F64, I32, I64, intrinsic, mem_type, reg_type

__all__ = ["STMT_EMITTERS", "emit_block", "emit_counted_loop", "distinct_loop_ids", "POLL_BLOCK"]

POLL_BLOCK = 1 << 14  # iterations of an innermost loop between two Ctrl-C checks (cpu/interrupt.py)
# Copies of an innermost run-time-bounded loop body that GPU targets ask LLVM's unroller for (``llvm.loop`` metadata):
# a lane that walks a long serial loop (n-body's inner loop) has few warps beside it to hide latency, so its own
# iterations must overlap; unrolling lets the loads and the math of several iterations issue together while the
# accumulations stay in program order. LLVM's default for NVPTX unrolls by 2.
GPU_UNROLL = 4
LOOP_TAG = "qd.loop."  # first operand of a loop ID node; compile_gpu makes such nodes distinct and self-referencing


def emit_block(em, stmts) -> None:
    """Emit ``stmts`` in order at the builder's position."""
    for s in stmts:
        STMT_EMITTERS[type(s)](em, s)


def _decl(em, s) -> None:
    em.write_var(s.var, emit_expr(em, s.value))


def _load(em, s: N.Load) -> None:
    dtype = em.program.args[s.arg].dtype

    def do(ptr):
        return from_mem(em.b, dtype, em.b.load(ptr, typ=mem_type(dtype)))

    em.write_var(s.var, em.access(s.arg, s.indices, s.loc, do, reg_type(dtype)))


def _store(em, s: N.Store) -> None:
    dtype = em.program.args[s.arg].dtype
    value = to_mem(em.b, dtype, emit_expr(em, s.value))
    em.access(s.arg, s.indices, s.loc, lambda ptr: em.b.store(value, ptr) and None)


def _accumulate(em, acc, op, dtype, operands) -> None:
    """A per-thread reduction: update the private accumulator (quadrants_llvm.builder.reductions)."""
    cur = em.b.load(acc, typ=reg_type(dtype))
    if dtype.is_float and op.value == "atomic_add":
        new = em.b.fadd(cur, operands[0], flags=("reassoc", *em.fm))
    else:
        new = combine(em, op, dtype, cur, operands)
    em.b.store(new, acc)


def _atomic(em, s: N.AtomicRMW) -> None:
    dtype = em.program.args[s.arg].dtype
    operands = [emit_expr(em, o) for o in s.operands]
    acc = em.reductions.get((s.arg, s.indices))
    if acc is not None:
        _accumulate(em, acc, s.op, dtype, operands)
        return
    if s.arg in em.private:  # a chunk-private copy of a small array (quadrants_llvm.reductions.find_privatizable)

        def update(ptr):
            t = mem_type(dtype)
            em.b.store(combine(em, s.op, dtype, em.b.load(ptr, typ=t), operands), ptr)

        em.access(s.arg, s.indices, s.loc, update)
        return
    if s.arg in em.lane_owned:  # no other lane touches this element (builder.reductions.find_lane_owned)

        def plain(ptr):
            t = mem_type(dtype)
            cur = from_mem(em.b, dtype, em.b.load(ptr, typ=t))
            em.b.store(to_mem(em.b, dtype, combine(em, s.op, dtype, cur, operands)), ptr)
            return cur

        old = em.access(s.arg, s.indices, s.loc, plain, reg_type(dtype))
    else:
        old = em.access(
            s.arg, s.indices, s.loc, lambda ptr: emit_atomic_rmw(em, s.op, dtype, ptr, operands), reg_type(dtype)
        )
    if s.var is not None:
        em.write_var(s.var, old)


def _var_atomic(em, s: N.VarAtomicRMW) -> None:
    """An atomic on a kernel var's launch-context slot (or on the thread's accumulator when it is a reduction)."""
    dtype = s.target.dtype
    operands = [emit_expr(em, o) for o in s.operands]
    acc = em.reductions.get(s.target)
    if acc is not None:
        _accumulate(em, acc, s.op, dtype, operands)
        return
    old = emit_atomic_rmw(em, s.op, dtype, em.kernel_var_ptr(s.target), operands)
    if s.var is not None:
        em.write_var(s.var, old)


def _if(em, s: N.If) -> None:
    if em.target.threads != "grid" and not em.debug and is_guarded_append(s, em.layout.kernel_vars):
        emit_guarded_append(em, s)  # straight-line code: an append's condition is often unpredictable
        return
    b = em.b
    cond = nm.to_bool(em, s.cond.dtype, emit_expr(em, s.cond))
    then_bb = em.new_block("then")
    else_bb = em.new_block("else") if s.orelse else None
    merge = em.new_block("endif")
    b.cbranch(cond, then_bb, else_bb or merge)
    b.position_at_end(then_bb)
    emit_block(em, s.then)
    em.branch_if_open(merge)
    if else_bb is not None:
        b.position_at_end(else_bb)
        emit_block(em, s.orelse)
        em.branch_if_open(merge)
    b.position_at_end(merge)


def emit_counted_loop(
    em,
    var: N.Var,
    begin,
    end,
    body: Callable[[], None],
    *,
    poll: bool = False,
    break_to: ll.Block | None = None,
    hints: tuple[tuple[str, int], ...] = (),
) -> None:
    """``for var in range(begin, end)`` (i32 values) around ``body()``; ``continue`` goes to the latch.

    ``poll``: check for Ctrl-C in the latch (an outer loop); ``break_to``: where ``break`` goes instead of this
    loop's exit (the inner loop of :func:`_blocked_loop`); ``hints``: ``llvm.loop`` metadata for LLVM's loop passes,
    ``(name, i32 value)`` pairs (the GPU's unroll count, the CPU's width for ordered sums).
    """
    b = em.b
    head, body_bb, latch, done = (em.new_block(n) for n in ("for.head", "for.body", "for.latch", "for.end"))
    em.write_var(var, begin)
    b.branch(head)
    b.position_at_end(head)
    b.cbranch(b.icmp_signed("<", em.read_var(var), end), body_bb, done)
    b.position_at_end(body_bb)
    em.loops.append((latch, break_to or done))
    body()
    em.loops.pop()
    em.branch_if_open(latch)
    b.position_at_end(latch)
    if poll:
        em.poll_interrupt()
    em.write_var(var, b.add(em.read_var(var), ll.Constant(reg_type(var.dtype), 1), flags=["nsw"]))
    back = b.branch(head)
    if hints:
        back.set_metadata("llvm.loop", _loop_metadata(em.module, hints))
    b.position_at_end(done)


def _loop_metadata(module: ll.Module, hints: tuple[tuple[str, int], ...]):
    """A loop ID carrying ``hints``. llvmlite cannot write the self reference a loop ID needs, so the node is tagged
    (:data:`LOOP_TAG` plus a unique number) and :func:`distinct_loop_ids` (``compile_gpu`` on the GPU targets) rewrites
    it in the IR text."""
    nodes = [module.add_metadata([ll.MetaDataString(module, name), ll.Constant(I32, value)]) for name, value in hints]
    return module.add_metadata([ll.MetaDataString(module, f"{LOOP_TAG}{len(module.metadata)}"), *nodes])


def distinct_loop_ids(text: str) -> str:
    """Turn the tagged loop nodes of :func:`_loop_metadata` in IR ``text`` into real loop IDs:
    ``!7 = !{ !"qd.loop.7", !6 }`` becomes ``!7 = distinct !{ !7, !6 }``."""
    tag = re.escape(LOOP_TAG)
    return re.sub(rf'^(!\d+) = !{{ *!"{tag}\d+", ', r"\1 = distinct !{ \1, ", text, flags=re.MULTILINE)


def _blocked_loop(em, var: N.Var, begin, end, body: Callable[[], None], hints: tuple = ()) -> None:
    """An innermost loop in blocks of ``POLL_BLOCK`` iterations with a Ctrl-C check before each block.

    The block's own loop is an ordinary counted loop without the check, so it vectorises as before; the check costs
    one relaxed load per block.
    """
    b = em.b
    t = reg_type(var.dtype)
    start = em.alloca(t, name=f"{var.name}.block")
    b.store(begin, start)
    head, block, done = em.new_block("blk.head"), em.new_block("blk.body"), em.new_block("blk.end")
    b.branch(head)
    b.position_at_end(head)
    lo = b.load(start, typ=t)
    b.cbranch(b.icmp_signed("<", lo, end), block, done)
    b.position_at_end(block)
    em.poll_interrupt()
    rest = b.sub(end, lo)  # positive; read unsigned, it is exact even when the signed difference overflows
    step = b.select(b.icmp_unsigned("<", rest, ll.Constant(t, POLL_BLOCK)), rest, ll.Constant(t, POLL_BLOCK))
    hi = b.add(lo, step)
    b.store(hi, start)
    emit_counted_loop(em, var, lo, hi, body, break_to=done, hints=hints)
    b.branch(head)
    b.position_at_end(done)


def _range_for(em, s: N.RangeFor) -> None:
    if s.simt_phase and em.__dict__.get("simt_phase"):  # a SIMT phase on a thread block (builder/simt_blocks.py)
        return em.simt_phase(em, s)
    t = s.var.dtype
    begin = nm.convert(em, s.begin.dtype, t, emit_expr(em, s.begin))
    end = nm.convert(em, s.end.dtype, t, emit_expr(em, s.end))
    body = lambda: emit_block(em, s.body)  # noqa: E731
    hints = _gpu_unroll(em, s) or _sum_hints(em, s)
    if not em.target.interrupts or _short(s):
        emit_counted_loop(em, s.var, begin, end, body, hints=hints)
    elif _has_loop(s.body):
        emit_counted_loop(em, s.var, begin, end, body, poll=True)  # the inner loops keep the check frequent
    else:
        _blocked_loop(em, s.var, begin, end, body, hints)


def _sum_hints(em, s: N.RangeFor) -> tuple[tuple[str, int], ...]:
    if em.target.threads == "grid" or em.fm:
        return ()
    constants = em.__dict__.get("constant_locals")
    if constants is None:  # once per emitted function
        constants = em.constant_locals = constant_locals(em.program)
    return sum_loop_hints(s, grid=False, fast_math=False, constants=constants)


def _gpu_unroll(em, s: N.RangeFor) -> tuple[tuple[str, int], ...]:
    """:data:`GPU_UNROLL` copies for an innermost loop with run-time bounds on a grid target, else none (LLVM
    decides)."""
    if em.target.threads != "grid" or _has_loop(s.body):
        return ()
    if isinstance(s.begin, N.Const) and isinstance(s.end, N.Const):
        return ()
    return (("llvm.loop.unroll.count", GPU_UNROLL),)


def _short(s: N.RangeFor) -> bool:
    """Constant bounds at most ``POLL_BLOCK`` apart and no inner loop: bounded work, like straight-line code."""
    if not (isinstance(s.begin, N.Const) and isinstance(s.end, N.Const)):
        return False
    return s.end.value - s.begin.value <= POLL_BLOCK and not _has_loop(s.body)


def _has_loop(stmts) -> bool:
    return any(isinstance(x, (N.RangeFor, N.Loop)) for x in iter_stmts(stmts))


def _loop(em, s: N.Loop) -> None:
    b = em.b
    head, done = em.new_block("loop.head"), em.new_block("loop.end")
    b.branch(head)
    b.position_at_end(head)
    em.poll_interrupt()  # every iteration (continue jumps here too): a `while` loop never vectorises anyway
    em.loops.append((head, done))
    emit_block(em, s.body)
    em.loops.pop()
    em.branch_if_open(head)
    b.position_at_end(done)


def _jump(which: int) -> Callable:
    def emit(em, s) -> None:
        target = em.loops[-1][which]
        em.b.branch(target)
        em.b.position_at_end(em.new_block("dead"))

    return emit


def _print_slot(em, e):
    """A printed value as one i64 slot: ints extended by signedness, floats widened to f64 bits."""
    b, v = em.b, emit_expr(em, e)
    if e.dtype.is_float:
        return b.bitcast(v if e.dtype.bits == 64 else b.fpext(v, F64), I64)
    if e.dtype.bits < 64:
        return b.sext(v, I64) if e.dtype.kind == "int" else b.zext(v, I64)
    return v


def _print(em, s: N.Print) -> None:
    b = em.b
    exprs = [p for p in s.parts if not isinstance(p, str)]
    em.tables.prints.append(PrintLayout.of(s))
    pid = len(em.tables.prints) - 1
    if em.layout.print_capacity:
        _print_to_buffer(em, pid, [_print_slot(em, e) for e in exprs])
        return
    buf = em.alloca(I64, name="print_args", count=max(1, len(exprs)))
    for k, e in enumerate(exprs):
        b.store(_print_slot(em, e), b.gep(buf, [ll.Constant(I64, k)], inbounds=True, source_etype=I64))
    b.call(em.print_fn(), [em.ctx, ll.Constant(I32, pid), buf])


def _print_to_buffer(em, pid: int, slots: list) -> None:
    """Reserve ``1 + len(slots)`` words with an atomic add on the cursor and write the record if it fits. A record
    that does not fit but starts inside the buffer writes a 0 id there instead: the host stops reading at it (the
    words after it may be left over from an earlier launch) and says how much output was dropped."""
    b, lay = em.b, em.layout
    words = ll.Constant(I64, 1 + len(slots))
    capacity = ll.Constant(I64, lay.print_capacity)
    start = b.atomic_rmw("add", em.slot_ptr(lay.print_cursor, b), words, "monotonic")
    base = b.add(start, ll.Constant(I64, lay.print_data))
    with b.if_else(b.icmp_unsigned("<=", b.add(start, words), capacity)) as (fits, full):
        with fits:
            for k, v in enumerate([ll.Constant(I64, pid + 1), *slots]):
                slot = b.add(base, ll.Constant(I64, k)) if k else base
                b.store(v, b.gep(em.ctx, [slot], inbounds=True, source_etype=I64))
        with full, b.if_then(b.icmp_unsigned("<", start, capacity)):
            b.store(ll.Constant(I64, 0), b.gep(em.ctx, [base], inbounds=True, source_etype=I64))


def _check(em, s: N.Check) -> None:
    b = em.b
    ok = nm.to_bool(em, s.cond.dtype, emit_expr(em, s.cond))
    fail, after = em.new_block("check.fail"), em.new_block("check.ok")
    b.cbranch(ok, after, fail)
    b.position_at_end(fail)
    em.record_failure(em.tables.add_check(kind=s.kind, message=s.message, loc=s.loc))
    b.branch(after)
    b.position_at_end(after)


def _set_return(em, s: N.SetReturn) -> None:
    dtype = em.program.returns[s.index]
    value = to_mem(em.b, dtype, emit_expr(em, s.value))
    em.b.store(value, em.slot_ptr(em.layout.returns[s.index], em.b))


def _read_clock(em, s: N.ReadClock) -> None:
    """``qd.clock_counter()``: the target's cycle counter (``llvm.readcyclecounter``, rdtsc on x86-64; CUDA's per-SM
    ``clock64``). Neither intrinsic is marked free of side effects, so LLVM never merges two reads or moves one out of
    a loop."""
    fn = intrinsic(em.module, em.target.intrinsic("readcyclecounter"), I64, [], [])
    em.write_var(s.var, em.b.call(fn, []))


STMT_EMITTERS: dict[type, Callable] = {
    N.Decl: _decl,
    N.Assign: _decl,
    N.Load: _load,
    N.Store: _store,
    N.AtomicRMW: _atomic,
    N.VarAtomicRMW: _var_atomic,
    N.If: _if,
    N.RangeFor: _range_for,
    N.Loop: _loop,
    N.Break: _jump(1),
    N.Continue: _jump(0),
    N.Print: _print,
    N.Check: _check,
    N.SetReturn: _set_return,
    N.ReadClock: _read_clock,
    N.Call: emit_call,
}
