"""runtime/tensor.py: the unified tensor API is fields and ndarrays themselves, with virtual ``qd.Tensor`` classes."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.runtime.tensor import Backend, tensor


@pytest.fixture(autouse=True)
def _session():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_factories_return_the_field_or_ndarray_itself():
    f = tensor(qd.f32, (2, 3), backend=Backend.FIELD)
    a = tensor(qd.f32, 4)
    assert isinstance(f, qd.ScalarField) and f.shape == (2, 3)
    assert isinstance(a, qd.ScalarNdarray) and a.shape == (4,)
    assert f._unwrap() is f and qd.Tensor(a) is a and qd.wrap(f) is f


def test_backend_accepts_its_int_values():
    assert isinstance(tensor(qd.i32, (2,), backend=0), qd.Field)
    assert isinstance(tensor(qd.i32, (2,), backend=1), qd.Ndarray)


def test_vector_and_matrix_factories_take_both_backends():
    v = qd.Vector.tensor(3, qd.f32, (2,), backend=qd.Backend.FIELD)
    m = qd.Matrix.tensor(2, 2, qd.i32, (5,))
    assert isinstance(v, qd.MatrixField) and v.element_shape == (3,)
    assert isinstance(m, qd.MatrixNdarray) and m.to_numpy().shape == (5, 2, 2)


def test_subclass_checks():
    assert issubclass(qd.VectorTensor, qd.Tensor) and issubclass(qd.MatrixTensor, qd.Tensor)
    assert not issubclass(qd.VectorTensor, qd.MatrixTensor)
    assert issubclass(qd.ScalarField, qd.Tensor) and issubclass(qd.VectorNdarray, qd.Tensor)
    assert not issubclass(int, qd.Tensor)


def test_calling_a_tensor_class_on_a_wrong_element_kind_raises():
    with pytest.raises(TypeError, match="VectorTensor"):
        qd.VectorTensor(qd.tensor(qd.f32, (2,)))
    with pytest.raises(TypeError, match="Ndarray or Field"):
        qd.Tensor(np.zeros(2))


def test_layout_is_reported_and_the_storage_stays_canonical():
    t = tensor(qd.f32, (2, 3), layout=(1, 0))
    assert t.layout == (1, 0) and t.shape == (2, 3)
    t.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert t[1, 0] == 3.0 and t.to_numpy().tolist() == [[0, 1, 2], [3, 4, 5]]
    assert tensor(qd.f32, (2, 3), layout=(0, 1)).layout is None
    with pytest.raises(ValueError, match="has 1 entries"):
        tensor(qd.f32, (2, 3), layout=(0,))
    with pytest.raises(TypeError, match="compound dtypes"):
        tensor(qd.types.vector(3, qd.f32), (2,), layout=(0,))


def test_needs_grad_attaches_a_zero_companion_of_the_same_kind():
    for backend, cls in ((Backend.FIELD, qd.Field), (Backend.NDARRAY, qd.Ndarray)):
        t = tensor(qd.f32, (2,), backend=backend, needs_grad=True)
        assert t.has_grad() and isinstance(t.grad, cls) and t.grad.shape == (2,)
        assert t.grad.to_numpy().tolist() == [0.0, 0.0]
        v = qd.Vector.tensor(3, qd.f32, (2,), backend=backend, needs_grad=True)
        assert v.grad.element_shape == (3,)
    plain = tensor(qd.f32, (2,))
    assert not plain.has_grad() and plain.grad is None


def test_wrapping_an_array_is_an_error():
    with pytest.raises(TypeError, match=r"qd\.wrap"):
        tensor(qd.tensor(qd.f32, (2,)), (2,))


def test_tensor_parameter_keys_field_and_ndarray_apart():
    @qd.kernel
    def inc(x: qd.Tensor):
        for i in x:
            x[i] += 1

    f = tensor(qd.i32, (3,), backend=Backend.FIELD)
    a = tensor(qd.i32, (3,))
    inc(f)
    inc(a)
    inc(tensor(qd.i32, (7,)))  # another ndarray of the same dtype and ndim: no new specialization
    assert inc._primal.compile_count == 2
    assert f.to_numpy().tolist() == [1, 1, 1] and a.to_numpy().tolist() == [1, 1, 1]


def test_tensor_parameter_takes_numpy_arrays_like_an_ndarray_parameter():
    @qd.kernel
    def inc(x: qd.Tensor):
        for i in x:
            x[i] += 1

    host = np.zeros(3, dtype=np.int32)
    inc(host)
    assert host.tolist() == [1, 1, 1]


def test_a_tensor_parameter_given_none_is_a_compile_time_none():
    @qd.kernel
    def absent(x: qd.Tensor) -> qd.i32:
        return 1 if qd.static(x is None) else 0

    assert absent(None) == 1
    assert absent(qd.ndarray(qd.i32, (1,))) == 0
    assert absent(None) == 1  # its own specialization, not the ndarray's
