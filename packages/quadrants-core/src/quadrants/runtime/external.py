"""Arrays of other libraries as kernel arguments and as ``qd.ndarray``: torch tensors, DLPack and CUDA-array objects.

:func:`external_array` says how a kernel can reach the memory of such an object (docs/interop.md):

* a **CPU** torch tensor or a host DLPack object (``__dlpack__`` with ``__dlpack_device__() == (kDLCPU, 0)``, e.g.
  JAX or CuPy-on-host arrays) becomes a NumPy array over the same memory, which then goes the way of a NumPy argument
  (the backend uses the buffer itself or copies the kernel's writes back into it);
* a **CUDA** torch tensor or an object with ``__cuda_array_interface__`` (CuPy, Numba) is used in place by a backend
  that can address CUDA memory (``wrap_device_buffer``: ``llvm-cuda``), when it is C-contiguous and on that device;
* any other torch tensor (another device, or CUDA on a backend that cannot address it) is copied to the host for the
  launch and the kernel's writes are copied back into the tensor afterwards.

:func:`from_dlpack` builds a ``qd.ndarray`` the same way: over the object's memory where the backend can use it,
otherwise over a copy.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from quadrants.errors import QuadrantsRuntimeTypeError
from quadrants.ir.dtypes import DataType, from_numpy_dtype
from quadrants.runtime import dlpack
from quadrants.runtime.ndarray import Ndarray
from quadrants.runtime.state import current_session

__all__ = ["ExternalArray", "external_array", "from_dlpack"]


@dataclass
class ExternalArray:
    """How a launch reaches an external array: a NumPy ``host`` array, or backend ``storage`` over device memory."""

    host: np.ndarray | None = None
    storage: Any = None
    dtype: DataType | None = None
    after: Callable[[], None] | None = None  # copies a host copy back into the object after the launch


STREAM_UNKNOWN = -1  # the owner's stream is not known: wait for every stream of the device before a launch uses it


def external_array(value, backend) -> ExternalArray | None:
    """The memory of an array object that is neither a ``qd.ndarray`` nor a NumPy array; ``None`` for non-arrays."""
    torch = sys.modules.get("torch")  # a torch tensor can only exist when torch was imported
    if torch is not None and isinstance(value, torch.Tensor):
        return _torch_tensor(value, backend, torch)
    if hasattr(value, "__cuda_array_interface__"):
        return _cuda_interface(value, backend)
    if hasattr(value, "__dlpack__") and hasattr(value, "__dlpack_device__"):
        device = tuple(value.__dlpack_device__())
        if device[0] != dlpack.DEVICE_CPU:
            raise QuadrantsRuntimeTypeError(
                f"a {type(value).__name__} on DLPack device {device} cannot be used by this backend: move it to the "
                "host first (or pass a CUDA array with __cuda_array_interface__ to an llvm-cuda kernel)"
            )
        return ExternalArray(host=np.from_dlpack(value))
    return None


def _numpy_dtype_of(tensor) -> np.dtype:
    try:
        return tensor.new_empty((0,), device="cpu").numpy().dtype
    except TypeError as exc:  # bfloat16, complex, ...: no NumPy (and no Quadrants) type
        raise QuadrantsRuntimeTypeError(f"torch dtype {tensor.dtype} has no Quadrants element type") from exc


def _torch_tensor(value, backend, torch) -> ExternalArray:
    tensor = value.detach().resolve_conj().resolve_neg()  # same storage, no autograd
    np_dtype = _numpy_dtype_of(tensor)  # raises for bfloat16 & co. before any copy
    if tensor.device.type == "cpu":
        return ExternalArray(host=tensor.numpy())
    if tensor.device.type == "cuda" and tensor.is_contiguous():
        stream = torch.cuda.current_stream(tensor.device).cuda_stream  # where torch queued its work on the tensor
        storage = _wrap_cuda(
            backend, tensor.data_ptr(), np_dtype, tuple(tensor.shape), tensor.device.index or 0, value, stream
        )
        if storage is not None:
            return ExternalArray(storage=storage, dtype=storage.dtype)
    host = tensor.cpu().numpy()

    def copy_back() -> None:
        tensor.copy_(torch.from_numpy(host))

    return ExternalArray(host=host, after=copy_back)


def _cuda_interface(value, backend) -> ExternalArray:
    iface = value.__cuda_array_interface__
    dtype = np.dtype(iface["typestr"])
    shape = tuple(int(s) for s in iface["shape"])
    strides = iface.get("strides")
    if strides is not None and tuple(strides) != _c_strides(shape, dtype.itemsize):
        raise QuadrantsRuntimeTypeError(
            f"a non-contiguous {type(value).__name__} cannot be passed to a kernel: make it contiguous first"
        )
    # version 3 of the interface names the producer's stream (None: nothing to wait for); without the key, unknown
    storage = _wrap_cuda(backend, int(iface["data"][0]), dtype, shape, None, value, iface.get("stream", STREAM_UNKNOWN))
    if storage is None:
        raise QuadrantsRuntimeTypeError(
            f"a {type(value).__name__} in CUDA memory needs the llvm-cuda backend (qd.init(arch=qd.cuda)); "
            "this backend cannot address CUDA memory: copy it to the host first"
        )
    return ExternalArray(storage=storage, dtype=storage.dtype)


def _c_strides(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def _wrap_cuda(backend, address: int, np_dtype: np.dtype, shape, device_id, owner, stream=STREAM_UNKNOWN):
    """Backend storage over CUDA memory, or ``None`` when the backend cannot address it (not llvm-cuda, other GPU).
    ``stream`` is the stream the owner queued its work on (the CUDA array interface's convention: ``None`` nothing to
    wait for, 1 the legacy default stream, 2 the per-thread default stream, else a handle; torch's default stream is
    0), or :data:`STREAM_UNKNOWN`: the backend then waits for the whole device."""
    wrap = getattr(backend, "wrap_device_buffer", None)
    dtype = from_numpy_dtype(np_dtype)
    if wrap is None or dtype is None:
        return None
    return wrap(dlpack.DEVICE_CUDA, device_id, address, dtype, shape, owner, stream=stream)


def from_dlpack(obj) -> Ndarray:
    """A ``qd.ndarray`` over the memory of ``obj`` (anything with ``__dlpack__``, a torch tensor, a CUDA array).

    The ndarray shares the memory when the current backend can use it in place (host memory on ``ref``/``llvm-cpu``
    when C-contiguous, aligned and writeable; CUDA memory on ``llvm-cuda``); otherwise it holds a copy.
    """
    session = current_session()
    ext = external_array(obj, session.backend)
    if ext is None:
        raise TypeError(f"qd.from_dlpack needs an object with __dlpack__ / __dlpack_device__, got {type(obj).__name__}")
    if ext.storage is not None:
        storage, dtype, shape = ext.storage, ext.dtype, tuple(ext.storage.shape)
    else:
        dtype = from_numpy_dtype(ext.host.dtype)
        if dtype is None:
            raise TypeError(f"qd.from_dlpack: NumPy dtype {ext.host.dtype} has no Quadrants element type")
        storage, shape = session.backend.wrap_numpy(ext.host), tuple(ext.host.shape)
    nd = Ndarray(dtype, tuple(0 for _ in shape), session=session)  # element type and session checks, no data
    nd._shape, nd._storage = shape, storage
    return nd
