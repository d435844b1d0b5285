"""Quadrants: a Python kernel DSL. ``import quadrants as qd``.

This module is the public facade: everything users reach as ``qd.<name>`` is listed here. Implementation modules
are private; see docs/architecture.md for the layout.
"""

from quadrants import (
    _lib as _lib,
    _logging as _logging,
    algorithms,
    experimental,
    interop,
    linalg,
    math,
    profiler,
    sparse,
    tools,
    types,
)
from quadrants.errors import (
    QuadrantsAssertionError,
    QuadrantsCompilationError,
    QuadrantsIndexError,
    QuadrantsNameError,
    QuadrantsRuntimeError,
    QuadrantsRuntimeTypeError,
    QuadrantsSyntaxError,
    QuadrantsTypeError,
    QuadrantsWarning,
)
from quadrants.frontend.annotations import Template, sparse_matrix_builder, template
from quadrants.frontend.graph_intrinsics import checkpoint, graph_do_while
from quadrants.frontend.intrinsics import (
    ATOMIC_FUNCTIONS as _ATOMICS,
    MATH_FUNCTIONS as _MATH,
    bit_cast,
    bit_shr,
    cast,
    grouped,
    loop_config,
    ndrange,
    raw_div,
    raw_mod,
    select,
    static,
    static_assert,
    static_print,
)
from quadrants.frontend.misc_api import (
    assume_in_range,
    cache_read_only,
    clock_counter,
    frexp,
    volatile_load,
)
from quadrants.frontend.parallel_blocks import graph_parallel, graph_parallel_context, stream_parallel
from quadrants.frontend.random import randn, random
from quadrants.frontend.simt_api import block_local, global_thread_idx
from quadrants.frontend.stop_grad import stop_grad
from quadrants.frontend.tiles import outer
from quadrants.ir.dtypes import DataType, f16, f32, f64, i8, i16, i32, i64, u1, u8, u16, u32, u64
from quadrants.lang import ad, graph, simt
from quadrants.lang.data_oriented import data_oriented
from quadrants.lang.linalg_funcs import eig, make_spd, polar_decompose, solve, svd, sym_eig
from quadrants.lang.matrix import Matrix, Vector
from quadrants.lang.snode import NAMED_AXES as _AXES, FieldsBuilder, SNode, axes, deactivate_all_snodes, root
from quadrants.lang.struct import Struct, StructField, dataclass
from quadrants.lang.value_helpers import one, rescale_index, zero
from quadrants.log_levels import CRITICAL, DEBUG, ERROR, INFO, TRACE, WARN, is_logging_effective, set_logging_level
from quadrants.runtime.buffer_view import BufferView
from quadrants.runtime.config_view import dump_compile_config
from quadrants.runtime.device_clock import clock_freq_hz
from quadrants.runtime.enums import DeviceCapability, Format, Layout
from quadrants.runtime.extensions import Extension as extension, is_extension_enabled
from quadrants.runtime.external import from_dlpack
from quadrants.runtime.field import Field, MatrixField, ScalarField, field
from quadrants.runtime.function_kinds import pyfunc, real_func
from quadrants.runtime.graph_status import GraphStatus
from quadrants.runtime.kernel import Func, Kernel, func, kernel, pure
from quadrants.runtime.ndarray import MatrixNdarray, Ndarray, ScalarNdarray, VectorNdarray, ndarray
from quadrants.runtime.perf_dispatch import perf_dispatch
from quadrants.runtime.state import ARCHS as _ARCHS, init, reset, sync
from quadrants.runtime.streams import Event, Stream, create_event, create_stream
from quadrants.runtime.tensor import Backend, MatrixTensor, Tensor, VectorTensor, tensor, wrap
from quadrants.types.primitive_types import (
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint1,
    uint8,
    uint16,
    uint32,
    uint64,
)
from quadrants.version import __version__ as __version__

# upstream's earlier names of the unified tensor API (docs/tensor.md)
_Tensor, _VectorTensor, _MatrixTensor, _wrap = Tensor, VectorTensor, MatrixTensor, wrap

# archs: qd.ref, qd.python, qd.cpu, qd.x64, qd.arm64, qd.cuda, qd.amdgpu, qd.vulkan, qd.metal, qd.gpu
ref = _ARCHS["ref"]
python = _ARCHS["python"]
cpu = _ARCHS["cpu"]
x64 = _ARCHS["x64"]
x86_64 = x64  # upstream's other name of the x64 arch
arm64 = _ARCHS["arm64"]
cuda = _ARCHS["cuda"]
amdgpu = _ARCHS["amdgpu"]
vulkan = _ARCHS["vulkan"]
metal = _ARCHS["metal"]
gpu = _ARCHS["gpu"]

# SNode axes: qd.i, qd.j, qd.k, qd.l and their combinations qd.ij … qd.ijkl
i, j, k, l = (_AXES[n] for n in ("i", "j", "k", "l"))  # noqa: E741 (upstream's name)
ij, ik, il, jk, jl, kl = (_AXES[n] for n in ("ij", "ik", "il", "jk", "jl", "kl"))
ijk, ijl, ikl, jkl, ijkl = (_AXES[n] for n in ("ijk", "ijl", "ikl", "jkl", "ijkl"))

# math: qd.sqrt, qd.sin, …
sqrt, rsqrt, exp, log = _MATH["sqrt"], _MATH["rsqrt"], _MATH["exp"], _MATH["log"]
sin, cos, tan, asin, acos, atan = _MATH["sin"], _MATH["cos"], _MATH["tan"], _MATH["asin"], _MATH["acos"], _MATH["atan"]
sinh, cosh, tanh, atan2 = _MATH["sinh"], _MATH["cosh"], _MATH["tanh"], _MATH["atan2"]
floor, ceil, round, trunc = _MATH["floor"], _MATH["ceil"], _MATH["round"], _MATH["trunc"]
abs, max, min, pow = _MATH["abs"], _MATH["max"], _MATH["min"], _MATH["pow"]

# atomics: qd.atomic_add, …; each returns the old value
atomic_add, atomic_sub, atomic_mul = _ATOMICS["add"], _ATOMICS["sub"], _ATOMICS["mul"]
atomic_min, atomic_max = _ATOMICS["min"], _ATOMICS["max"]
atomic_and, atomic_or, atomic_xor = _ATOMICS["and"], _ATOMICS["or"], _ATOMICS["xor"]
atomic_exchange, atomic_cas = _ATOMICS["exchange"], _ATOMICS["cas"]

__all__ = [
    "init",
    "reset",
    "sync",
    "kernel",
    "func",
    "pure",
    "Kernel",
    "Func",
    "ndarray",
    "BufferView",
    "from_dlpack",
    "Ndarray",
    "ScalarNdarray",
    "VectorNdarray",
    "MatrixNdarray",
    "tensor",
    "Tensor",
    "VectorTensor",
    "MatrixTensor",
    "Backend",
    "wrap",
    "Vector",
    "Matrix",
    "field",
    "Field",
    "ScalarField",
    "MatrixField",
    "root",
    "SNode",
    "FieldsBuilder",
    "deactivate_all_snodes",
    "axes",
    "i",
    "j",
    "k",
    "l",
    "ij",
    "ik",
    "il",
    "jk",
    "jl",
    "kl",
    "ijk",
    "ijl",
    "ikl",
    "jkl",
    "ijkl",
    "Struct",
    "StructField",
    "dataclass",
    "Layout",
    "data_oriented",
    "ad",
    "graph",
    "graph_do_while",
    "checkpoint",
    "GraphStatus",
    "types",
    "math",
    "template",
    "Template",
    "static",
    "ndrange",
    "grouped",
    "loop_config",
    "select",
    "cast",
    "bit_cast",
    "raw_div",
    "raw_mod",
    "bit_shr",
    "static_print",
    "static_assert",
    "DataType",
    "i8",
    "i16",
    "i32",
    "i64",
    "u1",
    "u8",
    "u16",
    "u32",
    "u64",
    "f16",
    "f32",
    "f64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint1",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "Format",
    "DeviceCapability",
    "ref",
    "python",
    "cpu",
    "x64",
    "x86_64",
    "arm64",
    "cuda",
    "amdgpu",
    "vulkan",
    "metal",
    "gpu",
    "sqrt",
    "rsqrt",
    "exp",
    "log",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "atan2",
    "floor",
    "ceil",
    "round",
    "trunc",
    "abs",
    "max",
    "min",
    "pow",
    "atomic_add",
    "atomic_sub",
    "atomic_mul",
    "atomic_min",
    "atomic_max",
    "atomic_and",
    "atomic_or",
    "atomic_xor",
    "atomic_exchange",
    "atomic_cas",
    "random",
    "randn",
    "stop_grad",
    "outer",
    "linalg",
    "algorithms",
    "profiler",
    "experimental",
    "interop",
    "sparse",
    "tools",
    "assume_in_range",
    "cache_read_only",
    "clock_counter",
    "clock_freq_hz",
    "frexp",
    "volatile_load",
    "pyfunc",
    "real_func",
    "perf_dispatch",
    "svd",
    "polar_decompose",
    "eig",
    "sym_eig",
    "make_spd",
    "solve",
    "sparse_matrix_builder",
    "simt",
    "block_local",
    "global_thread_idx",
    "stream_parallel",
    "graph_parallel",
    "graph_parallel_context",
    "Stream",
    "Event",
    "create_stream",
    "create_event",
    "QuadrantsCompilationError",
    "QuadrantsSyntaxError",
    "QuadrantsNameError",
    "QuadrantsIndexError",
    "QuadrantsTypeError",
    "QuadrantsRuntimeError",
    "QuadrantsAssertionError",
    "QuadrantsRuntimeTypeError",
    "QuadrantsWarning",
    "extension",
    "is_extension_enabled",
    "dump_compile_config",
    "zero",
    "one",
    "rescale_index",
    "cfg",
    "set_logging_level",
    "is_logging_effective",
    "TRACE",
    "DEBUG",
    "INFO",
    "WARN",
    "ERROR",
    "CRITICAL",
]


def __getattr__(name: str):
    """``qd.cfg`` (the current session's options, ``None`` before ``qd.init``); out-of-scope upstream names
    (``qd.root``, ``qd.ad``, …) raise NotImplementedError naming the construct."""
    if name == "cfg":
        from quadrants.runtime.config_view import CompileConfig
        from quadrants.runtime.state import RUNTIME

        return CompileConfig(RUNTIME.session) if RUNTIME.session is not None else None
    from quadrants.lang.out_of_scope import out_of_scope

    return out_of_scope(name)
