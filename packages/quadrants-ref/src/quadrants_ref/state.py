"""Run-time state of the reference interpreter: the launch context, the per-task lane state and mask algebra.

Values. Every IR value inside a task is either a NumPy array of shape ``(n,)`` (one element per lane, in lane order)
or a *uniform* value (a NumPy scalar or 0-d array) that stands for the same value in every lane; NumPy broadcasting
makes both work in every handler.

Masks. ``TaskState.mask`` is the set of active lanes: ``None`` means every lane of the task, ``False`` means no lane
(after ``break``/``continue``), and otherwise it is a bool array of shape ``(n,)`` with at least one ``True``.
Statements only ever run with ``None`` or a non-empty array; block runners stop as soon as the mask becomes ``False``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Launch", "TaskState", "Mask", "is_uniform", "or_mask", "and_not", "normalize", "last_active"]

Mask = Any  # None | False | np.ndarray[bool]


def is_uniform(value) -> bool:
    """True for a value that is the same in every lane (NumPy scalar, 0-d array, Python scalar)."""
    return type(value) is not np.ndarray or value.ndim == 0


def normalize(mask: Mask) -> Mask:
    """Turn an all-false array into ``False``."""
    if mask is None or mask is False:
        return mask
    return mask if mask.any() else False


def or_mask(a: Mask, b: Mask) -> Mask:
    if a is None or b is None:
        return None
    if a is False:
        return b
    if b is False:
        return a
    return a | b


def and_not(entry: Mask, removed: Mask) -> Mask:
    """Lanes of ``entry`` that are not in ``removed`` (normalized)."""
    if removed is False:
        return entry
    if removed is None or entry is False:
        return False
    if entry is None:
        return normalize(~removed)
    return normalize(entry & ~removed)


def last_active(mask: Mask, n: int) -> int:
    """Position of the last active lane in lane order."""
    if mask is None:
        return n - 1
    return int(np.flatnonzero(mask)[-1])


class Launch:
    """One kernel launch: argument storage, scalar values, kernel vars, return slots and the lane-order source."""

    __slots__ = (
        "arrays",
        "call_depth",
        "check_races",
        "flats",
        "kvars",
        "names",
        "order",
        "races",
        "returns",
        "rng",
        "scalars",
        "shapes",
        "views_ok",
    )

    def __init__(self, program, args: list, options):
        self.arrays: list = [None] * len(args)
        self.flats: list = [None] * len(args)
        self.shapes: list = [None] * len(args)
        self.scalars: list = [None] * len(args)
        self.names: list[str] = [spec.name for spec in program.args]
        self.kvars: dict[int, Any] = {}
        self.returns: list = [None] * len(program.returns)
        self.order: str = options.lane_order
        self.rng = np.random.default_rng(options.seed)
        self.views_ok = True
        self.check_races: bool = bool(getattr(options, "check_races", False))
        self.races = None  # a quadrants_ref.races.RaceRecorder while a parallel task runs under check_races
        self.call_depth = 0  # nested Calls running now (quadrants_ref.calls)


class TaskState:
    """The lanes of one running task: active mask, loop break set, locals and the lane-index layout."""

    __slots__ = ("block", "brk", "kv_written", "lane_maker", "lane_values", "launch", "locals", "mask", "n")

    def __init__(self, launch: Launch, n: int):
        self.n = n
        self.mask: Mask = None
        self.brk: Mask = False
        self.locals: dict[int, Any] = dict(launch.kvars)
        self.launch = launch
        self.kv_written: dict[int, Mask] = {}
        self.lane_values: list | None = None  # per-axis i32 index arrays of a ParallelFor, built lazily
        self.lane_maker = None
        self.block = None  # (slices, begins, ends, reversed) when lanes cover a block in (reversed) C order

    def lane(self, axis: int):
        """The index array of ``axis`` for every lane (materialized on first use)."""
        if self.lane_values is None:
            self.lane_values = self.lane_maker()
        return self.lane_values[axis]
