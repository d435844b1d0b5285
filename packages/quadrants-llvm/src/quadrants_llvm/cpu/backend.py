"""The ``llvm-cpu`` backend object registered under the ``quadrants.backends`` entry point (docs/writing-a-backend.md).

``compile`` builds the LLVM IR of the whole program, optimises it and generates host object code (picklable
artifact: the object code, the optimised IR text for dumps, the context layout and the check/print tables); ``load``
links the object code into the shared JIT and prepares the launcher, so loading a cached artifact (a fastcache hit)
costs relocation only. Timings of every step are kept in ``exe.timings`` (seconds).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from quadrants.backend import Availability, Capabilities, CompileOptions
from quadrants.ir import nodes as N
from quadrants.ir.dtypes import ALL_DTYPES, DataType, from_numpy_dtype
from quadrants.ir.walk import iter_tasks
from quadrants_llvm.builder.layout import Layout

__all__ = ["BACKEND", "LlvmCpuBackend", "CpuArtifact"]

_PREFIX = "QDPFX"
# bump when CpuArtifact or the generated code changes: old fastcache entries are then never read (2: Ctrl-C polls;
# 3: print tables hold PrintLayouts; 4: atomics at a lane's own elements are plain updates; 5: ordered float
# reductions and masked interleaved loads vectorise, conditional sums split; 6: interleave groups of up to 16; 7: loops
# of unknown length with ordered float sums are not interleaved; 8: square roots compared on their arguments; 9:
# guarded appends without a branch)
_ARTIFACT_FORMAT = "object-code-9"


@dataclass(frozen=True)
class CpuArtifact:
    """What ``compile`` produces (picklable)."""

    program: N.Program
    options: CompileOptions
    ir_text: str  # optimised IR with the placeholder symbol prefix (dumps, tests)
    layout: Layout
    checks: list
    prints: list
    written_args: frozenset
    noalias: bool
    timings: dict
    prefix: str  # symbol prefix of object_code (derived from its content)
    object_code: bytes

    @property
    def task_items(self) -> list:
        return list(iter_tasks(self.program.items))


def _build(program: N.Program, options: CompileOptions, noalias: bool = True) -> CpuArtifact:
    from quadrants_llvm.builder.cond_sums import split_conditional_sums
    from quadrants_llvm.builder.sqrt_compare import compare_on_squares
    from quadrants_llvm.builder.stmts import distinct_loop_ids
    from quadrants_llvm.builder.tasks import build_module
    from quadrants_llvm.cpu.jit import get_jit

    t0 = time.perf_counter()
    jit = get_jit()
    info = build_module(
        # same results: LLVM vectorises the split sums in order; a root compared with a constant is not waited for
        compare_on_squares(split_conditional_sums(program)),
        jit.target,
        _PREFIX,
        debug=bool(options.debug or program.debug),
        fast_math=bool(options.fast_math or program.fast_math),
        noalias=noalias,
    )
    text = distinct_loop_ids(str(info.module))  # loop hints (builder/sum_loops.py) need self-referencing IDs
    timings = {"build": time.perf_counter() - t0}
    # optimise and generate code here rather than at load: a cold process pays the same, a cached artifact loads
    # without either
    optimized, prefix, obj = jit.compile_object(text, _PREFIX, timings)
    return CpuArtifact(
        program=program,
        options=options,
        ir_text=optimized,
        layout=info.layout,
        checks=info.tables.checks,
        prints=info.tables.prints,
        written_args=info.written_args,
        noalias=noalias,
        timings=timings,
        prefix=prefix,
        object_code=obj,
    )


class LlvmCpuBackend:
    """llvmlite → native code for the host CPU; parallel tasks on a thread pool."""

    id = "llvm-cpu"
    archs = ("cpu", "x64", "arm64")
    capabilities = Capabilities(
        dtypes=frozenset(ALL_DTYPES),
        atomic_dtypes=frozenset(ALL_DTYPES),
        features=frozenset({"print", "assert", "f64", "i64", "f16", "subnormals", "clock", "recursion"}),
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
            f"{jit.target.cpu} ({jit.target.triple}), {pool.cpu_count()} CPUs, {pool.pool_kind()} pool, "
            f"LLVM {'.'.join(map(str, llvm.llvm_version_info))}"
        )
        return Availability(True, device=device)

    def cache_identity(self) -> str:
        """Fastcache identity: artifact format, LLVM version, host CPU and features (object code is CPU-specific)."""
        import hashlib

        from quadrants_llvm.cpu.jit import get_jit

        target = get_jit().target
        described = f"{_ARTIFACT_FORMAT}|{self.probe().device}|{target.features}"
        return hashlib.sha256(described.encode()).hexdigest()[:16]

    def configure(self, options: dict) -> None:
        """``qd.init``'s run-time options: ``cpu_max_num_threads`` caps the threads of each parallel loop (0: all);
        ``offline_cache`` / ``offline_cache_file_path`` turn the object cache on and place it (cpu/object_cache.py)."""
        from quadrants_llvm.cpu import object_cache, pool

        pool.configure(options.get("cpu_max_num_threads"))
        object_cache.configure(options.get("offline_cache_file_path"), bool(options.get("offline_cache", True)))

    def compile(self, program: N.Program, options: CompileOptions | None = None) -> CpuArtifact:
        return _build(program, options or CompileOptions())

    def load(self, artifact: CpuArtifact):
        from quadrants_llvm.cpu import interrupt, pool
        from quadrants_llvm.cpu.executable import CpuExecutable
        from quadrants_llvm.cpu.jit import get_jit

        jit = get_jit()
        names = [f"{artifact.prefix}_launch"] + [f"{artifact.prefix}_task_{k}" for k in range(len(artifact.task_items))]
        timings = dict(artifact.timings)
        t0 = time.perf_counter()
        addresses = jit.link(artifact.prefix, artifact.object_code, names)
        timings["jit"] = time.perf_counter() - t0

        def reload():
            return self.load(_build(artifact.program, artifact.options, noalias=False))

        interrupt.arm()  # Ctrl-C stops long launches (re-checked per load: a program may change its SIGINT handler)
        exe = CpuExecutable(artifact, addresses, pool.thread_count(), timings, reload if artifact.noalias else None)
        timings["launcher"] = time.perf_counter() - t0 - timings["jit"]
        return exe

    def allocate(self, dtype: DataType, shape: tuple[int, ...]):
        """A zero-initialised array (with unused slack after its end: ``cpu/memory.py``)."""
        from quadrants_llvm.cpu.memory import LlvmArray, zeroed

        return LlvmArray(zeroed(dtype, tuple(shape)), dtype)

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
