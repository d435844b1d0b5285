"""Fields of structs on the host (runtime/struct_field.py) and struct kernel parameters/returns (runtime/args.py)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.runtime.struct_field import StructFieldElement

vec2 = qd.types.vector(2, qd.f32)
PAIR = qd.types.struct(a=qd.i32, v=vec2)  # module level: string annotations (from __future__) resolve it


@pytest.fixture(autouse=True)
def ref_session():
    qd.init(arch="ref")
    yield
    qd.reset()


def _pair():
    return qd.types.struct(a=qd.i32, v=vec2)


def test_members_are_fields_with_the_struct_shape():
    x = _pair().field(shape=(3, 2), name="pairs")
    assert x.keys == ["a", "v"] and x.shape == (3, 2) and x.ndim == 2
    assert isinstance(x.a, qd.Field) and x.get_member_field("v") is x.v
    assert x.a.name == "pairs.a" and x.v.element_shape == (2,)
    assert x.dtype is x.struct_type
    assert x.snode is x.a.snode and x.parent() is x.a.parent()
    assert "pairs" in repr(x) and "(3, 2)" in repr(x)


def test_elements_read_and_write_through():
    x = _pair().field(shape=(4,))
    element = x[2]
    assert isinstance(element, StructFieldElement) and isinstance(element, qd.Struct)
    element.a = 7
    element.v = [1.5, 2.5]
    assert x.a[2] == 7 and list(np.asarray(x.v[2])) == [1.5, 2.5]
    x[3] = {"a": 4, "v": [0, 1]}
    x[1] = qd.Struct(a=2, v=[3, 4])
    assert x[3].a == 4 and x[1].to_dict() == {"a": 2, "v": [3.0, 4.0]}
    assert x[2].keys == ["a", "v"] and dict(x[2].items)["a"] == 7
    with pytest.raises(IndexError):
        x[4]
    with pytest.raises(qd.QuadrantsTypeError, match="Member mismatch"):
        x[0] = {"a": 1}


def test_nested_struct_fields():
    inner = qd.types.struct(p=qd.i32, q=qd.f32)
    outer = qd.types.struct(inner=inner, n=qd.i32)
    x = outer.field(shape=2)
    x[1].inner.p = 5
    x[0] = outer(inner=inner(p=1, q=0.5), n=3)
    arrays = x.to_numpy()
    assert list(arrays["inner"]["p"]) == [1, 5] and list(arrays["n"]) == [3, 0]
    assert x[0].inner.q == 0.5


def test_numpy_dicts_fill_and_copy():
    x = qd.Struct.field({"a": qd.i32, "v": vec2}, shape=(3,))
    x.from_numpy({"a": np.arange(3, dtype=np.int32), "v": np.ones((3, 2), np.float32)})
    y = _pair().field(shape=(3,))
    y.copy_from(x)
    assert list(y.to_numpy()["a"]) == [0, 1, 2] and y.to_numpy()["v"].sum() == 6
    y.fill(2)
    assert list(y.to_numpy()["a"]) == [2, 2, 2] and (y.to_numpy()["v"] == 2).all()
    with pytest.raises(TypeError):
        y.copy_from(qd.types.struct(b=qd.i32).field(shape=3))


def test_struct_field_errors():
    pair = _pair()
    with pytest.raises(qd.QuadrantsRuntimeError, match="i32 is not supported for field with `needs_grad=True`"):
        pair.field(shape=2, needs_grad=True)
    with pytest.raises(TypeError, match=r"qd\.Layout"):
        pair.field(shape=2, layout="soa")
    with pytest.raises(qd.QuadrantsSyntaxError, match="shape cannot be None"):
        pair.field(offset=1)
    with pytest.raises(NotImplementedError, match="ndarrays of structs"):
        pair.ndarray(shape=2)


def test_struct_field_with_offset():
    x = _pair().field(shape=3, offset=-1)
    x[-1].a = 4
    assert x.to_numpy()["a"][0] == 4


def test_int_and_float_members_follow_the_session_defaults():
    qd.init(arch="ref", default_ip=qd.i64, default_fp=qd.f64)
    s = qd.types.struct(n=int, x=float, v=qd.types.vector(2))
    assert s.members["n"] == qd.i64 and s.members["x"] == qd.f64 and s.members["v"].dtype == qd.f64
    f = s.field(shape=2)
    assert f.n.dtype == qd.i64


def test_struct_kernel_parameters_key_on_the_type_and_check_members():
    pair = PAIR

    @qd.kernel
    def k(s: PAIR) -> qd.f32:
        return s.a + s.v[1]

    assert k(pair(a=1, v=[0, 2])) == 3.0
    assert k(qd.Struct(a=2, v=[0, 1])) == 3.0  # an untyped struct with the same members is accepted
    assert k.compile_count == 1
    with pytest.raises(qd.QuadrantsRuntimeTypeError, match="cannot be converted into required type"):
        k(qd.Struct(a=1))
    with pytest.raises(qd.QuadrantsRuntimeTypeError, match="cannot be converted into required type"):
        k({"a": 1, "v": [0, 0]})
    # the same member names with a vector of another size, or a vector for a scalar: another struct type (upstream:
    # QuadrantsRuntimeTypeError; an IndexError from the argument's packing before)
    for wrong in (qd.Struct(a=1, v=[0, 1, 2]), qd.Struct(a=[1, 2], v=[0, 1])):
        with pytest.raises(qd.QuadrantsRuntimeTypeError, match="each of its type and size"):
            k(wrong)


def test_struct_kernel_returns_are_host_structs():
    pair = PAIR

    @qd.kernel
    def k() -> tuple[qd.i32, PAIR]:
        return 3, PAIR(a=4, v=[5, 6])

    n, s = k()
    assert n == 3 and isinstance(s, pair) and s.a == 4 and list(np.asarray(s.v)) == [5.0, 6.0]
    assert s.to_dict() == {"a": 4, "v": [5.0, 6.0]}


def test_struct_parameters_are_fastcache_keyed_by_their_leaf_types(tmp_path):
    qd.init(arch="ref", offline_cache_file_path=str(tmp_path))

    def make():
        @qd.kernel(fastcache=True)
        def k(s: PAIR) -> qd.f32:
            return s.a + s.v[1]

        return k

    first = make()
    assert first(PAIR(a=1, v=[0, 2])) == 3.0
    assert first.src_ll_cache_observations.cache_stored
    qd.init(arch="ref", offline_cache_file_path=str(tmp_path))
    second = make()
    assert second(PAIR(a=2, v=[0, 2])) == 4.0  # values are run-time arguments: the same entry serves them
    assert second.src_ll_cache_observations.cache_loaded
