"""The ``llvm-cpu`` backend object registered under the ``quadrants.backends`` entry point (DESIGN.md §3).

``compile`` builds the LLVM IR of the whole program (picklable artifact: IR text with a placeholder symbol prefix,
the context layout and the check/print tables); ``load`` gives it a unique prefix, runs O3 and generates machine code
in the shared JIT, and prepares the launcher. Timings of every step are kept in ``exe.timings`` (seconds).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from quadrants.backend import Availability, Capabilities, CompileOptions
from quadrants.ir import nodes as N
from quadrants.ir.dtypes import ALL_DTYPES, DataType, from_numpy_dtype
from quadrants_llvm.builder.layout import Layout, iter_tasks

__all__ = ["BACKEND", "LlvmCpuBackend", "CpuArtifact"]

_PREFIX = "QDPFX"


@dataclass(frozen=True)
class CpuArtifact:
    """What ``compile`` produces (picklable)."""

    program: N.Program
    options: CompileOptions
    ir_text: str
    layout: Layout
    checks: list
    prints: list
    written_args: frozenset
    noalias: bool
    build_seconds: float
    prefix: str = _PREFIX
    optimized: bool = False  # ir_text is already O3-optimised: loading (a fastcache hit) skips the optimiser

    @property
    def task_items(self) -> list:
        return list(iter_tasks(self.program.items))


def _build(program: N.Program, options: CompileOptions, noalias: bool = True) -> CpuArtifact:
    from quadrants_llvm.builder.tasks import build_module
    from quadrants_llvm.cpu.jit import get_jit

    t0 = time.perf_counter()
    jit = get_jit()
    info = build_module(
        program,
        jit.target,
        _PREFIX,
        debug=bool(options.debug or program.debug),
        fast_math=bool(options.fast_math or program.fast_math),
        noalias=noalias,
    )
    # optimise here rather than at load: a cold process pays the same, and a cached artifact loads without O3
    text = jit.optimized_ir(str(info.module))
    return CpuArtifact(
        program,
        options,
        text,
        info.layout,
        info.tables.checks,
        info.tables.prints,
        info.written_args,
        noalias,
        time.perf_counter() - t0,
        optimized=True,
    )


class LlvmCpuBackend:
    """llvmlite → native code for the host CPU; parallel tasks on a thread pool."""

    id = "llvm-cpu"
    archs = ("cpu", "x64", "arm64")
    capabilities = Capabilities(
        dtypes=frozenset(ALL_DTYPES),
        atomic_dtypes=frozenset(ALL_DTYPES),
        features=frozenset({"print", "assert", "f64", "i64", "f16", "subnormals"}),
    )

    def probe(self) -> Availability:
        try:
            import llvmlite.binding as llvm
        except ImportError as exc:
            return Availability(False, reason=f"llvmlite is not installed ({exc})")
        try:
            from quadrants_llvm.cpu import pool
            from quadrants_llvm.cpu.jit import get_jit

            jit = get_jit()
        except Exception as exc:  # a broken LLVM install must not take the process down
            return Availability(False, reason=f"LLVM JIT unavailable: {type(exc).__name__}: {exc}")
        device = (
            f"{jit.target.cpu} ({jit.target.triple}), {pool.thread_count()} threads via {pool.pool_kind()}, "
            f"LLVM {'.'.join(map(str, llvm.llvm_version_info))}"
        )
        return Availability(True, device=device)

    def compile(self, program: N.Program, options: CompileOptions | None = None) -> CpuArtifact:
        return _build(program, options or CompileOptions())

    def load(self, artifact: CpuArtifact):
        from dataclasses import replace

        from quadrants_llvm.cpu import pool
        from quadrants_llvm.cpu.executable import CpuExecutable
        from quadrants_llvm.cpu.jit import get_jit

        jit = get_jit()
        prefix = jit.new_prefix()
        text = artifact.ir_text.replace(artifact.prefix + "_", prefix + "_")
        ntasks = len(artifact.task_items)
        names = [f"{prefix}_launch"] + [f"{prefix}_task_{k}" for k in range(ntasks)]
        timings = {"build": artifact.build_seconds}
        t0 = time.perf_counter()
        addresses = jit.compile(text, names, timings, optimize=not artifact.optimized)
        timings["jit"] = time.perf_counter() - t0
        loaded = replace(artifact, prefix=prefix)

        def reload():
            return self.load(_build(artifact.program, artifact.options, noalias=False))

        exe = CpuExecutable(loaded, addresses, pool.thread_count(), timings, reload if artifact.noalias else None)
        timings["launcher"] = time.perf_counter() - t0 - timings["jit"]
        return exe

    def allocate(self, dtype: DataType, shape: tuple[int, ...]):
        """A zero-initialised array."""
        from quadrants_llvm.cpu.memory import LlvmArray

        return LlvmArray(np.zeros(tuple(shape), dtype=dtype.np), dtype)

    def wrap_numpy(self, array: np.ndarray):
        """Use ``array``'s own buffer when C-contiguous, aligned, writeable and native; otherwise a copy."""
        from quadrants_llvm.cpu.memory import LlvmArray, usable_directly

        dtype = from_numpy_dtype(array.dtype)
        if dtype is None:
            raise TypeError(f"unsupported NumPy dtype {array.dtype}")
        if usable_directly(array, dtype):
            return LlvmArray(array, dtype)
        return LlvmArray(np.ascontiguousarray(array, dtype=dtype.np).copy(), dtype)

    def sync_back(self, wrapped, array: np.ndarray) -> None:
        """No-op when ``wrapped`` uses ``array`` directly; otherwise copy the launch's writes back."""
        if wrapped.array is not array and array.flags.writeable:
            array[...] = wrapped.array


BACKEND = LlvmCpuBackend()
