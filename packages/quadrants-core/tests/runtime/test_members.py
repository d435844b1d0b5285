"""``quadrants.runtime.members``: resolving member paths, key components of read members, flat launch values."""

from __future__ import annotations

import enum
from types import SimpleNamespace

import numpy as np
import pytest

from quadrants.errors import QuadrantsRuntimeTypeError
from quadrants.ir import nodes as ir
from quadrants.ir.dtypes import f32, i32
from quadrants.runtime.args import Bound
from quadrants.runtime.members import member_key, resolve_path, source_value

ND_I32 = ("nd", "i32", 1, ())


class Color(enum.Enum):
    RED = 1
    BLUE = 2


@pytest.fixture
def session():
    """A session on a host-only backend (enough to allocate qd.ndarrays), restored afterwards."""
    from quadrants.backend import CompileOptions
    from quadrants.runtime import state
    from quadrants.runtime.state import Session

    class HostOnly:
        id = "host-only"

        def wrap_numpy(self, array):
            return array

        def allocate(self, dtype, shape):
            return np.zeros(shape, dtype.np)

    saved = state.RUNTIME.session
    state.RUNTIME.session = Session(backend=HostOnly(), arch=None, options=CompileOptions())
    yield state.RUNTIME.session
    state.RUNTIME.session = saved


def _obj(**members):
    return SimpleNamespace(**members)


# ------------------------------------------------------------------------------------------ resolve_path


def test_resolve_path_walks_attributes():
    leaf = _obj(y=5)
    top = _obj(mid=_obj(leaf=leaf))
    assert resolve_path(top, ("mid", "leaf", "y")) == 5
    assert resolve_path(top, ("mid", "leaf")) is leaf


def test_resolve_empty_path_is_the_object():
    top = _obj(a=1)
    assert resolve_path(top, ()) is top


def test_resolve_path_reads_the_live_value():
    top = _obj(inner=_obj(y=1))
    top.inner.y = 2
    assert resolve_path(top, ("inner", "y")) == 2
    top.inner = _obj(y=3)
    assert resolve_path(top, ("inner", "y")) == 3


def test_resolve_deleted_member_raises_attribute_error():
    top = _obj(x=np.zeros(2, np.int32))
    del top.x
    with pytest.raises(AttributeError):
        resolve_path(top, ("x",))


def test_resolve_path_evaluates_properties():
    class WithProperty:
        def __init__(self):
            self.m = 2

        @property
        def double(self):
            return self.m * 2

    assert resolve_path(WithProperty(), ("double",)) == 4


# ------------------------------------------------------------------------------------------ member_key


def test_member_key_has_one_component_per_read_path_sorted():
    obj = _obj(x=np.zeros(3, np.int32), n=2, b=np.zeros(2, np.int32))
    reads = {("x",): ND_I32, ("n",): ("value", ("int", 2)), ("b",): ND_I32}
    key = member_key(obj, reads)
    assert [c[0] for c in key] == [("b",), ("n",), ("x",)]
    assert member_key(obj, dict(reversed(list(reads.items())))) == key


def test_member_key_ignores_unread_members():
    reads = {("x",): ND_I32}
    a = _obj(x=np.zeros(3, np.int32), other="text")
    b = _obj(x=np.zeros(3, np.int32), other=[1, 2], extra=np.zeros(4, np.float64))
    assert member_key(a, reads) == member_key(b, reads)


def test_member_key_of_empty_reads_is_empty():
    assert member_key(_obj(x=1), {}) == ()


def test_ndarray_key_holds_dtype_and_ndim_not_shape():
    reads = {("x",): ND_I32}
    small = member_key(_obj(x=np.zeros(2, np.int32)), reads)
    large = member_key(_obj(x=np.arange(9, dtype=np.int32)), reads)
    assert small == large
    assert member_key(_obj(x=np.zeros(2, np.float32)), reads) != small
    assert member_key(_obj(x=np.zeros((2, 2), np.int32)), reads) != small


def test_ndarray_key_of_qd_ndarrays_follows_dtype_and_element_shape(session):
    import quadrants as qd

    reads = {("x",): ND_I32}
    a = member_key(_obj(x=qd.ndarray(qd.i32, shape=(2,))), reads)
    b = member_key(_obj(x=qd.ndarray(qd.i32, shape=(7,))), reads)
    v = member_key(_obj(x=qd.Vector.ndarray(3, qd.i32, shape=(2,))), reads)
    assert a == b
    assert v != a


def test_ndarray_key_when_member_is_no_longer_an_array():
    reads = {("x",): ND_I32}
    key = member_key(_obj(x="oops"), reads)
    assert key != member_key(_obj(x=np.zeros(2, np.int32)), reads)
    assert "not-an-array" in key[0]


def test_baked_primitive_key_holds_type_and_value():
    reads = {("n",): ("value", ("int", 2))}
    two = member_key(_obj(n=2), reads)
    assert member_key(_obj(n=2), reads) == two
    assert member_key(_obj(n=4), reads) != two
    assert member_key(_obj(n=2.0), reads) != two  # same value, other type
    assert member_key(_obj(n=True), reads) != member_key(_obj(n=1), reads)


def test_enum_member_key_by_name_and_value():
    reads = {("mode",): ("value", None)}
    assert member_key(_obj(mode=Color.RED), reads) == member_key(_obj(mode=Color.RED), reads)
    assert member_key(_obj(mode=Color.RED), reads) != member_key(_obj(mode=Color.BLUE), reads)


def test_field_key_is_identity():
    reads = {("f",): ("field", 0)}
    a, b = object(), object()
    assert member_key(_obj(f=a), reads) == member_key(_obj(f=a), reads)
    assert member_key(_obj(f=a), reads) != member_key(_obj(f=b), reads)


def test_runtime_scalar_key_is_its_type_only():
    reads = {("n",): ("scalar", "i32")}
    assert member_key(_obj(n=2), reads) == member_key(_obj(n=40), reads)


def test_nested_paths_in_key():
    reads = {("inner", "y"): ND_I32, ("inner", "k"): ("value", ("int", 1))}
    a = _obj(inner=_obj(y=np.zeros(2, np.int32), k=1))
    b = _obj(inner=_obj(y=np.zeros(5, np.int32), k=1))
    c = _obj(inner=_obj(y=np.zeros(2, np.int32), k=3))
    assert member_key(a, reads) == member_key(b, reads)
    assert member_key(a, reads) != member_key(c, reads)


def test_member_key_of_deleted_member_raises_attribute_error():
    obj = _obj(x=np.zeros(2, np.int32))
    del obj.x
    with pytest.raises(AttributeError):
        member_key(obj, {("x",): ND_I32})


# ------------------------------------------------------------------------------------------ source_value


def _launch_value(obj, path, spec):
    bound = [Bound(key=None, spec=None, value=obj, struct=True)]
    return source_value(("member", 0, path), bound, None, spec, [])


def test_parameter_source_is_the_bound_value():
    bound = [Bound(key=None, spec=ir.ScalarArg("a", i32), value=7)]
    assert source_value(("param", 0), bound, None, bound[0].spec, []) == 7


def test_runtime_int_member_launch_value():
    spec = ir.ScalarArg("__qd_self__qd_n", i32)
    assert _launch_value(_obj(n=5), ("n",), spec) == 5
    assert _launch_value(_obj(n=True), ("n",), spec) == 1
    assert _launch_value(_obj(n=2**32 + 3), ("n",), spec) == 3  # wraps to i32


def test_runtime_float_member_launch_value():
    spec = ir.ScalarArg("__qd_self__qd_s", f32)
    assert _launch_value(_obj(s=0.5), ("s",), spec) == 0.5
    assert isinstance(_launch_value(_obj(s=2), ("s",), spec), float)


def test_runtime_int_member_rebound_to_float_is_a_type_error():
    spec = ir.ScalarArg("__qd_self__qd_n", i32)
    with pytest.raises(TypeError, match="was lifted as an integer kernel argument"):
        _launch_value(_obj(n=2.5), ("n",), spec)


def test_runtime_member_of_another_type_is_rejected():
    spec = ir.ScalarArg("__qd_self__qd_n", i32)
    with pytest.raises(QuadrantsRuntimeTypeError):
        _launch_value(_obj(n="two"), ("n",), spec)
