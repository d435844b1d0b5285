"""The launch hot path's driver calls through ``ctypes`` straight into ``libcuda``, beside ``cuda.bindings``.

A Genesis step is a dozen small launches whose kernels finish before the host has queued the next one, so its speed
is the host's cost per launch. Each ``cuda.bindings`` call converts and checks its Python arguments (the kernel
parameter block goes through a helper object, handles are unwrapped, the result is boxed into an enum and a tuple),
which costs microseconds per call; a ``ctypes`` call with fixed argument types costs a fraction of that. Only the
four calls a launch repeats go this way (``cuLaunchKernel``, ``cuMemcpyHtoDAsync``, ``cuGraphLaunch``,
``cuStreamQuery``); everything else (module loading, graphs, memory) stays on ``cuda.bindings``. Both talk to the
same driver library in the same process, so handles from one are valid in the other: a ``cuda.bindings`` handle
object's ``int()`` is the driver's handle.

``QD_CUDA_FASTCALL=0`` keeps every call on ``cuda.bindings`` (and so does a driver library that ``ctypes`` cannot
load); :func:`load` says which one is in use (``docs/backends/gpu.md``, "Launch cost").
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["FastCalls", "load", "handle", "NOT_READY"]

NOT_READY = 600  # CUDA_ERROR_NOT_READY: cuStreamQuery's answer while work is queued

_LIBRARY = "nvcuda.dll" if sys.platform == "win32" else "libcuda.so.1"
_U32, _PTR, _SIZE = ctypes.c_uint, ctypes.c_void_p, ctypes.c_size_t

# symbol -> argument types (cuda.h's names: the ``_v2`` copy is what ``cuMemcpyHtoDAsync`` expands to; the legacy
# default stream, which the backend uses, takes the plain symbols, not the per-thread ``_ptsz`` ones)
_SIGNATURES = {
    "cuLaunchKernel": (_PTR, _U32, _U32, _U32, _U32, _U32, _U32, _U32, _PTR, _PTR, _PTR),
    "cuMemcpyHtoDAsync_v2": (ctypes.c_uint64, _PTR, _SIZE, _PTR),
    "cuGraphLaunch": (_PTR, _PTR),
    "cuStreamQuery": (_PTR,),
}


class FastCalls:
    """The four hot driver calls of one loaded ``libcuda``; each returns the ``CUresult`` as an ``int``."""

    def __init__(self, lib) -> None:
        for name, argtypes in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.argtypes, fn.restype = argtypes, ctypes.c_int
        self.launch_kernel = lib.cuLaunchKernel
        self.copy_in = lib.cuMemcpyHtoDAsync_v2
        self.graph_launch = lib.cuGraphLaunch
        self.stream_query = lib.cuStreamQuery


def load() -> FastCalls | None:
    """The ``ctypes`` calls, or ``None`` where they are switched off or the library or a symbol is missing."""
    if os.environ.get("QD_CUDA_FASTCALL", "1") == "0":
        return None
    try:
        return FastCalls(ctypes.CDLL(_LIBRARY))
    except (OSError, AttributeError):
        return None


def handle(obj) -> int:
    """The driver handle inside a ``cuda.bindings`` object (``CUfunction``, ``CUstream``, ``CUgraphExec``), or an
    ``int`` handle unchanged."""
    return obj if type(obj) is int else int(obj)
