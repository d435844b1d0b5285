"""How many blocks a parallel task needs, from its loop bounds evaluated on the host (docs/backends/gpu.md).

A parallel task walks its lanes with a grid-stride loop, so every grid size is correct; the largest useful one fills
the device (occupancy × SMs). A loop over 16 elements launched on that grid starts a thousand blocks that find no
work, which costs a few microseconds per launch: the whole launch of a small kernel, and most of an iteration of a
``qd.graph.do_while`` whose body is small. So the host sizes the grid by the lane count where it can compute it
before the launch: bounds made of constants, scalar arguments and ndarray shapes (``range(x.shape[0])``,
``qd.ndrange(n, (1, m - 1))``). Bounds that read kernel variables are only known on the device; those tasks keep the
full grid.

:func:`lane_counter` turns a task's bounds into a function of the launch arguments once, at load time; the launch
calls it (a few Python operations) and :func:`blocks` caps the result. Pure code, tested without a GPU.

A *heavy* task (its lanes run loops of their own, :func:`heavy`) with fewer lanes than the device has SMs times the
block size gets smaller blocks instead (:func:`launch_dims`): 4096 n-body lanes in blocks of 256 occupy 16 of an
H100's 132 SMs, each running eight warps that share its pipelines, while the other 116 idle; in blocks of 32 they
occupy 128 SMs with a warp each. Light tasks keep their blocks: their time is the launch, not the lanes.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence

from quadrants.ir import nodes as N
from quadrants.ir.ops import Op
from quadrants.ir.walk import iter_stmts

__all__ = ["lane_counter", "blocks", "launch_dims", "heavy", "BLOCK", "MIN_BLOCK", "MAX_BLOCKS"]

Counter = Callable[[Sequence], int]
BLOCK = 256  # threads per block of a parallel task
MIN_BLOCK = 32  # one warp: the smallest block a task is launched with (reductions combine per warp)
MAX_BLOCKS = (1 << 31) - 1  # the grid's x dimension


def _floordiv(a: int, b: int) -> int:
    return a // b if b else 0  # the language's integer division by zero gives 0 (docs/semantics.md)


def _mod(a: int, b: int) -> int:
    return a % b if b else 0


# integer operations a bound may use; anything else leaves the task on the full grid
_BINARY: dict[Op, Callable[[int, int], int]] = {
    Op.ADD: operator.add,
    Op.SUB: operator.sub,
    Op.MUL: operator.mul,
    Op.FLOORDIV: _floordiv,
    Op.MOD: _mod,
    Op.MIN: min,
    Op.MAX: max,
    Op.SHL: lambda a, b: a << (b & 63),
    Op.SHR: lambda a, b: a >> (b & 63),
}
_UNARY: dict[Op, Callable[[int], int]] = {Op.NEG: operator.neg, Op.CAST: int, Op.ABS: abs}


def _compile(expr) -> Counter | None:
    """``expr`` as a function of the argument list, or ``None`` when the host cannot know its value."""
    if isinstance(expr, N.Const):
        value = int(expr.value)
        return lambda args: value
    if isinstance(expr, N.ArgRef):
        index = expr.index
        return lambda args: int(args[index])
    if isinstance(expr, N.Shape):
        arg, axis = expr.arg, expr.axis
        return lambda args: int(args[arg].shape[axis])
    if isinstance(expr, N.OpExpr) and not expr.dtype.is_float:
        parts = [_compile(a) for a in expr.args]
        if any(p is None for p in parts):
            return None
        if len(parts) == 2 and expr.op in _BINARY:
            fn, (left, right) = _BINARY[expr.op], parts
            return lambda args: fn(left(args), right(args))
        if len(parts) == 1 and expr.op in _UNARY:
            fn, (only,) = _UNARY[expr.op], parts
            return lambda args: fn(only(args))
    return None  # kernel variables (computed on the device), float bounds, other operations


def lane_counter(item: N.ParallelFor) -> Counter | None:
    """The lane count of ``item`` as a function of the launch arguments (``None``: not computable on the host); its
    ``constant`` attribute says whether the bounds are constants alone."""
    axes = []
    for begin, end in zip(item.begins, item.ends, strict=True):
        lo, hi = _compile(begin), _compile(end)
        if lo is None or hi is None:
            return None
        axes.append((lo, hi))

    def count(args: Sequence) -> int:
        total = 1
        for lo, hi in axes:
            total *= max(0, hi(args) - lo(args))
        return total

    # bounds of constants alone: the same count for every launch, so the host sizes the grid once (executable.py)
    count.constant = all(isinstance(e, N.Const) for e in (*item.begins, *item.ends))
    return count


def _lanes(counter: Counter | None, args: Sequence) -> int | None:
    """The lane count ``counter`` gives for ``args``; ``None`` when unknown or its evaluation fails (an argument the
    host cannot read a bound from: the full grid is always correct)."""
    if counter is None:
        return None
    try:
        return counter(args)
    except (TypeError, ValueError, AttributeError, IndexError, OverflowError):
        return None


def blocks(counter: Counter | None, args: Sequence, block: int, full: int) -> int:
    """Blocks of ``block`` threads for the lanes ``counter`` counts in ``args``, at most ``full`` (the grid that fills
    the device) and at least one; ``full`` when the count is unknown or its evaluation fails."""
    return launch_dims(counter, args, block, full, 0, False)[0]


def heavy(item: N.ParallelFor) -> bool:
    """Whether ``item``'s lanes run loops of their own (so each lane's serial work, not the launch, sets its time)."""
    return any(isinstance(s, (N.RangeFor, N.Loop)) for s in iter_stmts(item.body))


def launch_dims(
    counter: Counter | None,
    args: Sequence,
    block: int,
    full: int,
    sms: int,
    spread: bool,
    per_lane: int = 1,
    rows: int = 1,
):
    """``(blocks, threads per block)`` for a task: :func:`blocks` of ``block`` threads, except that a ``spread`` (heavy)
    task whose lanes would fill fewer than ``sms`` blocks gets blocks of fewer threads (a power of two, at least
    :data:`MIN_BLOCK`), so that its blocks reach every SM. ``per_lane``: threads a lane can use (a task whose lanes
    share their sum loop out, ``builder/lane_split.py``, takes up to that many per lane and fewer when the grid is
    full). ``rows``: points per thread of a row-blocked task (``builder/row_blocks.py``), which gets one thread per
    row block, up to :data:`MAX_BLOCKS` blocks rather than ``full``: walking the row blocks with a grid-stride loop
    over the occupancy-sized grid ran Jacobi at half the speed on an H100 (docs/backends/gpu.md#row-blocked-lanes).
    The count of row blocks is rounded from the point count; a grid a few blocks short is still correct (the
    grid-stride loop takes the rest)."""
    lanes = _lanes(counter, args)
    if lanes is None:
        return full, block
    if rows > 1:
        lanes, full = -(-lanes // rows), MAX_BLOCKS
    lanes *= per_lane
    threads = block
    while spread and threads > MIN_BLOCK and -(-lanes // threads) < sms:
        threads //= 2
    return max(1, min(full, -(-lanes // threads))), threads
