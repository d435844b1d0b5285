"""``RefArray``: the reference backend's ndarray storage, a thin wrapper around one C-contiguous NumPy array."""

from __future__ import annotations

import numpy as np

from quadrants.ir.dtypes import DataType, from_numpy_dtype
from quadrants.ir.numerics import convert

__all__ = ["RefArray"]


class RefArray:
    """A :class:`quadrants.backend.DeviceArray` holding ``array`` (NumPy, C-contiguous, native byte order).

    ``array`` is the raw storage that kernels read and write; ``to_numpy`` returns a copy.
    """

    __slots__ = ("array", "dtype")

    def __init__(self, array: np.ndarray, dtype: DataType | None = None):
        self.array = array
        self.dtype = dtype if dtype is not None else from_numpy_dtype(array.dtype)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    def to_numpy(self) -> np.ndarray:
        """A copy of the contents."""
        return self.array.copy()

    def host_view(self) -> np.ndarray:
        """The storage itself (optional DeviceArray member: zero-copy NumPy, DLPack and torch interop)."""
        return self.array

    def from_numpy(self, array) -> None:
        """Overwrite the contents; the shape must match, values are converted by SEMANTICS §5."""
        src = np.asarray(array)
        if src.shape != self.array.shape:
            raise ValueError(f"Mismatch shape: {self.array.shape} expected, but {src.shape} provided")
        with np.errstate(all="ignore"):
            self.array[...] = convert(src, self.dtype)

    def __repr__(self) -> str:
        return f"RefArray({self.dtype}, shape={self.array.shape})"
