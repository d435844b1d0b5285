"""Misuse of kernel arguments: wrong dtype, ndim, element shape, kind or count."""

from __future__ import annotations

from quadrants_conformance.robustness.program import program

KERNELS = """
@qd.kernel
def k1(x: qd.types.NDArray[qd.i32, 1]):
    for i in range(x.shape[0]):
        x[i] = 1

@qd.kernel
def kf(x: qd.types.NDArray[qd.f32, 2]):
    for i, j in x:
        x[i, j] = 1.0

@qd.kernel
def kv(x: qd.types.NDArray[qd.types.vector(3, qd.f32), 1]):
    for i in range(x.shape[0]):
        x[i] = x[i] * 2.0

@qd.kernel
def ks(a: qd.i32, b: qd.f32) -> qd.f32:
    return a + b

@qd.kernel
def ku(a: qd.u32) -> qd.u32:
    return a

@qd.kernel
def km(x: qd.types.NDArray[qd.types.matrix(2, 2, qd.f32), 1]):
    for i in range(x.shape[0]):
        x[i] = x[i] * 2.0

@qd.kernel
def kt(n: qd.template()) -> qd.i32:
    return n
"""

# (id, the offending call, the expected class: upstream 1.3.3's on qd.cpu where it raises one deliberately, else ours
# where upstream accepts the misuse or fails by accident (docs/robustness.md))
CALLS = [
    ("ndarray_wrong_dtype", "k1(qd.ndarray(qd.f32, 4))", "TypeError"),
    ("numpy_wrong_dtype", "k1(np.zeros(4, np.float64))", "ValueError"),
    ("ndarray_wrong_ndim", "k1(qd.ndarray(qd.i32, (2, 2)))", "ValueError"),
    ("numpy_wrong_ndim", "k1(np.zeros((2, 2), np.int32))", "ValueError"),
    ("zero_d_for_one_d", "k1(qd.ndarray(qd.i32, ()))", "ValueError"),
    ("two_d_f32_given_i32", "kf(qd.ndarray(qd.i32, (2, 2)))", "TypeError"),
    ("vector_element_shape", "kv(qd.Vector.ndarray(2, qd.f32, 4))", "ValueError"),
    ("vector_given_scalar", "kv(qd.ndarray(qd.f32, 4))", "ValueError"),
    ("list_for_ndarray", "k1([1, 2, 3])", "QuadrantsRuntimeTypeError"),
    ("none_for_ndarray", "k1(None)", "QuadrantsRuntimeTypeError"),
    ("string_for_ndarray", "k1('abc')", "QuadrantsRuntimeTypeError"),
    ("scalar_for_ndarray", "k1(3)", "QuadrantsRuntimeTypeError"),
    ("field_for_ndarray", "k1(qd.field(qd.i32, shape=4))", "QuadrantsRuntimeTypeError"),
    ("float_for_int_param", "ks(1.5, 2.0)", "QuadrantsRuntimeTypeError"),
    ("string_for_scalar", "ks('a', 2.0)", "QuadrantsRuntimeTypeError"),
    ("ndarray_for_scalar", "ks(qd.ndarray(qd.i32, 2), 2.0)", "QuadrantsRuntimeTypeError"),
    ("none_for_scalar", "ks(None, 2.0)", "QuadrantsRuntimeTypeError"),
    ("negative_for_unsigned", "ku(-1)", "TypeError"),
    ("missing_argument", "ks(1)", "QuadrantsSyntaxError"),
    ("unexpected_keyword", "ks(1, 2.0, c=3)", "QuadrantsSyntaxError"),
    ("too_many_arguments", "ks(1, 2.0, 3)", "QuadrantsSyntaxError"),
    ("ndarray_for_template", "kt(qd.ndarray(qd.i32, 2))", "QuadrantsRuntimeTypeError"),
    ("matrix_shape_mismatch", "km(qd.Matrix.ndarray(3, 3, qd.f32, 2))", "ValueError"),
    ("matrix_given_vector", "km(qd.Vector.ndarray(4, qd.f32, 2))", "ValueError"),
    ("matrix_given_scalar_ndarray", "km(qd.ndarray(qd.f32, (2, 2, 2)))", "ValueError"),
    ("matrix_dtype_mismatch", "km(qd.Matrix.ndarray(2, 2, qd.i32, 2))", "ValueError"),
    ("func_called_from_python", "qd.func(lambda x: x)(1)", "QuadrantsSyntaxError"),
]


def programs() -> list:
    out = [program(f"arguments/{pid}", "arguments", KERNELS + "\n" + call, error=err) for pid, call, err in CALLS]
    out.append(
        program(
            "arguments/ndarray_of_ended_session",
            "arguments",
            KERNELS + "\nold = qd.ndarray(qd.i32, 4)\nqd.reset()\nqd.init(arch=ARCH)\nk1(old)\n",
            error="QuadrantsRuntimeError",
        )
    )
    out.append(
        program(
            "arguments/valid_calls_still_work",
            "arguments",
            KERNELS
            + """
x = qd.ndarray(qd.i32, 4)
k1(x)
assert (x.to_numpy() == 1).all()
assert ks(2, 0.5) == 2.5
assert ku(7) == 7 and kt(5) == 5
""",
            expect="ok",
        )
    )
    return out
