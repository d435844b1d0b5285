"""The compatibility modules: thin, documented, and each name behaves as upstream programs expect."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import quadrants as qd
import quadrants.lang
import quadrants.lang._fast_caching

COMPAT_MODULES = [
    "quadrants.lang.impl",
    "quadrants.lang.misc",
    "quadrants.lang.util",
    "quadrants.lang.exception",
    "quadrants.lang.ops",
    "quadrants.lang._kernel_types",
    "quadrants.lang.kernel_arguments",
    "quadrants.lang._wrap_inspect",
    "quadrants.lang.kernel_impl",
    "quadrants.lang.intrinsics",
    "quadrants.lang.runtime_ops",
    "quadrants.lang._fast_caching",
    "quadrants.lang._fast_caching.args_hasher",
    "quadrants.lang._fast_caching.config_hasher",
    "quadrants.lang._fast_caching.function_hasher",
    "quadrants.lang._fast_caching.fast_caching_types",
    "quadrants.lang._fast_caching.src_hasher",
    "quadrants._logging",
    "quadrants.types.primitive_types",
    "quadrants.lang.ast.ast_transformers.graph_api",
    "quadrants.lang._kernel_impl_dataclass",
    "quadrants.lang._func_base",
    "quadrants.lang._dataclass_util",
    "quadrants._lib",
    "quadrants._lib.core",
]


@pytest.fixture(autouse=True)
def _session():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


# the few one-line helpers that have no other home (their module docstring says so)
OWN_HELPERS = {
    "quadrants.lang.misc": {"get_host_arch_list"},
    "quadrants.lang.util": {"has_pytorch", "to_numpy_type"},
    "quadrants.lang._fast_caching.src_hasher": {"create_cache_key"},  # combines the three hashers by module
}


@pytest.mark.parametrize("name", COMPAT_MODULES)
def test_compat_module_says_so_and_defines_nothing_of_its_own(name):
    module = importlib.import_module(name)
    assert "ompatibility module" in (module.__doc__ or ""), name
    for attr in module.__all__:
        value = getattr(module, attr)
        home = getattr(value, "__module__", None)
        if home is not None and callable(value) and attr not in OWN_HELPERS.get(name, ()):
            assert home != name, f"{name}.{attr} is defined there instead of forwarding to its home"


def test_lang_submodules_are_attributes():
    # upstream knows no reference arch: through its current_cfg() the reference reports the host CPU it stands in for
    assert qd.lang.impl.current_cfg().arch is qd.cpu and qd.lang.impl.current_cfg().backend_id == "ref"
    assert qd.cfg.arch is qd.ref
    assert qd.lang.exception.QuadrantsCompilationError is qd.QuadrantsCompilationError
    with pytest.raises(AttributeError):
        qd.lang.not_a_module  # noqa: B018
    names = {m.name for m in pkgutil.iter_modules(quadrants.lang._fast_caching.__path__)}
    assert {"args_hasher", "config_hasher", "function_hasher"} <= names


def test_runtime_handle_reads_the_session():
    from quadrants.lang import impl

    rt = impl.get_runtime()
    assert rt.default_fp is qd.f32 and rt.default_ip is qd.i32
    rt.set_default_ip(qd.i64)
    assert qd.cfg.default_ip is qd.i64
    rt.default_fp = qd.f64
    assert qd.cfg.default_fp is qd.f64
    rt.default_fp = qd.f32
    rt.materialize()

    def count_inside():
        nd = qd.ndarray(qd.i32, (8,))
        return rt.prog._get_num_ndarrays(), nd

    before = rt.prog._get_num_ndarrays()
    assert count_inside()[0] == before + 1
    assert rt.prog._get_num_ndarrays() == before

    @qd.kernel
    def k(a: qd.types.NDArray[qd.i32, 1], s: qd.f32):
        for i in range(a.shape[0]):
            a[i] = 1
        for i in range(a.shape[0]):
            a[i] += 1

    assert rt.get_num_compiled_functions() == 0
    k(qd.ndarray(qd.i32, (4,)), 1.0)
    assert rt.get_num_compiled_functions() == 1
    prog = rt.prog
    assert prog.get_num_offloaded_tasks_on_last_call() == 2
    assert prog.get_graph_last_yield_cp_id_on_last_call() == -1
    assert prog.get_graph_cache_size() == 0 and not prog.get_graph_cache_used_on_last_call()
    assert prog.config().arch is qd.ref
    assert not k.launch_observations.found_kernel_in_materialize_cache  # compiled by this call
    k(qd.ndarray(qd.i32, (4,)), 2.0)
    assert k.launch_observations.found_kernel_in_materialize_cache
    stats = k.launch_stats.kernel_args_count_by_type
    from quadrants.lang._kernel_types import KernelBatchedArgType

    assert stats[KernelBatchedArgType.QD_ARRAY] == 1 and stats[KernelBatchedArgType.FLOAT] == 1
    f = qd.field(qd.i32, shape=4)

    @qd.kernel
    def with_field(a: qd.types.NDArray[qd.i32, 1]):
        for i in range(4):
            a[i] = f[i]

    with_field(qd.ndarray(qd.i32, (4,)))
    assert with_field.launch_stats.kernel_args_count_by_type[KernelBatchedArgType.QD_ARRAY] == 1  # fields: globals
    assert impl.get_max_shared_memory_bytes(is_lowerbound_ok=True) == 0
    with pytest.raises(RuntimeError, match="is_lowerbound_ok=True"):
        impl.get_max_shared_memory_bytes(is_lowerbound_ok=False)
    rt.clear()
    assert qd.cfg is None


def test_misc_and_util():
    from quadrants.lang import misc, util

    assert misc.get_host_arch_list() == [qd.cpu]
    assert misc.is_extension_supported(qd.ref, qd.extension.data64)
    assert isinstance(util.has_pytorch(), bool)
    assert util.to_numpy_type(qd.f64) == np.float64


def test_ops_in_python_scope_and_in_kernels():
    from quadrants.lang import ops

    assert ops.add(2, 3) == 5 and ops.cmp_lt(1, 2) and ops.abs(-2) == 2
    assert list(ops.logical_not(np.array([0, 3]))) == [True, False]

    @qd.kernel
    def k(a: qd.types.NDArray[qd.i32, 1]):
        for i in range(a.shape[0]):
            a[i] = ops.add(ops.mul(i, 3), ops.bit_shl(1, i)) + ops.logical_not(i)

    a = qd.ndarray(qd.i32, (4,))
    k(a)
    assert list(a.to_numpy()) == [i * 3 + (1 << i) + (i == 0) for i in range(4)]


def test_primitive_types_sets():
    from quadrants.types import primitive_types as pt

    assert qd.f32 in pt.real_types and qd.u1 in pt.integer_types and float in pt.all_types
    assert id(qd.init(arch=qd.ref).default_fp) in pt.type_ids
    assert pt.float32 is qd.f32 and qd.types.primitive_types is pt


def test_test_tools(tmp_path):
    from quadrants._test_tools import qd_init_same_arch
    from quadrants._test_tools.load_kernel_string import load_kernel_from_string

    qd_init_same_arch(random_seed=5)
    assert qd.cfg.arch is qd.ref and qd.cfg.random_seed == 5
    src = "import quadrants as qd\n\n@qd.kernel\ndef my_k(a: qd.types.NDArray[qd.i32, 1]):\n    a[0] = 7\n"
    a = qd.ndarray(qd.i32, (1,))
    with load_kernel_from_string(src, "my_k") as my_k:
        my_k(a)
    assert a.to_numpy()[0] == 7


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("quadrants.lang", ["sin", "Matrix", "QuadrantsTypeError", "ij", "init", "kernel", "func", "cpu", "field"]),
        ("quadrants.lang.misc", ["cpu", "x64", "ijk", "GraphStatus", "checkpoint", "loop_config", "extension"]),
        ("quadrants.lang.impl", ["field", "ndarray", "grouped", "static", "static_assert", "static_print"]),
        ("quadrants.lang.ops", ["bit_shr"]),
    ],
)
def test_names_shared_with_the_top_level_are_the_same_objects(module, names):
    mod = importlib.import_module(module)
    for name in names:
        assert getattr(mod, name) is getattr(qd, name), f"{module}.{name}"
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        mod.not_a_name  # noqa: B018


def test_upstream_homes_of_decorators_and_intrinsics():
    from quadrants.lang import intrinsics, kernel_impl, runtime_ops

    assert kernel_impl.kernel is qd.kernel and kernel_impl.func is qd.func and kernel_impl.pyfunc is qd.pyfunc
    assert kernel_impl.data_oriented is qd.data_oriented and kernel_impl.real_func is qd.real_func
    assert intrinsics.clock_counter is qd.clock_counter and runtime_ops.sync is qd.sync
    runtime_ops.sync()
