"""The ``wgpu`` backend object registered under the ``quadrants.backends`` entry point (DESIGN.md §3).

``compile`` emits WGSL for every task (:mod:`quadrants_wgpu.wgsl.emit`) and returns a picklable artifact; ``load``
creates the compute pipelines (cached per shader text on the device) and returns a
:class:`~quadrants_wgpu.runtime.executable.WgpuExecutable`. Capabilities are data: what WGSL lacks is declared, not
silently approximated (see ``docs/backends/wgpu.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quadrants.backend import Availability, Capabilities, CompileOptions
from quadrants.errors import QuadrantsCompilationError
from quadrants.ir import dtypes as T
from quadrants.ir.dtypes import DataType, from_numpy_dtype
from quadrants.ir.nodes import Program
from quadrants_wgpu.runtime.device import get_device, probe_device
from quadrants_wgpu.runtime.executable import WgpuExecutable
from quadrants_wgpu.runtime.memory import WgpuArray, wrap
from quadrants_wgpu.wgsl.emit import EmittedProgram, emit_program
from quadrants_wgpu.wgsl.names import UnsupportedError

__all__ = ["BACKEND", "WgpuBackend", "WgpuArtifact", "BASE_DTYPES", "FEATURES"]

# f64 is absent on purpose (WGSL has no 64-bit floats): cases that need "f64" report `unsupported`.
BASE_DTYPES = frozenset({T.u1, T.i8, T.i16, T.i32, T.i64, T.u8, T.u16, T.u32, T.u64, T.f32})
# Atomics with linearizable old values. i64/u64 add/and/or/xor also run (final values exact) but their returned
# old value can be torn under contention, so "atomic:i64" is not claimed.
ATOMIC_DTYPES = frozenset({T.u1, T.i8, T.i16, T.i32, T.u8, T.u16, T.u32, T.f32})
FEATURES = frozenset({"print", "assert", "i64", "gpu"})


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
        """The base table plus ``f16`` when the device has ``shader-f16`` (decided by the adapter)."""
        ok, _, _ = probe_device()
        dtypes = set(BASE_DTYPES)
        features = set(FEATURES)
        if ok and get_device().f16:
            dtypes.add(T.f16)
            features.add("f16")
        if ok and get_device().is_software:
            # Vulkan lets drivers flush f32 subnormals (NVIDIA's does: measured on an H100, driver 580); only the
            # software rasterizer is known to keep them, so only it claims the capability.
            features.add("subnormals")
        return Capabilities(dtypes=frozenset(dtypes), atomic_dtypes=ATOMIC_DTYPES, features=frozenset(features))

    def probe(self) -> Availability:
        ok, reason, device = probe_device()
        return Availability(ok, reason, device, software=ok and get_device().is_software)

    def compile(self, program: Program, options: CompileOptions | None = None) -> WgpuArtifact:
        options = options or CompileOptions()
        dev = get_device()
        try:
            emitted = emit_program(program, f16_ok=dev.f16)
        except UnsupportedError as exc:
            raise UnsupportedProgramError(f"{program.name}: {exc}") from None
        return WgpuArtifact(program, emitted, options)

    def load(self, artifact: WgpuArtifact) -> WgpuExecutable:
        return WgpuExecutable(artifact.program, artifact.emitted, get_device())

    def allocate(self, dtype: DataType, shape: tuple[int, ...]) -> WgpuArray:
        """A zero-initialised array (wgpu zero-fills new buffers)."""
        if dtype == T.f64 or (dtype == T.f16 and not get_device().f16):
            raise TypeError(f"the wgpu backend has no {dtype} ndarrays on this device")
        return WgpuArray(get_device(), dtype, tuple(shape))

    def wrap_numpy(self, array: np.ndarray) -> WgpuArray:
        """A device copy of ``array``; :meth:`sync_back` copies the launch's writes back."""
        if from_numpy_dtype(array.dtype) in (None, T.f64):
            raise TypeError(f"the wgpu backend cannot take NumPy arrays of dtype {array.dtype}")
        return wrap(get_device(), array)

    def sync_back(self, wrapped: WgpuArray, array: np.ndarray) -> None:
        """Copy the device contents back into ``array`` (waits for the launch)."""
        if array.flags.writeable:
            array[...] = wrapped.to_numpy()


BACKEND = WgpuBackend()
