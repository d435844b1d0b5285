"""qd.lang.util (lang/host_helpers.py, types/conversions.py), qd.lang._wrap_inspect and qd.lang.graph_status: the
helpers upstream programs and tests import, with upstream 1.3.3's answers (checked there on qd.cpu)."""

from __future__ import annotations

import dataclasses
import importlib.util
import warnings

import numpy as np
import pytest

import quadrants as qd
from quadrants.lang import util
from quadrants.lang._wrap_inspect import getsourcefile, getsourcelines


@pytest.fixture(autouse=True)
def _session():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_scope_predicates_and_decorators():
    seen = []

    @util.python_scope
    def host_only():
        return 1

    @util.quadrants_scope
    def compile_time_only(x):
        seen.append((util.in_quadrants_scope(), util.in_python_scope()))
        return x * 2

    assert util.in_python_scope() and not util.in_quadrants_scope()
    assert host_only() == 1 and host_only.__name__ == "host_only"
    with pytest.raises(AssertionError, match="compile_time_only cannot be called in Python-scope"):
        compile_time_only(3)

    @qd.kernel
    def k(a: qd.types.NDArray[qd.i32, 1]):
        value = qd.static(compile_time_only(21))  # runs while the kernel is compiled
        a[0] = value

    a = qd.ndarray(qd.i32, (1,))
    k(a)
    assert a.to_numpy()[0] == 42 and seen == [(True, False)]
    assert util.in_python_scope()  # back to Python scope after the compile

    @qd.kernel
    def bad(a: qd.types.NDArray[qd.i32, 1]):
        a[0] = qd.static(host_only())

    with pytest.raises(Exception, match="host_only cannot be called in Quadrants-scope"):
        bad(a)


@dataclasses.dataclass
class _Plain:
    x: int = 0


class _Meta(type):
    def __getattr__(cls, name):  # a metaclass that answers every name (Pydantic's recurses): never asked
        raise AssertionError(f"asked the metaclass for {name}")


class _Odd(metaclass=_Meta):
    pass


def test_class_predicates():
    v = qd.Vector([1, 2])
    S = qd.types.struct(a=qd.f32)
    f = qd.field(qd.f32, shape=2)
    assert util.is_matrix_class(qd.Matrix) and util.is_matrix_class(v)
    assert not util.is_matrix_class(qd.types.vector(2, qd.f32)) and not util.is_matrix_class(3)
    assert util.is_quadrants_class(v) and util.is_quadrants_class(qd.Matrix) and util.is_quadrants_class(S(a=1))
    assert not util.is_quadrants_class(f) and not util.is_quadrants_class(S) and not util.is_quadrants_class(1.0)
    assert util.is_qd_template(qd.template()) and util.is_qd_template(qd.Template) and not util.is_qd_template(qd.i32)

    @qd.data_oriented
    class Sim:
        pass

    @qd.data_oriented(template_primitives=False)
    class Lifted:
        pass

    assert util.is_data_oriented(Sim()) and not util.is_data_oriented(Sim) and not util.is_data_oriented(_Plain())
    assert util.wants_runtime_primitives(Lifted()) and not util.wants_runtime_primitives(Sim())
    assert util.is_dataclass_instance(_Plain()) and not util.is_dataclass_instance(_Plain)
    for probe in (util.is_data_oriented, util.is_dataclass_instance, util.wants_runtime_primitives):
        assert probe(_Odd()) is False  # walked the MRO's __dict__, never the metaclass


def test_module_and_file_tests():
    assert util.is_from_quadrants_module(qd) and util.is_from_quadrants_module(qd.Matrix)
    assert not util.is_from_quadrants_module(qd.Vector([1])) and not util.is_from_quadrants_module(np)
    assert util.is_quadrants_internal_file(qd.__file__) and not util.is_quadrants_internal_file(__file__)
    assert util.get_clangpp() is None and util.has_clangpp() is False


def test_warning_and_traceback():
    def inner():
        return util.get_traceback(stacklevel=0)

    assert "inner" in inner() and "test_warning_and_traceback" in inner()
    with pytest.warns(RuntimeWarning, match="careful") as record:
        util.warning("careful", RuntimeWarning, print_stack=False)
    assert str(record[0].message) == "careful"
    qd.set_logging_level(qd.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            util.warning("hidden")  # the logging level hides warnings: nothing is issued
    finally:
        qd.set_logging_level(qd.INFO)


def test_dtype_conversions():
    assert util.to_quadrants_type(id(qd.f32)) is qd.f32 and util.to_quadrants_type(qd.u16) is qd.u16
    assert util.to_quadrants_type(np.float16) is qd.f16 and util.to_quadrants_type(np.dtype("uint64")) is qd.u64
    assert util.to_quadrants_type(np.bool_) is qd.u1
    with pytest.raises(TypeError, match="Unknown type"):
        util.to_quadrants_type(np.complex64)
    assert util.MAP_TYPE_IDS[id(qd.i8)] is qd.i8 and util.MAP_TYPE_IDS[id(float)] is float
    assert util.all_types == qd.types.primitive_types.all_types
    assert util.cook_dtype(qd.i16) is qd.i16 and util.cook_dtype(bool) is qd.u1
    qd.init(arch=qd.ref, default_fp=qd.f64)
    assert util.cook_dtype(float) is qd.f64 and util.cook_dtype(int) is qd.i32
    with pytest.raises(ValueError, match="Invalid data type"):
        util.cook_dtype("f32")


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch is an optional extra, not installed")
def test_torch_conversions():
    import torch

    assert util.to_pytorch_type(qd.f32) is torch.float32 and util.to_pytorch_type(qd.u1) is torch.bool
    assert util.to_quadrants_type(torch.int64) is qd.i64 and util.dtype_to_torch_dtype(float) is torch.float32


def test_torch_conversions_without_torch_say_how_to_get_it():
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("PyTorch is installed: test_torch_conversions covers it")
    with pytest.raises(ImportError, match="torch"):
        util.to_pytorch_type(qd.f32)


def test_wrap_inspect_reads_kernels_funcs_and_plain_objects():
    @qd.kernel
    def k(a: qd.types.NDArray[qd.i32, 1]):
        a[0] = 1

    lines, first = getsourcelines(k)
    assert lines[0].lstrip().startswith("@qd.kernel") and "a[0] = 1" in lines[-1]
    assert first == k.fn.__code__.co_firstlineno
    assert getsourcefile(k) == __file__
    lines, _ = getsourcelines(_Plain)
    assert lines[0].startswith("@dataclasses.dataclass")
    assert getsourcefile(np) == np.__file__


def test_graph_status_module():
    assert qd.lang.graph_status.GraphStatus is qd.GraphStatus
