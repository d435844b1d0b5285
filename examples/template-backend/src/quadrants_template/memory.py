"""Backend-owned ndarray storage: one ``bytearray`` per ndarray, standing in for a device allocation.

A real backend allocates on its device here and copies between host and device in ``to_numpy``/``from_numpy``. This
template keeps the bytes in host memory and lets the reference interpreter read and write them through a NumPy view,
so the protocol's data flow (allocate, upload, launch, download, copy back into NumPy arguments) is the real one.
"""

from __future__ import annotations

import numpy as np

from quadrants.ir.dtypes import DataType
from quadrants.ir.numerics import convert
from quadrants_ref.array import RefArray

__all__ = ["DeviceBuffer", "allocate", "upload"]


class DeviceBuffer(RefArray):
    """A :class:`quadrants.backend.DeviceArray` over a ``bytearray`` this backend owns.

    It subclasses the reference's ``RefArray`` because the reference interpreter executes the kernels: ``array``
    is a zero-copy NumPy view of ``memory``.
    """

    __slots__ = ("memory",)

    def __init__(self, dtype: DataType, shape: tuple[int, ...]):
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        self.memory = bytearray(count * dtype.np.itemsize)  # zero-initialised, as the protocol requires
        view = np.frombuffer(self.memory, dtype=dtype.np, count=count).reshape(shape)
        super().__init__(view, dtype)

    def to_numpy(self) -> np.ndarray:
        """Download: a host copy of the contents."""
        return self.array.copy()

    def from_numpy(self, array) -> None:
        """Upload ``array`` (same shape); values are converted to the element type by the core's rules."""
        src = np.asarray(array)
        if src.shape != self.array.shape:
            raise ValueError(f"Mismatch shape: {self.array.shape} expected, but {src.shape} provided")
        with np.errstate(all="ignore"):
            self.array[...] = convert(src, self.dtype)

    def __repr__(self) -> str:
        return f"DeviceBuffer({self.dtype}, shape={self.array.shape}, {len(self.memory)} bytes)"


def allocate(dtype: DataType, shape: tuple[int, ...]) -> DeviceBuffer:
    """A zero-initialised buffer."""
    return DeviceBuffer(dtype, tuple(shape))


def upload(dtype: DataType, array: np.ndarray) -> DeviceBuffer:
    """A new buffer holding a copy of ``array``."""
    buffer = DeviceBuffer(dtype, array.shape)
    buffer.from_numpy(array)
    return buffer
