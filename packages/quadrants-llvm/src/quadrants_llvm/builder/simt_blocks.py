"""SIMT slot loops on hardware thread blocks (NVPTX): every thread of a block takes the same slot, each phase loop
spreads the block's lanes over the threads, and a barrier follows each phase (docs/simt.md, "How it runs").

The frontend lowers a SIMT task (frontend/simt_lowering.py) into a parallel loop over block *slots*
(``ParallelFor.simt_block = B``) whose body is *block-level* code (the walk over the slot's blocks, the uniform
conditions and loop bounds of statements that contain a barrier, each evaluated for lane 0 from the lane arrays) around
*phase* loops ``for t in range(B)`` (``RangeFor.simt_phase``), one per stretch of statements between two barriers.
On a grid target with a block barrier, :func:`plan` accepts such a loop and the task kernel (``grid.py``) then

* walks the slots with ``slot = block id`` and ``slot += grid size`` (no lane split, unrolled copies, row blocks or
  multi-axis digits: one axis, heavy bodies), so all the threads of a hardware block are on one slot;
* runs block-level code on every thread: it only assigns thread-private locals from pure expressions and loads
  (:func:`why_one_thread`), so every thread computes the same values and takes the same branches, and every thread
  reaches every barrier;
* runs a phase loop as ``t = thread id; t < B; t += block size`` followed by ``barrier.sync 0`` (:func:`emit_phase`),
  so lane ``t`` is always run by the same thread: a lane's per-lane scratch entries are only ever touched by it, and
  the barrier publishes every other block array (shared arrays, group exchanges) to the block before the next phase;
* puts a barrier *before* a phase loop too when block-level loads may have run since the last barrier
  (:func:`leading_barriers`): those read lane 0's entries, which the thread of lane 0 may rewrite in the next phase.

Anything else in block-level code (a store, an atomic, a print, a call; an IR rewrite that dropped the phase marks)
keeps the task on the one-thread-per-slot path, which is always correct. Reductions accumulate per thread across
all the phases a thread runs and combine at the end of the kernel (``grid._flush``), as for any task.
"""

from __future__ import annotations

import os

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants_llvm.builder import numerics as nm
from quadrants_llvm.builder.exprs import emit_expr
from quadrants_llvm.builder.stmts import emit_block
from quadrants_llvm.builder.types import I32, VOID, reg_type

__all__ = [
    "enabled",
    "plan",
    "slot_block",
    "why_one_thread",
    "emit_phase",
    "leading_barriers",
    "threads_for",
    "MAX_THREADS",
]

MAX_THREADS = 1024  # threads per block of a CUDA launch
_WARP = 32
_PLAIN = (N.Decl, N.Assign, N.Load, N.Break, N.Continue)  # block-level statements that only set thread-private locals


def enabled() -> bool:
    """SIMT slots run on thread blocks unless ``QD_CUDA_SIMT_BLOCKS=0`` (a block then runs on one thread, as on the
    other backends). Read when a kernel is compiled; the artifact records the answer
    (``GpuArtifact.simt_blocks``), so a cached kernel launches the way it was compiled whatever the variable says
    now."""
    return os.environ.get("QD_CUDA_SIMT_BLOCKS", "1") != "0"


def plan(bld, item: N.ParallelFor) -> int:
    """``B`` when ``item`` is a SIMT slot loop this target runs on thread blocks, else 0 (one thread per slot)."""
    return slot_block(item) if bld.target.block_barrier and enabled() else 0


def slot_block(item: N.ParallelFor) -> int:
    """``B`` when ``item`` is a SIMT slot loop whose block-level code allows a slot per thread block, else 0 (the
    host's launch test on a target with a block barrier)."""
    return item.simt_block if item.simt_block and not why_one_thread(item) else 0


def why_one_thread(item: N.ParallelFor) -> str:
    """Why SIMT slot loop ``item`` keeps one thread per slot ("" when it can run on thread blocks)."""
    if len(item.vars) != 1:
        return f"{len(item.vars)} slot axes"
    found = _not_block_level(item.body)
    return f"a {type(found).__name__} statement outside its phase loops" if found is not None else ""


def threads_for(block_dim: int) -> int:
    """Threads per hardware block for a slot loop of ``block_dim`` lanes: whole warps, at most :data:`MAX_THREADS`
    (a larger block's lanes take several turns of the phase loops)."""
    return min(MAX_THREADS, -(-block_dim // _WARP) * _WARP)


def _not_block_level(stmts):
    """The first statement of block-level ``stmts`` that does more than set locals, branch and loop around phase
    loops (``None``: there is none)."""
    for s in stmts:
        if isinstance(s, N.RangeFor) and s.simt_phase:
            continue
        if isinstance(s, (N.RangeFor, N.If, N.Loop)):
            for attr in ("then", "orelse", "body"):
                found = _not_block_level(getattr(s, attr, ()))
                if found is not None:
                    return found
        elif not isinstance(s, _PLAIN):
            return s
    return None


def _loads(stmts) -> bool:
    """Whether block-level ``stmts`` contain a load outside their phase loops."""
    for s in stmts:
        if isinstance(s, N.Load):
            return True
        if isinstance(s, N.RangeFor) and s.simt_phase:
            continue
        if any(_loads(getattr(s, attr, ())) for attr in ("then", "orelse", "body")):
            return True
    return False


def leading_barriers(body) -> frozenset[int]:
    """Ids of the phase loops of slot-loop ``body`` that need a barrier before them: a block-level load may have run
    since the last barrier on some path to them (conservative at loop heads: any load in a loop body counts)."""
    out: set[int] = set()

    def walk(stmts, dirty: bool) -> bool:
        for s in stmts:
            if isinstance(s, N.RangeFor) and s.simt_phase:
                if dirty:
                    out.add(id(s))
                dirty = False  # the phase ends with a barrier
            elif isinstance(s, N.Load):
                dirty = True
            elif isinstance(s, N.If):
                dirty = walk(s.then, dirty) | walk(s.orelse, dirty)
            elif isinstance(s, (N.Loop, N.RangeFor)):
                # the body starts after the code before the loop or after its own last iteration (or a continue)
                again = dirty or _loads(s.body)
                walk(s.body, again)
                dirty = again  # a break or the exit test may leave right after any load of the body
        return dirty

    walk(body, False)
    return frozenset(out)


def emit_phase(em, s: N.RangeFor, tid, bdim, leading: frozenset[int]) -> None:
    """Phase loop ``s`` spread over the block's threads (``tid``, ``bdim``: i64 values of the task kernel), with a
    barrier after it (and one before it when ``id(s)`` is in ``leading``)."""
    b = em.b
    barrier = em.module.globals.get(em.target.block_barrier) or ll.Function(
        em.module, ll.FunctionType(VOID, [I32]), name=em.target.block_barrier
    )
    if id(s) in leading:
        b.call(barrier, [ll.Constant(I32, 0)])
    t = reg_type(s.var.dtype)
    begin = nm.convert(em, s.begin.dtype, s.var.dtype, emit_expr(em, s.begin))
    end = nm.convert(em, s.end.dtype, s.var.dtype, emit_expr(em, s.end))
    cast = (lambda v: b.trunc(v, t)) if t.width < 64 else (lambda v: v)
    head, body, latch, done = (em.new_block(n) for n in ("phase.head", "phase.body", "phase.latch", "phase.end"))
    em.write_var(s.var, b.add(begin, cast(tid)))
    b.branch(head)
    b.position_at_end(head)
    b.cbranch(b.icmp_signed("<", em.read_var(s.var), end), body, done)
    b.position_at_end(body)
    em.loops.append((latch, done))
    emit_block(em, s.body)
    em.loops.pop()
    em.branch_if_open(latch)
    b.position_at_end(latch)
    em.write_var(s.var, b.add(em.read_var(s.var), cast(bdim), flags=["nsw"]))
    b.branch(head)
    b.position_at_end(done)
    b.call(barrier, [ll.Constant(I32, 0)])
