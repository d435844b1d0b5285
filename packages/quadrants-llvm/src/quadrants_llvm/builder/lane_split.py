"""Sub-lane splitting of a lane's serial sum loop on CUDA (issue 18; docs/backends/gpu.md#sub-lane-split-sums).

A parallel task with few lanes, each running a long serial loop, leaves most of a GPU idle: 4096 n-body lanes are
4096 threads, an eighth of what an H100 keeps resident, and each thread's loop is a chain of dependent arithmetic.
When the loop only *sums* into locals of the lane, its iterations can be shared out::

    for i in range(n):                     # lane i, run by S threads ("sub-lanes" s = 0 .. S-1)
        xi = px[i]                         # pre: pure statements, run by every sub-lane alike
        acc = 0.0                          #      (sub-lanes s > 0 then restart each accumulator at -0.0)
        for j in range(n):                 # the loop: sub-lane s takes j = s, s + S, s + 2S, ...
            acc += f(xi, px[j])            #           (only `acc = acc + e` may touch an accumulator)
        ax[i] = acc                        # post: after a butterfly sum of the S partial accumulators, sub-lane 0

The S sub-lanes of a lane are consecutive threads of one warp, so their partial sums meet through ``shfl.sync.bfly``
with the group's own member mask. ``S`` is chosen *in the kernel* from the launch: the largest power of two up to
:data:`SPLIT_MAX` with ``lanes * S`` at most the grid's threads, so a task with many lanes runs with ``S = 1`` exactly
as before, and the host (``cuda/lane_grid.py``) sizes the grid of a split task for ``lanes * SPLIT_MAX`` threads.

Summing in another order changes float results, which the language allows only under ``fast_math=True``
(docs/semantics.md §4.4); integer sums wrap the same in any order. Under the default strict IEEE semantics a float sum
is split *in order* instead (:mod:`quadrants_llvm.builder.ordered_sums`): the S sub-lanes compute the addends of S
consecutive iterations side by side, and every sub-lane then adds them to the accumulator one by one in iteration
order, so the result has the bits of the serial loop (at most :data:`ORDERED_MAX` sub-lanes: the in-order adds cost
S shuffles per chunk). The pattern check is conservative (pure ``pre``, no stores, atomics, prints, calls or ``break``
in the loop, nothing reading an accumulator there but its own update): anything else keeps the plain lane loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import i64 as I64_T, u1 as U1_T
from quadrants.ir.ops import Op
from quadrants.ir.walk import EXPR_FIELDS, EXPR_TUPLE_FIELDS, iter_stmts

__all__ = ["SplitPlan", "plan", "SPLIT_MAX", "ORDERED_MAX", "MIN_TRIPS"]

SPLIT_MAX = 32  # sub-lanes per lane at most: one warp
ORDERED_MAX = 8  # ... when the addends are summed in iteration order (strict IEEE float sums; ordered_sums.py)
MIN_TRIPS = 64  # a loop with constant bounds fewer iterations apart is not worth sharing out

_PRE = (N.Decl, N.Assign, N.Load, N.Check, N.If)  # statement kinds a lane may run before the loop (pure)
_IN_LOOP = (N.Decl, N.Assign, N.Load, N.Check, N.If, N.RangeFor, N.Loop, N.Continue)


@dataclass(frozen=True)
class SplitPlan:
    """How a task's body divides: ``pre`` (every sub-lane), ``loop`` (shared out), ``post`` (sub-lane 0)."""

    pre: tuple
    loop: N.RangeFor
    post: tuple
    accumulators: tuple[N.Var, ...]
    ordered: bool = False  # the addends are summed in iteration order (ordered_sums.py), not per sub-lane

    @property
    def most(self) -> int:
        """Sub-lanes per lane at most."""
        return ORDERED_MAX if self.ordered else SPLIT_MAX


def plan(item: N.ParallelFor, fast_math: bool) -> SplitPlan | None:
    """The split of ``item``'s body, or ``None`` when its lanes must run their loops alone."""
    body = item.body
    for k, s in enumerate(body):
        if isinstance(s, N.RangeFor):
            return _plan_at(body[:k], s, body[k + 1 :], fast_math)
        if not _allowed(s, _PRE):
            return None
    return None


def _allowed(s, kinds) -> bool:
    return all(isinstance(x, kinds) for x in iter_stmts([s]))


def _constant(expr, pre: tuple):
    """The value of a loop bound known at compile time: a constant, or a local of ``pre`` declared with a constant
    and never assigned again (``qd.grouped(qd.ndrange(...))`` loops run to such a ``trip_count`` local); else
    ``None``."""
    if isinstance(expr, N.Const):
        return expr.value
    if not isinstance(expr, N.LocalRef):
        return None
    decls = [s for s in pre if isinstance(s, N.Decl) and s.var.id == expr.var.id]
    reassigned = any(isinstance(s, N.Assign) and s.var.id == expr.var.id for s in iter_stmts(pre))
    if len(decls) != 1 or reassigned or not isinstance(decls[0].value, N.Const):
        return None
    return decls[0].value.value


def _plan_at(pre: tuple, loop: N.RangeFor, post: tuple, fast_math: bool) -> SplitPlan | None:
    # A short loop (Genesis's SPH visits 27 neighbour cells per particle) is not worth sharing out, and sharing it
    # costs: a warp then serves one lane's cells, while one lane a thread keeps neighbouring lanes, which visit
    # the same cells, in one warp (H100: the split made those kernels 3.5x slower than upstream's)
    begin, end = _constant(loop.begin, pre), _constant(loop.end, pre)
    if begin is not None and end is not None and end - begin < MIN_TRIPS:
        return None
    if not all(_allowed(s, _IN_LOOP) for s in loop.body):
        return None
    local = {s.var.id for s in pre if isinstance(s, N.Decl)}
    inside = {loop.var.id} | {s.var.id for s in iter_stmts(loop.body) if isinstance(s, (N.Decl, N.Load, N.RangeFor))}
    updates = [s for s in iter_stmts(loop.body) if isinstance(s, N.Assign) and s.var.id not in inside]
    accs = {s.var.id: s.var for s in updates}
    if not accs or any(v not in local for v in accs):
        return None
    if any(v.dtype.kind not in ("int", "uint") and not v.dtype.is_float for v in accs.values()):
        return None
    ids = frozenset(accs)
    for s in iter_stmts(loop.body):
        if s in updates or (isinstance(s, N.Assign) and s.var.id in ids):
            if addend(s) is None or _reads(addend(s), ids):
                return None
        elif _stmt_reads(s, ids):
            return None
    ordered = any(v.dtype.is_float for v in accs.values()) and not fast_math
    if ordered and not _once_per_iteration(loop.body, ids):
        return None
    return SplitPlan(pre, loop, post, tuple(accs[k] for k in sorted(accs)), ordered)


def _once_per_iteration(body: tuple, ids: frozenset) -> bool:
    """Whether each update of an accumulator in ``body`` runs at most once per iteration and every iteration reaches
    the end of ``body`` (what an in-order sum needs: one addend per update statement and iteration). Updates may sit
    under ``if``s, not in inner loops; ``continue`` may leave an inner loop, not ``body``."""
    for s in body:
        if isinstance(s, N.Continue):
            return False
        if isinstance(s, N.If) and not (_once_per_iteration(s.then, ids) and _once_per_iteration(s.orelse, ids)):
            return False
        if isinstance(s, (N.RangeFor, N.Loop)) and any(
            isinstance(x, N.Assign) and x.var.id in ids for x in iter_stmts(s.body)
        ):
            return False
    return True


def addend(s: N.Assign):
    """``e`` of ``v = v + e`` / ``v = e + v``; ``None`` for any other update of ``v``."""
    e = s.value
    if not isinstance(e, N.OpExpr) or e.op is not Op.ADD or e.dtype != s.var.dtype:
        return None
    a, b = e.args
    if isinstance(a, N.LocalRef) and a.var.id == s.var.id:
        return b
    if isinstance(b, N.LocalRef) and b.var.id == s.var.id:
        return a
    return None


def _reads(e, ids: frozenset) -> bool:
    if isinstance(e, N.LocalRef):
        return e.var.id in ids
    if isinstance(e, N.OpExpr):
        return any(_reads(a, ids) for a in e.args)
    return False


def _stmt_reads(s, ids: frozenset) -> bool:
    if any(_reads(getattr(s, f), ids) for f in EXPR_FIELDS.get(type(s), ())):
        return True
    return any(_reads(e, ids) for f in EXPR_TUPLE_FIELDS.get(type(s), ()) for e in getattr(s, f))


# ------------------------------------------------------------------------------------------------ code generation
class SubLanes:
    """The launch's split: ``S`` (sub-lanes per lane), its log2, and this thread's sub-lane, all i64 values."""

    def __init__(self, b: ll.IRBuilder, total, threads, thread, most: int = SPLIT_MAX):
        i64 = ll.IntType(64)
        log = ll.Constant(i64, 0)
        # the largest power of two S <= most with total * S <= threads (1 when the lanes fill the grid)
        self.most = most
        width = 1
        while width < most:
            width *= 2
            fits = b.icmp_unsigned("<=", b.mul(total, ll.Constant(i64, width)), threads)
            log = b.select(fits, ll.Constant(i64, width.bit_length() - 1), log)
        self.log = log
        self.count = b.shl(ll.Constant(i64, 1), log)
        self.sub = b.and_(thread, b.sub(self.count, ll.Constant(i64, 1)))
        self.thread = thread
        self.total = total
        self.current = None  # the lane this thread runs now (set by the grid-stride loop, for warp_mask)

    def lane(self, b, thread):
        """The lane a thread (or a stride in threads) stands for."""
        return b.lshr(thread, self.log)


_SUB = N.Var(-1_000_001, "split.sub", I64_T)  # this thread's sub-lane (written before the loop)
_COUNT = N.Var(-1_000_002, "split.count", I64_T)  # S
_BEGIN = N.Var(-1_000_003, "split.begin", I64_T)
_TRIPS = N.Var(-1_000_004, "split.trips", I64_T)
_K = N.Var(-1_000_005, "split.k", I64_T)
_EXTENT = N.Var(-1_000_006, "split.extent", I64_T)


def _i64(e) -> N.OpExpr:
    return e if e.dtype == I64_T else N.OpExpr(Op.CAST, (e,), I64_T)


def _op(op: Op, *args) -> N.OpExpr:
    return N.OpExpr(op, tuple(args), I64_T)


def strided_loop(loop: N.RangeFor) -> tuple:
    """``loop`` as sub-lane ``split.sub``'s share, in IR: its iterations ``begin + sub``, ``begin + sub + S``, ...

    The bounds are evaluated once, as the loop's own are, and the arithmetic is 64-bit, so no ``begin``/``end`` of the
    loop variable's type overflows. The original body runs unchanged (``continue`` goes to the next own iteration).
    """
    sub, count = N.LocalRef(_SUB), N.LocalRef(_COUNT)
    # trips = ceil((extent - sub) / S), never negative: extent - sub + S - 1 >= 0 for extent >= 0 and sub < S
    trips = _op(Op.FLOORDIV, _op(Op.ADD, _op(Op.SUB, _extent(loop), sub), _op(Op.SUB, count, N.Const(1, I64_T))), count)
    return (
        N.Decl(_BEGIN, _i64(loop.begin), loop.loc),
        N.Decl(_TRIPS, trips, loop.loc),
        N.RangeFor(_K, N.Const(0, I64_T), N.LocalRef(_TRIPS), (own_iteration(loop), *loop.body), loop.loc),
    )


def _extent(loop: N.RangeFor) -> N.OpExpr:
    """The loop's trip count, ``max(end - begin, 0)`` in 64 bits (``split.begin`` holds ``begin``)."""
    return _op(Op.MAX, _op(Op.SUB, _i64(loop.end), N.LocalRef(_BEGIN)), N.Const(0, I64_T))


def own_iteration(loop: N.RangeFor) -> N.Decl:
    """The loop variable of this sub-lane's ``split.k``-th iteration: ``begin + k * S + sub``."""
    offset = _op(Op.ADD, N.LocalRef(_SUB), _op(Op.MUL, N.LocalRef(_K), N.LocalRef(_COUNT)))
    index = _op(Op.ADD, N.LocalRef(_BEGIN), offset)
    return N.Decl(loop.var, N.OpExpr(Op.CAST, (index,), loop.var.dtype) if loop.var.dtype != I64_T else index)


def chunked_loop(loop: N.RangeFor) -> tuple[tuple, N.Var, N.Expr]:
    """For an ordered sum: the statements that evaluate ``loop``'s bounds once, the chunk counter and the number of
    chunks of S iterations (every sub-lane runs all of them; :func:`own_iteration` is the iteration it computes)."""
    count = N.LocalRef(_COUNT)
    chunks = _op(Op.FLOORDIV, _op(Op.ADD, N.LocalRef(_EXTENT), _op(Op.SUB, count, N.Const(1, I64_T))), count)
    prologue = (N.Decl(_BEGIN, _i64(loop.begin), loop.loc), N.Decl(_EXTENT, _extent(loop), loop.loc))
    return prologue, _K, chunks


def own_iteration_runs() -> N.OpExpr:
    """Whether this sub-lane's iteration of the current chunk is inside the loop: ``k * S + sub < extent``."""
    offset = _op(Op.ADD, _op(Op.MUL, N.LocalRef(_K), N.LocalRef(_COUNT)), N.LocalRef(_SUB))
    return N.OpExpr(Op.LT, (offset, N.LocalRef(_EXTENT)), U1_T)


def enter(em, split: SplitPlan, lanes: SubLanes, emit_block):
    """The start of a split lane: ``pre`` (every sub-lane alike) and the sub-lane registers the loop's IR reads;
    returns whether this thread is sub-lane 0 (an i1)."""
    emit_block(em, split.pre)
    em.write_var(_SUB, lanes.sub)
    em.write_var(_COUNT, lanes.count)
    return em.b.icmp_unsigned("==", lanes.sub, ll.Constant(ll.IntType(64), 0))


def emit_split_lane(em, split: SplitPlan, lanes: SubLanes, emit_block, shuffle) -> None:
    """A lane's body as sub-lane ``lanes.sub`` of ``lanes.count``: ``pre``; the accumulators restarted at the
    identity on sub-lanes > 0; this sub-lane's share of the loop; the butterfly sum; ``post`` on sub-lane 0. (An
    ordered plan goes to :func:`quadrants_llvm.builder.ordered_sums.emit_ordered_lane` instead.)"""
    b = em.b
    first = enter(em, split, lanes, emit_block)
    for acc in split.accumulators:
        em.write_var(acc, b.select(first, em.read_var(acc), identity(acc.dtype)))
    emit_block(em, strided_loop(split.loop))
    # a sub-lane that stopped for Ctrl-C has left the kernel: its partners leave here too, before the shuffles
    # that would wait for it
    em.poll_interrupt()
    _combine(em, split.accumulators, lanes, shuffle)
    with b.if_then(first):
        emit_block(em, split.post)


def identity(dtype):
    """``-0.0`` for floats (``x + -0.0 == x`` for every ``x``, ``+0.0`` included), 0 for integers."""
    from quadrants_llvm.builder.types import reg_type

    return ll.Constant(reg_type(dtype), -0.0 if dtype.is_float else 0)


def group_mask(b, lanes: SubLanes):
    """``(first, mask, width)``: the warp lane id of the lane's first sub-lane (i64), the i32 member mask of the
    shuffles and the number of threads it names (i64, the warp's first ``width`` threads).

    The mask names every thread of the warp that runs a lane now, not the lane's own group: threads that pass
    ``shfl.sync`` different masks split the warp, and the groups then run one after the other (the in-order sums,
    which shuffle in every chunk, ran several times slower so). Lanes take consecutive groups of S threads from
    ``lane * S``, so the threads with a lane are the warp's first ``total * S - base`` ones (whole groups), where
    ``base`` is the warp's first thread; the shuffles stay inside a group by their offsets and source lanes.
    """
    i64 = ll.IntType(64)
    base = b.sub(b.and_(lanes.thread, ll.Constant(i64, 31)), lanes.sub)
    me = b.or_(b.shl(lanes.current, lanes.log), lanes.sub)  # this thread's index in this grid-stride round
    left = b.sub(b.shl(lanes.total, lanes.log), b.and_(me, ll.Constant(i64, ~31)))  # >= 1: this thread has a lane
    width = b.select(b.icmp_unsigned(">", left, ll.Constant(i64, 32)), ll.Constant(i64, 32), left)
    bits = b.sub(b.shl(ll.Constant(i64, 1), width), ll.Constant(i64, 1))
    return base, b.trunc(bits, ll.IntType(32)), width


def _combine(em, accumulators, lanes: SubLanes, shuffle) -> None:
    """Sum each accumulator over the ``S`` sub-lanes of the lane (butterfly shuffles within the group's mask)."""
    b = em.b
    i64 = ll.IntType(64)
    _, mask, _ = group_mask(b, lanes)
    for offset in (16, 8, 4, 2, 1):
        # S is the same for the whole grid: a uniform branch around the shuffles that stay inside the group
        with b.if_then(b.icmp_unsigned(">", lanes.count, ll.Constant(i64, offset))):
            for acc in accumulators:
                value = em.read_var(acc)
                other = shuffle(em, value, offset, mask)
                em.write_var(acc, _add(b, acc.dtype, value, other))


def _add(b, dtype, x, y):
    return b.fadd(x, y, flags=("fast",)) if dtype.is_float else b.add(x, y)
