"""Ndarray element access for the reference interpreter: bounds checks, gathers, scatters and atomics.

Every access checks every index of every active lane (negative indices included: there is no wrap-around) and raises
``QuadrantsRuntimeError`` naming the index, the axis, the shape and the argument. Inactive lanes may hold any index;
gathers clip them (their values are never observed) and scatters skip them.

Block fast path: when a task's lanes are laid out in (reversed) C order over a box and the access indexes with
exactly the task's loop variables, the lanes map onto a slice of the array, so a gather is a view and a scatter is a
slice assignment, and one check of the box bounds replaces the per-lane checks.
"""

from __future__ import annotations

import numpy as np

from quadrants.errors import out_of_bound_access
from quadrants.ir.nodes import SrcLoc
from quadrants_ref.races import READ, WRITE
from quadrants_ref.state import Launch, TaskState, is_uniform, last_active

__all__ = ["check_bounds", "linear_index", "gather", "scatter", "block_view"]

_UNSIGNED_VIEW = {
    np.dtype(np.int8): np.uint8,
    np.dtype(np.int16): np.uint16,
    np.dtype(np.int32): np.uint32,
    np.dtype(np.int64): np.uint64,
}


def _out_of_range(index: np.ndarray, size: int) -> np.ndarray:
    unsigned = _UNSIGNED_VIEW.get(index.dtype)
    if unsigned is not None:
        return index.view(unsigned) >= size  # negatives become huge: one comparison checks both ends
    return index >= size


def _raise_out_of_bounds(launch: Launch, arg: int, idx: list, axis: int, lane: int, loc: SrcLoc | None):
    values = [int(v) if is_uniform(v) else int(v[lane]) for v in idx]
    raise out_of_bound_access(launch.names[arg], values, tuple(launch.shapes[arg]), loc)


def check_bounds(launch: Launch, arg: int, idx: list, mask, loc: SrcLoc | None) -> None:
    """Raise for the first active lane (in lane order) whose index is outside ``launch.shapes[arg]``."""
    shape = launch.shapes[arg]
    for axis, i in enumerate(idx):
        size = shape[axis]
        if is_uniform(i):
            if not 0 <= int(i) < size:
                lane = 0 if mask is None else int(np.flatnonzero(mask)[0])
                _raise_out_of_bounds(launch, arg, idx, axis, lane, loc)
            continue
        bad = _out_of_range(i, size)
        if mask is not None:
            bad &= mask
        if bad.any():
            _raise_out_of_bounds(launch, arg, idx, axis, int(bad.argmax()), loc)


def linear_index(idx: list, shape) -> int | np.ndarray:
    """The C-order flat index: a Python int when every index is uniform, else an intp-compatible array."""
    if len(idx) == 1:
        i = idx[0]
        if is_uniform(i):
            return int(i)
        return i if i.dtype in (np.int32, np.int64) else i.astype(np.intp)
    lin = 0
    stride = 1
    for i, size in zip(reversed(idx), reversed(shape), strict=True):
        term = int(i) if is_uniform(i) else i.astype(np.intp)
        lin = lin + term * stride
        stride *= size
    return lin


def gather(launch: Launch, arg: int, idx: list, mask, n: int, loc: SrcLoc | None):
    """``arr[idx]`` for every lane: a NumPy scalar when every index is uniform, else an array of ``n`` values."""
    check_bounds(launch, arg, idx, mask, loc)
    if launch.races is not None:
        launch.races.record(arg, linear_index(idx, launch.shapes[arg]), mask, n, READ, loc)
    arr = launch.arrays[arg]
    if all(is_uniform(i) for i in idx):
        return arr[tuple(int(i) for i in idx)]
    lin = linear_index(idx, launch.shapes[arg])
    flat = launch.flats[arg]
    if flat.size == 0:  # no active lane (else the check raised): the values are never observed
        return np.zeros(np.shape(lin), arr.dtype)
    return np.take(flat, lin, mode="clip")


def scatter(launch: Launch, arg: int, idx: list, value, mask, n: int, loc: SrcLoc | None) -> None:
    """``arr[idx] = value`` for every active lane; with duplicate targets the last lane in lane order wins."""
    check_bounds(launch, arg, idx, mask, loc)
    if launch.races is not None:
        launch.races.record(arg, linear_index(idx, launch.shapes[arg]), mask, n, WRITE, loc)
    if all(is_uniform(i) for i in idx):
        if not is_uniform(value):
            value = value[last_active(mask, n)]
        launch.arrays[arg][tuple(int(i) for i in idx)] = value
        return
    lin = linear_index(idx, launch.shapes[arg])
    flat = launch.flats[arg]
    if mask is None:
        flat[lin] = value  # NumPy assigns duplicates in order: the last lane wins
    else:
        flat[lin[mask]] = value if is_uniform(value) else value[mask]


def block_view(st: TaskState, arg: int):
    """The view of ``arr`` whose flat order is the task's lane order, or ``None`` when it does not apply/fit."""
    block = st.block
    if block is None:
        return None
    slices, begins, ends, rev = block
    shape = st.launch.shapes[arg]
    if len(shape) != len(slices):
        return None
    for b, e, size in zip(begins, ends, shape, strict=True):
        if b < 0 or e > size:
            return None  # some lane is out of bounds: let the per-lane path report it (or mask it)
    view = st.launch.arrays[arg][slices]
    if rev:
        view = view[(slice(None, None, -1),) * len(slices)]
    return view
