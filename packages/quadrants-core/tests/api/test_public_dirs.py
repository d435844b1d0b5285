"""``dir()`` of the public modules and classes lists their API, not the names their implementation imports."""

from __future__ import annotations

import pytest

import quadrants as qd


def _public(obj) -> list[str]:
    return sorted(n for n in dir(obj) if not n.startswith("_"))


def test_graph_module_holds_its_three_constructs():
    assert _public(qd.graph) == ["do_while", "parallel", "parallel_context"]
    assert qd.GraphStatus is not None and qd.checkpoint is not None  # their home is qd itself


@pytest.mark.parametrize("module", [qd.ad, qd.algorithms])
def test_module_dir_is_its_all(module):
    assert _public(module) == sorted(module.__all__)
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_no_future_import_leaks_into_qd():
    assert "annotations" not in dir(qd)


def test_snode_retired_methods_are_not_listed_but_explain_themselves():
    assert not {"hash", "bit_struct", "bit_array"} & set(dir(qd.SNode))
    assert "access_error" not in dir(qd.FieldsBuilder)
    qd.init(arch=qd.ref)
    try:
        node = qd.root.dense(qd.i, 4)
        with pytest.raises(NotImplementedError, match="hash SNodes"):
            node.hash(qd.j, 4)
        with pytest.raises(NotImplementedError, match="quantized bit arrays"):
            node.bit_array(qd.j, 4, 32)
        with pytest.raises(AttributeError, match="no attribute 'not_a_method'"):
            node.not_a_method  # noqa: B018
    finally:
        qd.reset()


# upstream 1.3.3's class listings (what dir() of the class shows, public names only)
_ARRAY_API = {"copy_from", "fill", "has_dual", "has_grad", "layout", "shape", "to_dlpack"}
_NDARRAY_KIND_API = _ARRAY_API | {"element_shape", "get_type", "from_numpy", "from_torch", "to_numpy", "to_torch"}
_FIELD_API = _ARRAY_API | {"dtype", "from_numpy", "from_torch", "to_numpy", "to_torch", "parent", "snode"}


@pytest.mark.parametrize(
    "cls, expected",
    [
        (qd.Ndarray, _ARRAY_API | {"element_shape", "get_type"}),
        (qd.ScalarNdarray, _NDARRAY_KIND_API),
        (qd.VectorNdarray, _NDARRAY_KIND_API),
        (qd.MatrixNdarray, _NDARRAY_KIND_API),
        (qd.Field, _FIELD_API),
        (qd.ScalarField, _FIELD_API),
        (qd.StructField, _FIELD_API | {"get_member_field", "keys"}),
    ],
)
def test_array_class_listings(cls, expected):
    assert set(_public(cls)) == expected


def test_unlisted_names_still_work_on_objects():
    qd.init(arch=qd.ref)
    try:
        a = qd.ndarray(qd.f32, (3, 2), needs_grad=True)
        assert a.dtype is qd.f32 and a.ndim == 2 and a.grad is not None and a.scalar_dtype is qd.f32
        assert {"dtype", "grad", "ndim"} <= set(dir(a))  # the object lists them (upstream: instance attributes)
        t = a.get_type()
        assert t.shape == (3, 2) and t.needs_grad and t.element_type is qd.f32 and t.layout == qd.Layout.AOS
        v = qd.Vector.ndarray(3, qd.i32, (4,))
        assert v.element_shape == (3,) and not v.get_type().needs_grad
        f = qd.field(qd.f32, shape=4, needs_grad=True)
        assert f.grad is not None and f.ndim == 1
        s = qd.Struct.field({"a": qd.f32, "b": qd.f32}, shape=2, needs_grad=True)
        assert s.has_grad() and not s.has_dual() and s.layout is None and s.ndim == 1
        mixed = qd.Struct.field({"a": qd.f32, "b": qd.i32}, shape=2)
        assert not mixed.has_grad()
        with pytest.raises(NotImplementedError, match=r"export its members"):
            mixed.to_dlpack()
    finally:
        qd.reset()


def test_ndarray_private_size_helpers():
    qd.init(arch=qd.ref)
    try:
        assert qd.ndarray(qd.i32, 8)._get_element_size() == 4 and qd.ndarray(qd.i32, 8)._get_nelement() == 8
        b = qd.Vector.ndarray(10, qd.f64, 5)
        assert b._get_element_size() == 80 and b._get_nelement() == 5
        assert qd.ndarray(qd.u1, ())._get_element_size() == 1 and qd.ndarray(qd.u1, ())._get_nelement() == 1
        assert qd.Matrix.ndarray(2, 3, qd.f16, (2, 2))._get_element_size() == 12
    finally:
        qd.reset()
