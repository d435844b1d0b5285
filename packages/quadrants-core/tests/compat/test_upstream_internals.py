"""Compatibility modules for upstream internals its tests and programs import: graph_api, _kernel_impl_dataclass,
_func_base (docs/upstream-compatibility.md). Each answers from the project's own machinery."""

from __future__ import annotations

import ast
import dataclasses
import warnings

import pytest

import quadrants as qd
from quadrants.lang.ast.ast_transformers import graph_api


def _func(src: str) -> ast.expr:
    return ast.parse(src, mode="eval").body.func


@pytest.mark.parametrize("name", ["do_while", "parallel_context", "parallel"])
def test_graph_api_spellings(name):
    canonical, flat = _func(f"qd.graph.{name}(x)"), _func(f"qd.graph_{name}(x)")
    assert graph_api.matches(canonical, name) and graph_api.matches(flat, name)
    assert graph_api.matches(_func(f"graph.{name}(x)"), name)
    assert graph_api.matches(_func(f"graph_{name}(x)"), name)
    assert graph_api.is_deprecated_spelling(flat, name) and not graph_api.is_deprecated_spelling(canonical, name)
    assert not graph_api.matches(_func(f"qd.other.{name}(x)"), name)
    assert not graph_api.matches(_func("qd.graph.something(x)"), name)


def test_graph_api_warning_is_the_frontends():
    with pytest.warns(DeprecationWarning, match=r"qd\.graph_parallel\(\) is deprecated; use qd\.graph\.parallel\(\)"):
        graph_api.warn_if_deprecated(_func("qd.graph_parallel()"), "parallel")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph_api.warn_if_deprecated(_func("qd.graph.parallel()"), "parallel")

    qd.init(arch=qd.ref)
    try:

        @qd.kernel(graph=True)
        def k(c: qd.types.NDArray[qd.i32, 0]):
            while qd.graph_do_while(c):
                for _ in range(1):
                    c[()] = c[()] - 1

        c = qd.ndarray(qd.i32, ())
        c[()] = 2
        with pytest.warns(DeprecationWarning) as record:
            k(c)
        messages = [str(w.message) for w in record if issubclass(w.category, DeprecationWarning)]
        from quadrants.frontend.graph_spellings import deprecation_message

        assert deprecation_message("graph_do_while") in messages
        assert c[()] == 0
    finally:
        qd.reset()


def test_flat_graph_names_are_the_same_objects():
    assert qd.graph_do_while is qd.graph.do_while
    assert qd.graph_parallel is qd.graph.parallel and qd.graph_parallel_context is qd.graph.parallel_context


# ------------------------------------------------------------------------------------- _kernel_impl_dataclass
@dataclasses.dataclass
class _Inner:
    v: qd.types.NDArray[qd.f32, 2]
    f: qd.Template


@dataclasses.dataclass
class _Outer:
    a: qd.types.NDArray[qd.i32, 1]
    inner: _Inner
    t: qd.template()


def test_expand_func_arguments_flattens_in_declaration_order():
    from quadrants.lang import _kernel_impl_dataclass as kid
    from quadrants.lang.kernel_arguments import ArgMetadata

    args = [ArgMetadata(qd.i32, "n"), ArgMetadata(_Outer, "s")]
    out = kid.expand_func_arguments(None, args)
    names = ["n", "__qd_s__qd_a", "__qd_s__qd_inner__qd_v", "__qd_s__qd_inner__qd_f", "__qd_s__qd_t"]
    assert [m.name for m in out] == names
    assert out[1].annotation.dtype is qd.i32 and out[2].annotation.ndim == 2
    used = {"__qd_s__qd_inner", "__qd_s__qd_inner__qd_v", "__qd_s__qd_t"}
    assert [m.name for m in kid.expand_func_arguments(used, args)] == ["n", "__qd_s__qd_inner__qd_v", "__qd_s__qd_t"]


def test_unpack_ast_struct_expressions_names_flat_arguments():
    from quadrants.lang import _kernel_impl_dataclass as kid

    tree = ast.parse("s.inner.v[i] + s.a.shape[0] + s.other + t.inner", mode="eval")
    out = kid.unpack_ast_struct_expressions(tree, {"__qd_s__qd_inner__qd_v", "__qd_s__qd_a"})
    assert ast.unparse(out) == "__qd_s__qd_inner__qd_v[i] + __qd_s__qd_a.shape[0] + s.other + t.inner"


def test_populate_global_vars_binds_template_members_only():
    from quadrants._test_tools.dataclass_test_tools import build_struct
    from quadrants.lang import _kernel_impl_dataclass as kid

    qd.init(arch=qd.ref)
    try:
        obj = build_struct(_Outer)
        assert obj.a.shape == (10,) and obj.inner.v.shape == (10, 10) and obj.inner.v.dtype is qd.f32
        found: dict = {}
        kid.populate_global_vars_from_dataclass("s", _Outer, obj, found)
        assert found == {"__qd_s__qd_inner__qd_f": obj.inner.f, "__qd_s__qd_t": obj.t}
        assert isinstance(obj.t, qd.Field) and obj.t.dtype is qd.i32 and obj.t.shape == (10,)
    finally:
        qd.reset()


# ------------------------------------------------------------------------------------------------- _func_base
def test_frozen_member_plan_selects_used_members_and_resets():
    from quadrants.lang._dataclass_util import create_flat_name
    from quadrants.lang._func_base import _frozen_dc_plans, _get_frozen_dc_plan

    assert create_flat_name("s", "a") == "__qd_s__qd_a"
    assert create_flat_name("__qd_s__qd_a", "b") == "__qd_s__qd_a__qd_b"
    fields = {f.name: f for f in dataclasses.fields(_Outer)}
    used = {"__qd_s__qd_t", "__qd_s__qd_a", "__qd_other__qd_a"}
    plan = _get_frozen_dc_plan(used, _Outer, "s", fields)
    assert [(m, flat) for m, flat, _ in plan] == [("a", "__qd_s__qd_a"), ("t", "__qd_s__qd_t")]
    assert _get_frozen_dc_plan(used, _Outer, "s", fields) is plan  # memoized for the same set
    assert _get_frozen_dc_plan(set(used), _Outer, "s", fields) == plan  # an equal new set: computed again, same answer
    assert _get_frozen_dc_plan({"__qd_s__qd_zz"}, _Outer, "s", fields) == ()
    assert len(_frozen_dc_plans) >= 1
    qd.init(arch=qd.ref)
    qd.reset()
    assert len(_frozen_dc_plans) == 0


def test_lib_core_names():
    assert qd._lib.core.QuadrantsRuntimeError is qd.QuadrantsRuntimeError
    assert qd._lib.core.DeviceCapability is qd.DeviceCapability
    qd.init(arch=qd.ref)
    try:
        with pytest.raises(qd._lib.core.QuadrantsRuntimeError, match="should be positive"):
            qd.field(qd.f32, shape=0)
    finally:
        qd.reset()


def test_ndarray_arr_and_graph_do_while_arg():
    qd.init(arch=qd.ref)
    try:
        a, b = qd.ndarray(qd.i32, ()), qd.ndarray(qd.i32, (4,))
        assert a.arr.device_allocation_ptr() == a.arr.device_allocation_ptr()
        assert a.arr.device_allocation_ptr() != b.arr.device_allocation_ptr()
        assert "arr" not in dir(qd.Ndarray)  # upstream's instance attribute: not in the class listing

        @qd.kernel(graph=True)
        def k(c: qd.types.NDArray[qd.i32, 0]):
            while qd.graph.do_while(c):
                for _ in range(1):
                    c[()] = c[()] - 1

        @qd.kernel
        def plain(c: qd.types.NDArray[qd.i32, 0]):
            c[()] = 0

        assert k.graph_do_while_arg is None  # nothing compiled yet
        a[()] = 3
        k(a)
        plain(a)
        assert k._primal.graph_do_while_arg == "c" and plain._primal.graph_do_while_arg is None
    finally:
        qd.reset()


def test_internal_modules_are_lang_attributes():
    import quadrants.lang._func_base as func_base

    assert qd.lang.ast.ast_transformers.graph_api is graph_api
    assert qd.lang._func_base is func_base and qd.lang._kernel_impl_dataclass.expand_func_arguments is not None
