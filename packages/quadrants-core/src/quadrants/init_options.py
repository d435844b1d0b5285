"""Every option ``qd.init`` accepts, as one table: its default, whether it does something here, and what.

``qd.init`` accepts every option upstream Quadrants 1.3.3 accepts, so that programs written for upstream start
unchanged. An option is either

* ``APPLIED``: it changes what this implementation does (``debug``, ``default_fp``, ``log_level``, …), or
* ``ACCEPTED``: it is accepted and kept (``qd.cfg`` reads it back) but changes nothing here, because the machinery it
  tunes does not exist in this implementation (SNode/mesh passes, autodiff stacks, CUDA limits, IR printers of
  upstream's C++ core …). ``meaning`` says why.

``keyed`` says whether a non-default value enters the fastcache key (``quadrants.fastcache.keys``): conservative —
every option is keyed except cache switches and locations, printing, logging and process-local runtime handles.

Like upstream, every option can also be given as an environment variable ``QD_<NAME>`` (``QD_DEBUG=1``,
``QD_OFFLINE_CACHE_FILE_PATH=/tmp/c``); ``quadrants.config`` reads those. The table is rendered in
``docs/configuration.md`` (a test keeps the two in sync). This module is pure data: every layer may import it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

__all__ = [
    "APPLIED",
    "ACCEPTED",
    "InitOption",
    "OPTIONS",
    "UNKEYED",
    "UPSTREAM_API_VERSION",
    "unknown_option_error",
    "nearest_option",
]

APPLIED = "applied"
ACCEPTED = "accepted"

# The upstream release whose API this implementation follows (``qd.init(require_version=...)`` compares with it).
UPSTREAM_API_VERSION = "1.3.3"


@dataclass(frozen=True)
class InitOption:
    """One ``qd.init`` keyword: ``default`` is what ``qd.cfg.<name>`` reads when the option was not given."""

    name: str
    default: Any
    effect: str  # APPLIED or ACCEPTED
    meaning: str
    keyed: bool = True


def _rows(effect: str, keyed: bool, *rows: tuple) -> list[InitOption]:
    return [InitOption(name, default, effect, meaning, keyed) for name, default, meaning in rows]


_NO_SNODES = "tunes SNode/mesh passes of upstream's C++ compiler; no effect here"
_NO_AD = "the adstack is sized by ad_stack_size here (docs/autodiff.md); no effect"
_NO_PRINT = "prints IR of upstream's C++ compiler; use QD_DUMP_IR"

_TABLE: list[InitOption] = [
    # ---- applied: they change what runs
    *_rows(
        APPLIED,
        True,
        ("arch", None, "the backend: qd.cpu, qd.gpu, qd.cuda, qd.vulkan, qd.ref, … or a backend id such as 'llvm-cpu'"),
        ("default_ip", None, "default integer type of literals and of int annotations (qd.i32; qd.i64)"),
        ("default_fp", None, "default float type of literals, of float annotations and of vectors (qd.f32; qd.f64)"),
        ("debug", False, "run-time checks: bounds, assert, integer division by zero (and the IR verifier)"),
        ("fast_math", False, "allow value-changing float rewrites; IEEE results when False (upstream: True)"),
        ("lane_order", "ascending", "reference backend: order of parallel iterations (ascending/reversed/shuffled)"),
        ("seed", 0, "reference backend: seed of lane_order='shuffled'"),
        ("check_races", False, "reference backend: report conflicting accesses of parallel iterations"),
    ),
    *_rows(
        APPLIED,
        False,
        ("enable_fallback", True, "False: an unavailable arch raises instead of falling back to the CPU"),
        ("require_version", None, "raise unless this implementation follows upstream's API of at least that version"),
        ("log_level", "info", "level of the 'quadrants' logger: trace, debug, info, warn, error, critical"),
        ("print_full_traceback", False, "keep compiler frames in compile-error tracebacks (as QD_FULL_TRACEBACK=1)"),
        ("offline_cache", True, "fastcache keeps compiled artifacts on disk (False: only its source entries)"),
        ("offline_cache_file_path", None, "fastcache directory (default: QD_CACHE_DIR, ~/.cache/quadrants)"),
        ("src_ll_cache", True, "False turns fastcache off"),
        ("print_non_pure", False, "print the name of each kernel compiled without fastcache=True"),
        ("cpu_max_num_threads", 0, "llvm-cpu: at most this many threads per parallel loop (0: every CPU it may use)"),
        ("ad_stack_size", 0, "reverse-mode autodiff: depth of each loop's adstack (0: the loop's trip count)"),
        ("ad_stack_experimental_enabled", False, "reverse-mode autodiff of run-time range loops inside loops"),
    ),
    # ---- accepted: kept in qd.cfg, no effect here
    *_rows(
        ACCEPTED,
        True,
        ("random_seed", 0, "seed of qd.random streams; kept in qd.cfg.random_seed for qd.random to read"),
        ("short_circuit_operators", True, "'and'/'or' in kernels always short-circuit here"),
        ("unrolling_limit", 32, "limit of upstream's loop unrolling; qd.static unrolls fully here"),
        ("real_matrix_scalarize", True, "matrices are always scalarized here"),
        ("force_scalarize_matrix", False, "matrices are always scalarized here"),
        ("advanced_optimization", True, "the pass pipeline is fixed here"),
        ("cfg_optimization", True, "the pass pipeline is fixed here"),
        ("opt_level", 1, "LLVM backends always optimize at O3"),
        ("flatten_if", False, "the pass pipeline is fixed here"),
        ("move_loop_invariant_outside_if", False, "the pass pipeline is fixed here"),
        ("cache_loop_invariant_global_vars", True, "the pass pipeline is fixed here"),
        ("detect_read_only", True, "the pass pipeline is fixed here"),
        ("half2_vectorization", False, "the pass pipeline is fixed here"),
        ("check_out_of_bound", False, "bounds are checked under debug=True (the reference always checks)"),
        ("raise_on_templated_floats", False, "float template arguments are always accepted here"),
        ("make_thread_local", True, "reductions are lowered by each backend's own rule here"),
        ("make_block_local", True, _NO_SNODES),
        ("make_cpu_multithreading_loop", True, "llvm-cpu always splits parallel loops across threads"),
        ("demote_dense_struct_fors", True, _NO_SNODES),
        ("demote_no_access_mesh_fors", True, _NO_SNODES),
        ("make_mesh_block_local", True, _NO_SNODES),
        ("auto_mesh_local_default_occupacy", 4, _NO_SNODES),
        ("experimental_auto_mesh_local", False, _NO_SNODES),
        ("mesh_localize_all_attr_mappings", False, _NO_SNODES),
        ("mesh_localize_from_end_mapping", False, _NO_SNODES),
        ("mesh_localize_to_end_mapping", True, _NO_SNODES),
        ("optimize_mesh_reordered_mapping", True, _NO_SNODES),
        ("quant_opt_atomic_demotion", True, "quantized types are out of scope; no effect"),
        ("quant_opt_store_fusion", True, "quantized types are out of scope; no effect"),
        ("ad_stack_sparse_threshold_bytes", 104857600, _NO_AD),
        ("default_cpu_block_dim", 32, "llvm-cpu chooses its own chunk size"),
        ("default_gpu_block_dim", 128, "GPU backends choose their own block size"),
        ("max_block_dim", 0, "GPU backends choose their own block size"),
        ("saturating_grid_dim", 0, "GPU backends choose their own grid size"),
        ("vk_api_version", "", "the wgpu backend negotiates the Vulkan version itself"),
        ("dynamic_index", False, "Taichi-era option; dynamic indexing of vectors is always allowed here"),
        ("packed", False, "Taichi-era option; no effect"),
    ),
    *_rows(
        ACCEPTED,
        False,
        ("num_compile_threads", 4, "compilation runs on the calling thread here"),
        ("device_memory_GB", 1.0, "GPU memory is allocated per ndarray here, not pre-allocated"),
        ("device_memory_fraction", 0.0, "GPU memory is allocated per ndarray here, not pre-allocated"),
        ("cuda_stack_limit", 0, "per-thread CUDA stack bytes for recursive real funcs (llvm-cuda; 0: the default)"),
        ("kernel_profiler", False, "record each kernel launch's time for qd.profiler (docs/profiler.md)"),
        ("timeline", False, "upstream's timeline profiler; no effect here"),
        ("gdb_trigger", False, "attach gdb on a crash of upstream's C++ core; no effect here"),
        ("offline_cache_max_size_of_files", 104857600, "fastcache entries are never evicted automatically here"),
        ("offline_cache_cleaning_policy", "lru", "fastcache entries are never evicted automatically here"),
        ("offline_cache_cleaning_factor", 0.25, "fastcache entries are never evicted automatically here"),
        ("debug_dump_path", "/tmp/ir/", "QD_DUMP_IR prints to stderr here"),
        ("external_metal_command_queue", 0, "Metal interop; no effect here"),
        ("external_metal_command_queue_is_torch_queue", False, "Metal interop; no effect here"),
        ("print_ir", False, _NO_PRINT),
        ("print_ir_dbg_info", False, _NO_PRINT),
        ("print_preprocessed_ir", False, _NO_PRINT),
        ("print_accessor_ir", False, _NO_PRINT),
        ("print_struct_llvm_ir", False, _NO_PRINT),
        ("print_kernel_llvm_ir", False, _NO_PRINT),
        ("print_kernel_llvm_ir_optimized", False, _NO_PRINT),
        ("print_kernel_asm", False, _NO_PRINT),
        ("print_kernel_amdgcn", False, _NO_PRINT),
        ("verbose", False, "Taichi-era option; no effect"),
    ),
]

OPTIONS: dict[str, InitOption] = {o.name: o for o in _TABLE}

# names whose value never enters the fastcache key
UNKEYED: frozenset[str] = frozenset(o.name for o in _TABLE if not o.keyed)


def nearest_option(name: str) -> str | None:
    """The valid option spelled most like ``name`` (``fastmath`` → ``fast_math``), or ``None``."""
    close = difflib.get_close_matches(name, OPTIONS, n=1, cutoff=0.6)
    if close:
        return close[0]
    lowered = {o.lower(): o for o in OPTIONS}
    return lowered.get(name.lower())


def unknown_option_error(names) -> KeyError:
    """Upstream's ``KeyError('Unrecognized keyword argument(s) for qd.init: …')``, naming the nearest valid ones."""
    parts = []
    for name in sorted(names):
        near = nearest_option(name)
        parts.append(f"{name} (did you mean '{near}'?)" if near else name)
    return KeyError(
        f"Unrecognized keyword argument(s) for qd.init: {', '.join(parts)}; docs/configuration.md lists every option"
    )
