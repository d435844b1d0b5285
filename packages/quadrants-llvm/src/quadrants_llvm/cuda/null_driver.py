"""A CUDA driver that runs nothing: llvm-cuda's whole host path on a machine without a GPU.

The GPU machines are scarce, and much of what decides a launch's cost happens on the host: argument packing, the
host-decided checks, grid sizing, CUDA graph building and launching (docs/backends/gpu.md). :class:`NullDriver` stands
in for ``cuda.bindings.driver`` so that all of it runs, and can be profiled and tested, anywhere. Its types and enums
are the real bindings' (``pip install cuda-bindings``; no libcuda is loaded), its functions answer as an H100 would
(compute capability 9.0, 132 SMs, CUDA 13.0) and launch nothing: device memory is host memory (``cuMemAlloc`` is
``calloc``, copies are ``memmove``), and kernels, graphs, streams and events are handles. So arrays keep what the host
wrote into them and nothing else; what a kernel computes is not there. ``NullDriver.calls`` counts the calls that cost
time on a real device (launches, copies, syncs).

Used by ``downstream/genesis/null_cuda.py`` (a Genesis scene's host time per step on ``gs.gpu``) and by the tests of
the launch path (tests/test_null_driver.py). Not for programs that need results.
"""

from __future__ import annotations

import ctypes
import itertools
import os

from quadrants_llvm.cuda import driver

__all__ = ["NullDriver", "install", "uninstall"]

_REAL_DRIVER = driver._driver

_libc = ctypes.CDLL(None)
_libc.calloc.restype = ctypes.c_void_p
_libc.calloc.argtypes = (ctypes.c_size_t, ctypes.c_size_t)
_libc.free.argtypes = (ctypes.c_void_p,)

#: what the stand-in device reports (an H100 SXM's values)
ATTRIBUTES = {
    "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR": 9,
    "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR": 0,
    "CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT": 132,
    "CU_DEVICE_ATTRIBUTE_CLOCK_RATE": 1_980_000,
    "CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN": 232_448,
    "CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK": 49_152,
    "CU_DEVICE_ATTRIBUTE_WARP_SIZE": 32,
    "CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK": 1024,
}
DRIVER_VERSION = 13000
TOTAL_MEMORY = 80 << 30


# calls that only succeed (the ones counted cost time on a real device: launches, syncs, module loads)
_SUCCEED = frozenset(
    {"cuInit", "cuCtxSetCurrent", "cuCtxSetLimit", "cuModuleUnload", "cuLinkAddData", "cuLinkAddFile", "cuLinkDestroy"}
    | {"cuGraphDestroy", "cuGraphExecDestroy", "cuStreamDestroy", "cuStreamWaitEvent", "cuEventDestroy"}
    | {"cuEventRecord", "cuEventQuery", "cuEventSynchronize"}
)
_SUCCEED_COUNTED = frozenset(
    {"cuCtxSynchronize", "cuLaunchKernel", "cuGraphLaunch", "cuStreamQuery", "cuStreamSynchronize"}
)
# calls that succeed with a new handle of the bindings' type: name -> (type name, counted)
_HANDLES = {
    "cuModuleLoadData": ("CUmodule", True),
    "cuModuleGetFunction": ("CUfunction", False),
    "cuLinkCreate": ("CUlinkState", False),
    "cuGraphCreate": ("CUgraph", True),
    "cuGraphInstantiate": ("CUgraphExec", True),
    # a conditional node's body graph (``phGraph_out``) stays the null handle: nodes added to it go nowhere
    "cuGraphAddNode": ("CUgraphNode", False),
    "cuGraphAddNode_v2": ("CUgraphNode", False),
    "cuGraphConditionalHandleCreate": ("CUgraphConditionalHandle", False),
    "cuStreamCreate": ("CUstream", False),
    "cuEventCreate": ("CUevent", False),
}
# calls that succeed with a fixed answer
_ANSWERS = {
    "cuDeviceGetCount": 1,
    "cuDeviceGetName": b"NVIDIA H100 (null driver)\0",
    "cuDeviceTotalMem": TOTAL_MEMORY,
    "cuDriverGetVersion": DRIVER_VERSION,
    "cuCtxGetLimit": 1024,
    "cuPointerGetAttribute": 0,
    "cuGetErrorString": b"null driver",
    "cuGetErrorName": b"CUDA_ERROR_NULL_DRIVER",
    "cuEventElapsedTime": 0.0,
}
_CUBIN = ctypes.create_string_buffer(b"\x7fELF null cubin")  # what every link completes with


class NullDriver:
    """``cuda.bindings.driver`` with functions that succeed and do nothing (see the module docstring). The trivial
    calls come from the tables above; a ``cu*`` function in none of them is missing (never the real driver's)."""

    def __init__(self, real):
        self._real = real
        self._ok = real.CUresult.CUDA_SUCCESS
        self._ids = itertools.count(0x1000)
        self._blocks: dict[int, int] = {}  # address -> bytes, of the memory handed out
        self.calls = {}  # driver function name -> calls, for a report

    def __getattr__(self, name):
        if name in _SUCCEED or name in _SUCCEED_COUNTED:
            counted, result = name in _SUCCEED_COUNTED, (self._ok,)
            call = lambda *_: (self._counted(name, counted), result)[1]  # noqa: E731
        elif name in _HANDLES:
            kind, counted = _HANDLES[name]
            make = getattr(self._real, kind)
            call = lambda *_: (self._counted(name, counted), self._ok, make(next(self._ids)))[1:]  # noqa: E731
        elif name in _ANSWERS:
            result = (self._ok, _ANSWERS[name])
            call = lambda *_: result  # noqa: E731
        elif name.startswith("cu"):
            raise AttributeError(f"the null driver has no {name}")
        else:
            return getattr(self._real, name)  # types, enums and constants: the real bindings'
        setattr(self, name, call)  # made once: later lookups find it without this method
        return call

    def _counted(self, name: str, counted: bool = True) -> None:
        if counted:
            self.calls[name] = self.calls.get(name, 0) + 1

    # -------------------------------------------------------------------------------------------- device, context
    def cuDeviceGet(self, ordinal):
        return self._ok, self._real.CUdevice(ordinal)

    def cuDevicePrimaryCtxRetain(self, dev):
        return self._ok, self._real.CUcontext(0x77)

    def cuDeviceGetAttribute(self, attr, dev):
        return self._ok, ATTRIBUTES.get(attr.name, 1)

    def cuFuncGetAttribute(self, attr, fn):
        return self._ok, 1024 if attr.name == "CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK" else 32

    def cuOccupancyMaxActiveBlocksPerMultiprocessor(self, fn, block, shared):
        return self._ok, max(1, 2048 // max(1, int(block)))

    def cuLinkComplete(self, state):
        return self._ok, ctypes.addressof(_CUBIN), len(_CUBIN.raw)

    # ------------------------------------------------------------------------------------------------- memory
    def _alloc(self, nbytes: int) -> int:
        ptr = _libc.calloc(1, max(1, int(nbytes)))
        self._blocks[ptr] = int(nbytes)
        return ptr

    def cuMemAlloc(self, nbytes):
        self._counted("cuMemAlloc")
        return self._ok, self._alloc(nbytes)

    def cuMemFree(self, ptr):
        self._counted("cuMemFree")
        if self._blocks.pop(int(ptr), None) is not None:
            _libc.free(int(ptr))
        return (self._ok,)

    def cuMemHostAlloc(self, nbytes, flags):
        return self._ok, self._alloc(nbytes)

    def cuMemHostGetDevicePointer(self, host, flags):
        return self._ok, int(host)

    def cuMemFreeHost(self, ptr):
        return self.cuMemFree(ptr)

    def cuMemsetD8(self, ptr, value, nbytes):
        ctypes.memset(int(ptr), int(value), int(nbytes))
        return (self._ok,)

    def _memset(self, name: str, dst, bits: int, unit: int, count: int, pitch: int = 0, rows: int = 1) -> tuple:
        self._counted(name)
        pattern = int(bits).to_bytes(unit, "little") * int(count)
        for row in range(rows):
            ctypes.memmove(int(dst) + row * pitch, pattern, len(pattern))
        return (self._ok,)

    def cuMemsetD8Async(self, dst, bits, count, stream):
        return self._memset("cuMemsetD8Async", dst, bits, 1, count)

    def cuMemsetD16Async(self, dst, bits, count, stream):
        return self._memset("cuMemsetD16Async", dst, bits, 2, count)

    def cuMemsetD32Async(self, dst, bits, count, stream):
        return self._memset("cuMemsetD32Async", dst, bits, 4, count)

    def cuMemsetD2D32Async(self, dst, pitch, bits, width, height, stream):
        return self._memset("cuMemsetD2D32Async", dst, bits, 4, width, pitch, height)

    def _copy(self, name, dst, src, nbytes):
        self._counted(name)
        ctypes.memmove(int(dst), int(src), int(nbytes))
        return (self._ok,)

    def cuStreamWriteValue64(self, stream, addr, value, flags):
        self._counted("cuStreamWriteValue64")
        ctypes.c_uint64.from_address(int(addr)).value = int(value)
        return (self._ok,)

    def cuMemcpyHtoD(self, dst, src, nbytes):
        return self._copy("cuMemcpyHtoD", dst, src, nbytes)

    def cuMemcpyHtoDAsync(self, dst, src, nbytes, stream):
        return self._copy("cuMemcpyHtoDAsync", dst, src, nbytes)

    def cuMemcpyDtoH(self, dst, src, nbytes):
        return self._copy("cuMemcpyDtoH", dst, src, nbytes)

    def cuMemcpyDtoD(self, dst, src, nbytes):
        return self._copy("cuMemcpyDtoD", dst, src, nbytes)


def install() -> NullDriver:
    """Make llvm-cuda use a new :class:`NullDriver` (before ``qd.init(arch=qd.cuda)``; after ``qd.reset()`` when a
    session is open) and return it; :func:`uninstall` puts the real driver back."""
    from cuda.bindings import driver as real

    null = NullDriver(real)
    _swap(lambda: null)
    os.environ.setdefault("QD_CUDADEVRT", __file__)  # any file will do: the link is a no-op
    return null


def uninstall() -> None:
    """The real ``cuda.bindings`` driver again (a fresh device on next use)."""
    _swap(_REAL_DRIVER)


def _swap(get_driver) -> None:
    driver._driver = get_driver
    driver._DEVICE = None  # the next use makes a device on the new driver
    driver.probe.cache_clear()
