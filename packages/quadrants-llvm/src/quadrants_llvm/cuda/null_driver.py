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


class NullDriver:
    """``cuda.bindings.driver`` with functions that succeed and do nothing (see the module docstring)."""

    def __init__(self, real):
        self._real = real
        self._ok = real.CUresult.CUDA_SUCCESS
        self._ids = itertools.count(0x1000)
        self._blocks: dict[int, int] = {}  # address -> bytes, of the memory handed out
        self.calls = {}  # driver function name -> calls, for a report

    def __getattr__(self, name):  # types, enums and constants: the real bindings'
        return getattr(self._real, name)

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def _new(self, kind):
        return kind(next(self._ids))

    # -------------------------------------------------------------------------------------------- device, context
    def cuInit(self, flags):
        return (self._ok,)

    def cuDeviceGetCount(self):
        return self._ok, 1

    def cuDeviceGet(self, ordinal):
        return self._ok, self._real.CUdevice(ordinal)

    def cuDevicePrimaryCtxRetain(self, dev):
        return self._ok, self._real.CUcontext(0x77)

    def cuCtxSetCurrent(self, ctx):
        return (self._ok,)

    def cuDeviceGetAttribute(self, attr, dev):
        return self._ok, ATTRIBUTES.get(attr.name, 1)

    def cuDeviceGetName(self, size, dev):
        return self._ok, b"NVIDIA H100 (null driver)\0"

    def cuDeviceTotalMem(self, dev):
        return self._ok, TOTAL_MEMORY

    def cuDriverGetVersion(self):
        return self._ok, DRIVER_VERSION

    def cuCtxSetLimit(self, limit, value):
        return (self._ok,)

    def cuCtxGetLimit(self, limit):
        return self._ok, 1024

    def cuCtxSynchronize(self):
        self._count("cuCtxSynchronize")
        return (self._ok,)

    def cuPointerGetAttribute(self, attribute, address):
        return self._ok, 0

    def cuGetErrorString(self, err):
        return self._ok, b"null driver"

    def cuGetErrorName(self, err):
        return self._ok, b"CUDA_ERROR_NULL_DRIVER"

    # ------------------------------------------------------------------------------------------------- memory
    def _alloc(self, nbytes: int) -> int:
        ptr = _libc.calloc(1, max(1, int(nbytes)))
        self._blocks[ptr] = int(nbytes)
        return ptr

    def cuMemAlloc(self, nbytes):
        self._count("cuMemAlloc")
        return self._ok, self._alloc(nbytes)

    def cuMemFree(self, ptr):
        self._count("cuMemFree")
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
        self._count(name)
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
        self._count(name)
        ctypes.memmove(int(dst), int(src), int(nbytes))
        return (self._ok,)

    def cuMemcpyHtoD(self, dst, src, nbytes):
        return self._copy("cuMemcpyHtoD", dst, src, nbytes)

    def cuMemcpyHtoDAsync(self, dst, src, nbytes, stream):
        return self._copy("cuMemcpyHtoDAsync", dst, src, nbytes)

    def cuMemcpyDtoH(self, dst, src, nbytes):
        return self._copy("cuMemcpyDtoH", dst, src, nbytes)

    def cuMemcpyDtoD(self, dst, src, nbytes):
        return self._copy("cuMemcpyDtoD", dst, src, nbytes)

    # ------------------------------------------------------------------------------------------ modules, links
    def cuModuleLoadData(self, image):
        self._count("cuModuleLoadData")
        return self._ok, self._new(self._real.CUmodule)

    def cuModuleUnload(self, module):
        return (self._ok,)

    def cuModuleGetFunction(self, module, name):
        return self._ok, self._new(self._real.CUfunction)

    def cuFuncGetAttribute(self, attr, fn):
        return self._ok, 1024 if attr.name == "CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK" else 32

    def cuOccupancyMaxActiveBlocksPerMultiprocessor(self, fn, block, shared):
        return self._ok, max(1, 2048 // max(1, int(block)))

    def cuLinkCreate(self, *args):
        self._cubin = ctypes.create_string_buffer(b"\x7fELF null cubin")
        return self._ok, self._new(self._real.CUlinkState)

    def cuLinkAddData(self, *args):
        return (self._ok,)

    def cuLinkAddFile(self, *args):
        return (self._ok,)

    def cuLinkComplete(self, state):
        return self._ok, ctypes.addressof(self._cubin), len(self._cubin.raw)

    def cuLinkDestroy(self, state):
        return (self._ok,)

    # ---------------------------------------------------------------------------------------- launches, graphs
    def cuLaunchKernel(self, *args):
        self._count("cuLaunchKernel")
        return (self._ok,)

    def cuGraphCreate(self, flags):
        self._count("cuGraphCreate")
        return self._ok, self._new(self._real.CUgraph)

    def cuGraphAddNode(self, graph, deps, *rest):
        # a conditional node's body graph (``phGraph_out``) stays the null handle: nodes added to it go nowhere
        return self._ok, self._new(self._real.CUgraphNode)

    def cuGraphConditionalHandleCreate(self, graph, ctx, default, flags):
        return self._ok, self._new(self._real.CUgraphConditionalHandle)

    def cuGraphInstantiate(self, graph, flags):
        self._count("cuGraphInstantiate")
        return self._ok, self._new(self._real.CUgraphExec)

    def cuGraphLaunch(self, graph_exec, stream):
        self._count("cuGraphLaunch")
        return (self._ok,)

    def cuGraphDestroy(self, graph):
        return (self._ok,)

    def cuGraphExecDestroy(self, graph_exec):
        return (self._ok,)

    # ---------------------------------------------------------------------------------------- streams, events
    def cuStreamCreate(self, flags):
        return self._ok, self._new(self._real.CUstream)

    def cuStreamDestroy(self, stream):
        return (self._ok,)

    def cuStreamQuery(self, stream):
        self._count("cuStreamQuery")
        return (self._ok,)

    def cuStreamSynchronize(self, stream):
        self._count("cuStreamSynchronize")
        return (self._ok,)

    def cuStreamWaitEvent(self, stream, event, flags):
        return (self._ok,)

    def cuEventCreate(self, flags):
        return self._ok, self._new(self._real.CUevent)

    def cuEventDestroy(self, event):
        return (self._ok,)

    def cuEventRecord(self, event, stream):
        return (self._ok,)

    def cuEventQuery(self, event):
        return (self._ok,)

    def cuEventSynchronize(self, event):
        return (self._ok,)

    def cuEventElapsedTime(self, start, end):
        return self._ok, 0.0


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
