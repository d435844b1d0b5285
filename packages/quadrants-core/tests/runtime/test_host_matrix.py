"""``qd.Vector`` / ``qd.Matrix`` in Python scope (runtime/host_matrix.py): construction, swizzle properties, NumPy
arithmetic, methods, class-level constructors, and element values of ndarrays and fields that write back."""

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


def test_construction_shapes_and_dt():
    v = qd.Vector([1, 2, 3])
    m = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
    assert (v.n, v.m, v.ndim, v.get_shape()) == (3, 1, 1, (3,))
    assert (m.n, m.m, m.ndim, m.get_shape()) == (2, 2, 2, (2, 2))
    assert qd.Vector([1.7, 2.2], qd.i32).to_list() == [1, 2]  # dt converts (NumPy's truncation)
    assert qd.Vector([1, 2], dt=qd.f32).entries.dtype == np.float32
    assert qd.Matrix([1, 2]).ndim == 1  # a flat list is a vector
    assert qd.Matrix(np.eye(2)).to_list() == [[1.0, 0.0], [0.0, 1.0]]
    assert qd.Vector(qd.Vector([4, 5])).to_list() == [4, 5]
    assert qd.Vector([]).n == 0
    with pytest.raises(qd.QuadrantsTypeError, match="can only be initialized with an array-like object"):
        qd.Vector(3)


def test_classes_and_dir_list_the_swizzles_as_upstream():
    v, m = qd.Vector([1, 2]), qd.Matrix([[1, 2], [3, 4]])
    assert isinstance(v, qd.Matrix) and isinstance(v, qd.Vector)
    assert not isinstance(m, qd.Vector)
    names = [n for n in dir(qd.Matrix) if not n.startswith("_")]
    assert {"x", "xy", "rgba", "stpq", "wzyx", "normalized", "outer_product", "field", "ndarray", "tensor"} <= set(
        names
    )
    assert "entries" not in names and "n" not in names  # instance attributes only
    assert len([n for n in names if len(n) <= 4 and set(n) <= set("xyzw")]) == 4 + 16 + 64 + 256


def test_swizzles_read_and_write():
    v = qd.Vector([1, 2, 3])
    assert v.x == 1 and v.zyx.to_list() == [3, 2, 1] and v.rgb.to_list() == v.stp.to_list() == [1, 2, 3]
    v.xy = [7, 8]
    v.z = 9
    assert v.to_list() == [7, 8, 9]
    v.yz = 0  # a scalar is broadcast
    assert v.to_list() == [7, 0, 0]
    with pytest.raises(
        qd.QuadrantsSyntaxError, match=re.escape("vec3 only has attributes=('x', 'y', 'z'), got=('w',)")
    ):
        _ = v.w
    with pytest.raises(qd.QuadrantsTypeError, match="value len does not match the swizzle pattern=xy"):
        v.xy = [1, 2, 3]
    with pytest.raises(qd.QuadrantsSyntaxError, match="needs a vector"):
        _ = qd.Matrix([[1, 2], [3, 4]]).x


def test_arithmetic_is_numpy_elementwise():
    v = qd.Vector([1, 2, 3])
    assert (v / 2).to_list() == [0.5, 1.0, 1.5]
    assert (2 - v).to_list() == [1, 0, -1]
    assert ([1, 1, 1] + v).to_list() == [2, 3, 4]  # noqa: RUF005 (a list plus a vector: elementwise)
    assert (np.array([1, 2, 3]) * v).to_list() == [1, 4, 9]
    assert (v == [1, 0, 3]).to_list() == [True, False, True]
    assert (-v).to_list() == [-1, -2, -3] and (~v).to_list() == [-2, -3, -4]
    assert (v << 1).to_list() == [2, 4, 6]
    m = qd.Matrix([[1, 2], [3, 4]])
    assert (m @ qd.Vector([1, 1])).to_list() == [3, 7]
    assert (qd.Vector([1, 1]) @ m).to_list() == [4, 6]  # m.transpose() @ v
    assert qd.Vector([1, 2]) @ qd.Vector([3, 4]) == 11
    assert np.asarray(m).shape == (2, 2) and str(m) == str(np.array([[1, 2], [3, 4]]))


def test_methods():
    v = qd.Vector([3.0, 4.0])
    assert v.norm() == 5.0 and v.norm_sqr() == 25.0 and v.norm_inv() == 0.2
    assert v.normalized().to_list() == pytest.approx([0.6, 0.8])
    assert v.norm(eps=11.0) == 6.0
    a, b = qd.Vector([1, 2, 3]), qd.Vector([4, 5, 6])
    assert a.dot(b) == 32 and a.cross(b).to_list() == [-3, 6, -3]
    assert qd.Vector([1, 2]).cross(qd.Vector([3, 4])) == -2
    assert a.outer_product(qd.Vector([1, 2])).to_list() == [[1, 2], [2, 4], [3, 6]]
    m = qd.Matrix([[1, 2], [3, 4]])
    assert m.inverse().to_list() == [[-2.0, 1.0], [1.5, -0.5]]  # upstream's cofactor formula: exact here
    assert m.determinant() == -2 and m.trace() == 5 and m.transpose().to_list() == [[1, 3], [2, 4]]
    assert m.frobenius_inner(m) == 30 and (m.sum(), m.max(), m.min()) == (10, 4, 1)
    assert qd.Vector([0, 1]).any() is True and qd.Vector([0, 1]).all() is False
    assert qd.Vector([1.7, -2.5]).cast(qd.i32).to_list() == [1, -2]
    m.fill(7)
    assert m.to_list() == [[7, 7], [7, 7]]
    with pytest.raises(qd.QuadrantsTypeError, match="cannot apply to a vector"):
        a.transpose()
    with pytest.raises(qd.QuadrantsTypeError, match="expected a square matrix"):
        a.trace()


def test_inverse_of_larger_matrices():
    m4 = qd.Matrix([[2.0, 0, 0, 1], [0, 2, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    assert m4.inverse().to_list()[0] == [0.5, 0.0, 0.0, -0.5]
    m5 = qd.Matrix((np.eye(5) * 2).tolist())
    assert np.allclose(m5.inverse().to_numpy(), np.eye(5) / 2)


def test_class_level_constructors_in_python_scope():
    assert qd.Matrix.diag(2, 5).to_list() == [[5, 0], [0, 5]]
    assert qd.Matrix.rows([qd.Vector([1, 2]), [3, 4]]).to_list() == [[1, 2], [3, 4]]
    assert qd.Matrix.cols([qd.Vector([1, 2]), [3, 4]]).to_list() == [[1, 3], [2, 4]]


@pytest.mark.parametrize(
    "make",
    [
        lambda: qd.Vector.zero(qd.f32, 3),
        lambda: qd.Matrix.zero(qd.i32, 2, 3),
        lambda: qd.Vector.one(qd.f32, 2),
        lambda: qd.Vector.unit(3, 2),
        lambda: qd.Matrix.identity(qd.f32, 2),
    ],
)
def test_zero_one_unit_identity_are_kernel_only_as_upstream(make):
    with pytest.raises(AssertionError, match="cannot be called in Python-scope"):
        make()


def test_copies_are_independent():
    v = qd.Vector([1, 2])
    w = copy.deepcopy(v)
    w.x = 9
    assert v.x == 1 and copy.copy(v).to_list() == [1, 2]
    assert hash(v) == id(v)


def test_elements_of_vector_arrays_write_back():
    x = qd.Vector.ndarray(2, qd.f32, shape=(3,))
    f = qd.Matrix.field(2, 2, qd.i32, shape=(2,))
    e = x[1]
    assert isinstance(e, qd.Vector) and e.to_list() == [0.0, 0.0]
    x[1][0] = 4.0
    x[1].y = 5.0
    x[2] = qd.Vector([1.0, 2.0])
    assert x.to_numpy().tolist() == [[0.0, 0.0], [4.0, 5.0], [1.0, 2.0]]
    f[1][0, 1] = 3
    assert isinstance(f[0], qd.Matrix) and f.to_numpy()[1].tolist() == [[0, 3], [0, 0]]
    snapshot = x[1]
    x[1] = [7.0, 7.0]
    assert snapshot.to_list() == [4.0, 5.0]  # a read value is a snapshot


def test_kernel_returns_are_host_vectors_as_upstream():
    @qd.kernel
    def k() -> qd.types.vector(2, qd.f32):
        return qd.Vector([1.0, 2.0])

    v = k()
    assert isinstance(v, qd.Vector) and v.to_numpy().dtype == np.float32  # docs/semantics/programs.md §11
    assert np.asarray(v).tolist() == [1.0, 2.0] and v[1] == 2.0


def test_host_math_functions_apply_per_component():
    assert qd.sqrt(qd.Vector([4.0, 9.0])).to_list() == [2.0, 3.0]
    assert isinstance(qd.cos(qd.Vector([0.0])), qd.Vector)
    assert qd.max(4, qd.Vector([3, 4, 5])).to_list() == [4, 4, 5]
    assert qd.atan2(qd.Vector([0.0, 1.0]), qd.Vector([1.0, 0.0])).to_list()[0] == 0.0
    assert qd.select(qd.Vector([1, 0]), qd.Vector([2, 3]), qd.Vector([4, 5])).to_list() == [2, 5]
    assert qd.sqrt(4.0) == 2.0 and qd.select(0, 1, 2) == 2  # scalars as before


def test_type_objects_build_host_values_in_python_scope():
    vec4 = qd.types.vector(4, qd.f32)
    v = vec4(1, 2, 3, 4)
    assert isinstance(v, qd.Vector) and v.entries.dtype == np.float32 and v.norm_sqr() == 30.0
    assert isinstance(qd.types.matrix(2, 2, qd.i32)([[1, 2], [3, 4]]), qd.Matrix)
    assert qd.types.vector(3, qd.f32)(0.5).to_list() == [0.5, 0.5, 0.5]  # one value is broadcast

    @qd.kernel
    def norm() -> qd.f32:
        return v.norm()  # a captured host vector: a constant

    assert norm() == pytest.approx(30.0**0.5)


def test_swizzle_name_helper_lists_the_properties():
    from quadrants.lang.matrix import _generate_swizzle_patterns

    names = _generate_swizzle_patterns("xyzw")
    assert len(names) == 340 and names[:4] == ["x", "y", "z", "w"]
    assert all(hasattr(qd.Matrix, n) for n in names)
