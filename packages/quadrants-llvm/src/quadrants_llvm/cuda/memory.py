"""``CudaArray``: one ndarray in device memory (``cuMemAlloc``, zero-filled), with host copies.

The packed launch words ``(device pointer, *shape)`` are computed once, like ``LlvmArray``'s, so a launch only reads
attributes. Copies to the host use the synchronous ``cuMemcpyDtoH``, which first waits for the kernels queued before
it, so ``to_numpy()`` always sees every earlier launch.
"""

from __future__ import annotations

import contextlib

import numpy as np

from quadrants.ir.dtypes import DataType
from quadrants.ir.numerics import convert

__all__ = ["CudaArray", "ExternalCudaArray", "DLPACK_CUDA"]

DLPACK_CUDA = 2  # kDLCUDA: the DLPack device type of CUDA device memory


class CudaArray:
    """A :class:`quadrants.backend.DeviceArray` in device memory."""

    __slots__ = ("__weakref__", "dev", "dtype", "end", "itemsize", "nbytes", "packed", "ptr", "shape")

    def __init__(self, dev, dtype: DataType, shape: tuple[int, ...]):
        self.dev = dev
        self.dtype = dtype
        self.shape = tuple(int(s) for s in shape)
        self.itemsize = dtype.np.itemsize
        self.nbytes = int(np.prod(self.shape, dtype=np.int64)) * self.itemsize
        self.ptr = dev.alloc(self.nbytes)
        self.end = self.ptr + self.nbytes
        self.packed = (self.ptr, *self.shape)

    def __del__(self):
        with contextlib.suppress(Exception):
            self.dev.free(self.ptr)

    def to_numpy(self) -> np.ndarray:
        """A host copy of the contents (waits for earlier launches)."""
        out = np.empty(self.shape, dtype=self.dtype.np)
        self.dev.to_host(out.ctypes.data, self.ptr, self.nbytes)
        return out

    def from_numpy(self, array) -> None:
        """Overwrite the contents; the shape must match, values are converted by docs/semantics.md §5."""
        src = np.asarray(array)
        if src.shape != self.shape:
            raise ValueError(f"Mismatch shape: {self.shape} expected, but {src.shape} provided")
        with np.errstate(all="ignore"):
            data = np.ascontiguousarray(convert(src, self.dtype), dtype=self.dtype.np)
        self.dev.to_device(self.ptr, data.ctypes.data, self.nbytes)

    def fill(self, value: np.generic) -> None:
        """Every element set to ``value`` (of this dtype) by device memsets queued on the stream: no host wait."""
        if self.nbytes:
            self.dev.fill(self.ptr, int(np.asarray(value).view(f"u{self.itemsize}")), self.itemsize, self.nbytes)

    def device_buffer(self) -> tuple[int, int, int]:
        """``(kDLCUDA, 0, device pointer)`` once the queued launches are done (optional DeviceArray member).

        Core's DLPack export and ``__cuda_array_interface__`` hand this pointer to other libraries, whose kernels may
        run on any stream: synchronising the context first makes every earlier launch visible to them.
        """
        self.dev.bind()
        self.dev.synchronize()
        return (DLPACK_CUDA, 0, self.ptr)

    def _offset(self, index: tuple) -> int:
        flat = int(np.ravel_multi_index(index, self.shape)) if self.shape else 0
        return self.ptr + flat * self.itemsize

    def get_item(self, index: tuple):
        out = np.empty((), dtype=self.dtype.np)
        self.dev.to_host(out.ctypes.data, self._offset(index), self.itemsize)
        return out[()]

    def set_item(self, index: tuple, value) -> None:
        data = np.asarray(value, dtype=self.dtype.np)
        self.dev.to_device(self._offset(index), data.ctypes.data, self.itemsize)

    def __repr__(self) -> str:
        return f"CudaArray({self.dtype}, shape={self.shape})"


class ExternalCudaArray(CudaArray):
    """Device memory of another library (a CUDA torch tensor, a CuPy array) used in place: never freed here.

    ``owner`` is the object that owns the memory; holding it keeps the memory alive while a launch may use it.
    """

    __slots__ = ("owner",)

    def __init__(self, dev, dtype: DataType, shape: tuple[int, ...], ptr: int, owner):
        self.dev = dev
        self.dtype = dtype
        self.shape = tuple(int(s) for s in shape)
        self.itemsize = dtype.np.itemsize
        self.nbytes = int(np.prod(self.shape, dtype=np.int64)) * self.itemsize
        self.ptr = int(ptr)
        self.end = self.ptr + self.nbytes
        self.packed = (self.ptr, *self.shape)
        self.owner = owner

    def __del__(self):
        pass  # the owner frees its memory

    def __repr__(self) -> str:
        return f"ExternalCudaArray({self.dtype}, shape={self.shape}, owner={type(self.owner).__name__})"
