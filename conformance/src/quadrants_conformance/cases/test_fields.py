"""docs/semantics.md §13 and §14: dense fields.

Fields are global dense tensors reached as captured module globals, through ``qd.template()`` parameters or as
data_oriented members (§19.2 has those cases). Their shape is a compile-time tuple, and the specialization key holds
the field's identity. Fields are allocated inside the cases, after ``qd.init``.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]

# Module globals captured by kernels (assigned by the cases that use them).
G_COUNTS = None
G_SCALE = None


# ------------------------------------------------------------------------------------------ reaching a field


@case(section="13", golden={"counts": [0, 2, 4, 6, 8], "scale": 2})
def field_captured_as_module_global():
    global G_COUNTS, G_SCALE
    G_COUNTS = qd.field(qd.i32, shape=(5,))
    G_SCALE = qd.field(qd.i32, shape=())
    G_SCALE[None] = 2

    @qd.kernel
    def k():
        for i in range(5):
            G_COUNTS[i] = i * G_SCALE[None]

    k()
    return {"counts": G_COUNTS.to_numpy(), "scale": G_SCALE[None]}


@case(section="13", golden={"a": [1, 2, 3], "b": [1.5, 2.5, 3.5, 4.5]})
def field_through_template_parameter():
    @qd.kernel
    def k(f: qd.template(), add: qd.template()):
        for i in range(f.shape[0]):
            f[i] = i + add

    a = qd.field(qd.i32, shape=(3,))
    b = qd.field(qd.f32, shape=(4,))
    k(a, 1)
    k(b, 1.5)
    return {"a": a.to_numpy(), "b": b.to_numpy()}


@case(section="13", golden={"x": [4, 5, 6]})
def field_through_template_into_func():
    @qd.func
    def bump(f: qd.template(), i):
        f[i] += 3

    @qd.kernel
    def k(f: qd.template()):
        for i in range(3):
            bump(f, i)

    f = qd.field(qd.i32, shape=(3,))
    f.from_numpy(np.array([1, 2, 3], dtype=np.int32))
    k(f)
    return {"x": f.to_numpy()}


@case(section="8", golden={"a": [2, 2], "b": [3, 3, 3], "compiles": 2})
def field_identity_specializes():
    @qd.kernel
    def k(f: qd.template(), v: qd.i32):
        for i in range(f.shape[0]):
            f[i] = v

    a = qd.field(qd.i32, shape=(2,))
    b = qd.field(qd.i32, shape=(3,))
    k(a, 1)
    k(b, 3)
    k(a, 2)  # a's specialization is reused
    return {"a": a.to_numpy(), "b": b.to_numpy(), "compiles": k._primal.compile_count}


@case(section="13", golden={"a": [5, 5], "b": [6, 6], "compiles": 2})
def equal_fields_are_distinct_keys():
    @qd.kernel
    def k(f: qd.template(), v: qd.i32):
        for i in range(2):
            f[i] = v

    a = qd.field(qd.i32, shape=(2,))
    b = qd.field(qd.i32, shape=(2,))  # same dtype and shape, another identity
    k(a, 5)
    k(b, 6)
    return {"a": a.to_numpy(), "b": b.to_numpy(), "compiles": k._primal.compile_count}


# ------------------------------------------------------------------------------------------ shapes and indexing


@case(section="13", golden={"v": 7, "after": 9})
def zero_d_field_indexed_with_none():
    @qd.kernel
    def k(f: qd.template()):
        f[None] += 2

    f = qd.field(qd.i32, shape=())
    f[None] = 7
    v = f[None]
    k(f)
    return {"v": v, "after": f[None]}


@case(section="13", golden={"shape": (4,), "shape2": (2, 3), "x": [1, 1, 1, 1]})
def int_and_tuple_shapes():
    @qd.kernel
    def k(f: qd.template()):
        for i in range(4):
            f[i] = 1

    f = qd.field(qd.i32, shape=4)
    g = qd.field(qd.f32, shape=(2, 3))
    k(f)
    return {"shape": tuple(f.shape), "shape2": tuple(g.shape), "x": f.to_numpy()}


@case(section="9", golden={"x": [[0, 1, 2], [0, 1, 2]], "n": [6, 2, 3]})
def field_shape_is_compile_time():
    @qd.kernel
    def k(f: qd.template(), n: qd.template()):
        for i in qd.static(range(f.shape[0])):
            for j in qd.static(range(f.shape[1])):
                f[i, j] = j
        size = qd.static(f.shape[0] * f.shape[1])
        n[0] = size
        n[1] = qd.static(len(f.shape)) + 0
        n[2] = f.shape[1]

    f = qd.field(qd.i32, shape=(2, 3))
    n = qd.field(qd.i32, shape=(3,))
    k(f, n)
    return {"x": f.to_numpy(), "n": n.to_numpy()}


@case(section="9", raises=(qd.QuadrantsSyntaxError, "Static assign cannot be used on elements in arrays"))
def static_assign_to_an_element_error():
    # ``name = qd.static(...)`` binds a compile-time name; an element is not a name (upstream's rule)
    @qd.kernel
    def k(f: qd.template(), n: qd.template()):
        n[0] = qd.static(f.shape[0] * f.shape[1])

    k(qd.field(qd.i32, shape=(2, 3)), qd.field(qd.i32, shape=(1,)))


@case(section="14", golden={"x": [[0, 1, 2], [10, 11, 12]], "e": 11, "z": [[0, 0], [0, 5]]})
def two_d_field_host_and_kernel_indexing():
    @qd.kernel
    def k(f: qd.template()):
        for i, j in qd.ndrange(2, 3):
            f[i, j] = i * 10 + j

    f = qd.field(qd.i32, shape=(2, 3))
    k(f)
    z = qd.field(qd.i32, shape=(2, 2))
    z[1, 1] = 5
    return {"x": f.to_numpy(), "e": f[1, 1], "z": z.to_numpy()}


# ------------------------------------------------------------------------------------------ struct-for


@case(section="10", golden={"a": [0, 1, 4, 9, 16], "b": [[0, 1, 2], [10, 11, 12]]})
def struct_for_over_fields():
    @qd.kernel
    def k(a: qd.template(), b: qd.template()):
        for i in a:
            a[i] = i * i
        for i, j in b:
            b[i, j] = i * 10 + j

    a = qd.field(qd.i32, shape=(5,))
    b = qd.field(qd.i32, shape=(2, 3))
    k(a, b)
    return {"a": a.to_numpy(), "b": b.to_numpy()}


@case(section="10", golden={"b": [[0, 1, 2], [10, 11, 12]], "n": [6]})
def grouped_struct_for_over_field():
    @qd.kernel
    def k(b: qd.template(), n: qd.template()):
        for idx in qd.grouped(b):
            b[idx] = idx[0] * 10 + idx[1]
            n[0] += 1

    b = qd.field(qd.i32, shape=(2, 3))
    n = qd.field(qd.i32, shape=(1,))
    k(b, n)
    return {"b": b.to_numpy(), "n": n.to_numpy()}


@case(section="10", golden={"v": [[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]})
def struct_for_over_vector_field():
    @qd.kernel
    def k(v: qd.template()):
        for i in v:
            v[i] = qd.Vector([1.0, 0.0])

    v = qd.Vector.field(2, qd.f32, shape=(3,))
    k(v)
    return {"v": v.to_numpy()}


# ------------------------------------------------------------------------------------------ vector and matrix fields


@case(
    section="13",
    golden={
        "v": [[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]],
        "shape": (2, 3),
        "c": [1.0, 2.0],
    },
)
def vector_field_elements_and_components():
    @qd.kernel
    def k(v: qd.template(), c: qd.template()):
        for i in range(2):
            v[i] = qd.Vector([i, i + 1.0, i + 2])
        for i in range(2):
            c[i] = v[i][1]

    v = qd.Vector.field(3, qd.f32, shape=(2,))
    c = qd.field(qd.f32, shape=(2,))
    k(v, c)
    out = v.to_numpy()
    return {"v": out, "shape": out.shape, "c": c.to_numpy()}


@case(
    section="13",
    golden={
        "m": [[[0.0, 1.0], [2.0, 3.0]], [[1.0, 1.0], [2.0, 3.0]]],
        "shape": (2, 2, 2),
        "d": [-2.0, 1.0],
    },
)
def matrix_field_elements():
    @qd.kernel
    def k(m: qd.template(), d: qd.template()):
        for i in range(2):
            m[i] = qd.Matrix([[i, 1.0], [2.0, 3.0]])
        for i in range(2):
            d[i] = m[i].determinant()

    m = qd.Matrix.field(2, 2, qd.f32, shape=(2,))
    d = qd.field(qd.f32, shape=(2,))
    k(m, d)
    out = m.to_numpy()
    return {"m": out, "shape": out.shape, "d": d.to_numpy()}


@case(section="13", golden={"v": [1, 2, 3]})
def zero_d_vector_field():
    @qd.kernel
    def k(v: qd.template()):
        v[None] = qd.Vector([1, 2, 3])

    v = qd.Vector.field(3, qd.i32, shape=())
    k(v)
    return {"v": v.to_numpy()}


# ------------------------------------------------------------------------------------------ atomics


@case(section="12", golden={"h": [20, 20, 20, 20, 20], "old": [20]})
def field_atomics():
    @qd.kernel
    def k(h: qd.template(), old: qd.template()):
        for i in range(100):
            h[i % 5] += 1
        old[0] = qd.atomic_add(h[0], 7)  # a serial statement: sees the loop's total
        h[0] -= 7

    h = qd.field(qd.i32, shape=(5,))
    old = qd.field(qd.i32, shape=(1,))
    k(h, old)
    return {"h": h.to_numpy(), "old": old.to_numpy()}


@case(section="12", golden={"v": [[10, 20, 30], [0, 0, 0]], "m": [[5, -5], [0, 10]]})
def vector_and_matrix_field_per_component_atomics():
    @qd.kernel
    def k(v: qd.template(), m: qd.template()):
        for _ in range(10):
            v[0] += qd.Vector([1, 2, 3])
        for _ in range(5):
            qd.atomic_add(m[None], qd.Matrix([[1, -1], [0, 2]]))

    v = qd.Vector.field(3, qd.i32, shape=(2,))
    m = qd.Matrix.field(2, 2, qd.i32, shape=())
    k(v, m)
    return {"v": v.to_numpy(), "m": m.to_numpy()}


# ------------------------------------------------------------------------------------------ host API


@case(
    section="14",
    golden={"zeros": [0, 0, 0], "fz": [0.0, 0.0], "vz": [[0.0, 0.0], [0.0, 0.0]], "filled": [2.5, 2.5], "dt": "f32"},
)
def field_host_api():
    a = qd.field(qd.i32, shape=(3,))
    f = qd.field(qd.f32, shape=(2,))
    v = qd.Vector.field(2, qd.f32, shape=(2,))
    zeros, fz, vz = a.to_numpy(), f.to_numpy(), v.to_numpy()
    f.fill(2.5)
    return {"zeros": zeros, "fz": fz, "vz": vz, "filled": f.to_numpy(), "dt": str(f.dtype)}


@case(section="14", golden={"x": [1, 4, 9], "host": [2, 5, 10]})
def field_from_numpy_then_kernel():
    @qd.kernel
    def k(f: qd.template(), out: I32_1):
        for i in range(3):
            out[i] = f[i] + 1

    f = qd.field(qd.i32, shape=(3,))
    f.from_numpy(np.array([1, 4, 9], dtype=np.int32))
    out = qd.ndarray(qd.i32, shape=(3,))
    k(f, out)
    return {"x": f.to_numpy(), "host": out.to_numpy()}


@case(section="14", raises=(IndexError, ""))
def field_host_index_out_of_range_error():
    f = qd.field(qd.i32, shape=(3,))
    return {"v": f[3]}


@case(
    section="14", raises=(ValueError, "qd.field shape (4,) does not match the numpy array shape (3,)")
)  # upstream's words
def field_from_numpy_shape_mismatch_error():
    f = qd.field(qd.i32, shape=(4,))
    f.from_numpy(np.zeros(3, dtype=np.int32))


@case(section="8", raises=(qd.QuadrantsRuntimeTypeError, "cannot be converted into required type"))
def field_for_ndarray_parameter_error():
    @qd.kernel
    def k(x: I32_1):
        x[0] = 1

    k(qd.field(qd.i32, shape=(2,)))


@case(section="14", raises=(qd.QuadrantsRuntimeError, "Field has no allocation"))
def field_without_shape_used_before_placement_error():
    f = qd.field(qd.i32)  # placed later with qd.root.dense(...).place(f): docs/snodes.md
    f.fill(1)
