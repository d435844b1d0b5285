"""The host API of ndarrays and fields as upstream has it (runtime/ndarray.py, runtime/field.py): the classes and
their ``isinstance`` relations, ``dtype``/``element_type``/``element_shape``/``layout``/``n``/``m``, ``copy_from``,
``to_numpy(dtype=, keep_dims=)``, ``from_numpy`` layouts and error messages, ``fill`` with vectors, deep copies."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

import quadrants as qd


@pytest.fixture(autouse=True)
def ref_session():
    qd.init(arch="ref")
    yield
    qd.reset()


def test_classes_follow_the_element_type():
    cases = [
        (qd.ndarray(qd.f32, 2), qd.ScalarNdarray),
        (qd.Vector.ndarray(3, qd.f32, 2), qd.VectorNdarray),
        (qd.ndarray(qd.types.vector(3, qd.i32), 2), qd.VectorNdarray),
        (qd.Matrix.ndarray(2, 3, qd.f32, 2), qd.MatrixNdarray),
        (qd.field(qd.f32, shape=2), qd.ScalarField),
        (qd.Vector.field(3, qd.f32, shape=2), qd.MatrixField),
        (qd.Matrix.field(2, 2, qd.f32, shape=2), qd.MatrixField),
    ]
    for obj, cls in cases:
        assert type(obj) is cls
    nd, fd = cases[0][0], cases[4][0]
    assert isinstance(nd, qd.Ndarray) and not isinstance(nd, qd.Field)
    assert isinstance(fd, qd.Field) and not isinstance(fd, qd.Ndarray)  # a field is no ndarray, as in upstream
    assert not isinstance(cases[5][0], qd.ScalarField)


def test_dtype_is_the_component_type_and_element_type_the_vector_type():
    v = qd.Vector.ndarray(3, qd.f16, shape=(2,))
    assert v.dtype == qd.f16 and str(v.element_type) == "vector(3, f16)"
    assert (v.n, v.element_shape) == (3, (3,)) and not hasattr(v, "m")  # as upstream: a vector ndarray has no m
    m = qd.Matrix.field(2, 4, qd.i32, shape=(2,))
    assert m.dtype == qd.i32 and (m.n, m.m, m.element_shape) == (2, 4, (2, 4))
    s = qd.ndarray(qd.u8, shape=(2,))
    assert s.dtype == s.element_type == qd.u8 and s.element_shape == ()
    assert s.layout is None and m.layout is None
    assert not s.has_grad() and not s.has_dual()


def test_kernels_still_check_vector_element_types():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.types.vector(3, qd.f32), 1]):
        x[0] = [1.0, 2.0, 3.0]

    good = qd.Vector.ndarray(3, qd.f32, shape=(1,))
    k(good)
    assert good.to_numpy().tolist() == [[1.0, 2.0, 3.0]]
    with pytest.raises(TypeError, match="Expect element type vector\\(3, f32\\)") as info:
        k(qd.Vector.ndarray(2, qd.f32, shape=(1,)))
    # upstream's fragment names the types its own way
    assert "required element type: VectorType[3, f32], but VectorType[2, f32] is provided" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_copy_from():
    a, b = qd.ndarray(qd.f32, shape=(3,)), qd.ndarray(qd.f32, shape=(3,))
    b.from_numpy(np.array([1.5, 2.5, 3.5], np.float32))
    a.copy_from(b)
    b.fill(0)
    assert a.to_numpy().tolist() == [1.5, 2.5, 3.5]
    i = qd.ndarray(qd.i32, shape=(3,))
    i.copy_from(a)
    assert i.to_numpy().tolist() == [1, 2, 3]
    with pytest.raises(AssertionError, match=re.escape("copy_from shape mismatch: destination (4,) vs source (3,)")):
        qd.ndarray(qd.f32, shape=(4,)).copy_from(a)
    with pytest.raises(AssertionError, match=re.escape("copy_from needs a qd.ndarray source")):
        a.copy_from(qd.field(qd.f32, shape=(3,)))
    f, g = qd.field(qd.f32, shape=(3,)), qd.field(qd.f32, shape=(3,))
    g.from_numpy(np.array([4.0, 5.0, 6.0], np.float32))
    f.copy_from(g)
    assert f.to_numpy().tolist() == [4.0, 5.0, 6.0]
    with pytest.raises(TypeError, match="Cannot copy from a non-field object"):
        f.copy_from(a)
    with pytest.raises(ValueError, match=re.escape("qd.field shape (3,) does not match the source field shape (2,)")):
        f.copy_from(qd.field(qd.f32, shape=(2,)))


def test_to_numpy_dtype_and_keep_dims():
    a = qd.ndarray(qd.f32, shape=(2,))
    a.from_numpy(np.array([1.5, -2.5], np.float32))
    assert a.to_numpy(dtype=np.int32).tolist() == [1, -2]
    assert a.to_numpy(dtype=np.float64).dtype == np.float64
    with pytest.raises(TypeError, match="Cannot interpret 'f64' as a data type"):  # a Quadrants type, as upstream
        a.to_numpy(dtype=qd.f64)
    f = qd.Vector.field(2, qd.f32, shape=(3,))
    assert f.to_numpy(keep_dims=True).shape == (3, 2, 1)
    assert f.to_numpy().shape == (3, 2)


def test_from_numpy_layouts_and_messages():
    f = qd.Vector.field(2, qd.f32, shape=(3,))
    f.from_numpy(np.arange(6, dtype=np.float32).reshape(3, 2, 1))  # n x 1 columns
    assert f.to_numpy().tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    v = qd.Vector.ndarray(2, qd.f32, shape=(3,))
    with pytest.raises(ValueError, match=re.escape("Mismatch shape: (3, 2) expected, but (3, 2, 1) provided")):
        v.from_numpy(np.zeros((3, 2, 1), np.float32))
    s = qd.field(qd.f32, shape=(3,))
    with pytest.raises(ValueError, match=re.escape("qd.field shape (3,) does not match the numpy array shape (4,)")):
        s.from_numpy(np.zeros(4, np.float32))
    t = qd.ndarray(qd.f32, shape=(2, 3))
    t.from_numpy(np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    assert t.to_numpy().tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_fill_with_host_vectors_and_deep_copies():
    v = qd.Vector.ndarray(2, qd.f32, shape=(2,))
    v.fill(qd.Vector([1.0, 2.0]))
    assert v.to_numpy().tolist() == [[1.0, 2.0], [1.0, 2.0]]
    w = copy.deepcopy(v)
    v.fill(0.0)
    assert type(w) is qd.VectorNdarray and w.to_numpy().tolist() == [[1.0, 2.0], [1.0, 2.0]]


def test_python_scope_index_errors_carry_upstreams_classes():
    x = qd.ndarray(qd.f32, shape=(4, 4))
    with pytest.raises(qd.QuadrantsIndexError, match="2d ndarray indexed with 1d indices"):
        x[0]
    with pytest.raises(IndexError, match="out of bounds"):
        x[4, 0]
    f = qd.field(qd.i32, shape=(1, 2, 3))
    with pytest.raises(AssertionError, match=re.escape("Slicing is not supported on qd.field")):
        f[0, 0] = 1
    with pytest.raises(TypeError, match="Detected illegal element of type"):
        f[0, :, 0]
    with pytest.raises(NotImplementedError, match="Struct for is only available in Quadrants scope"):
        for _ in f:
            pass


def test_copy_from_of_zero_dimensional_fields():
    a, b = qd.field(qd.f32, shape=()), qd.field(qd.i32, shape=())
    b[None] = 3
    a.copy_from(b)
    assert a[None] == 3.0
