"""The ``llvm-amdgpu`` backend: the shared builder targeting ``amdgcn-amd-amdhsa``, producing HSA code objects.

Compile-only in this repository: no AMD GPU was available to develop on, so there is no HIP runtime path. ``compile``
emits a code object (``emit_object``) for the architecture in ``QD_AMDGPU_ARCH`` (``gfx90a`` by default; ``gfx942``,
``gfx1100``… are accepted), and ``probe`` always explains why kernels cannot run: the HIP Python bindings are missing,
no ROCm device exists, or (with both present) the launch path is not implemented yet.
"""

from __future__ import annotations

import os

from quadrants.backend import Availability, CompileOptions
from quadrants.ir import nodes as N
from quadrants_llvm.cuda.backend import CAPABILITIES
from quadrants_llvm.cuda.compiler import GpuArtifact, compile_gpu, gpu_target
from quadrants_llvm.target import AMDGPU

__all__ = ["BACKEND", "LlvmAmdgpuBackend", "compile_code_object", "ARCHS", "DEFAULT_ARCH"]

DEFAULT_ARCH = "gfx90a"
ARCHS = ("gfx90a", "gfx942", "gfx1100")


def compile_code_object(program: N.Program, options: CompileOptions | None = None, arch: str = "") -> GpuArtifact:
    """An AMDGPU code object (ELF) for ``program`` on ``arch`` (default: ``QD_AMDGPU_ARCH`` or gfx90a)."""
    arch = arch or os.environ.get("QD_AMDGPU_ARCH", "") or DEFAULT_ARCH
    return compile_gpu(program, options or CompileOptions(), gpu_target(AMDGPU, arch), emit="object")


def _probe_reason() -> str:
    try:
        import llvmlite.binding as llvm

        llvm.initialize_all_targets()
        llvm.Target.from_triple(AMDGPU.triple)
    except Exception as exc:
        return f"this llvmlite build has no AMDGPU target: {exc}"
    try:
        from hip import hip  # hip-python
    except ImportError:
        return "compile-only: the HIP Python bindings (hip-python) are not installed and no ROCm runtime was found"
    try:
        err, count = hip.hipGetDeviceCount()
        if int(err) != 0 or not count:
            return "compile-only: no ROCm device found (hipGetDeviceCount)"
    except Exception as exc:
        return f"compile-only: HIP is not usable ({exc})"
    return "compile-only: a ROCm device exists, but the HIP launch path is not implemented (no AMD GPU to test it)"


class LlvmAmdgpuBackend:
    """Code generation for AMD GPUs; never available for running kernels (see :func:`_probe_reason`)."""

    id = "llvm-amdgpu"
    archs = ("amdgpu",)
    capabilities = CAPABILITIES

    def probe(self) -> Availability:
        return Availability(False, reason=_probe_reason())

    def compile(self, program: N.Program, options: CompileOptions | None = None) -> GpuArtifact:
        return compile_code_object(program, options)

    def load(self, artifact: GpuArtifact):
        raise RuntimeError(f"llvm-amdgpu cannot run kernels here: {_probe_reason()}")

    def allocate(self, dtype, shape):
        raise RuntimeError(f"llvm-amdgpu cannot allocate device memory here: {_probe_reason()}")

    def wrap_numpy(self, array):
        return self.allocate(None, array.shape)

    def sync_back(self, wrapped, array) -> None:
        return None


BACKEND = LlvmAmdgpuBackend()
