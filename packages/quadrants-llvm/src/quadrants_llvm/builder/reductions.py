"""Per-chunk private copies of small histogram arrays (issue 4); the reduction analysis is
:mod:`quadrants.ir.reductions`, and :mod:`.tasks` / :mod:`.grid` give each thread an accumulator per reduction target.

Float add may be reassociated inside a chunk: the order of float atomic adds is unspecified (docs/semantics.md §12), so
the accumulator's adds carry ``reassoc`` and vectorise.
"""

from __future__ import annotations

from quadrants.ir import nodes as N
from quadrants.ir.ops import Op
from quadrants.ir.reductions import read_var_ids
from quadrants.ir.walk import iter_stmts as walk_stmts

__all__ = [
    "find_privatizable",
    "find_lane_owned",
    "update_count",
    "private_capacity",
    "PRIVATE_LIMIT",
    "LARGE_PRIVATE_LIMIT",
]

PRIVATE_LIMIT = 2048  # elements: up to this size a chunk always adds into a private copy (on the worker's stack)
# Larger arrays (MPM grids, a cloth's forces) up to this size get a private copy when the chunk makes at least half
# as many updates as the copies have elements (tasks._call_range): zeroing and scanning a copy costs about as much
# as half an atomic per element, while every update it takes costs a plain add instead of a compare-exchange loop
# (issue 23: mass_spring's spring loop 330 -> 190 us, mpm99's particle-to-grid 360 -> 300 us, single-threaded; a
# permutation scatter, one update per element and chunk, stays with the atomics).
LARGE_PRIVATE_LIMIT = 16384
PRIVATE_STACK_BYTES = 256 * 1024  # the most stack the private copies of one task may take (threads may have 512 KiB)


def find_privatizable(task: N.ParallelFor, program: N.Program, reductions: frozenset) -> tuple[int, ...]:
    """Ndarrays that a task only updates with ``add`` atomics at lane-dependent indices (histograms).

    Each worker chunk then adds into a private zeroed copy (when the array has at most :data:`PRIVATE_LIMIT`
    elements, checked at run time) and adds the non-zero entries to the real array once, instead of contending on
    a few hot cache lines with an atomic per lane. Integer adds are exact in any order; float add order is
    unspecified (docs/semantics.md §12), and entries that stay +0.0 are skipped so untouched -0.0 elements keep their
    sign.
    """
    reduced = {arg for arg, _ in reductions}
    used = read_var_ids(task.body)
    lane_vars = {v.id for v in task.vars}
    candidates: dict[int, bool] = {}
    scattered: set[int] = set()  # args some atomic indexes with something other than the lane's own index
    for s in walk_stmts(task.body):
        if isinstance(s, (N.Load, N.Store)):
            candidates[s.arg] = False
        elif isinstance(s, N.AtomicRMW):
            dtype = program.args[s.arg].dtype
            ok = (
                s.op is Op.ATOMIC_ADD
                and (s.var is None or s.var.id not in used)
                and not dtype.is_bool
                and dtype.bits != 16
                and s.arg not in reduced
            )
            candidates[s.arg] = candidates.get(s.arg, True) and ok
            if not all(isinstance(i, N.LocalRef) and i.var.id in lane_vars for i in s.indices):
                scattered.add(s.arg)
    # `x[i] += 1` hits a distinct element per lane: no contention, a private copy would only add code
    return tuple(sorted(a for a, ok in candidates.items() if ok and a in scattered))


def find_lane_owned(task: N.ParallelFor) -> frozenset[int]:
    """Ndarrays that a task updates with atomics but only ever touches at each lane's own elements
    (:func:`lane_own_arrays`), so the atomics need no atomicity (upstream demotes them too) and become a plain load,
    combine and store that the loop can vectorise. Only valid where distinct ndarray arguments do not overlap (the
    ``noalias`` variant; the launcher uses another variant for overlapping arguments).
    """
    updated = {s.arg for s in walk_stmts(task.body) if isinstance(s, N.AtomicRMW)}
    return lane_own_arrays(task) & updated


def lane_own_arrays(task: N.ParallelFor) -> frozenset[int]:
    """Ndarrays whose every access (load, store, atomic) indexes them with the lane's loop variables, every loop
    variable present as an axis's whole index, and the same variable on the same axis in every access (the other
    axes hold anything): ``v[i, 0] += a`` and ``v[i, 1] += b`` in ``for i in range(n)`` (a vector field's
    components), ``x.grad[t, i] += g`` beside ``x.grad[t + 1, i]`` (an adjoint kernel at time step ``t``). Distinct
    lanes never touch the same element of them.
    """
    lane = {v.id for v in task.vars}
    if not lane or any(isinstance(s, N.Assign) and s.var.id in lane for s in walk_stmts(task.body)):
        return frozenset()
    patterns: dict[int, tuple | None] = {}
    for s in walk_stmts(task.body):
        if isinstance(s, (N.Load, N.Store, N.AtomicRMW)):
            pattern = _own_pattern(s.indices, lane)
            patterns[s.arg] = pattern if patterns.get(s.arg, pattern) == pattern else None
    return frozenset(a for a, p in patterns.items() if p is not None)


def _own_pattern(indices, lane: set[int]) -> tuple | None:
    """The loop variable on each axis (``None`` for any other axis), or ``None`` when no axis set holds the lane's
    variables. Two lanes differ in some loop variable, so with every loop variable on the same axis in every access
    they never share an element, whatever the other axes hold (``x.grad[t, i] += ...`` at a time step ``t``)."""
    pattern = [index.var.id if isinstance(index, N.LocalRef) and index.var.id in lane else None for index in indices]
    return tuple(pattern) if {p for p in pattern if p is not None} == lane else None


def update_count(task: N.ParallelFor, arrays) -> int:
    """Atomic updates of ``arrays`` written in ``task``'s body (each counted once, also inside inner loops)."""
    wanted = set(arrays)
    return sum(1 for s in walk_stmts(task.body) if isinstance(s, N.AtomicRMW) and s.arg in wanted)


def private_capacity(program: N.Program, arrays) -> int:
    """Elements of each private copy of ``arrays``: :data:`LARGE_PRIVATE_LIMIT` when all of them fit in
    :data:`PRIVATE_STACK_BYTES`, else :data:`PRIVATE_LIMIT`."""
    itemsizes = sum(program.args[a].dtype.np.itemsize for a in arrays)
    return LARGE_PRIVATE_LIMIT if itemsizes * LARGE_PRIVATE_LIMIT <= PRIVATE_STACK_BYTES else PRIVATE_LIMIT
