"""The ``wgpu`` backend object registered under the ``quadrants.backends`` entry point (docs/writing-a-backend.md).

``compile`` emits WGSL for every task (:mod:`quadrants_wgpu.wgsl.emit`) and returns a picklable artifact; ``load``
creates the compute pipelines (cached per shader text on the device) and returns a
:class:`~quadrants_wgpu.runtime.executable.WgpuExecutable`. Capabilities are data: what WGSL lacks is declared, not
silently approximated (see ``docs/backends/wgpu.md``). What the device offers beyond core WGSL (64-bit types, float
atomics, f16: :mod:`quadrants_wgpu.wgsl.target`) is part of the capabilities, so doctor shows it and fastcache keys
(which hash the capabilities) never serve an artifact compiled for other features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quadrants.backend import Availability, Capabilities, CompileOptions
from quadrants.errors import QuadrantsCompilationError
from quadrants.ir import dtypes as T
from quadrants.ir.dtypes import DataType, from_numpy_dtype
from quadrants.ir.nodes import Program
from quadrants_wgpu.runtime.device import get_device, probe_device, read_ranges
from quadrants_wgpu.runtime.executable import WgpuExecutable
from quadrants_wgpu.runtime.memory import WgpuArray, create_buffer, wrap
from quadrants_wgpu.wgsl.emit import EmittedProgram, emit_program
from quadrants_wgpu.wgsl.names import UnsupportedError

__all__ = ["BACKEND", "WgpuBackend", "WgpuArtifact", "BASE_DTYPES", "FEATURES"]

# Core WGSL: f64 and f16 come only with adapter features (cases that need them report `unsupported` without).
BASE_DTYPES = frozenset({T.u1, T.i8, T.i16, T.i32, T.i64, T.u8, T.u16, T.u32, T.u64, T.f32})
# Atomics with linearizable old values. Without 64-bit atomics, i64/u64 add/and/or/xor also run (final values exact)
# but their returned old value can be torn under contention, so "atomic:i64" is claimed only with them.
ATOMIC_DTYPES = frozenset({T.u1, T.i8, T.i16, T.i32, T.u8, T.u16, T.u32, T.f32})
FEATURES = frozenset({"print", "assert", "i64", "gpu"})
# What each part of the device's ShaderTarget adds to the capabilities: (dtypes, atomic dtypes).
_TARGET_CAPABILITIES = {
    "f16": ({T.f16}, set()),
    "f64": ({T.f64}, set()),
    "int64_atomics": (set(), {T.i64, T.u64}),
}


def _has_dtype(dtype: DataType) -> bool:
    """True when the device can hold ``dtype`` (a cheap form of ``dtype in capabilities.dtypes``)."""
    if dtype in BASE_DTYPES:
        return True
    target = get_device().target
    return (dtype == T.f16 and target.f16) or (dtype == T.f64 and target.f64)


MAX_ARRAY_BYTES = 1 << 32  # shaders index elements (and 64-bit values' words) with u32
_SYNC_BUFFERS: dict[int, tuple] = {}  # device id -> (device, the 4-byte buffer qd.sync() reads back)


class UnsupportedProgramError(QuadrantsCompilationError, TypeError):
    """The program needs a capability the wgpu backend declares as a gap (f64, f16 without shader-f16, ...)."""


@dataclass(frozen=True)
class WgpuArtifact:
    """What ``compile`` produces: the program (for launch bookkeeping) and its WGSL shaders and layouts."""

    program: Program
    emitted: EmittedProgram
    options: CompileOptions


class WgpuBackend:
    """IR → WGSL on wgpu (Vulkan, Metal, DX12; Mesa lavapipe without a GPU)."""

    id = "wgpu"
    archs = ("vulkan", "metal")

    @property
    def capabilities(self) -> Capabilities:
        """The base table plus what the device's shader features add (decided by the adapter, and by
        ``QD_WGPU_DISABLE_FEATURES``); the features themselves are listed too (``shader-f64``, ...)."""
        ok, _, _ = probe_device()
        dtypes = set(BASE_DTYPES)
        atomic_dtypes = set(ATOMIC_DTYPES)
        features = set(FEATURES)
        if ok:
            dev = get_device()
            target = dev.target
            for part, (more_dtypes, more_atomics) in _TARGET_CAPABILITIES.items():
                if getattr(target, part):
                    dtypes |= more_dtypes
                    atomic_dtypes |= more_atomics
            if target.f64 and target.int64_atomics:
                atomic_dtypes.add(T.f64)  # compare-exchange loops on atomic<u64> bits
            if target.f16:
                features.add("f16")
            features |= dev.features
            if target.corrected_div_sqrt:  # other shaders: fastcache must not serve one compiled without them
                features.add("corrected-div-sqrt")
        if ok and get_device().is_software:
            # Vulkan lets drivers flush f32 subnormals (NVIDIA's does: measured on an H100, driver 580); only the
            # software rasterizer is known to keep them, so only it claims the capability.
            features.add("subnormals")
        return Capabilities(
            dtypes=frozenset(dtypes), atomic_dtypes=frozenset(atomic_dtypes), features=frozenset(features)
        )

    def probe(self) -> Availability:
        ok, reason, device = probe_device()
        return Availability(ok, reason, device, software=ok and get_device().is_software)

    def compile(self, program: Program, options: CompileOptions | None = None) -> WgpuArtifact:
        options = options or CompileOptions()
        dev = get_device()
        try:
            emitted = emit_program(program, dev.target)
        except UnsupportedError as exc:
            loc = getattr(exc, "loc", None)  # a located gap (a recursive call) points at the user's line
            raise UnsupportedProgramError(str(exc) if loc else f"{program.name}: {exc}", loc) from None
        return WgpuArtifact(program, emitted, options)

    def load(self, artifact: WgpuArtifact) -> WgpuExecutable:
        return WgpuExecutable(artifact.program, artifact.emitted, get_device())

    def allocation_limit(self) -> tuple[int, str]:
        """The largest allocation core lets through (``quadrants.runtime.allocation``): the device's largest buffer
        (padded to 16 bytes, see ``runtime/memory.py``), at most 4 GiB (element indices are u32). A buffer larger
        than one binding (``max-storage-buffer-binding-size``) is bound as several windows
        (``runtime/placement.py``)."""
        size = min(get_device().device.limits["max-buffer-size"], MAX_ARRAY_BYTES)
        return size & ~15, "the device's largest buffer, max-buffer-size"

    def allocate(self, dtype: DataType, shape: tuple[int, ...]) -> WgpuArray:
        """A zero-initialised array (wgpu zero-fills new buffers)."""
        if not _has_dtype(dtype):
            raise TypeError(f"the wgpu backend has no {dtype} ndarrays on this device")
        return WgpuArray(get_device(), dtype, tuple(shape))

    def wrap_numpy(self, array: np.ndarray) -> WgpuArray:
        """A device copy of ``array``; :meth:`sync_back` copies the launch's writes back."""
        dtype = from_numpy_dtype(array.dtype)
        if dtype is None or not _has_dtype(dtype):
            raise TypeError(f"the wgpu backend cannot take NumPy arrays of dtype {array.dtype} on this device")
        return wrap(get_device(), array)

    def sync_back(self, wrapped: WgpuArray, array: np.ndarray) -> None:
        """Copy the device contents back into ``array`` (waits for the launch)."""
        if array.flags.writeable:
            array[...] = wrapped.to_numpy()

    def sync(self) -> None:
        """Wait for every queued launch and copy (``qd.sync()``; launches return once submitted)."""
        ok, _, _ = probe_device()
        if not ok:
            return
        # A 4-byte readback waits for every earlier submission (and takes queued buffer writes with it); wgpu-py
        # 0.32's queue.on_submitted_work_done_async passes wgpu-native a callback of the wrong type (TypeError).
        dev = get_device()
        read_ranges(dev, [(self._sync_buffer(dev), 0, 4)])

    @staticmethod
    def _sync_buffer(dev):
        buf = _SYNC_BUFFERS.get(id(dev))
        if buf is None or buf[0] is not dev:
            buf = _SYNC_BUFFERS[id(dev)] = (dev, create_buffer(dev, 4))
        return buf[1]


BACKEND = WgpuBackend()
