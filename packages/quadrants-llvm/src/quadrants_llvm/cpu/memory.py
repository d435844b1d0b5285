"""``LlvmArray``: the llvm-cpu ndarray storage, one C-contiguous NumPy array whose buffer kernels address directly.

The data pointer, the end of the buffer and the packed launch words ``(pointer, *shape)`` are computed once, when
the array is made, so a launch only reads attributes.
"""

from __future__ import annotations

import numpy as np

from quadrants.ir.dtypes import DataType, from_numpy_dtype
from quadrants.ir.numerics import convert

__all__ = ["LlvmArray", "TAIL_SLACK", "usable_directly", "zeroed"]

#: Bytes allocated past the end of every array the backend makes. Kernels do not check indices unless
#: ``debug=True`` (docs/semantics.md), so a program that writes a little past the end of a field (upstream's own tests
#: do: ``a[60]`` of a 55-element field) writes into this slack rather than into the bookkeeping of the C allocator
#: around a small array, which aborted the process later, in unrelated code. Upstream keeps fields in one large pool,
#: where such a write lands in other data; reading it back from Python is an ``IndexError`` here either way.
TAIL_SLACK = 256


def zeroed(dtype: DataType, shape: tuple[int, ...]) -> np.ndarray:
    """Zero-initialised C-contiguous storage of ``shape`` followed by at least :data:`TAIL_SLACK` unused bytes."""
    count = int(np.prod(shape, dtype=np.int64))
    extra = -(-TAIL_SLACK // np.dtype(dtype.np).itemsize)
    return np.zeros(count + extra, dtype=dtype.np)[:count].reshape(shape)


def usable_directly(array: np.ndarray, dtype: DataType | None) -> bool:
    """True when kernels can use ``array``'s own buffer (so their writes land in it without a copy)."""
    f = array.flags
    return dtype is not None and f.c_contiguous and f.writeable and f.aligned and array.dtype.isnative


class LlvmArray:
    """A :class:`quadrants.backend.DeviceArray` over ``array`` (C-contiguous, aligned, native byte order)."""

    __slots__ = ("array", "dtype", "end", "packed", "ptr", "shape")

    def __init__(self, array: np.ndarray, dtype: DataType | None = None):
        self.array = array
        self.dtype = dtype if dtype is not None else from_numpy_dtype(array.dtype)
        self.shape = tuple(array.shape)
        self.ptr = array.__array_interface__["data"][0]
        self.end = self.ptr + array.nbytes
        self.packed = (self.ptr, *self.shape)

    def to_numpy(self) -> np.ndarray:
        """A copy of the contents."""
        return self.array.copy()

    def host_view(self) -> np.ndarray:
        """The buffer kernels address (optional DeviceArray member: zero-copy NumPy, DLPack and torch interop)."""
        return self.array

    def from_numpy(self, array) -> None:
        """Overwrite the contents; the shape must match, values are converted by docs/semantics.md §5."""
        src = np.asarray(array)
        if src.shape != self.array.shape:
            raise ValueError(f"Mismatch shape: {self.array.shape} expected, but {src.shape} provided")
        with np.errstate(all="ignore"):
            self.array[...] = convert(src, self.dtype)

    def get_item(self, index: tuple):
        return self.array[index]

    def set_item(self, index: tuple, value) -> None:
        self.array[index] = value

    def __repr__(self) -> str:
        return f"LlvmArray({self.dtype}, shape={self.shape})"
