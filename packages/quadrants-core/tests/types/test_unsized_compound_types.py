"""``qd.types.vector()`` / ``qd.types.matrix()`` without sizes (frontend/compound_types.py): an ndarray parameter's
element type that accepts any vector (matrix) of the given or any dtype, one specialization per element type."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.frontend.compound_types import MatrixType


@pytest.fixture
def session():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_matching_is_by_rank_and_the_fixed_parts():
    any_matrix, any_vector = qd.types.matrix(), qd.types.vector()
    assert any_matrix.is_wildcard and any_vector.is_wildcard and not qd.types.vector(3).is_wildcard
    assert any_matrix.matches(MatrixType((2, 2), qd.f32)) and any_matrix.matches(MatrixType((3, 4), qd.i32))
    assert not any_matrix.matches(MatrixType((2,), qd.f32)) and not any_vector.matches(MatrixType((2, 2), qd.f32))
    f32_vectors = qd.types.vector(dtype=qd.f32)
    assert f32_vectors.matches(MatrixType((5,), qd.f32)) and not f32_vectors.matches(MatrixType((5,), qd.i32))
    assert repr(any_matrix) == "matrix(any size, any dtype)" and repr(f32_vectors) == "vector(any size, f32)"


@pytest.mark.parametrize("use", [lambda t: t(1.0, 2.0), lambda t: t.ndarray(shape=(2,)), lambda t: t.field(shape=2)])
def test_values_and_arrays_need_a_size(use):
    with pytest.raises(TypeError, match=r"needs the vector type's size"):
        use(qd.types.vector())


def test_kernel_parameter_specializes_per_element_type(session):
    calls = []

    @qd.kernel
    def fill(x: qd.types.NDArray[qd.types.matrix(), 1]):
        for i in qd.grouped(x):
            x[i] = 1.0

    for t in (qd.math.mat2, qd.math.mat3, qd.math.mat2):
        a = qd.ndarray(t, (2,))
        fill(a)
        calls.append(a.to_numpy())
    assert [c.shape for c in calls] == [(2, 2, 2), (2, 3, 3), (2, 2, 2)] and all((c == 1.0).all() for c in calls)
    with pytest.raises(ValueError, match=r"Invalid value for argument x - required element type: matrix\(any size"):
        fill(qd.ndarray(qd.math.vec2, (2,)))
    with pytest.raises(ValueError, match=r"NumPy array does not say which of its axes"):
        fill(np.zeros((2, 2, 2), np.float32))


def test_func_parameter_checks_the_rank(session):
    @qd.func
    def first(x: qd.types.NDArray[qd.types.vector(), 1]) -> qd.f32:
        return x[0][0]

    @qd.kernel
    def k(x: qd.types.ndarray(), out: qd.types.NDArray[qd.f32, 1]):
        out[0] = first(x)

    v, out = qd.ndarray(qd.math.vec3, (1,)), qd.ndarray(qd.f32, (1,))
    v.from_numpy(np.array([[4.0, 5.0, 6.0]], np.float32))
    k(v, out)
    assert out.to_numpy()[0] == 4.0
    with pytest.raises(qd.QuadrantsCompilationError, match=r"expected elements of type vector\(any size"):
        k(qd.ndarray(qd.math.mat2, (1,)), out)
