"""A pytest plugin for the compile-only GPU tier: backends ``llvm-cuda-compile`` and ``llvm-amdgpu-compile``.

Loaded with ``-p gpu_compile_plugin`` next to ``--pyargs quadrants_conformance.cases --backend llvm-cuda-compile``.
Each backend compiles every kernel the conformance suite runs for the GPU target — the LLVM module is verified, the O3
pipeline runs and llvmlite emits PTX (``sm_90``) or an AMDGPU code object (``gfx90a``) — and then runs the kernel
on ``llvm-cpu`` so the suite still compares every observable with the reference. A GPU code generation failure
makes the case fail with the LLVM error. When ``ptxas`` is on ``PATH`` every PTX module is also assembled for sm_90
(what the driver's JIT would do). The number of compiled kernels is appended to ``$QD_GPU_COMPILE_LOG``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import replace

from quadrants.backend import Availability

_PTXAS = shutil.which("ptxas")


class CompileOnlyBackend:
    """Compile for a GPU target, run on llvm-cpu."""

    def __init__(self, backend_id: str, gpu, emit):
        from quadrants_llvm.cpu import BACKEND as CPU

        self.id = backend_id
        self.archs = ()
        self.cpu = CPU
        self.capabilities = replace(gpu.capabilities, features=gpu.capabilities.features - {"gpu"})
        self.emit = emit

    def probe(self) -> Availability:
        return Availability(True, device=f"compile-only ({self.id}), runs on llvm-cpu")

    def compile(self, program, options=None):
        art = self.emit(program, options)
        assert art.code, "empty GPU code"
        if _PTXAS and self.id == "llvm-cuda-compile":
            for ptx in art.ptx_modules:  # one module, or one per task (cuda/split_compile.py)
                _assemble(ptx)
        log = os.environ.get("QD_GPU_COMPILE_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{program.name}\n")
        return self.cpu.compile(program, options)

    def __getattr__(self, name):
        return getattr(self.cpu, name)


def _assemble(ptx: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "k.ptx")
        with open(src, "w", encoding="utf-8") as f:
            f.write(ptx)
        r = subprocess.run([_PTXAS, "-arch=sm_90", src, "-o", os.path.join(d, "k.cubin")], capture_output=True)
        if r.returncode:
            raise RuntimeError(f"ptxas rejected the PTX: {r.stderr.decode()[-2000:]}\n{ptx[-4000:]}")


def _backends():
    from quadrants_llvm.amdgpu import BACKEND as AMD, compile_code_object
    from quadrants_llvm.cuda import BACKEND as CUDA, compile_ptx

    return {
        "llvm-cuda-compile": CompileOnlyBackend("llvm-cuda-compile", CUDA, compile_ptx),
        "llvm-amdgpu-compile": CompileOnlyBackend("llvm-amdgpu-compile", AMD, compile_code_object),
    }


class _Driver:
    """The real conformance driver plus the compile-only backends."""

    def __init__(self):
        from quadrants_conformance.driver import QuadrantsDriver, _describe

        self.real = QuadrantsDriver()
        self.describe = _describe

    def backends(self):
        from quadrants.runtime.state import RUNTIME

        found = self.real.backends()
        extra = _backends()
        RUNTIME._backends = {**RUNTIME.backends(), **extra}  # so qd.init(arch="llvm-cuda-compile") finds them
        for backend_id, backend in extra.items():
            found[backend_id] = self.describe(backend_id, backend)
        return found

    def __getattr__(self, name):
        return getattr(self.real, name)


def pytest_conformance_driver(config):
    return _Driver()
