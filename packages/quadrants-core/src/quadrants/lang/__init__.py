"""``quadrants.lang``: upstream's language package path.

The modules here are this implementation's public helpers that live under upstream's paths (``qd.graph``,
``qd.data_oriented``, …) and the compatibility modules whose names upstream programs and tests import
(``impl``, ``misc``, ``util``, ``exception``, ``ops``, …; docs/upstream-compatibility.md lists them). Upstream code
reaches the latter as attributes (``qd.lang.impl.current_cfg()``), so they are imported on first access.
"""

from __future__ import annotations

import importlib

from quadrants.lang._top_level import from_top_level, name_set

# submodules reachable as attributes of quadrants.lang, imported when first used
_LAZY = frozenset(
    {
        "impl",
        "misc",
        "util",
        "exception",
        "ops",
        "kernel_arguments",
        "_kernel_types",
        "_wrap_inspect",
        "_template_mapper",
        "snode",
        "struct",
        "stream",
        "kernel_impl",
        "intrinsics",
        "runtime_ops",
        "buffer_view",
        "ast",
        "_kernel_impl_dataclass",
        "_func_base",
        "_dataclass_util",
    }
)


# names upstream re-exports from quadrants.lang: name -> (module, attribute), imported when first used
_FORWARDED = {
    "random": ("quadrants.frontend.random", "random"),
    "block_local": ("quadrants.frontend.simt_api", "block_local"),
    "global_thread_idx": ("quadrants.frontend.simt_api", "global_thread_idx"),
    "stream_parallel": ("quadrants.frontend.parallel_blocks", "stream_parallel"),
    "graph_parallel": ("quadrants.frontend.parallel_blocks", "graph_parallel"),
    "graph_parallel_context": ("quadrants.frontend.parallel_blocks", "graph_parallel_context"),
    "Stream": ("quadrants.runtime.streams", "Stream"),
    "Event": ("quadrants.runtime.streams", "Event"),
    "create_stream": ("quadrants.runtime.streams", "create_stream"),
    "create_event": ("quadrants.runtime.streams", "create_event"),
    "assume_in_range": ("quadrants.frontend.misc_api", "assume_in_range"),
    "cache_read_only": ("quadrants.frontend.misc_api", "cache_read_only"),
    "frexp": ("quadrants.frontend.misc_api", "frexp"),
    "volatile_load": ("quadrants.frontend.misc_api", "volatile_load"),
    "pyfunc": ("quadrants.runtime.function_kinds", "pyfunc"),
    "real_func": ("quadrants.runtime.function_kinds", "real_func"),
    "perf_dispatch": ("quadrants.runtime.perf_dispatch", "perf_dispatch"),
    "root": ("quadrants.runtime.snode", "root"),
    "SNode": ("quadrants.runtime.snode", "SNode"),
    "FieldsBuilder": ("quadrants.runtime.snode", "FieldsBuilder"),
    "deactivate_all_snodes": ("quadrants.runtime.snode", "deactivate_all_snodes"),
    "Struct": ("quadrants.frontend.struct_types", "Struct"),
    "StructField": ("quadrants.runtime.struct_field", "StructField"),
    "dataclass": ("quadrants.runtime.struct_field", "dataclass"),
}


# names upstream's quadrants.lang shares with the top-level package (qd.lang.sin is qd.sin), taken from it on first use
_FROM_TOP_LEVEL = name_set(
    "BufferView DeviceCapability Field Format GraphStatus Layout Matrix MatrixField MatrixNdarray Ndarray "
    "QuadrantsAssertionError QuadrantsCompilationError QuadrantsNameError QuadrantsRuntimeError "
    "QuadrantsRuntimeTypeError QuadrantsSyntaxError QuadrantsTypeError ScalarField ScalarNdarray Vector "
    "VectorNdarray abs acos amdgpu arm64 asin atan2 atomic_add atomic_and atomic_cas atomic_exchange "
    "atomic_max atomic_min atomic_mul atomic_or atomic_sub atomic_xor axes bit_cast bit_shr cast ceil "
    "checkpoint cos cpu cuda dump_compile_config exp extension field floor func get_addr gpu graph_do_while "
    "grouped i ij ijk ijkl ijl ik ikl il init is_extension_enabled j jk jkl jl k kernel kl l log loop_config "
    "max metal min ndarray ndrange one pow pure python raw_div raw_mod rescale_index reset round rsqrt select "
    "sin sqrt static static_assert static_print stop_grad sync tan tanh vulkan x64 x86_64 zero"
)


# upstream modules of quadrants.lang whose content is one module of this implementation: name -> that module
_MODULE_ALIASES = {"graph_status": "quadrants.runtime.graph_status"}


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _MODULE_ALIASES:
        return importlib.import_module(_MODULE_ALIASES[name])
    if name in _FORWARDED:
        module, attr = _FORWARDED[name]
        return getattr(importlib.import_module(module), attr)
    return from_top_level(__name__, _FROM_TOP_LEVEL, name)
