"""Order-dependence detection: ``qd.init(arch=qd.ref, check_races=True)`` (docs/semantics.md §10, §12).

While a parallel task runs, every ndarray access of its active lanes is recorded as arrays of (element, lane) pairs,
one record per executed load, store or atomic (no Python loop per element). When the task ends, the records of each
ndarray are checked at once: an element accessed by two different lanes conflicts when

* one of them is a plain store (write/write or write/read), or
* one is an atomic update and the other a plain load (atomic/atomic is allowed: linearizable, §12).

The first conflicting access (in execution order) is reported as :class:`~quadrants.errors.QuadrantsRuntimeError`
naming the ndarray, the element index, the two iterations (loop variable values) and the source lines of both
accesses. Serial tasks (one lane) and tasks with one lane are never recorded. With the checker on, the block fast
path of :mod:`quadrants_ref.memory` is off, so that every access goes through a gather, scatter or atomic.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from quadrants.errors import QuadrantsRuntimeError
from quadrants.ir.nodes import SrcLoc

__all__ = ["RaceRecorder", "READ", "WRITE", "ATOMIC"]

READ, WRITE, ATOMIC = 0, 1, 2
_VERBS = {READ: "read", WRITE: "written", ATOMIC: "updated atomically"}
_NONE = np.iinfo(np.int64).max


class RaceRecorder:
    """The accesses of one parallel task; ``describe_lane(pos)`` gives the loop variable values of lane ``pos``."""

    def __init__(self, names: list[str], shapes: list, describe_lane: Callable[[int], str]):
        self.names = names
        self.shapes = shapes
        self.describe_lane = describe_lane
        self.records: dict[int, list[tuple[np.ndarray, np.ndarray, int, int]]] = {}
        self.sites: list[SrcLoc | None] = []

    def record(self, arg: int, lin, mask, n: int, kind: int, loc: SrcLoc | None) -> None:
        """One access of ``arg`` at flat index ``lin`` (scalar or per lane) by the active lanes of ``mask``."""
        if n <= 1:
            return
        lanes = np.arange(n, dtype=np.int64) if mask is None else np.flatnonzero(mask).astype(np.int64)
        if np.ndim(lin) == 0:
            elems = np.full(lanes.shape, int(lin), dtype=np.int64)
        else:
            elems = np.broadcast_to(np.asarray(lin), (n,))[lanes].astype(np.int64)
        self.sites.append(loc)
        self.records.setdefault(arg, []).append((elems, lanes, kind, len(self.sites) - 1))

    def check(self) -> None:
        """Raise for the first conflicting access of the task, if any."""
        for arg, recs in self.records.items():
            self._check_arg(arg, recs)

    def _check_arg(self, arg: int, recs) -> None:
        elem = np.concatenate([r[0] for r in recs])
        lane = np.concatenate([r[1] for r in recs])
        kind = np.concatenate([np.full(r[0].shape, r[2], np.int8) for r in recs])
        site = np.concatenate([np.full(r[0].shape, r[3], np.int64) for r in recs])
        size = int(np.prod(self.shapes[arg])) if self.shapes[arg] is not None else int(elem.max()) + 1
        wlo, whi = _lane_span(elem, lane, kind == WRITE, size)
        alo, ahi = _lane_span(elem, lane, kind == ATOMIC, size)
        other_writer = (whi[elem] >= 0) & ((wlo[elem] != lane) | (whi[elem] != lane))
        other_atomic = (kind == READ) & (ahi[elem] >= 0) & ((alo[elem] != lane) | (ahi[elem] != lane))
        bad = other_writer | other_atomic
        if not bad.any():
            return
        k = int(np.flatnonzero(bad)[0])
        e, mine = int(elem[k]), int(lane[k])
        if other_writer[k]:
            other_kind, lo, hi = WRITE, wlo[e], whi[e]
        else:
            other_kind, lo, hi = ATOMIC, alo[e], ahi[e]
        other = int(lo if lo != mine else hi)
        j = int(np.flatnonzero((elem == e) & (lane == other) & (kind == other_kind))[0])
        self._raise(arg, e, (mine, int(kind[k]), self.sites[site[k]]), (other, other_kind, self.sites[site[j]]))

    def _raise(self, arg: int, e: int, first, second) -> None:
        shape = tuple(self.shapes[arg]) if self.shapes[arg] is not None else (e + 1,)
        index = ", ".join(str(int(i)) for i in np.unravel_index(e, shape)) if shape else ""
        name = self.names[arg]

        def part(access) -> str:
            pos, kind, loc = access
            return f"{_VERBS[kind]} by iteration {self.describe_lane(pos)} at {_where(loc)}"

        msg = (
            f"data race in a parallel loop: {name}[{index}] is {part(first)}, and {part(second)}; two iterations "
            "that access one element, one of them writing, need atomics (or qd.loop_config(serialize=True))"
        )
        raise QuadrantsRuntimeError(msg, first[2])


def _lane_span(elem: np.ndarray, lane: np.ndarray, sel: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per element: the smallest and largest lane among the selected accesses (``_NONE``/-1 where none)."""
    lo = np.full(size, _NONE, np.int64)
    hi = np.full(size, -1, np.int64)
    if sel.any():
        np.minimum.at(lo, elem[sel], lane[sel])
        np.maximum.at(hi, elem[sel], lane[sel])
    return lo, hi


def _where(loc: SrcLoc | None) -> str:
    if loc is None:
        return "<unknown line>"
    text = f" `{loc.text.strip()}`" if loc.text else ""
    return f"{loc.file}:{loc.line}{text}"
