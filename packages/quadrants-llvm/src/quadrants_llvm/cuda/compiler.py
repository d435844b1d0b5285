"""Program → LLVM IR (the shared builder) → O3 → PTX (NVPTX) or an AMDGPU code object, with llvmlite only.

:func:`compile_gpu` is shared by ``llvm-cuda`` and ``llvm-amdgpu``: it builds the module with the target's
:class:`~quadrants_llvm.target.TargetInfo`, verifies it, runs the O3 pipeline of the target machine and emits
assembly (PTX text) or an object file (an HSA code object for ``amdgcn-amd-amdhsa``). Float semantics: no fast-math
flags are emitted unless ``fast_math=True``, and the target machine keeps LLVM's default ``AllowFPOpFusion =
Standard``, under which NVPTX fuses ``a*b+c`` into ``fma`` only for operations carrying ``contract`` flags (none), so
the PTX holds no ``fma.rn`` that the program did not ask for (tested in ``test_gpu_compile.py``).
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, replace

from quadrants.backend import CompileOptions
from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_tasks
from quadrants_llvm.builder import simt_blocks
from quadrants_llvm.builder.layout import Layout
from quadrants_llvm.builder.stmts import distinct_loop_ids
from quadrants_llvm.cuda import split_compile
from quadrants_llvm.cuda.split_compile import new_target_machine
from quadrants_llvm.target import TargetInfo

__all__ = ["GpuArtifact", "compile_gpu", "target_machine", "gpu_target"]

_PREFIX = "qd"
_LOCK = threading.Lock()


@dataclass(frozen=True)
class GpuArtifact:
    """What ``compile`` produces (picklable): device code plus what the host needs to launch it."""

    program: N.Program
    options: CompileOptions
    target: str  # triple and cpu, for messages
    code: bytes  # PTX text (NUL-terminated for cuModuleLoadData) or an AMDGPU code object
    ir_text: str  # the optimised LLVM IR (repro blocks, tests)
    layout: Layout
    checks: list
    prints: list
    written_args: frozenset
    kernels: tuple[str, ...]  # kernel name per task, in program order
    serial: tuple[bool, ...]  # True for a serial block (launched with one thread)
    debug: bool
    timings: dict
    simt_blocks: bool = False  # SIMT slots compiled to run on thread blocks (builder/simt_blocks.py)
    rows_per_lane: tuple[int, ...] = ()  # per task: rows of a row-blocked lane, 1 otherwise (builder/row_blocks.py)

    @property
    def task_items(self) -> list:
        return list(iter_tasks(self.program.items))

    @property
    def ptx_modules(self) -> list[str]:
        """The PTX text of each module: one, or one per task where the tasks were compiled apart
        (cuda/split_compile.py)."""
        return [part.rstrip(b"\0").decode() for part in split_compile.parts(self.code)]

    @property
    def ptx(self) -> str:
        """Every module's PTX text, in task order (to read; assemble :attr:`ptx_modules` one by one)."""
        return "\n".join(self.ptx_modules)


@functools.cache
def target_machine(triple: str, cpu: str, features: str = ""):
    """The (cached) llvmlite target machine for ``triple``/``cpu`` at O3."""
    return new_target_machine(triple, cpu, features)


def gpu_target(base: TargetInfo, cpu: str) -> TargetInfo:
    """``base`` for the device ``cpu`` (``sm_90``, ``gfx942``…), with the target machine's data layout."""
    tm = target_machine(base.triple, cpu, base.features)
    return replace(base, cpu=cpu, data_layout=str(tm.target_data))


def _optimize_and_emit(text: str, target: TargetInfo, emit: str) -> tuple[bytes, str, float]:
    """Verify, O3 and emit LLVM IR ``text``: the code, the optimised IR and the time the optimisation ended."""
    import llvmlite.binding as llvm

    tm = target_machine(target.triple, target.cpu, target.features)
    with _LOCK:  # llvmlite's pass managers and target machines are not meant for concurrent use
        mod = llvm.parse_assembly(text)
        mod.verify()
        pto = llvm.create_pipeline_tuning_options(speed_level=3)
        pb = llvm.create_pass_builder(tm, pto)
        pb.getModulePassManager().run(mod, pb)
        optimized_at = time.perf_counter()
        code = tm.emit_assembly(mod).encode() + b"\0" if emit == "asm" else tm.emit_object(mod)
        return code, str(mod), optimized_at


def _splits(text: str, target: TargetInfo, emit: str, tasks: int) -> bool:
    """Whether a module is compiled one task per thread (cuda/split_compile.py, opt-in): NVPTX, several tasks, a text
    of at least ``QD_CUDA_SPLIT_MIN_CHARS``."""
    limit = split_compile.min_chars()
    return limit is not None and emit == "asm" and target.kernel_annotation and tasks > 1 and len(text) >= limit


def _cached_optimize_and_emit(text: str, target: TargetInfo, emit: str, tasks: int = 1) -> tuple[bytes, str, float]:
    """O3 and emission of a module, whole or one task per thread (:func:`_splits`), through the offline cache
    (``cpu/object_cache.py``, kind ``GPU``): the same IR text for the same target, LLVM, code kind and split gives the
    stored code; a miss compiles and stores it."""
    import llvmlite
    import llvmlite.binding as llvm

    from quadrants_llvm.cpu import object_cache

    split = _splits(text, target, emit, tasks)
    key = None
    if object_cache.directory(object_cache.GPU) is not None:
        identity = (
            f"{target.triple}|{target.cpu}|{target.features}|LLVM {llvm.llvm_version_info}|{llvmlite.__version__}"
            f"|{'split' if split else 'whole'}"
        )
        key = object_cache.key_of(text, emit, identity)
        hit = object_cache.load(key, object_cache.GPU)
        if hit is not None:
            return hit[2], hit[0], time.perf_counter()
    parts = split_compile.task_texts(text, _PREFIX, tasks) if split else None
    if parts is None:
        code, optimized, optimized_at = _optimize_and_emit(text, target, emit)
    else:
        code, optimized = split_compile.compile_parts(parts, target, emit)
        optimized_at = time.perf_counter()
    if key is not None:
        object_cache.store(key, (optimized, "", code), object_cache.GPU)
    return code, optimized, optimized_at


def _side_module(program: N.Program, options: CompileOptions, target: TargetInfo, build) -> bytes:
    """PTX of a module of extra kernels of ``program`` that ``build(builder)`` adds to an empty module (same
    launch-context layout as the main module, so the kernels share its launch context). Through the offline cache like
    the main module: these modules are built when a process first launches a graph (a warm start pays only the IR
    builder, not LLVM's O3 and emission, which take seconds for a one-block loop of Genesis's solver)."""
    from quadrants_llvm.builder.tasks import _Builder

    fast_math = bool(options.fast_math or program.fast_math)
    bld = _Builder(program, target, _PREFIX, bool(options.debug or program.debug), fast_math, False)
    build(bld)
    return _cached_optimize_and_emit(distinct_loop_ids(str(bld.module)), target, "asm")[0]


def compile_condition_kernels(program: N.Program, options: CompileOptions, target: TargetInfo, tasks: dict) -> bytes:
    """PTX of the ``task_k_cond`` kernels (:mod:`quadrants_llvm.builder.graph_conditions`) for the serial tasks
    ``tasks`` (index -> task) of ``program``: a module of its own, to be linked with the device runtime."""
    from quadrants_llvm.builder.graph_conditions import build_condition_kernels

    return _side_module(program, options, target, lambda bld: build_condition_kernels(bld, tasks))


def compile_block_loops(program: N.Program, options: CompileOptions, target: TargetInfo, loops: dict) -> bytes:
    """PTX of the one-block ``loop_i`` kernels (:mod:`quadrants_llvm.builder.block_loops`) for ``loops`` (loop index
    -> the ``do_while`` and its body's task indices): a module of its own, loaded when a graph first needs it."""
    from quadrants_llvm.builder.block_loops import build_block_loops

    return _side_module(program, options, target, lambda bld: build_block_loops(bld, loops))


def compile_gpu(program: N.Program, options: CompileOptions, target: TargetInfo, *, emit: str = "asm") -> GpuArtifact:
    """Build, verify, optimise and emit ``program`` for a GPU ``target`` (``emit``: ``"asm"`` or ``"object"``)."""
    from quadrants_llvm.builder.tasks import build_module

    debug = bool(options.debug or program.debug)
    t0 = time.perf_counter()
    info = build_module(
        program, target, _PREFIX, debug=debug, fast_math=bool(options.fast_math or program.fast_math), noalias=False
    )
    text = distinct_loop_ids(str(info.module))
    t1 = time.perf_counter()
    tasks = list(iter_tasks(program.items))
    code, optimized, t2 = _cached_optimize_and_emit(text, target, emit, len(tasks))
    t3 = time.perf_counter()
    return GpuArtifact(
        program=program,
        options=options,
        target=f"{target.triple} {target.cpu}",
        code=code,
        ir_text=optimized,
        layout=info.layout,
        checks=info.tables.checks,
        prints=info.tables.prints,
        written_args=info.written_args,
        kernels=tuple(f"{_PREFIX}_task_{k}" for k in range(len(tasks))),
        serial=tuple(isinstance(t, N.SerialBlock) for t in tasks),
        debug=debug,
        timings={"build": t1 - t0, "optimize": t2 - t1, "codegen": t3 - t2},
        simt_blocks=bool(target.block_barrier) and simt_blocks.enabled(),
        rows_per_lane=tuple(info.rows_per_lane.get(k, 1) for k in range(len(tasks))),
    )
