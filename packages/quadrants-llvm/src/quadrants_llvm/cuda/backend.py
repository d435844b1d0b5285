"""The ``llvm-cuda`` backend object registered under the ``quadrants.backends`` entry point (docs/writing-a-backend.md).

``compile`` lowers a Program with the shared builder for ``nvptx64-nvidia-cuda`` and the device's SM (``sm_90`` on an
H100) to PTX; ``load`` hands the PTX to the driver (``cuModuleLoadData``, which JIT-compiles it for the device) and
prepares the launcher. ``probe`` reports the backend unavailable, with the reason, when ``cuda.bindings`` is missing
or no device exists. :func:`compile_ptx` compiles without a device (the compile-only test tier).
"""

from __future__ import annotations

import time

import numpy as np

from quadrants.backend import Availability, Capabilities, CompileOptions
from quadrants.ir import nodes as N
from quadrants.ir.dtypes import ALL_DTYPES, DataType, from_numpy_dtype
from quadrants_llvm.cuda import driver
from quadrants_llvm.cuda.compiler import GpuArtifact, compile_gpu, gpu_target
from quadrants_llvm.target import NVPTX

__all__ = ["BACKEND", "LlvmCudaBackend", "compile_ptx", "CAPABILITIES"]

DEFAULT_SM = "sm_90"

# print: no host callback from device code (vprintf output would not go through sys.stdout) — declared missing
CAPABILITIES = Capabilities(
    dtypes=frozenset(ALL_DTYPES),
    atomic_dtypes=frozenset(ALL_DTYPES),
    features=frozenset({"assert", "print", "f64", "i64", "f16", "subnormals", "gpu", "clock", "recursion"}),
)


def compile_ptx(program: N.Program, options: CompileOptions | None = None, sm: str = DEFAULT_SM) -> GpuArtifact:
    """PTX for ``program`` on ``sm`` (no device or driver needed)."""
    return compile_gpu(program, options or CompileOptions(), gpu_target(NVPTX, sm), emit="asm")


class LlvmCudaBackend:
    """llvmlite → PTX → the CUDA driver; one kernel per task, grid-stride parallel loops."""

    id = "llvm-cuda"
    archs = ("cuda", "gpu")
    capabilities = CAPABILITIES

    def probe(self) -> Availability:
        try:
            import llvmlite.binding  # noqa: F401
        except ImportError as exc:
            return Availability(False, reason=f"llvmlite is not installed ({exc})")
        ok, text = driver.probe()
        return Availability(True, device=text) if ok else Availability(False, reason=text)

    def configure(self, options: dict) -> None:
        """``qd.init``'s run-time options: ``cuda_stack_limit`` (bytes, 0: the driver's default) sets each thread's
        stack, which a recursive ``@qd.real_func`` needs (docs/misc-functions.md), as upstream does at start-up;
        ``offline_cache`` / ``offline_cache_file_path`` keep every kernel's PTX on disk (cpu/object_cache.py, kind
        ``GPU``), so a second process skips LLVM's optimiser and code generator."""
        from quadrants_llvm.cpu import object_cache

        object_cache.configure(options.get("offline_cache_file_path"), bool(options.get("offline_cache", True)))
        limit = int(options.get("cuda_stack_limit") or 0)
        if limit > 0:
            driver.device().set_stack_limit(limit)

    def compile(self, program: N.Program, options: CompileOptions | None = None) -> GpuArtifact:
        return compile_ptx(program, options, driver.device().sm)

    def load(self, artifact: GpuArtifact):
        from quadrants_llvm.cuda.executable import CudaExecutable

        dev = driver.device()
        dev.bind()
        timings = dict(artifact.timings)
        t0 = time.perf_counter()
        exe = CudaExecutable(artifact, dev, timings)
        timings["load"] = time.perf_counter() - t0
        return exe

    def allocation_limit(self) -> tuple[int, str]:
        """The largest allocation core lets through (``quadrants.runtime.allocation``): the device memory."""
        dev = driver.device()
        return dev.total_memory, f"the device memory of {dev.name}"

    def allocate(self, dtype: DataType, shape: tuple[int, ...]):
        """A zero-initialised device array."""
        from quadrants_llvm.cuda.memory import CudaArray

        return CudaArray(driver.device(), dtype, tuple(shape))

    def wrap_numpy(self, array: np.ndarray):
        """A device copy of a NumPy array passed to a kernel (copied back by :meth:`sync_back`)."""
        dtype = from_numpy_dtype(array.dtype)
        if dtype is None:
            raise TypeError(f"unsupported NumPy dtype {array.dtype}")
        wrapped = self.allocate(dtype, array.shape)
        wrapped.from_numpy(array)
        return wrapped

    def sync_back(self, wrapped, array: np.ndarray) -> None:
        """Copy the launch's writes back into the NumPy array (waits for the launch)."""
        if array.flags.writeable:
            array[...] = wrapped.to_numpy()

    def wrap_device_buffer(self, device_type: int, device_id, address: int, dtype: DataType, shape, owner, stream=-1):
        """Storage over CUDA memory another library owns (a torch tensor, a CuPy array), or ``None`` if unusable.

        Optional backend member used by core's interop (quadrants/runtime/external.py). The memory must be on the
        device this backend runs on (device 0); ``device_id=None`` (``__cuda_array_interface__`` gives no device)
        asks the driver which device the pointer belongs to. Work the owner queued on ``stream`` is finished, or
        ordered, before a launch reads the memory (:func:`~quadrants_llvm.cuda.streams.producer_wait`): nothing to do
        for the legacy default stream that launches queue on anyway, that stream alone for another, the whole
        context when the stream is not known.
        """
        from quadrants_llvm.cuda.memory import DLPACK_CUDA, ExternalCudaArray
        from quadrants_llvm.cuda.streams import producer_wait

        if device_type != DLPACK_CUDA:
            return None
        dev = driver.device()
        dev.bind()
        if device_id is None:
            device_id = driver.pointer_device(address)
        if device_id not in (None, 0):
            return None
        wait = producer_wait(stream, dev.streams.live)
        if wait == "stream":
            driver.check(dev.cu.cuStreamSynchronize(dev.cu.CUstream(stream)), "cuStreamSynchronize")
        elif wait == "context":
            dev.synchronize()
        return ExternalCudaArray(dev, dtype, tuple(shape), address, owner)

    def sync(self) -> None:
        """Wait for every queued launch and copy, on every stream (``qd.sync()``)."""
        driver.device().synchronize()

    def clock_rate_hz(self) -> float:
        """The device's nominal clock in Hz (``qd.clock_freq_hz()``, an optional member read by core's
        quadrants/runtime/device_clock.py): the rate of the ``%clock64`` counter ``qd.clock_counter()`` reads, as
        upstream's ``cuda_clock_rate_khz``."""
        return float(driver.device().clock_rate_khz * 1000)

    # ------------------------------------------------------------------- streams (optional members, docs/streams.md)
    def create_stream(self):
        """A new non-blocking CUDA stream (``qd.create_stream()``), a :class:`~.streams.CudaStream`."""
        dev = driver.device()
        dev.bind()
        return dev.streams.create_stream()

    def wrap_stream(self, handle: int):
        """A stream another library made (``qd.Stream(torch.cuda.Stream().cuda_stream)``), never destroyed here."""
        dev = driver.device()
        dev.bind()
        return dev.streams.create_stream(handle)

    def create_event(self):
        """A new CUDA event (``qd.create_event()``): a :class:`~quadrants_llvm.cuda.streams.CudaEvent`."""
        dev = driver.device()
        dev.bind()
        return dev.streams.create_event()

    def launch_stream(self, stream):
        """A context manager: launches of the calling thread inside it go to ``stream`` (``kernel(qd_stream=s)``)."""
        from quadrants_llvm.cuda.streams import LaunchStream

        return LaunchStream(stream)


BACKEND = LlvmCudaBackend()
