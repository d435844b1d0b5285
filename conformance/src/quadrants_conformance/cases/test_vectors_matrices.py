"""docs/semantics.md §13 (with §4.2, §7, §9, §11 and §12): vectors and matrices.

Vectors and matrices are values in kernel code (lowered to scalars by the frontend), elements of vector/matrix
ndarrays, and kernel return values. Values are chosen so that every float result is exact.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
V2F_1 = qd.types.NDArray[qd.types.vector(2, qd.f32), 1]
V3F_1 = qd.types.NDArray[qd.types.vector(3, qd.f32), 1]
V3I_1 = qd.types.NDArray[qd.types.vector(3, qd.i32), 1]
M22F_1 = qd.types.NDArray[qd.types.matrix(2, 2, qd.f32), 1]
M22I_1 = qd.types.NDArray[qd.types.matrix(2, 2, qd.i32), 1]


# ------------------------------------------------------------------------------------------ construction and types


@case(section="13", golden={"f": [2.5, 2.25], "i": [2, 3]})
def vector_literal_promotes_its_elements():
    @qd.kernel
    def k(f: F32_1, i: I32_1):
        v = qd.Vector([1, 2.0, 3])  # f32
        a = v[0]
        a = 2.5  # a is f32: keeps 2.5
        f[0] = a
        w = qd.Vector([1, 2, 3])  # i32
        b = w[0]
        b = 2.5  # b is i32: 2
        i[0] = b
        u = w * 0.5  # i32 vector * f32 scalar: f32 vector
        c = u[0]
        c = 2.25
        f[1] = c
        i[1] = w[2]

    f = qd.ndarray(qd.f32, shape=(2,))
    i = qd.ndarray(qd.i32, shape=(2,))
    k(f, i)
    return {"f": f.to_numpy(), "i": i.to_numpy()}


@case(section="13", golden={"x": [10, 30, 2, 3, 4]})
def vector_and_matrix_element_access():
    @qd.kernel
    def k(x: I32_1):
        v = qd.Vector([10, 20, 30])
        m = qd.Matrix([[1, 2], [3, 4]])
        x[0] = v[0]
        x[1] = v[2]
        x[2] = m[0, 1]
        x[3] = m[1, 0]
        x[4] = m[1, 1]

    x = qd.ndarray(qd.i32, shape=(5,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="13", golden={"f": [2.5, 2.0], "i": [2, 3, 1, 2], "m": [[[1.0, 2.0], [3.0, 4.0]]]})
def math_vector_and_matrix_types():
    @qd.kernel
    def k(f: F32_1, i: I32_1, m: M22F_1):
        v = qd.math.vec2(1, 2)  # f32 components
        a = v[0]
        a = 2.5
        f[0] = a
        f[1] = v[1]
        iv = qd.math.ivec3(1, 2, 3)  # i32 components
        b = iv[0]
        b = 2.5
        i[0] = b
        i[1] = iv[2]
        i[2] = qd.math.ivec4(1, 2, 3, 4)[0]
        i[3] = qd.math.ivec2(5, 2)[1]
        m[0] = qd.math.mat2([[1, 2], [3, 4]])

    f = qd.ndarray(qd.f32, shape=(2,))
    i = qd.ndarray(qd.i32, shape=(4,))
    m = qd.Matrix.ndarray(2, 2, qd.f32, shape=(1,))
    k(f, i, m)
    return {"f": f.to_numpy(), "i": i.to_numpy(), "m": m.to_numpy()}


@case(section="13", golden={"v": [[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]], "m": [[[1, 2], [3, 4]]], "f": [2.5]})
def types_vector_and_matrix_as_constructors():
    vec3 = qd.types.vector(3, qd.f32)
    imat2 = qd.types.matrix(2, 2, qd.i32)

    @qd.kernel
    def k(v: V3F_1, m: M22I_1, f: F32_1):
        a = vec3(1, 2, 3)  # components converted to f32
        v[0] = a
        v[1] = vec3(0.5, 0.5, 0.5)
        m[0] = imat2([[1, 2], [3, 4]])
        c = a[0]
        c = 2.5
        f[0] = c

    v = qd.Vector.ndarray(3, qd.f32, shape=(2,))
    m = qd.Matrix.ndarray(2, 2, qd.i32, shape=(1,))
    f = qd.ndarray(qd.f32, shape=(1,))
    k(v, m, f)
    return {"v": v.to_numpy(), "m": m.to_numpy(), "f": f.to_numpy()}


@case(section="13", golden={"x": [1.0, 2.0, 3.0, 4.0, 2.0, 3.0]})
def swizzle_components():
    @qd.kernel
    def k(x: F32_1, src: V3F_1):
        v = qd.Vector([1.0, 2.0, 3.0, 4.0])
        x[0] = v.x
        x[1] = v.y
        x[2] = v.z
        x[3] = v.w
        x[4] = src[0].y
        x[5] = src[0].z

    src = qd.Vector.ndarray(3, qd.f32, shape=(1,))
    src.from_numpy(np.array([[1.0, 2.0, 3.0]], dtype=np.float32))
    x = qd.ndarray(qd.f32, shape=(6,))
    k(x, src)
    return {"x": x.to_numpy()}


# ------------------------------------------------------------------------------------------ arithmetic


@case(
    section="13",
    golden={
        "out": [[8.0, 11.0, 14.0], [1.5, 1.0, 0.5], [-1.0, -4.0, -9.0], [3.0, 6.0, 9.0]],
    },
)
def vector_elementwise_arithmetic():
    @qd.kernel
    def k(out: V3F_1):
        a = qd.Vector([1.0, 2.0, 3.0])
        b = qd.Vector([4.0, 5.0, 6.0])
        out[0] = a + b * 2 - 1
        out[1] = 2 - a / 2
        out[2] = -a * a
        c = a
        c = c * 2  # rebinding a local vector with a value of the same shape
        c += a  # a plain update on a local
        out[3] = c

    out = qd.Vector.ndarray(3, qd.f32, shape=(4,))
    k(out)
    return {"out": out.to_numpy()}


@case(section="4.3", golden={"out": [[3, -4, 4], [1, 1, 1], [-3, 4, -4]]})
def integer_vector_floor_division_and_modulo():
    @qd.kernel
    def k(out: V3I_1):
        v = qd.Vector([7, -7, 9])
        out[0] = v // 2
        out[1] = v % 2
        out[2] = -(v // 2)

    out = qd.Vector.ndarray(3, qd.i32, shape=(3,))
    k(out)
    return {"out": out.to_numpy()}


@case(section="13", golden={"m": [[[3.0, 6.0], [9.0, 12.0]], [[0.0, -1.0], [1.0, 0.0]]]})
def matrix_elementwise_arithmetic():
    @qd.kernel
    def k(m: M22F_1):
        a = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        m[0] = a * 2 + a
        m[1] = a - a.transpose()

    m = qd.Matrix.ndarray(2, 2, qd.f32, shape=(2,))
    k(m)
    return {"m": m.to_numpy()}


@case(section="13", golden={"s": [32, 14, 6, 15], "c": [[-3, 6, -3]]})
def dot_cross_norm_sqr_sum():
    @qd.kernel
    def k(s: I32_1, c: V3I_1):
        a = qd.Vector([1, 2, 3])
        b = qd.Vector([4, 5, 6])
        s[0] = a.dot(b)
        s[1] = a.norm_sqr()
        s[2] = a.sum()
        s[3] = b.sum()
        c[0] = a.cross(b)

    s = qd.ndarray(qd.i32, shape=(4,))
    c = qd.Vector.ndarray(3, qd.i32, shape=(1,))
    k(s, c)
    return {"s": s.to_numpy(), "c": c.to_numpy()}


@case(section="13", golden={"n": [5.0, 5.0, 2.0], "u": [[0.5, 0.5, 0.5], [0.0, 0.0, 1.0]]})
def norm_and_normalized():
    @qd.kernel
    def k(n: F32_1, u: V3F_1):
        n[0] = qd.Vector([3.0, 4.0]).norm()
        n[1] = qd.Vector([3, 4]).norm()  # an int vector's norm is default_fp
        v = qd.Vector([1.0, 1.0, 1.0, 1.0])
        n[2] = v.norm()
        w = v.normalized()
        u[0] = qd.Vector([w[0], w[1], w[2]])
        u[1] = qd.Vector([0.0, 0.0, 8.0]).normalized()

    n = qd.ndarray(qd.f32, shape=(3,))
    u = qd.Vector.ndarray(3, qd.f32, shape=(2,))
    k(n, u)
    return {"n": n.to_numpy(), "u": u.to_numpy()}


@case(section="13", golden={"mv": [[17.0, 39.0]], "mm": [[[7.0, 10.0], [15.0, 22.0]]], "tv": [[23.0, 34.0]]})
def matrix_products():
    @qd.kernel
    def k(mv: V2F_1, mm: M22F_1, tv: V2F_1):
        m = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        v = qd.Vector([5.0, 6.0])
        mv[0] = m @ v
        mm[0] = m @ m
        tv[0] = m.transpose() @ v

    mv = qd.Vector.ndarray(2, qd.f32, shape=(1,))
    mm = qd.Matrix.ndarray(2, 2, qd.f32, shape=(1,))
    tv = qd.Vector.ndarray(2, qd.f32, shape=(1,))
    k(mv, mm, tv)
    return {"mv": mv.to_numpy(), "mm": mm.to_numpy(), "tv": tv.to_numpy()}


@case(section="13", golden={"t": [[[1.0, 3.0], [2.0, 4.0]]], "d": [-2.0, 6.0, -12.0, 7.0, 5.0]})
def transpose_determinant_trace():
    @qd.kernel
    def k(t: M22F_1, d: F32_1):
        m2 = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        m3 = qd.Matrix([[2.0, 0.0, 1.0], [1.0, 3.0, 2.0], [1.0, 1.0, 2.0]])
        m4 = qd.Matrix([[1.0, 2.0, 0.0, 0.0], [3.0, 4.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 3.0]])
        t[0] = m2.transpose()
        d[0] = m2.determinant()
        d[1] = m3.determinant()
        d[2] = m4.determinant()
        d[3] = m3.trace()
        d[4] = m2.trace()

    t = qd.Matrix.ndarray(2, 2, qd.f32, shape=(1,))
    d = qd.ndarray(qd.f32, shape=(5,))
    k(t, d)
    return {"t": t.to_numpy(), "d": d.to_numpy()}


@case(section="6", golden={"out": [[2.0, 3.0, 4.0], [1.0, 2.0, 0.5]]})
def elementwise_math_functions():
    @qd.kernel
    def k(out: V3F_1):
        out[0] = qd.sqrt(qd.Vector([4.0, 9.0, 16.0]))
        out[1] = qd.sqrt(qd.Vector([1, 4, 0])) + qd.Vector([0.0, 0.0, 0.5])  # int components: default_fp

    out = qd.Vector.ndarray(3, qd.f32, shape=(2,))
    k(out)
    return {"out": out.to_numpy()}


# ------------------------------------------------------------------------------------------ locals


@case(section="9", golden={"x": [1140, 4110, 2130, 3120]})
def runtime_index_reads_and_writes_on_local_vector():
    @qd.kernel
    def k(x: I32_1, idx: I32_1):
        for i in range(4):
            v = qd.Vector([10, 20, 30, 40])
            j = idx[i]
            v[j] = v[j] + 1
            x[i] = v[j] * 100 + v[3 - j]

    x = qd.ndarray(qd.i32, shape=(4,))
    idx = qd.ndarray(qd.i32, shape=(4,))
    idx.from_numpy(np.array([0, 3, 1, 2], dtype=np.int32))
    k(x, idx)
    return {"x": x.to_numpy()}


@case(section="7", golden={"x": [102, 1, 2]})
def vector_argument_to_func_is_copied():
    @qd.func
    def mutate(v):
        v[0] = 100
        return v[0] + v[1]

    @qd.kernel
    def k(x: I32_1):
        a = qd.Vector([1, 2])
        x[0] = mutate(a)
        x[1] = a[0]
        x[2] = a[1]

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", golden={"x": [[0.0, 0.0], [1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]})
def per_iteration_local_vectors():
    @qd.kernel
    def k(x: V2F_1):
        for i in range(4):
            v = qd.Vector([i, 2 * i])
            x[i] = v

    x = qd.Vector.ndarray(2, qd.f32, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


# ------------------------------------------------------------------------------------------ vector/matrix ndarrays


@case(
    section="13",
    golden={
        "x": [[0, 100, 0], [1, 102, 3], [2, 104, 6], [3, 106, 9]],
        "shape": (4, 3),
        "c": [0, 3, 6, 9],
        "host": [[1, 2, 3], [4, 5, 6]],
    },
)
def vector_ndarray_elements_and_components():
    @qd.kernel
    def k(x: V3I_1, c: I32_1):
        for i in range(4):
            x[i] = qd.Vector([i, 2 * i, 3 * i])
            x[i][1] += 100
            c[i] = x[i][2]

    x = qd.Vector.ndarray(3, qd.i32, shape=(4,))
    c = qd.ndarray(qd.i32, shape=(4,))
    k(x, c)
    out = x.to_numpy()
    h = qd.Vector.ndarray(3, qd.i32, shape=(2,))
    h.from_numpy(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32))
    return {"x": out, "shape": out.shape, "c": c.to_numpy(), "host": h.to_numpy()}


@case(
    section="13",
    golden={"m": [[[0.0, 1.0], [2.0, 3.0]], [[1.0, 1.0], [2.0, 3.0]]], "shape": (2, 2, 2), "e": [1.0, 2.0, 1.0]},
)
def matrix_ndarray_elements():
    @qd.kernel
    def k(m: M22F_1, e: F32_1):
        for i in range(2):
            m[i] = qd.Matrix([[i, 1.0], [2.0, 3.0]])
        e[0] = m[1][0, 1]
        e[1] = m[0][1, 0]
        e[2] = m[1].determinant()

    m = qd.Matrix.ndarray(2, 2, qd.f32, shape=(2,))
    e = qd.ndarray(qd.f32, shape=(3,))
    k(m, e)
    out = m.to_numpy()
    return {"m": out, "shape": out.shape, "e": e.to_numpy()}


@case(section="10", golden={"x": [[0.0, 0.0], [1.0, -1.0], [2.0, -2.0]]})
def struct_for_over_vector_ndarray_visits_indices():
    @qd.kernel
    def k(x: V2F_1):
        for i in x:
            x[i] = qd.Vector([i, -i])

    x = qd.Vector.ndarray(2, qd.f32, shape=(3,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="8", raises=(ValueError, "required element type: VectorType[3, f32], but f32 is provided"))
def scalar_ndarray_for_vector_parameter_error():
    @qd.kernel
    def k(x: V3F_1):
        x[0] = qd.Vector([1.0, 2.0, 3.0])

    k(qd.ndarray(qd.f32, shape=(3,)))


# ------------------------------------------------------------------------------------------ atomics


@case(section="12", golden={"x": [[10, 20, 30], [-5, 0, 5]]})
def vector_augmented_add_is_per_component_atomic():
    @qd.kernel
    def k(x: V3I_1):
        for _ in range(10):
            x[0] += qd.Vector([1, 2, 3])
        for _ in range(5):
            x[1] -= qd.Vector([1, 0, -1])

    x = qd.Vector.ndarray(3, qd.i32, shape=(2,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="12", golden={"x": [[11, 22, 33], [4, 4, 4]], "old": [[1, 2, 3], [0, 0, 0]]})
def vector_atomic_add_returns_old_vector():
    @qd.kernel
    def k(x: V3I_1, old: V3I_1):
        old[0] = qd.atomic_add(x[0], qd.Vector([10, 20, 30]))  # a serial statement
        for _ in range(4):
            qd.atomic_add(x[1], qd.Vector([1, 1, 1]))

    x = qd.Vector.ndarray(3, qd.i32, shape=(2,))
    x.from_numpy(np.array([[1, 2, 3], [0, 0, 0]], dtype=np.int32))
    old = qd.Vector.ndarray(3, qd.i32, shape=(2,))
    k(x, old)
    return {"x": x.to_numpy(), "old": old.to_numpy()}


@case(section="12", requires=("atomic:f32",), golden={"m": [[[4.0, -2.0], [1.0, 0.5]]]})
def matrix_atomic_add_per_component_float():
    @qd.kernel
    def k(m: M22F_1):
        for _ in range(4):
            m[0] += qd.Matrix([[1.0, -0.5], [0.25, 0.125]])

    m = qd.Matrix.ndarray(2, 2, qd.f32, shape=(1,))
    k(m)
    return {"m": m.to_numpy()}


# ------------------------------------------------------------------------------------------ returns


@case(
    section="11",
    golden={"classes": [True, True], "v": [1.0, 2.5, -3.0], "i": [1, 2, 3], "m": [[1, 2], [3, 4]], "dtype": "int32"},
)
def vector_and_matrix_returns_are_host_vectors():
    @qd.kernel
    def kv(a: qd.f32) -> qd.types.vector(3, qd.f32):
        return qd.Vector([1.0, a, -3.0])

    @qd.kernel
    def ki() -> qd.types.vector(3, qd.i32):
        return qd.Vector([1.7, 2.2, 3.9]).cast(qd.i32)  # float components are converted explicitly

    @qd.kernel
    def km() -> qd.types.matrix(2, 2, qd.i32):
        return qd.Matrix([[1, 2], [3, 4]])

    v, m = kv(2.5), km()
    return {
        "classes": [isinstance(v, qd.Vector), isinstance(m, qd.Matrix) and not isinstance(m, qd.Vector)],
        "v": v,
        "i": ki(),
        "m": m,
        "dtype": str(m.to_numpy().dtype),
    }


@case(section="11", raises=(qd.QuadrantsCompilationError, "(type=f32) cannot be converted into required type i32"))
def float_vector_return_for_int_annotation_error():
    @qd.kernel
    def k(a: qd.f32) -> qd.types.vector(2, qd.i32):
        return qd.Vector([a, 2.0])  # a scalar return converts; vector components are not converted implicitly

    k(1.5)


# ------------------------------------------------------------------------------------------ errors


@case(section="4.2", raises=(qd.QuadrantsTypeError, "conditions must be an integer"))  # as upstream 1.3.3
def vector_condition_in_if_error():
    @qd.kernel
    def k(x: I32_1):
        v = qd.Vector([1, 2])
        if v:
            x[0] = 1

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="4.2", raises=(qd.QuadrantsTypeError, "conditions must be an integer"))  # as upstream 1.3.3
def matrix_condition_in_while_error():
    @qd.kernel
    def k(x: I32_1):
        m = qd.Matrix([[1, 0], [0, 1]])
        while m:
            x[0] = 1
            break  # terminates even where the condition is wrongly accepted

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="4.2", raises=(qd.QuadrantsSyntaxError, 'Please use "qd.select" instead'))
def vector_condition_in_ternary_error():
    @qd.kernel
    def k(x: I32_1):
        v = qd.Vector([1, 2])
        x[0] = 1 if v else 2

    k(qd.ndarray(qd.i32, shape=(1,)))
