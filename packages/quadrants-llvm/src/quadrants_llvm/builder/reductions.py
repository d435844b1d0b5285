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

__all__ = ["find_privatizable", "find_lane_owned", "PRIVATE_LIMIT"]

PRIVATE_LIMIT = 2048  # elements: a privatised copy lives on the worker's stack


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
    """Ndarrays that a task updates with atomics but only ever touches at each lane's own elements.

    Every access (load, store, atomic) of such an array indexes it with the lane's loop variables, each axis either
    a loop variable or a constant, every loop variable present, and the same variable on the same axis in every
    access: ``v[i, 0] += a`` and ``v[i, 1] += b`` in ``for i in range(n)`` (a vector field's components). Distinct
    lanes then never touch the same element, so the atomics need no atomicity (upstream demotes them too) and
    become a plain load, combine and store that the loop can vectorise. Only valid where distinct ndarray arguments
    do not overlap (the ``noalias`` variant; the launcher uses another variant for overlapping arguments).
    """
    lane = {v.id for v in task.vars}
    if not lane or any(isinstance(s, N.Assign) and s.var.id in lane for s in walk_stmts(task.body)):
        return frozenset()
    patterns: dict[int, tuple | None] = {}
    updated: set[int] = set()
    for s in walk_stmts(task.body):
        if isinstance(s, (N.Load, N.Store, N.AtomicRMW)):
            pattern = _own_pattern(s.indices, lane)
            patterns[s.arg] = pattern if patterns.get(s.arg, pattern) == pattern else None
            if isinstance(s, N.AtomicRMW):
                updated.add(s.arg)
    return frozenset(a for a in updated if patterns.get(a) is not None)


def _own_pattern(indices, lane: set[int]) -> tuple | None:
    """The loop variable on each axis (``None`` for a constant axis), or ``None`` when the index is not the lane's."""
    pattern = []
    for index in indices:
        if isinstance(index, N.LocalRef) and index.var.id in lane:
            pattern.append(index.var.id)
        elif isinstance(index, N.Const):
            pattern.append(None)
        else:
            return None
    return tuple(pattern) if {p for p in pattern if p is not None} == lane else None
