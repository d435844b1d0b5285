"""The CUDA driver through ``cuda.bindings.driver`` (optional extra ``quadrants-llvm[cuda]``): one context per process.

:class:`Device` owns the primary context of device 0 and the few driver calls the backend makes; every call's
``CUresult`` is checked and turned into a ``RuntimeError`` naming the call and the error. Import is lazy: this module
is imported only after :func:`probe` found the bindings and a device.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import threading
import time

from quadrants_llvm.cuda import arg_writes
from quadrants_llvm.cuda.arg_ring import ArgRing
from quadrants_llvm.cuda.status import raise_for
from quadrants_llvm.cuda.streams import StreamSet

__all__ = ["probe", "device", "Device", "check", "pointer_device", "fit_threads"]

SPIN_S = 0.005  # Device.drain busy-polls this long before it polls with sleeps

_LOG = logging.getLogger("quadrants_llvm.cuda")
_LOCK = threading.Lock()
_DEVICE = None
_MEMSETS = {1: "cuMemsetD8Async", 2: "cuMemsetD16Async", 4: "cuMemsetD32Async"}  # Device.fill, by element size
_THREAD = threading.local()  # .ctx: the context made current on this thread (the driver keeps one per thread)


def _driver():
    from cuda.bindings import driver

    return driver


def check(result, call: str = "CUDA call"):
    """``result`` is a driver call's return tuple: raise on an error, else return the values after the status."""
    err, *values = result if isinstance(result, tuple) else (result,)
    if int(err) != 0:
        raise_for(_driver(), err, call)
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


@functools.cache
def probe() -> tuple[bool, str]:
    """``(available, reason or device description)``: bindings importable, driver initialisable, a device present."""
    try:
        cu = _driver()
    except ImportError as exc:
        return False, f"cuda.bindings is not installed (pip install 'quadrants-llvm[cuda]'): {exc}"
    except Exception as exc:  # a broken install: report it, never crash discovery
        return False, f"cuda.bindings failed to import: {type(exc).__name__}: {exc}"
    try:
        check(cu.cuInit(0), "cuInit")
        count = check(cu.cuDeviceGetCount(), "cuDeviceGetCount")
    except Exception as exc:
        return False, f"no usable CUDA driver or device: {exc}"
    if not count:
        return False, "no CUDA device found (cuDeviceGetCount() == 0)"
    try:
        return True, device().describe()
    except Exception as exc:
        return False, f"CUDA device 0 could not be initialised: {exc}"


class Device:
    """Device 0: its primary context, compute capability, SM count and the driver calls of the backend."""

    def __init__(self) -> None:
        cu = _driver()
        self.cu = cu
        check(cu.cuInit(0), "cuInit")
        self.dev = check(cu.cuDeviceGet(0), "cuDeviceGet")
        self.ctx = check(cu.cuDevicePrimaryCtxRetain(self.dev), "cuDevicePrimaryCtxRetain")
        check(cu.cuCtxSetCurrent(self.ctx), "cuCtxSetCurrent")
        attr = cu.CUdevice_attribute
        self.cc = (
            check(cu.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, self.dev)),
            check(cu.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, self.dev)),
        )
        self.sms = check(cu.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, self.dev))
        name = check(cu.cuDeviceGetName(256, self.dev))
        self.name = name.split(b"\0", 1)[0].decode()
        self.stream = cu.CUstream(0)  # the legacy default stream: every launch and copy is ordered on it
        # qd.create_stream() streams and the barrier the default stream keeps with them (cuda/streams.py); every
        # default-stream operation below waits for their pending work first
        self.streams = StreamSet(cu, self.stream)
        # host addresses of the abort words of queued graphs with do_while loops (cuda/device_graph.py): such a
        # launch returns at once like any other, so Ctrl-C during a later wait must end its loops (see drain)
        self.loop_aborts: set[int] = set()
        # how executables copy their argument words in (cuMemcpyHtoDAsync's signature): directly, or staged through
        # page-locked memory so that the copy never waits for the stream (QD_CUDA_PINNED_ARGS=1, cuda/arg_ring.py)
        self.copy_args = cu.cuMemcpyHtoDAsync
        self.arg_ring = None
        if os.environ.get("QD_CUDA_PINNED_ARGS", "0") == "1":
            try:
                self.arg_ring = ArgRing(cu, self.stream)
                self.copy_args = self.arg_ring.copy
            except Exception as exc:  # no page-locked memory to be had: the direct copy is correct too
                _LOG.warning("llvm-cuda: argument copies stay direct (no page-locked staging buffer): %s", exc)
        # changed argument words written by the stream instead of copied (QD_CUDA_ARG_WRITES=1, cuda/arg_writes.py)
        self.arg_writer = None
        if os.environ.get("QD_CUDA_ARG_WRITES", "0") == "1" and arg_writes.supported(cu, self.dev):
            self.arg_writer = arg_writes.ArgWriter(cu)

    @property
    def sm(self) -> str:
        major, minor = self.cc
        return f"sm_{major}{minor}"

    def describe(self) -> str:
        version = check(self.cu.cuDriverGetVersion())
        return f"{self.name} ({self.sm}, {self.sms} SMs), CUDA driver {version // 1000}.{version % 1000 // 10}"

    def bind(self) -> None:
        """Make the context current on the calling thread (the driver keeps it per thread)."""
        check(self.cu.cuCtxSetCurrent(self.ctx), "cuCtxSetCurrent")
        _THREAD.ctx = self.ctx

    def current(self) -> None:
        """:meth:`bind` once per thread: a kernel launched or an array touched from a thread other than the one that
        created the device would otherwise fail with CUDA_ERROR_INVALID_CONTEXT."""
        if getattr(_THREAD, "ctx", None) is not self.ctx:
            self.bind()

    @functools.cached_property
    def clock_rate_khz(self) -> int:
        """The nominal SM clock in kHz (``CU_DEVICE_ATTRIBUTE_CLOCK_RATE``): what ``%clock64`` ticks at, unboosted."""
        attr = self.cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE
        return int(check(self.cu.cuDeviceGetAttribute(attr, self.dev), "cuDeviceGetAttribute(CLOCK_RATE)"))

    def set_stack_limit(self, nbytes: int) -> None:
        """Each thread's stack in bytes (``cuCtxSetLimit(CU_LIMIT_STACK_SIZE)``; ``qd.init(cuda_stack_limit=...)``):
        what a recursive ``@qd.real_func`` can use. Kernels loaded later see it; the driver rounds it up."""
        self.current()
        check(self.cu.cuCtxSetLimit(self.cu.CUlimit.CU_LIMIT_STACK_SIZE, int(nbytes)), "cuCtxSetLimit(STACK_SIZE)")

    def stack_limit(self) -> int:
        """The current per-thread stack size in bytes (``cuCtxGetLimit``)."""
        self.current()
        return int(check(self.cu.cuCtxGetLimit(self.cu.CUlimit.CU_LIMIT_STACK_SIZE), "cuCtxGetLimit(STACK_SIZE)"))

    # ------------------------------------------------------------------------------------------------- memory
    @functools.cached_property
    def total_memory(self) -> int:
        """Bytes of device memory (``cuDeviceTotalMem``): no single allocation can be larger."""
        return int(check(self.cu.cuDeviceTotalMem(self.dev), "cuDeviceTotalMem"))

    def alloc(self, nbytes: int) -> int:
        """``nbytes`` of device memory, zero-filled (address 0 for an empty allocation)."""
        self.current()
        if nbytes <= 0:
            return 0
        ptr = check(self.cu.cuMemAlloc(nbytes), "cuMemAlloc")
        check(self.cu.cuMemsetD8(ptr, 0, nbytes), "cuMemsetD8")
        self.streams.default_work()  # the zero fill is queued: a stream's later launch waits for it
        return int(ptr)

    def free(self, ptr: int) -> None:
        self.current()
        if ptr:
            # a launch on another stream may still use the memory; a queued graph loop may run long (cuMemFree
            # would wait for it inside the driver, where Ctrl-C cannot reach)
            if self.streams.pending or self.loop_aborts:
                self.drain()
            self.cu.cuMemFree(ptr)

    def to_device(self, dst: int, src_addr: int, nbytes: int) -> None:
        self.current()
        if nbytes:
            self.streams.on_default()  # after the launches queued on other streams (they may read the old values)
            if self.loop_aborts:  # the copy waits for a queued graph loop: wait here, where Ctrl-C can end it
                self.drain()
            check(self.cu.cuMemcpyHtoD(dst, src_addr, nbytes), "cuMemcpyHtoD")
            self.streams.default_work()

    def fill(self, dst: int, bits: int, unit: int, nbytes: int) -> None:
        """Repeat the ``unit``-byte pattern ``bits`` over ``nbytes`` at ``dst`` with memsets queued on the default
        stream (``cuMemsetD8/D16/D32Async``; an 8-byte pattern as two 4-byte columns of ``cuMemsetD2D32Async``, or one
        ``D32`` when its halves are equal): unlike a host copy, which first waits for the queued work, the host goes on
        at once."""
        self.current()
        self.streams.on_default()  # after the launches queued on other streams (they may read the old values)
        cu, stream, count = self.cu, self.stream, nbytes // unit
        if unit == 8:
            low, high = bits & 0xFFFFFFFF, bits >> 32
            if low == high:
                check(cu.cuMemsetD32Async(dst, low, 2 * count, stream), "cuMemsetD32Async")
            else:
                for offset, half in ((0, low), (4, high)):
                    check(cu.cuMemsetD2D32Async(dst + offset, 8, half, 1, count, stream), "cuMemsetD2D32Async")
        else:
            name = _MEMSETS[unit]
            check(getattr(cu, name)(dst, bits, count, stream), name)
        self.streams.default_work()

    def drain(self) -> None:
        """Wait for the work queued on the stream by polling ``cuStreamQuery``, not inside a blocking driver call, so
        that Ctrl-C during a long kernel raises ``KeyboardInterrupt`` at once (the kernel itself runs to its end: a
        device cannot abandon it, and later work queues behind it; a ``do_while`` loop of a queued graph is told to
        end, :meth:`abort_loops`). The default stream first joins every stream with pending work (cuda/streams.py), so
        this also waits for their launches."""
        queued = set(self.loop_aborts)
        try:
            self._poll()
        except KeyboardInterrupt:
            self.abort_loops()
            raise
        self.loop_aborts -= queued  # finished: nothing left to abort

    def _poll(self) -> None:
        self.streams.on_default()
        query, not_ready = self.cu.cuStreamQuery, self.cu.CUresult.CUDA_ERROR_NOT_READY
        err = query(self.stream)[0]
        if err == not_ready:
            # spin for the first milliseconds: a sleep lasts 60-150 µs on Linux, as long as a short wait itself (a
            # Genesis step waits twice, for about 0.3 ms each); longer waits poll every 0.1 ms
            spin_until = time.perf_counter() + SPIN_S
            while err == not_ready and time.perf_counter() < spin_until:
                err = query(self.stream)[0]
        while err == not_ready:
            time.sleep(1e-4)
            err = query(self.stream)[0]
        check((err,), "cuStreamQuery")

    def abort_loops(self) -> None:
        """Tell every queued graph loop to end at its next condition (its host-mapped abort word) and wait for the
        device: after Ctrl-C, so that an endless ``do_while`` does not keep the device busy forever."""
        for word in self.loop_aborts:
            ctypes.c_uint64.from_address(word).value = 1
        self.loop_aborts.clear()
        self.cu.cuCtxSynchronize()

    def to_host(self, dst_addr: int, src: int, nbytes: int) -> None:
        """Copy to host memory; waits (interruptibly, :meth:`drain`) for the work queued before it."""
        self.current()
        if nbytes:
            self.drain()
            check(self.cu.cuMemcpyDtoH(dst_addr, src, nbytes), "cuMemcpyDtoH")

    def synchronize(self) -> None:
        self.current()
        self.drain()
        check(self.cu.cuCtxSynchronize(), "cuCtxSynchronize")
        self.streams.synchronized()

    # ------------------------------------------------------------------------------------------------ modules
    def load_module(self, image: bytes):
        self.current()
        return check(self.cu.cuModuleLoadData(image), "cuModuleLoadData")

    def function(self, module, name: str):
        return check(self.cu.cuModuleGetFunction(module, name.encode()), f"cuModuleGetFunction({name})")

    def grid_size(self, fn, block: int) -> int:
        """Blocks that fill the device at ``block`` threads each (occupancy × SMs)."""
        per_sm = check(self.cu.cuOccupancyMaxActiveBlocksPerMultiprocessor(fn, block, 0), "cuOccupancy")
        return max(1, int(per_sm)) * self.sms


def pointer_device(address: int) -> int | None:
    """The ordinal of the device a unified-address pointer was allocated on; ``None`` when the driver cannot say."""
    try:
        cu = _driver()
        attribute = cu.CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL
        return int(check(cu.cuPointerGetAttribute(attribute, address), "cuPointerGetAttribute"))
    except Exception:  # a pointer the driver does not know (not device memory), or an older binding
        return None


def device() -> Device:
    """The process-wide :class:`Device` (created on first use)."""
    global _DEVICE
    with _LOCK:
        if _DEVICE is None:
            _DEVICE = Device()
        return _DEVICE


def fit_threads(dev, fn, threads: int) -> int:
    """``threads`` or, when the kernel's registers allow fewer per block, the most it allows in whole warps (a SIMT
    block of up to 1024 lanes is correct on any block size: its threads take several lanes each)."""
    try:
        attribute = dev.cu.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK
        most = int(check(dev.cu.cuFuncGetAttribute(attribute, fn), "cuFuncGetAttribute"))
    except Exception:  # a driver binding without the query: the launch reports a block that does not fit
        return threads
    return max(32, min(threads, most // 32 * 32))
