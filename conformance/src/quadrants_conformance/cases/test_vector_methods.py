"""docs/semantics.md §13 (with §1: "matrix and vector methods as upstream defines them"): swizzles, methods and
class-level
constructors of vectors and matrices in kernel code (docs/compound-types.md).

Every method evaluates the same expression tree as upstream Quadrants, and ``+ - * /`` and ``sqrt`` are exact on every
backend, so these cases compare exactly; ``rsqrt`` (``norm_inv``) has its own case under the transcendental budget.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]
I32_1 = qd.types.NDArray[qd.i32, 1]
V3F_1 = qd.types.NDArray[qd.types.vector(3, qd.f32), 1]
M33F_1 = qd.types.NDArray[qd.types.matrix(3, 3, qd.f32), 1]
M22F_1 = qd.types.NDArray[qd.types.matrix(2, 2, qd.f32), 1]


def _out(n, dtype=qd.f32):
    return qd.ndarray(dtype, shape=(n,))


# ------------------------------------------------------------------------------------------ swizzles


@case(section="13", golden={"x": [2.0, 1.0, 3.0, 2.0, 1.0, 3.0, 3.0, 4.0, 1.0, 1.0, 3.0, 10.0]})
def swizzles_of_every_group_and_length():
    @qd.kernel
    def k(x: F32_1):
        v = qd.Vector([1.0, 2.0, 3.0, 4.0])
        a = v.yx
        b = v.zyx
        c = v.rgb
        d = v.stp
        x[0] = a[0]
        x[1] = a[1]
        x[2] = b[0]
        x[3] = b[1]
        x[4] = c.r
        x[5] = d[2]
        x[6] = v.xyzw.zw[0]
        x[7] = v.a
        x[8] = v.xx[1]
        x[9] = v.q - v.b  # stpq: q is the fourth component, b the third of rgba
        x[10] = v.xyz.zyx.x
        x[11] = v.xyzw.sum()

    x = _out(12)
    k(x)
    return {"x": x.to_numpy()}


@case(section="13", golden={"x": [9.0, 8.0, 3.0, 5.0, 5.0, 13.0, 2.0, 21.0, 0.0, 7.0, 6.0, 4.0]})
def swizzle_assignment_local_and_global():
    @qd.kernel
    def k(x: F32_1, g: V3F_1):
        v = qd.Vector([1.0, 2.0, 3.0])
        v.xy = qd.Vector([9.0, 8.0])
        x[0] = v.x
        x[1] = v.y
        x[2] = v.z
        v.xy = 5.0  # a scalar is broadcast
        x[3] = v.x
        x[4] = v.y
        v.zx += [10.0, 1.0]
        x[5] = v.z
        v.yx = v.xy.yx * 0.0 + [2.0, 21.0]  # v.y = 2, v.x = 21
        x[6] = v.y
        x[7] = v.x
        g[0].yz = [7.0, 6.0]
        g[1].x = 4.0
        x[8] = g[0].x
        x[9] = g[0].y
        x[10] = g[0].z
        x[11] = g[1].x

    x = _out(12)
    g = qd.Vector.ndarray(3, qd.f32, shape=(2,))
    k(x, g)
    return {"x": x.to_numpy()}


@case(section="13", golden={"x": [6.0]})
def swizzle_repeated_letter_last_write_wins():
    @qd.kernel
    def k(x: F32_1):
        v = qd.Vector([1.0, 2.0, 3.0])
        v.xx = [5.0, 6.0]
        x[0] = v.x

    x = _out(1)
    k(x)
    return {"x": x.to_numpy()}


@case(section="13", raises=(qd.QuadrantsSyntaxError, "vec3 only has attributes=('x', 'y', 'z'), got=('w',)"))
def swizzle_beyond_the_vector_size_error():
    @qd.kernel
    def k(x: F32_1):
        v = qd.Vector([1.0, 2.0, 3.0])
        x[0] = v.w

    k(_out(1))


@case(section="13", raises=(qd.QuadrantsTypeError, "cannot assign '[Tensor (3) f32]' to '[Tensor (2) f32]'"))
def swizzle_assignment_length_mismatch_error():
    @qd.kernel
    def k(x: F32_1):
        v = qd.Vector([1.0, 2.0, 3.0])
        v.xy = [5.0, 6.0, 7.0]
        x[0] = v.x

    k(_out(1))


@case(section="13", raises=(qd.QuadrantsIndexError, "Expected 2 indices, got 1"))
def swizzle_of_a_matrix_error():
    @qd.kernel
    def k(x: F32_1):
        m = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        x[0] = m.x

    k(_out(1))


# ------------------------------------------------------------------------------------------ methods


@case(
    section="13",
    golden={"x": [5.0, 25.0, 0.6, 0.8, 5.0, 0.375, 0.5, 13.0, 25.0, 2.0, 2.5, 1.25]},
)
def norms_and_normalized():
    @qd.kernel
    def k(x: F32_1):
        v = qd.Vector([3.0, 4.0])
        x[0] = v.norm()
        x[1] = v.norm_sqr()
        n = v.normalized()
        x[2] = n[0]
        x[3] = n[1]
        iv = qd.Vector([3, 4])
        x[4] = iv.norm()  # an integer vector has an f32 norm
        w = qd.Vector([3.0, 4.0]).normalized(eps=3.0)  # 1 / (5 + 3) * v
        x[5] = w[0]
        x[6] = w[1]
        x[7] = qd.Vector([5.0, 12.0]).norm(eps=0.0)
        x[8] = qd.Vector([0.0, 24.0]).norm(eps=49.0)
        x[9] = qd.Matrix([[1.0, 1.0], [1.0, 1.0]]).norm()  # the Frobenius norm of a matrix
        half = iv.norm() / 2  # f32
        x[10] = half
        x[11] = qd.Vector([1.0, 0.5]).norm_sqr()

    x = _out(12)
    k(x)
    return {"x": x.to_numpy()}


@case(section="13", tol="transcendental", golden={"x": [0.2, 0.5, 1.0 / 6.0**0.5]})
def norm_inv_is_rsqrt_of_norm_sqr():
    @qd.kernel
    def k(x: F32_1):
        x[0] = qd.Vector([3.0, 4.0]).norm_inv()
        x[1] = qd.Vector([0.0, 0.0]).norm_inv(eps=4.0)
        x[2] = qd.Vector([1, 2, 1]).norm_inv()

    x = _out(3)
    k(x)
    return {"x": x.to_numpy()}


@case(
    section="13",
    golden={
        "f": [32.0, -3.0, 6.0, -3.0, -2.0, 4.0, 10.0, 70.0, 5.0, 3.0, 10.0, 1.0, 4.0, -1.0],
        "i": [1, 0, 1, 1, 0, 0],
    },
)
def products_reductions_and_predicates():
    @qd.kernel
    def k(f: F32_1, i: I32_1):
        a = qd.Vector([1.0, 2.0, 3.0])
        b = qd.Vector([4.0, 5.0, 6.0])
        f[0] = a.dot(b)
        c = a.cross(b)
        f[1] = c[0]
        f[2] = c[1]
        f[3] = c[2]
        f[4] = qd.Vector([1.0, 2.0]).cross(qd.Vector([3.0, 4.0]))  # 2D: a scalar
        o = qd.Vector([1.0, 2.0]).outer_product(qd.Vector([3.0, 4.0, 2.0]))
        f[5] = o[1, 2]
        m = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        f[6] = m.sum()
        f[7] = m.frobenius_inner(qd.Matrix([[5.0, 6.0], [7.0, 8.0]]))
        f[8] = m.trace()
        f[9] = m.transpose()[0, 1]
        f[10] = m.transpose().sum() + m.min() - 1.0  # (m.T is no attribute in kernels, as upstream)
        f[11] = m.min()
        f[12] = m.max()
        f[13] = qd.Vector([3.0, -1.0, 2.0]).min()
        i[0] = qd.Vector([0, 0, 1]).any()
        i[1] = qd.Vector([0, 0, 1]).all()
        i[2] = qd.Vector([1, 2, 3]).all()
        i[3] = qd.Matrix([[0.0, 0.5], [0.0, 0.0]]).any()
        i[4] = qd.Vector([0.0, 0.0]).any()
        i[5] = qd.Vector([1, 0]).all()

    f = _out(14)
    i = _out(6, qd.i32)
    k(f, i)
    return {"f": f.to_numpy(), "i": i.to_numpy()}


@case(section="13", golden={"i": [7, -2, -30, 42], "f": [-2.0, 0.5, 16.0]})
def determinants_of_sizes_one_to_four():
    @qd.kernel
    def k(i: I32_1, f: F32_1):
        i[0] = qd.Matrix([[7]]).determinant()
        i[1] = qd.Matrix([[1, 2], [3, 4]]).determinant()
        i[2] = qd.Matrix([[2, 0, 1], [1, 3, 2], [1, 1, 0]]).determinant() * 5
        i[3] = qd.Matrix([[2, 0, 0, 1], [0, 3, 0, 0], [0, 0, 1, 0], [1, 0, 0, 7]]).determinant() + 3
        f[0] = qd.Matrix([[1.0, 2.0], [3.0, 4.0]]).determinant()
        f[1] = qd.Matrix([[0.5, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 0.5]]).determinant()
        f[2] = qd.Matrix(
            [[2.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 2.0]]
        ).determinant()

    i = _out(4, qd.i32)
    f = _out(3)
    k(i, f)
    return {"i": i.to_numpy(), "f": f.to_numpy()}


@case(
    section="13",
    golden={
        "m2": [[-2.0, 1.0], [1.5, -0.5]],
        "m3": [[0.5, 0.0, 0.0], [0.0, 0.25, 0.0], [0.0, -0.25, 1.0]],
        "m4": [[0.5, 0.0, 0.0, -0.5], [0.0, 0.5, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
        "one": 0.25,
    },
)
def inverses_by_cofactors():
    M22 = qd.types.NDArray[qd.types.matrix(2, 2, qd.f32), 1]
    M44 = qd.types.NDArray[qd.types.matrix(4, 4, qd.f32), 1]

    @qd.kernel
    def k(m2: M22, m3: M33F_1, m4: M44, one: F32_1):
        m2[0] = qd.Matrix([[1, 2], [3, 4]]).inverse()  # an integer matrix has an f32 inverse
        m3[0] = qd.Matrix([[2.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 1.0, 1.0]]).inverse()
        m4[0] = qd.Matrix(
            [[2.0, 0.0, 0.0, 1.0], [0.0, 2.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
        ).inverse()
        one[0] = qd.Matrix([[4.0]]).inverse()[0, 0]

    m2 = qd.Matrix.ndarray(2, 2, qd.f32, shape=(1,))
    m3 = qd.Matrix.ndarray(3, 3, qd.f32, shape=(1,))
    m4 = qd.Matrix.ndarray(4, 4, qd.f32, shape=(1,))
    one = _out(1)
    k(m2, m3, m4, one)
    return {"m2": m2.to_numpy()[0], "m3": m3.to_numpy()[0], "m4": m4.to_numpy()[0], "one": one.to_numpy()[0]}


@case(section="13")
def inverse_of_a_run_time_5x5_matrix_by_pivoting_elimination():
    M55 = qd.types.NDArray[qd.types.matrix(5, 5, qd.f32), 1]

    @qd.kernel
    def k(src: M55, dst: M55):
        for i in range(src.shape[0]):
            dst[i] = src[i].inverse()

    rng = np.random.default_rng(7)
    values = rng.integers(-4, 5, size=(3, 5, 5)).astype(np.float32) + 6.0 * np.eye(5, dtype=np.float32)
    values[2] = values[2][[1, 0, 2, 3, 4]]  # a zero-free permutation that makes the first pivot search swap rows
    src = qd.Matrix.ndarray(5, 5, qd.f32, shape=(3,))
    src.from_numpy(values)
    dst = qd.Matrix.ndarray(5, 5, qd.f32, shape=(3,))
    k(src, dst)
    out = dst.to_numpy()
    # the same operations on every backend (exact compare); the product with the input is the identity up to rounding
    ok = bool(np.allclose(values.astype(np.float64) @ out.astype(np.float64), np.eye(5), atol=1e-4))
    return {"inverse": out, "is_inverse": ok}


@case(section="13", golden={"x": [1.0, 2.0, 2.0, 6.0, 7.0, 10.0, 11.0, 17.0]})
def matrix_products_of_every_shape():
    @qd.kernel
    def k(x: F32_1):
        m = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        v = qd.Vector([1.0, 0.5])
        a = m @ v  # (2, 5)
        x[0] = a[0] - 1.0
        x[1] = a[0]
        b = v @ m  # m.transpose() @ v = (2.5, 4)
        x[2] = b[0] - 0.5
        x[3] = b[1] + 2.0
        x[4] = (m @ m)[0, 0] + (v @ v) - 1.25  # 7 + 1.25 - 1.25
        x[5] = (m @ m)[0, 1]
        x[6] = (m @ qd.Vector([1.0, 2.0]))[1] + 0.0  # (5, 11); a list operand is an error
        x[7] = (m @ m).sum() - 37.0 + 0.0 * b[0]  # 54 - 37

    x = _out(8)
    k(x)
    return {"x": x.to_numpy()}


@case(section="13", raises=(qd.QuadrantsCompilationError, "'T'"))
def dot_t_attribute_in_kernels_error():
    @qd.kernel
    def k(x: F32_1):
        m = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        x[0] = m.T[0, 1]  # write m.transpose()

    k(_out(1))


@case(section="13", raises=(qd.QuadrantsCompilationError, "'list' object"))
def matmul_with_a_list_operand_error():
    @qd.kernel
    def k(x: F32_1):
        m = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        x[0] = (m @ [1.0, 2.0])[1]  # write qd.Vector([1.0, 2.0])

    k(_out(1))


@case(
    section="13",
    golden={"x": [2.0, 3.0, 4.0, 1.0, 10.0, 7.0], "g": [[[0.0, 0.0], [0.0, 0.0]], [[0.0, 5.0], [0.0, 0.0]]]},
)
def run_time_indices_of_matrices():
    @qd.kernel
    def k(x: F32_1, g: M22F_1, i: qd.i32, j: qd.i32):
        m = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        x[0] = m[0, j]
        x[1] = m[i, 0]
        x[2] = m[i, j]
        x[3] = m[j - 1, j - 1]
        m[i, j] = 10.0  # a store with run-time indices
        x[4] = m[1, 1]
        v = qd.Vector([5.0, 6.0, 0.0])
        v[i + 1] = 7.0
        x[5] = v[2]
        g[1][j - 1, i] = 5.0  # a run-time component of an ndarray element

    x = _out(6)
    g = qd.Matrix.ndarray(2, 2, qd.f32, shape=(2,))
    k(x, g, 1, 1)
    return {"x": x.to_numpy(), "g": g.to_numpy()}


@case(section="13", raises=(qd.QuadrantsIndexError, "Expected 2 indices, got 1"))
def matrix_indexed_with_one_index_error():
    @qd.kernel
    def k(x: F32_1):
        m = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        x[0] = m[0][0]

    k(_out(1))


@case(section="13", raises=(qd.QuadrantsIndexError, "Expected 1 indices, got 2"))
def vector_indexed_with_two_indices_error():
    @qd.kernel
    def k(x: F32_1):
        v = qd.Vector([1.0, 2.0])
        x[0] = v[0, 0]

    k(_out(1))


@case(section="13", golden={"i": [1, 2, 3, 1, 0, 1, 5], "f": [1.5, 0.5, 2.5]})
def cast_and_fill_of_local_vectors():
    @qd.kernel
    def k(i: I32_1, f: F32_1):
        v = qd.Vector([1.7, 2.2, 3.9])
        w = v.cast(int)
        i[0] = w[0]
        i[1] = w[1]
        i[2] = w[2]
        u = qd.Vector([1, 0, 0]).cast(qd.u8)
        i[3] = u[0]
        i[4] = u[1]
        z = qd.Vector([1, 2]).cast(float) / 4  # f32 components
        i[5] = z[0] * 4
        m = qd.Matrix([[1, 2], [3, 4]])
        m.fill(5)
        i[6] = m[1, 0]
        q = qd.Vector([0.0, 0.0, 0.0])
        q.fill(1.5)
        f[0] = q[0]
        f[1] = qd.Vector([1, 2]).cast(qd.f32)[0] / 2
        f[2] = q.sum() - 2.0

    i = _out(7, qd.i32)
    f = _out(3)
    k(i, f)
    return {"i": i.to_numpy(), "f": f.to_numpy()}


@case(section="13", golden={"v": [[0.0, 0.0, 0.0], [7.0, 7.0, 7.0]]})
def fill_of_an_ndarray_element_writes_the_element():
    @qd.kernel
    def k(v: V3F_1):
        v[1].fill(7)

    v = qd.Vector.ndarray(3, qd.f32, shape=(2,))
    k(v)
    return {"v": v.to_numpy()}


@case(
    section="13",
    golden={
        "f": [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 2.5, 3.0, 2.0, 0.5, 1.5, 1.0, 0.25, 1.0, 4.0, 3.0],
        "shapes": [3, 2, 3, 2],
    },
)
def class_level_constructors():
    @qd.kernel
    def k(f: F32_1):
        a = qd.Vector.zero(qd.f32, 3)
        b = qd.Vector.one(qd.f32, 3)
        c = qd.Vector.unit(3, 1)
        f[0] = a[0]
        f[1] = b[2]
        f[2] = c[0]
        f[3] = c[1]
        e = qd.Matrix.identity(qd.f32, 3)
        f[4] = e[0, 1]
        f[5] = e[2, 2]
        d = qd.Matrix.diag(2, 2.5)
        f[6] = d[1, 1] + d[0, 1]
        r = qd.Matrix.rows([qd.Vector([1.0, 2.0]), qd.Vector([3.0, 4.0])])
        cl = qd.Matrix.cols([qd.Vector([1.0, 2.0]), qd.Vector([3.0, 4.0])])
        f[7] = r[1, 0]
        f[8] = cl[1, 0]
        f[9] = qd.Vector.unit(3, 1)[1] / 2  # dt defaults to int: an i32 vector, / gives f32
        f[10] = qd.Matrix.diag(2, 3)[0, 0] / 2
        f[11] = qd.Matrix.zero(qd.f32, 2, 3)[1, 2] + qd.Matrix.one(qd.i32, 2, 2)[1, 1]
        f[12] = qd.Vector.one(int, 2)[0] / 4
        f[13] = qd.Vector([1, 2], dt=qd.f32)[0]
        f[14] = qd.Vector([1.9, 4.2], qd.i32)[1]  # dt positional; components converted
        f[15] = qd.Matrix.rows([[1, 2], [3, 4]]).transpose()[0, 1]

    f = _out(16)
    k(f)

    @qd.kernel
    def shapes() -> qd.types.vector(4, qd.i32):
        return qd.Vector([qd.Vector.zero(int, 3).n, qd.Matrix.zero(int, 2, 3).n, qd.Matrix.zero(int, 2, 3).m, 2])

    return {"f": f.to_numpy(), "shapes": shapes()}


@case(section="13", golden={"x": [1.0, 2.5, 1.0, 2.5, 2.0, 2.0]})
def result_types_follow_upstream():
    """int vectors: norm, normalized and inverse are f32; sum and norm_sqr keep the integer type; any/all are u1."""

    @qd.kernel
    def k(x: F32_1):
        v = qd.Vector([1, 2])
        a = v.norm()
        a = 2.5  # a is f32: keeps 2.5
        x[0] = v.norm_sqr() - 4  # i32 5 - 4
        x[1] = a
        s = v.sum()
        s = 1.5  # s is i32: 1
        x[2] = s
        n = v.normalized()[0]
        n = 2.5
        x[3] = n
        t = qd.Vector([1, 1]).any()
        t = 2  # u1: any non-zero value converts to 1 (docs/semantics.md §5)
        x[4] = t + 1
        d = qd.Matrix([[1, 2], [3, 4]]).determinant()
        d = 2.5  # i32
        x[5] = d

    x = _out(6)
    k(x)
    return {"x": x.to_numpy()}


@case(section="13", golden={"x": [-2.0, 6.0, 3.0, 14.0, 2.0, 3.0]})
def methods_called_through_the_class_and_host_constants():
    g = qd.Vector([1.0, 2.0, 3.0])  # a captured host vector is a constant in kernel code
    gm = qd.Matrix([[1, 2], [3, 4]])

    @qd.kernel
    def k(x: F32_1):
        v = qd.Vector([2.0, 1.0, 0.0])
        x[0] = qd.Vector.cross(v, g)[0] - 5.0  # qd.Vector.cross(a, b) is a.cross(b) = (3, -6, 3)
        x[1] = qd.Matrix.dot(v, g) + 2.0
        x[2] = g.z
        x[3] = g.norm_sqr()
        x[4] = gm.transpose()[0, 1] - 1
        x[5] = g.xy.sum()

    x = _out(6)
    k(x)
    return {"x": x.to_numpy()}


@case(section="8", golden={"x": [22.0, 7.0, 1.5, 3.0, 5.0]})
def vector_and_matrix_parameters_are_passed_by_value():
    @qd.kernel
    def k(v: qd.types.vector(3, qd.f32), m: qd.math.mat2, c: qd.types.vector(2, qd.i32), x: F32_1):
        v[0] += m[1, 1]  # the kernel works on a copy
        x[0] = v.dot(v)
        x[1] = (m @ v.xy).sum()
        x[2] = c.x / 2
        x[3] = v.z

    x = _out(5)
    v = qd.Vector([1.0, 2.0, 3.0])
    k(v, np.array([[1, 0], [0, 2]]), [3, 1], x)  # a host vector, a NumPy array, a list (for a vector)
    x[4] = v.x * 5  # the argument itself is unchanged
    return {"x": x.to_numpy()}


@case(section="13", raises=(TypeError, "list indices must be integers or slices, not tuple"))
def nested_list_for_a_matrix_parameter_error():
    @qd.kernel
    def k(m: qd.math.mat2, x: F32_1):
        x[0] = m[1, 1]

    k([[1, 0], [0, 2]], _out(1))  # pass qd.Matrix([[1, 0], [0, 2]]) or a NumPy array


@case(section="13", raises=(qd.QuadrantsRuntimeTypeError, "cannot be converted into required type i32"))
def float_components_for_an_integer_vector_parameter_error():
    @qd.kernel
    def k(c: qd.types.vector(2, qd.i32), x: F32_1):
        x[0] = c.x

    k(np.array([3.7, 1.0]), _out(1))  # no implicit float -> int conversion of vector arguments


# ------------------------------------------------------------------------------------------ errors


@case(section="13", raises=(qd.QuadrantsTypeError, "unsupported operand type(s) for '*': '[Tensor (2) f32]' and"))
def dot_of_different_sizes_error():
    @qd.kernel
    def k(x: F32_1):
        x[0] = qd.Vector([1.0, 2.0]).dot(qd.Vector([1.0, 2.0, 3.0]))

    k(_out(1))


@case(section="13", raises=(qd.QuadrantsCompilationError, "`transpose()` cannot apply to a vector"))
def transpose_of_a_vector_error():
    @qd.kernel
    def k(x: F32_1):
        x[0] = qd.Vector([1.0, 2.0]).transpose()[0, 0]

    k(_out(1))


@case(section="13", raises=(qd.QuadrantsCompilationError, "only dimension < 5 is supported, got shape (5, 5)"))
def determinant_of_a_5x5_matrix_error():
    @qd.kernel
    def k(x: F32_1):
        x[0] = qd.Matrix.identity(qd.f32, 5).determinant()

    k(_out(1))


@case(section="13", raises=(qd.QuadrantsCompilationError, "expected a square matrix, got shape (2,)"))
def trace_of_a_vector_error():
    @qd.kernel
    def k(x: F32_1):
        x[0] = qd.Vector([1.0, 2.0]).trace()

    k(_out(1))


@case(section="13", raises=(qd.QuadrantsCompilationError, "Getting m of tensor type < 2D"))
def m_of_a_vector_error():
    @qd.kernel
    def k(x: F32_1):
        x[0] = qd.Vector([1.0, 2.0]).m

    k(_out(1))
