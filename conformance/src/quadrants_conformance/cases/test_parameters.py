"""docs/semantics.md §8: kernel parameters, their errors, and specialization."""

import enum
import warnings

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]


class Mode(enum.Enum):
    DOUBLE = 2
    TRIPLE = 3


# ------------------------------------------------------------------------------------------ ndarray forms


@case(section="8", golden={"x": [1, 2, 3, 4, 5, 6]})
def ndarray_annotation_forms():
    @qd.kernel
    def k1(x: qd.types.ndarray(qd.i32, ndim=1)):
        x[0] = 1

    @qd.kernel
    def k2(x: qd.types.ndarray(dtype=qd.i32, ndim=1)):
        x[1] = 2

    @qd.kernel
    def k3(x: qd.types.NDArray[qd.i32, 1]):
        x[2] = 3

    @qd.kernel
    def k4(x: qd.types.NDArray[qd.i32]):
        x[3] = 4

    @qd.kernel
    def k5(x: qd.types.NDArray):
        x[4] = 5

    @qd.kernel
    def k6(x: qd.types.ndarray()):
        x[5] = 6

    x = qd.ndarray(qd.i32, shape=(6,))
    for k in (k1, k2, k3, k4, k5, k6):
        k(x)
    return {"x": x.to_numpy()}


@case(section="8", golden={"a": [7, 7, 7], "b": [[7, 7], [7, 7]]})
def ndarray_dtype_only_accepts_any_ndim():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32]):
        for I in qd.grouped(x):  # noqa: E741
            x[I] = 7

    a = qd.ndarray(qd.i32, shape=(3,))
    b = qd.ndarray(qd.i32, shape=(2, 2))
    k(a)
    k(b)
    return {"a": a.to_numpy(), "b": b.to_numpy()}


@case(section="8", golden={"a": [1, 3, 5], "b": [2.0, 4.0], "c": [[9, 9]]})
def ndarray_untyped_accepts_any_dtype():
    @qd.kernel
    def k(x: qd.types.NDArray):
        for I in qd.grouped(x):  # noqa: E741
            x[I] = x[I] * 2 + 1

    @qd.kernel
    def k2(x: qd.types.ndarray()):
        for I in qd.grouped(x):  # noqa: E741
            x[I] = 9

    a = qd.ndarray(qd.i32, shape=(3,))
    a.from_numpy(np.array([0, 1, 2], dtype=np.int32))
    b = qd.ndarray(qd.f32, shape=(2,))
    b.from_numpy(np.array([0.5, 1.5], dtype=np.float32))
    c = qd.ndarray(qd.u32, shape=(1, 2))
    k(a)
    k(b)
    k2(c)
    return {"a": a.to_numpy(), "b": b.to_numpy(), "c": c.to_numpy()}


@case(section="8", golden={"a": [0, 1, 4, 9], "f": [1.0, 2.5, 4.0], "m": [[0, 1, 2], [10, 11, 12]]})
def numpy_arrays_passed_directly_are_written_back():
    @qd.kernel
    def k(x: I32_1, f: F32_1, m: qd.types.NDArray[qd.i32, 2]):
        for i in range(x.shape[0]):
            x[i] = i * i
        for j in range(f.shape[0]):
            f[j] = f[j] * 2.0
        for p, q in qd.ndrange(2, 3):
            m[p, q] = p * 10 + q

    a = np.zeros(4, dtype=np.int32)
    f = np.array([0.5, 1.25, 2.0], dtype=np.float32)
    m = np.zeros((2, 3), dtype=np.int32)
    k(a, f, m)
    return {"a": a, "f": f, "m": m}


@case(section="8", raises=(TypeError, "Expect element type i32 for argument x, but get f32"))
def ndarray_wrong_dtype_error():
    @qd.kernel
    def k(x: I32_1):
        x[0] = 1

    k(qd.ndarray(qd.f32, shape=(2,)))


@case(section="8", raises=(TypeError, "Expect element type i32 for argument x, but get f32"))
def ndarray_dtype_only_wrong_dtype_error():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32]):
        for I in qd.grouped(x):  # noqa: E741
            x[I] = 1

    k(qd.ndarray(qd.f32, shape=(2, 2)))


@case(section="8", raises=(ValueError, "required ndim=1, but 2d ndarray"))
def ndarray_wrong_ndim_error():
    @qd.kernel
    def k(x: I32_1):
        x[0] = 1

    k(qd.ndarray(qd.i32, shape=(2, 2)))


@case(section="8", raises=(ValueError, "required array has dtype=i32, array with dtype=f64"))
def numpy_array_dtype_mismatch_error():
    @qd.kernel
    def k(x: I32_1):
        x[0] = 1

    k(np.zeros(3, dtype=np.float64))


@case(section="8", requires=("f64",), golden={"i32": [[0, 7], [0, 0]], "f64": [[0.0, 7.5], [0.0, 0.0]]})
def numpy_array_for_a_matrix_annotation_keeps_its_dtype():
    """As upstream: for a NumPy array, a vector/matrix element annotation fixes the element shape, not its type."""

    @qd.kernel
    def k(a: qd.types.ndarray(dtype=qd.math.mat2)):
        a[0][0, 1] = 7.5

    ints, doubles = np.zeros((3, 2, 2), np.int32), np.zeros((3, 2, 2), np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # storing 7.5 into an i32 component warns (precision loss)
        k(ints)
    k(doubles)
    return {"i32": ints[0], "f64": doubles[0]}


@case(section="8", raises=(ValueError, "Non contiguous numpy arrays are not supported"))
def strided_numpy_view_error():
    @qd.kernel
    def k(x: qd.types.ndarray()):
        x[0] = 1

    k(np.zeros((2, 2), np.int32)[:, 0])


@case(section="8", golden={"x": [[1, 0, 0], [0, 0, 0], [0, 0, 7]]})
def fortran_ordered_numpy_array_is_written_back():
    @qd.kernel
    def k(x: qd.types.ndarray()):
        x[0, 0] = 1
        x[2, 2] = 7

    x = np.asfortranarray(np.zeros((3, 3), np.int32))
    k(x)
    return {"x": x}


@case(section="8", raises=(qd.QuadrantsRuntimeTypeError, "Invalid type for argument x"))
def python_list_for_ndarray_error():
    @qd.kernel
    def k(x: I32_1):
        x[0] = 1

    k([0, 0, 0])


@case(section="8", golden={"a3": [3, 3, 3], "b": [5, 5, 5, 5, 5], "a": [2, 2]})
def specialization_ignores_shape():
    @qd.kernel
    def k(x: I32_1):
        for i in range(x.shape[0]):
            x[i] = x.shape[0]

    a = qd.ndarray(qd.i32, shape=(2,))
    b = qd.ndarray(qd.i32, shape=(5,))
    a3 = qd.ndarray(qd.i32, shape=(3,))
    k(a3)
    k(b)
    k(a)
    return {"a3": a3.to_numpy(), "b": b.to_numpy(), "a": a.to_numpy()}


# ---------------------------------------------------------------------------------------------- scalars


@case(
    section="8",
    golden={"i": [5, -3, 1, 0, 7], "f": [0.10000000149011612, 1.5, 3.0, 16777216.0, 1.0]},
)
def scalar_argument_kinds():
    @qd.kernel
    def ki(a: qd.i32) -> qd.i32:
        return a

    @qd.kernel
    def kf(a: qd.f32) -> qd.f32:
        return a

    i = [ki(5), ki(np.int32(-3)), ki(True), ki(False), ki(np.int64(7))]
    f = [kf(0.1), kf(np.float32(1.5)), kf(3), kf(16777217), kf(True)]
    return {"i": i, "f": f}


@case(section="8", golden={"types": [True, True]})
def scalar_return_python_types():
    @qd.kernel
    def ki(a: qd.i32) -> qd.i32:
        return a

    @qd.kernel
    def kf(a: qd.f32) -> qd.f32:
        return a

    return {"types": [type(ki(np.int32(2))) is int, type(kf(np.float32(2.5))) is float]}


@case(section="8", raises=(qd.QuadrantsRuntimeTypeError, "cannot be converted into required type i32"))
def float_argument_for_int_parameter_error():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        x[0] = a

    k(qd.ndarray(qd.i32, shape=(1,)), 1.5)


@case(section="8", golden={"r": [5, -(2**31), 2**31 - 1, 1, 4294967295, 0]})
def int_argument_wraps_modulo_width():
    @qd.kernel
    def ki(a: qd.i32) -> qd.i32:
        return a

    @qd.kernel
    def ku(a: qd.u32) -> qd.u32:
        return a

    return {"r": [ki(2**32 + 5), ki(2**31), ki(-(2**31) - 1), ku(2**32 + 1), ku(2**33 - 1), ku(2**32)]}


@case(section="8", requires=("u8",), golden={"x": [0, 44, 255]})
def u8_argument_wraps():
    @qd.kernel
    def k(x: I32_1, a: qd.u8, b: qd.u8, c: qd.u8):
        x[0] = a
        x[1] = b
        x[2] = c

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, 256, 300, 255)
    return {"x": x.to_numpy()}


@case(section="8", raises=(TypeError, ""))
def negative_int_for_unsigned_parameter_error():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.u32, 1], a: qd.u32):
        x[0] = a

    k(qd.ndarray(qd.u32, shape=(1,)), -1)


# -------------------------------------------------------------------------------------------- templates


@case(section="8", golden={"first": [2, 2, 0, 0], "second": [3, 3, 3, 0], "again": [2, 2, 3, 0]})
def template_int_specializes_per_value():
    @qd.kernel
    def k(x: I32_1, n: qd.template()):
        for i in qd.static(range(n)):
            x[i] = n

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x, 2)
    first = x.to_numpy()
    k(x, 3)
    second = x.to_numpy()
    k(x, 2)
    return {"first": first, "second": second, "again": x.to_numpy()}


@case(section="8", golden={"f": [3.5, 0.5, 0.25], "i": [4, 3]})
def template_value_is_compile_time():
    @qd.kernel
    def k(f: F32_1, i: I32_1, n: qd.template(), m: qd.template(), big: qd.template()):
        f[0] = n / 2  # Python division at compile time
        f[1] = m**-1
        f[2] = m**-2
        i[0] = big // 2**38  # 2**40 is fine as a compile-time value
        i[1] = n // 2

    f = qd.ndarray(qd.f32, shape=(3,))
    i = qd.ndarray(qd.i32, shape=(2,))
    k(f, i, 7, 2, 2**40)
    return {"f": f.to_numpy(), "i": i.to_numpy()}


@case(section="8", golden={"x": [1, 2, 3]})
def template_capitalized_spelling():
    @qd.kernel
    def k(x: I32_1, n: qd.Template):
        for i in qd.static(range(n)):
            x[i] = i + 1

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, 3)
    return {"x": x.to_numpy()}


@case(section="8", golden={"x": [2, 4, 0], "is_template": [1, 0, 0], "is_ndarray": [1, 1, 0]})
def template_uncalled_spelling_and_isinstance():
    # qd.template (not called) is the same annotation as qd.template() and qd.Template; annotations answer
    # isinstance(anno, qd.Template) / isinstance(anno, qd.types.ndarray) as upstream's annotation classes do
    @qd.kernel
    def k(x: I32_1, n: qd.template):
        for i in qd.static(range(n)):
            x[i] = 2 * (i + 1)

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, 2)
    annos = (qd.template(), qd.i32, qd.types.NDArray[qd.i32, 1])
    arrays = (qd.types.NDArray[qd.i32, 1], qd.types.ndarray(qd.f32, ndim=2), qd.template())
    return {
        "x": x.to_numpy(),
        "is_template": [int(isinstance(a, qd.Template)) for a in annos],
        "is_ndarray": [int(isinstance(a, qd.types.ndarray)) for a in arrays],
    }


@case(section="8", golden={"f": [3.0, 0.5], "i": [1, 2]})
def template_float_and_bool_values():
    @qd.kernel
    def kf(f: F32_1, idx: qd.template(), s: qd.template()):
        f[idx] = s * 2

    @qd.kernel
    def kb(x: I32_1, flag: qd.template()):
        if qd.static(flag):
            x[0] = 1
        else:
            x[1] = 2

    f = qd.ndarray(qd.f32, shape=(2,))
    kf(f, 0, 1.5)
    kf(f, 1, 0.25)
    x = qd.ndarray(qd.i32, shape=(2,))
    kb(x, True)
    kb(x, False)
    return {"f": f.to_numpy(), "i": x.to_numpy()}


@case(section="8", golden={"x": [0, 10, 0, 30, 40]})
def template_tuple_value():
    @qd.kernel
    def k(x: I32_1, t: qd.template()):
        for v in qd.static(t):
            x[v] = v * 10

    x = qd.ndarray(qd.i32, shape=(5,))
    k(x, (1, 3, 4))
    return {"x": x.to_numpy()}


@case(section="8", golden={"x": [10, 15]})
def template_enum_member():
    @qd.kernel
    def k(x: I32_1, i: qd.i32, mode: qd.template(), a: qd.i32):
        if qd.static(mode == Mode.DOUBLE):
            x[i] = a * 2
        else:
            x[i] = a * mode.value

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 0, Mode.DOUBLE, 5)
    k(x, 1, Mode.TRIPLE, 5)
    return {"x": x.to_numpy()}


@case(section="8", raises=(qd.QuadrantsRuntimeTypeError, ""))
def template_given_ndarray_error():
    @qd.kernel
    def k(x: qd.template()):
        x[0] = 1

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="8", raises=(qd.QuadrantsTypeError, "Integer literal 2147483648 exceeded the range of default_ip: i32"))
def template_int_out_of_i32_range_meets_runtime_value():
    @qd.kernel
    def k(x: I32_1, n: qd.template(), a: qd.i32):
        x[0] = a + n

    k(qd.ndarray(qd.i32, shape=(1,)), 2**31, 1)


@case(section="8", golden={"as_i32": 2.0, "as_f32": 2.5, "compiles": 2})
def dtype_as_template_argument():
    # a dtype passed to a qd.template() parameter is a compile-time dtype (qd.cast(x, dt)), not a struct; the
    # return converts back to the annotated f32
    @qd.kernel
    def k(x: qd.types.NDArray[qd.f32, 1], dt: qd.template()) -> qd.f32:
        return qd.cast(x[0] * 2.5, dt)

    x = np.ones(2, np.float32)
    return {"as_i32": k(x, qd.i32), "as_f32": k(x, qd.f32), "compiles": k.compile_count}
