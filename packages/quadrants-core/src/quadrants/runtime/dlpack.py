"""A DLPack exporter for memory NumPy cannot describe: device pointers (llvm-cuda), built with ``ctypes``.

Host memory is exported through the NumPy array that holds it (NumPy's own ``__dlpack__``); this module is for the
other case, an address on a device. :func:`export` builds a ``DLManagedTensor`` (DLPack 0.x ABI, the one every
consumer accepts) for a C-contiguous buffer and wraps it in a ``"dltensor"`` capsule:

* the struct, its shape array and a reference to ``owner`` (what keeps the memory alive) live in :data:`_LIVE` until
  the consumer calls the tensor's ``deleter`` — or, when no consumer ever takes the capsule, until the capsule itself
  is destroyed (its destructor calls the deleter only while the capsule is still named ``"dltensor"``; a consumer
  renames it to ``"used_dltensor"`` when it takes ownership);
* strides are ``NULL`` (compact row-major), ``byte_offset`` is 0.

The layout follows ``dlpack.h``: ``DLTensor {void* data; DLDevice device; int32 ndim; DLDataType dtype; int64* shape;
int64* strides; uint64 byte_offset}`` and ``DLManagedTensor {DLTensor dl_tensor; void* manager_ctx; void
(*deleter)(DLManagedTensor*)}``. A unit test exports host memory with it and reads it back with ``np.from_dlpack``.
"""

from __future__ import annotations

import ctypes
import itertools
import threading

import numpy as np

__all__ = ["DEVICE_CPU", "DEVICE_CUDA", "export", "dlpack_dtype"]

DEVICE_CPU = 1  # kDLCPU
DEVICE_CUDA = 2  # kDLCUDA

_KIND_CODE = {"i": 0, "u": 1, "f": 2, "b": 6}  # kDLInt, kDLUInt, kDLFloat, kDLBool


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", _DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", _DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


class _DLManagedTensor(ctypes.Structure):
    pass


_DELETER = ctypes.CFUNCTYPE(None, ctypes.POINTER(_DLManagedTensor))
_DLManagedTensor._fields_ = [("dl_tensor", _DLTensor), ("manager_ctx", ctypes.c_void_p), ("deleter", _DELETER)]

_CAPSULE_NAME = b"dltensor"
_CAPSULE_DESTRUCTOR = ctypes.CFUNCTYPE(None, ctypes.c_void_p)

_api = ctypes.pythonapi
_api.PyCapsule_New.restype = ctypes.py_object
_api.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, _CAPSULE_DESTRUCTOR]
_api.PyCapsule_IsValid.restype = ctypes.c_int
_api.PyCapsule_IsValid.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
_api.PyCapsule_GetPointer.restype = ctypes.c_void_p
_api.PyCapsule_GetPointer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]

# manager_ctx id -> (the managed struct, its shape array, owner): alive until the deleter runs
_LIVE: dict[int, tuple] = {}
_LOCK = threading.Lock()
_IDS = itertools.count(1)


@_DELETER
def _delete(managed) -> None:
    key = managed.contents.manager_ctx
    with _LOCK:
        _LIVE.pop(key, None)


@_CAPSULE_DESTRUCTOR
def _destroy_capsule(capsule) -> None:
    # The capsule is being destroyed: only raw pointers may be used here. A consumed capsule was renamed.
    if _api.PyCapsule_IsValid(capsule, _CAPSULE_NAME):
        address = _api.PyCapsule_GetPointer(capsule, _CAPSULE_NAME)
        managed = ctypes.cast(address, ctypes.POINTER(_DLManagedTensor))
        managed.contents.deleter(managed)


def dlpack_dtype(dtype: np.dtype) -> tuple[int, int]:
    """``(type code, bits)`` of a NumPy dtype; ``TypeError`` for a dtype DLPack has no code for here."""
    dtype = np.dtype(dtype)
    if dtype.kind not in _KIND_CODE:
        raise TypeError(f"no DLPack type code for NumPy dtype {dtype}")
    return _KIND_CODE[dtype.kind], dtype.itemsize * 8


def export(address: int, shape: tuple[int, ...], dtype: np.dtype, device_type: int, device_id: int, owner):
    """A ``"dltensor"`` capsule for the C-contiguous buffer at ``address``; ``owner`` is kept alive until released."""
    code, bits = dlpack_dtype(dtype)
    dims = (ctypes.c_int64 * max(1, len(shape)))(*shape)
    managed = _DLManagedTensor()
    tensor = managed.dl_tensor
    tensor.data = address or None
    tensor.device = _DLDevice(device_type, device_id)
    tensor.ndim = len(shape)
    tensor.dtype = _DLDataType(code, bits, 1)
    tensor.shape = ctypes.cast(dims, ctypes.POINTER(ctypes.c_int64))
    tensor.strides = None
    tensor.byte_offset = 0
    key = next(_IDS)
    managed.manager_ctx = key
    managed.deleter = _delete
    with _LOCK:
        _LIVE[key] = (managed, dims, owner)
    return _api.PyCapsule_New(ctypes.addressof(managed), _CAPSULE_NAME, _destroy_capsule)


def live_exports() -> int:
    """How many exported tensors have not been released yet (for tests)."""
    with _LOCK:
        return len(_LIVE)
