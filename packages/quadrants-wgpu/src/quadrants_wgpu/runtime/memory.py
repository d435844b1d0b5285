"""Device buffers and :class:`WgpuArray`, the backend's ndarray storage.

An ndarray's buffer holds NumPy's bytes (C order, little-endian), padded to a multiple of 16 bytes (WGSL runtime
arrays need at least one element of up to 8 bytes, and copies move whole 4-byte words). Packed element types
(u1, 8- and 16-bit ints) therefore share words exactly as NumPy lays them out, and i64/u64 are ``(low, high)`` word
pairs, which is what :mod:`quadrants_wgpu.wgsl.packing` reads. Fresh arrays are zero (wgpu zero-initialises
buffers).

Host copies are ordered with kernel launches by the queue: ``from_numpy`` is a ``queue.write_buffer`` (runs before
any later submission) and ``to_numpy`` copies through a staging buffer after all earlier submissions.
"""

from __future__ import annotations

import numpy as np

from quadrants.ir.dtypes import DataType, from_numpy_dtype
from quadrants.ir.numerics import convert
from quadrants_wgpu.runtime.device import Device, read_ranges

__all__ = ["WgpuArray", "create_buffer", "padded_size"]


def padded_size(nbytes: int) -> int:
    """Bytes to allocate for ``nbytes`` of data: a multiple of 16, at least 16."""
    return max(16, (nbytes + 15) & ~15)


def create_buffer(dev: Device, nbytes: int, data: bytes | np.ndarray | None = None):
    """A storage buffer of at least ``nbytes`` (padded), optionally initialised with ``data``."""
    import wgpu

    usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC | wgpu.BufferUsage.COPY_DST
    size = padded_size(nbytes)
    buf = dev.device.create_buffer(size=size, usage=usage)
    if data is not None and nbytes:
        _write(dev, buf, 0, data)
    return buf


def _write(dev: Device, buf, offset: int, data) -> None:
    raw = np.ascontiguousarray(data).view(np.uint8).reshape(-1)
    if raw.size % 4:
        raw = np.concatenate([raw, np.zeros(4 - raw.size % 4, np.uint8)])
    if raw.size:
        dev.queue.write_buffer(buf, offset, raw)


class WgpuArray:
    """A :class:`quadrants.backend.DeviceArray` in one wgpu storage buffer."""

    __slots__ = ("__weakref__", "buffer", "dev", "dtype", "nbytes", "shape")

    def __init__(self, dev: Device, dtype: DataType, shape: tuple[int, ...], data: np.ndarray | None = None):
        self.dev = dev
        self.dtype = dtype
        self.shape = tuple(int(s) for s in shape)
        self.nbytes = int(np.prod(self.shape, dtype=np.int64)) * dtype.np.itemsize
        self.buffer = create_buffer(dev, self.nbytes, data)

    def to_numpy(self) -> np.ndarray:
        """A copy of the contents (waits for earlier launches)."""
        if self.nbytes == 0:
            return np.zeros(self.shape, self.dtype.np)
        (view,) = read_ranges(self.dev, [(self.buffer, 0, self.nbytes)])
        return np.frombuffer(view, dtype=self.dtype.np).reshape(self.shape).copy()

    def from_numpy(self, array) -> None:
        """Overwrite the contents; the shape must match; values are converted by SEMANTICS §5."""
        src = np.asarray(array)
        if src.shape != self.shape:
            raise ValueError(f"Mismatch shape: {self.shape} expected, but {src.shape} provided")
        with np.errstate(all="ignore"):
            data = np.ascontiguousarray(convert(src, self.dtype), dtype=self.dtype.np)
        _write(self.dev, self.buffer, 0, data)

    def _flat(self, index: tuple[int, ...]) -> int:
        flat = 0
        for i, n in zip(index, self.shape, strict=True):
            flat = flat * n + int(i)
        return flat

    def get_item(self, index: tuple[int, ...]):
        """One element (reads only the 4-byte words that hold it)."""
        size = self.dtype.np.itemsize
        start = self._flat(index) * size
        lo, hi = start & ~3, (start + size + 3) & ~3
        (view,) = read_ranges(self.dev, [(self.buffer, lo, hi - lo)])
        return np.frombuffer(view[start - lo : start - lo + size], dtype=self.dtype.np)[0]

    def set_item(self, index: tuple[int, ...], value) -> None:
        """Write one element; a packed element is merged into its word (read, modify, write)."""
        size = self.dtype.np.itemsize
        start = self._flat(index) * size
        lo, hi = start & ~3, (start + size + 3) & ~3
        item = np.array([value], dtype=self.dtype.np).view(np.uint8)
        if size % 4 == 0:
            _write(self.dev, self.buffer, start, item)
            return
        (view,) = read_ranges(self.dev, [(self.buffer, lo, hi - lo)])
        word = np.frombuffer(view, np.uint8).copy()
        word[start - lo : start - lo + size] = item
        _write(self.dev, self.buffer, lo, word)

    def __repr__(self) -> str:
        return f"WgpuArray({self.dtype}, shape={self.shape})"


def wrap(dev: Device, array: np.ndarray) -> WgpuArray:
    """A device copy of a NumPy array (for arrays passed directly to a kernel)."""
    dtype = from_numpy_dtype(array.dtype)
    if dtype is None:
        raise TypeError(f"unsupported NumPy dtype {array.dtype}")
    data = np.ascontiguousarray(array, dtype=dtype.np)
    return WgpuArray(dev, dtype, array.shape, data)
