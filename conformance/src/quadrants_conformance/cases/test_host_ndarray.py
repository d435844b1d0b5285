"""docs/semantics.md §14: the host-side ndarray API."""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
I32_0 = qd.types.NDArray[qd.i32, 0]


@case(section="14", golden={"a": [0, 0, 0, 0, 0], "f": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], "z": 0, "u": [0, 0]})
def fresh_ndarrays_are_zero():
    a = qd.ndarray(qd.i32, shape=(5,))
    f = qd.ndarray(qd.f32, shape=(2, 3))
    z = qd.ndarray(qd.i32, shape=())
    u = qd.ndarray(qd.u32, shape=(2,))
    return {"a": a.to_numpy(), "f": f.to_numpy(), "z": z[()], "u": u.to_numpy()}


@case(section="14", golden={"a": [0, 0, 0, 0]})
def fresh_ndarray_zero_after_other_arrays_used():
    @qd.kernel
    def k(x: I32_1):
        for i in range(x.shape[0]):
            x[i] = 12345

    for _ in range(3):
        k(qd.ndarray(qd.i32, shape=(4,)))
    return {"a": qd.ndarray(qd.i32, shape=(4,)).to_numpy()}


@case(section="14", golden={"a": [7, 7, 7], "f": [[1.5, 1.5], [1.5, 1.5]], "g": [0.10000000149011612], "k": [8, 8, 8]})
def fill_sets_every_element():
    @qd.kernel
    def inc(x: I32_1):
        for i in range(x.shape[0]):
            x[i] = x[i] + 1

    a = qd.ndarray(qd.i32, shape=(3,))
    a.fill(7)
    f = qd.ndarray(qd.f32, shape=(2, 2))
    f.fill(1.5)
    g = qd.ndarray(qd.f32, shape=(1,))
    g.fill(0.1)
    a_np = a.to_numpy()
    inc(a)  # the kernel sees the filled values
    return {"a": a_np, "f": f.to_numpy(), "g": g.to_numpy(), "k": a.to_numpy()}


@case(
    section="14",
    golden={
        "shape": True,
        "shape0d": True,
        "dtype": True,
        "str_i32": "i32",
        "str_f32": "f32",
        "str_u32": "u32",
        "np_dtype": "int32",
    },
)
def shape_and_dtype():
    a = qd.ndarray(qd.i32, shape=(2, 3))
    z = qd.ndarray(qd.f32, shape=())
    u = qd.ndarray(qd.u32, shape=(4,))
    return {
        "shape": a.shape == (2, 3) and isinstance(a.shape, tuple),
        "shape0d": z.shape == (),
        "dtype": a.dtype == qd.i32 and z.dtype == qd.f32,
        "str_i32": str(a.dtype),
        "str_f32": str(z.dtype),
        "str_u32": str(u.dtype),
        "np_dtype": str(a.to_numpy().dtype),
    }


@case(section="14", golden={"v": 10, "np": 10, "shape": ()})
def zero_d_ndarray_indexing():
    @qd.kernel
    def k(x: I32_0):
        x[()] = x[()] * 2

    z = qd.ndarray(qd.i32, shape=())
    z[()] = 5
    k(z)
    n = z.to_numpy()
    return {"v": z[()], "np": int(n), "shape": n.shape}


@case(
    section="14",
    golden={"i": 5, "i_type": True, "f": 0.10000000149011612, "f_type": True, "m": 42, "u": 4294967295, "neg": -3},
)
def element_get_set_python_values():
    a = qd.ndarray(qd.i32, shape=(3,))
    a[1] = 5
    f = qd.ndarray(qd.f32, shape=(2,))
    f[0] = 0.1
    m = qd.ndarray(qd.i32, shape=(2, 3))
    m[1, 2] = 42
    u = qd.ndarray(qd.u32, shape=(1,))
    u[0] = 4294967295
    a[2] = -3
    return {
        "i": a[1],
        "i_type": type(a[1]) is int,
        "f": f[0],
        "f_type": type(f[0]) is float,
        "m": m[1, 2],
        "u": u[0],
        "neg": a[2],
    }


@case(section="14", golden={"read": True, "write": True, "read2d": True})
def element_index_out_of_range_raises_index_error():
    a = qd.ndarray(qd.i32, shape=(4,))
    m = qd.ndarray(qd.i32, shape=(2, 3))
    out = {}
    try:
        a[4]
        out["read"] = False
    except IndexError:
        out["read"] = True
    try:
        a[7] = 1
        out["write"] = False
    except IndexError:
        out["write"] = True
    try:
        m[0, 3]
        out["read2d"] = False
    except IndexError:
        out["read2d"] = True
    return out


@case(section="14", raises=(IndexError, ""))
def element_read_out_of_range():
    a = qd.ndarray(qd.i32, shape=(4,))
    return {"v": a[4]}


@case(section="14", golden={"copy": [99, 0, 0], "array": [0, 0, 0], "again": [0, 0, 0]})
def to_numpy_returns_a_copy():
    a = qd.ndarray(qd.i32, shape=(3,))
    n = a.to_numpy()
    n[0] = 99
    return {"copy": n, "array": a.to_numpy(), "again": a.to_numpy()}


@case(section="14", raises=(ValueError, "Mismatch shape: (4,) expected, but (3,) provided"))
def from_numpy_shape_mismatch():
    a = qd.ndarray(qd.i32, shape=(4,))
    a.from_numpy(np.zeros(3, dtype=np.int32))


@case(
    section="14",
    warns=(qd.QuadrantsWarning, "precision"),
    golden={"a": [1, -2, 2147483647, 0]},
)
def from_numpy_converts_dtype_with_warning():
    a = qd.ndarray(qd.i32, shape=(4,))
    a.from_numpy(np.array([1.7, -2.5, 3e10, 0.4], dtype=np.float64))
    return {"a": a.to_numpy()}


@case(section="14", golden={"a": [2, 4, 6]})
def from_numpy_then_kernel_then_to_numpy():
    @qd.kernel
    def k(x: I32_1):
        for i in range(x.shape[0]):
            x[i] = x[i] * 2

    a = qd.ndarray(qd.i32, shape=(3,))
    a.from_numpy(np.array([1, 2, 3], dtype=np.int32))
    k(a)
    return {"a": a.to_numpy()}


@case(section="14", golden={"first": 10, "second": 14, "a": [0, 0, 7, 14]})
def kernel_sees_host_writes_and_host_sees_kernel_writes():
    @qd.kernel
    def k(x: I32_1):
        x[3] = x[2] * 2

    a = qd.ndarray(qd.i32, shape=(4,))
    a[2] = 5
    k(a)
    first = a[3]
    a[2] = 7
    k(a)
    return {"first": first, "second": a[3], "a": a.to_numpy()}


@case(section="14", requires=("i64", "f64"), golden={"i": 2**40 + 1, "f": 0.1, "np_i": [2**40 + 1], "np_f": [0.1]})
def wide_ndarray_host_access():
    a = qd.ndarray(qd.i64, shape=(1,))
    a[0] = 2**40 + 1
    d = qd.ndarray(qd.f64, shape=(1,))
    d[0] = 0.1
    return {"i": a[0], "f": d[0], "np_i": a.to_numpy(), "np_f": d.to_numpy()}


@case(section="14", golden={"host_read": True, "kernel_call": True})
def ndarray_from_previous_init_is_invalid():
    # The harness initialised the backend under test; the array belongs to that session. A new qd.init() (here on
    # the reference backend) invalidates it for host access and for kernel calls.
    @qd.kernel
    def k(x: I32_1):
        x[0] = 1

    a = qd.ndarray(qd.i32, shape=(2,))
    qd.init(arch=qd.ref)
    out = {}
    try:
        a[0]
        out["host_read"] = False
    except qd.QuadrantsRuntimeError:
        out["host_read"] = True
    try:
        k(a)
        out["kernel_call"] = False
    except qd.QuadrantsRuntimeError:
        out["kernel_call"] = True
    return out


@case(
    section="14",
    golden={"shapes": [[], [3], [2, 2]], "type_shape": [4, 5], "grad": [0, 1], "same_elem": 1, "aos": 1},
)
def ndarray_element_shape_and_get_type():
    s = qd.ndarray(qd.f32, shape=(4,))
    v = qd.Vector.ndarray(3, qd.i32, shape=(2,))
    m = qd.Matrix.ndarray(2, 2, qd.f32, shape=(4, 5), needs_grad=True)
    t = m.get_type()
    return {
        "shapes": [list(a.element_shape) for a in (s, v, m)],
        "type_shape": list(t.shape),
        "grad": [int(s.get_type().needs_grad), int(t.needs_grad)],
        "same_elem": int(t.element_type == m.element_type),
        "aos": int(t.layout == qd.Layout.AOS),
    }
