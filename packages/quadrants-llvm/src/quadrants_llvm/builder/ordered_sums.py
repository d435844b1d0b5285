"""In-order sums over sub-lanes: the sub-lane split of a float sum loop under strict IEEE semantics (issue 18;
docs/backends/gpu.md#sub-lane-split-sums).

:mod:`~quadrants_llvm.builder.lane_split` shares a lane's sum loop out over S threads of a warp. Adding partial sums
changes float results, so under the default semantics (docs/semantics.md §4.4: no reassociation without
``fast_math=True``) the loop is cut into *chunks* of S consecutive iterations instead::

    for k in range(most chunks in the warp):   # every sub-lane of the warp runs every chunk
        slot_u = -0.0  (each update u)         # the addend of update u in this sub-lane's iteration
        if k * S + sub < extent:               # sub-lane s computes iteration begin + k*S + s
            j = begin + k * S + sub
            body, with `acc = acc + e` (update u) replaced by `slot_u = e`
        for t in range(S):                     # then, in iteration order, every sub-lane adds
            for u in updates:                  # sub-lane t's addends to its own copy of the accumulators
                acc_u = acc_u + shfl.sync.idx(slot_u, first + t)

The accumulators thus see exactly the additions of the serial loop, in its order: ``acc + e`` is ``e + acc`` in
IEEE arithmetic, and an update that did not run (an ``if`` not taken, an iteration past the end) adds ``-0.0``,
which leaves every value unchanged (``+0.0 + -0.0`` is ``+0.0``). What the S threads share is the work of computing
the addends, the square roots and divisions of an n-body force, say; the adds themselves stay a chain. So each
update statement must run at most once per iteration and every iteration must reach the end of the body
(``lane_split._once_per_iteration``). All sub-lanes end with the same accumulators; sub-lane 0 runs the rest.
"""

from __future__ import annotations

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.builder import lane_split
from quadrants_llvm.builder.stmts import emit_counted_loop
from quadrants_llvm.builder.types import I32, I64

__all__ = ["emit_ordered_lane", "emit_ordered_loop", "slotted"]

_SLOT_ID = -1_000_100  # ids of the addend slots (one per update statement), counting down
_GATHERED_ID = -1_000_900  # ids of the registers a gathered addend is read into, one per accumulator


def slotted(body: tuple, ids: frozenset) -> tuple[tuple, list[tuple[N.Var, N.Var]]]:
    """``body`` with each update ``acc = acc + e`` of an accumulator in ``ids`` replaced by ``slot = e``, and the
    ``(accumulator, slot)`` pairs in statement order (the order the serial loop adds them in)."""
    pairs: list[tuple[N.Var, N.Var]] = []

    def walk(stmts: tuple) -> tuple:
        out = []
        for s in stmts:
            if isinstance(s, N.Assign) and s.var.id in ids:
                slot = N.Var(_SLOT_ID - len(pairs), f"addend{len(pairs)}.{s.var.name}", s.var.dtype)
                pairs.append((s.var, slot))
                out.append(N.Assign(slot, lane_split.addend(s), s.loc))
            elif isinstance(s, N.If):
                out.append(N.If(s.cond, walk(s.then), walk(s.orelse), s.loc))
            else:
                out.append(s)  # inner loops hold no update (lane_split._once_per_iteration)
        return tuple(out)

    return walk(body), pairs


def emit_ordered_lane(em, split, lanes, emit_block, gather) -> None:
    """A lane's body as sub-lane ``lanes.sub`` of an ordered plan: ``pre``; the plain loop when S is 1 (the lanes
    fill the grid: no chunk guard and shuffles per iteration), else the chunked loop; ``post`` on sub-lane 0."""
    b = em.b
    first = lane_split.enter(em, split, lanes, emit_block)
    with b.if_else(b.icmp_unsigned("==", lanes.count, ll.Constant(I64, 1))) as (alone, shared):
        with alone:
            emit_block(em, (split.loop,))
        with shared:
            emit_ordered_loop(em, split, lanes, emit_block, gather)
    with b.if_then(first):
        emit_block(em, split.post)


def emit_ordered_loop(em, split, lanes, emit_block, gather) -> None:
    """The chunked loop of ``split`` (an ordered :class:`lane_split.SplitPlan`) for sub-lane ``lanes.sub``; ``gather(em,
    value, lane, mask)`` reads ``value`` from warp lane ``lane`` (an i32) among the threads of ``mask``."""
    from quadrants_llvm.builder.exprs import emit_expr

    b = em.b
    loop = split.loop
    body, pairs = slotted(loop.body, frozenset(v.id for v in split.accumulators))
    for acc, slot in pairs:
        em.write_var(slot, lane_split.identity(acc.dtype))  # declared before the loop: every path defines it
    prologue, counter, chunks = lane_split.chunked_loop(loop)
    emit_block(em, prologue)
    first, mask, width = lane_split.group_mask(b, lanes)
    own = N.If(lane_split.own_iteration_runs(), (lane_split.own_iteration(loop), *body), (), loop.loc)
    gathered = {acc.id: N.Var(_GATHERED_ID - k, f"gathered.{acc.name}", acc.dtype) for k, (acc, _) in enumerate(pairs)}

    def add_from(t: int) -> None:
        source = b.trunc(b.add(first, ll.Constant(I64, t)), I32)
        for acc, slot in pairs:
            em.write_var(gathered[acc.id], gather(em, em.read_var(slot), source, mask))
            # the serial loop's own addition (emit_expr: the same rounding for every type, f16 included)
            total = N.OpExpr(Op.ADD, (N.LocalRef(acc), N.LocalRef(gathered[acc.id])), acc.dtype)
            em.write_var(acc, emit_expr(em, total))

    def chunk() -> None:
        for acc, slot in pairs:
            em.write_var(slot, lane_split.identity(acc.dtype))
        emit_block(em, (own,))
        add_from(0)
        for t in range(1, lanes.most):
            # S is the same for the whole grid: a uniform branch
            with b.if_then(b.icmp_unsigned(">", lanes.count, ll.Constant(I64, t))):
                add_from(t)

    emit_counted_loop(
        em, counter, ll.Constant(I64, 0), _warp_max(em, emit_expr(em, chunks), mask, width, gather), chunk
    )


def _warp_max(em, chunks, mask, width, gather):
    """The largest ``chunks`` of the warp's threads in ``mask`` (its first ``width``): every group of the warp runs
    that many chunks, so all of them reach each chunk's shuffles together (a group whose own loop is shorter adds
    ``-0.0`` in the chunks past its end; lanes' loops may differ in length). Read from every even lane (each group
    has S >= 2 consecutive threads with the same count), a lane past ``width`` replaced by the last one in the mask.
    """
    b = em.b
    last = b.sub(width, ll.Constant(I64, 1))
    most = chunks
    for lane in range(0, 32, 2):
        source = b.select(b.icmp_unsigned("<", ll.Constant(I64, lane), width), ll.Constant(I64, lane), last)
        other = gather(em, chunks, b.trunc(source, I32), mask)
        most = b.select(b.icmp_signed(">", other, most), other, most)
    return most
