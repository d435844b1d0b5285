"""What is checked before an ndarray or field gets storage: its shape, its element type and its size.

Upstream raises ``QuadrantsRuntimeError`` for an invalid shape or element type of ``qd.ndarray`` (``(-3,) is not a
valid shape for ndarray``, ``float32 is not supported as ndarray element type``). The classes here are
``QuadrantsRuntimeError`` subclasses that also derive from the built-in class a Python programmer would expect
(``ValueError`` for a negative size, ``TypeError`` for a float size, ``MemoryError`` for a size past the machine), so
``except qd.QuadrantsRuntimeError`` and ``except ValueError`` both catch them.

A request larger than the backend can hold fails here, before NumPy or the device driver tries, with a message naming
the size and the limit. A backend states its limit with an optional member ``allocation_limit() -> (bytes, what)``
(wgpu: the device's largest storage buffer; CUDA: the device memory); without one the limit is the host's physical
memory (``ref``, ``llvm-cpu``).
"""

from __future__ import annotations

import functools
import math
import os

import numpy as np

from quadrants.errors import QuadrantsRuntimeError, QuadrantsRuntimeTypeError
from quadrants.ir.dtypes import DataType, to_dtype

__all__ = [
    "QuadrantsShapeError",
    "QuadrantsDtypeError",
    "QuadrantsMemoryError",
    "normalize_shape",
    "element_dtype",
    "check_allocation",
    "host_memory_bytes",
    "format_bytes",
]


class QuadrantsShapeError(QuadrantsRuntimeError, ValueError):
    """An ndarray or field shape that cannot be allocated (a negative size, too many axes, an empty vector)."""


class QuadrantsDtypeError(QuadrantsRuntimeTypeError, ValueError):
    """An element type that is no Quadrants type (upstream: ``QuadrantsRuntimeError`` for ndarrays, ``ValueError``
    for fields; this class is both, and a ``TypeError``)."""


class QuadrantsMemoryError(QuadrantsRuntimeError, MemoryError):
    """An allocation larger than the backend's limit (host memory, or the device's largest buffer)."""


def normalize_shape(shape) -> tuple[int, ...]:
    """``4`` → ``(4,)``; tuples/lists of non-negative ints are kept; anything else raises (see the module doc)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    if not isinstance(shape, (tuple, list)) or not all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in shape
    ):
        raise QuadrantsRuntimeTypeError(
            f"{shape!r} is not a valid shape for ndarray: a shape is an int or a tuple of ints, such as (4,) or (2, 3)"
        )
    if any(s < 0 for s in shape):
        raise QuadrantsShapeError(f"{tuple(shape)} is not a valid shape for ndarray: sizes must not be negative")
    return tuple(int(s) for s in shape)


def element_dtype(dtype, default_ip: DataType, default_fp: DataType) -> DataType:
    """The scalar element type of an ndarray or field; a string (``"float32"``), ``None`` or another non-type raises
    (upstream accepts only Quadrants types and ``int``/``float``/``bool`` there)."""
    found = None
    if not isinstance(dtype, str):
        try:
            found = to_dtype(dtype, default_ip, default_fp)
        except TypeError:
            found = None
    if found is None:
        hint = ", not a string" if isinstance(dtype, str) else ""
        raise QuadrantsDtypeError(
            f"{dtype} is not supported as ndarray element type: pass a Quadrants type such as qd.f32 or qd.i32{hint}"
        )
    return found


@functools.cache
def host_memory_bytes() -> int:
    """Physical memory of this machine in bytes (0 when the platform does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return 0


def format_bytes(n: int) -> str:
    """``4.00 TiB``-style size, exact bytes below 1 KiB."""
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{n} bytes" if unit == "bytes" else f"{size:.2f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover (the loop always returns)


def _limit(backend) -> tuple[int, str]:
    get = getattr(backend, "allocation_limit", None)
    if get is not None:
        return get()
    return host_memory_bytes(), "the host's physical memory"


def check_allocation(backend, dtype: DataType, shape: tuple[int, ...], element_shape: tuple[int, ...]) -> None:
    """Raise before allocating ``shape + element_shape`` of ``dtype`` when the backend cannot hold it."""
    if element_shape and 0 in element_shape:
        raise QuadrantsShapeError(
            f"a vector or matrix element of shape {element_shape} has no components: use at least 1 component"
        )
    capabilities = getattr(backend, "capabilities", None)
    max_ndim = capabilities.max_ndim if capabilities is not None else 8
    name = getattr(backend, "id", "current")
    if len(shape) + len(element_shape) > max_ndim:
        what = f"{len(shape)} axes" + (f" and {len(element_shape)} element axes" if element_shape else "")
        raise QuadrantsShapeError(
            f"{shape} is not a valid shape for ndarray: {what}, more than the {max_ndim} the {name} backend supports"
        )
    nbytes = math.prod(shape) * math.prod(element_shape) * dtype.np.itemsize
    limit, what = _limit(backend)
    if limit and nbytes > limit:
        raise QuadrantsMemoryError(
            f"an array of shape {shape + element_shape} and dtype {dtype} needs {format_bytes(nbytes)} ({nbytes} "
            f"bytes), more than the {name} backend's limit of {format_bytes(limit)} ({what})"
        )
