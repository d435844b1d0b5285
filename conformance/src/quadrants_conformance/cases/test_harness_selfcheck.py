"""Cases that exercise the harness's own vocabulary on real kernels: golden, tolerance rows, raises, warns, stdout.

They check the harness more than the language: every observable kind goes through the reference, the golden check,
and the comparison with the backend under test. docs/semantics.md sections are named where a rule is exercised.
"""

import math

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]


@case(section="4.3", golden={"x": [0, 2, 4, 6], "r": 7})
def selfcheck_ints_and_return_value():
    @qd.kernel
    def k(x: I32_1) -> qd.i32:
        for i in range(4):
            x[i] = 2 * i
        return 7

    x = qd.ndarray(qd.i32, shape=(4,))
    r = k(x)
    return {"x": x.to_numpy(), "r": r}


@case(section="4.4", golden={"x": [0.5, 1.0, 4.0, 2.0]})
def selfcheck_basic_float_ops_are_exact():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, b: qd.f32):
        x[0] = a / b
        x[1] = a * a
        x[2] = a + b + a
        x[3] = qd.sqrt(b + b)

    x = qd.ndarray(qd.f32, shape=(4,))
    k(x, 1.0, 2.0)
    return {"x": x.to_numpy()}


@case(section="6", tol="transcendental", golden={"x": [0.0, 1.0, math.e]})
def selfcheck_transcendental_tolerance_row():
    @qd.kernel
    def k(x: F32_1, z: qd.f32, one: qd.f32):
        x[0] = qd.sin(z)
        x[1] = qd.cos(z)
        x[2] = qd.exp(one)

    x = qd.ndarray(qd.f32, shape=(3,))
    k(x, 0.0, 1.0)
    return {"x": x.to_numpy()}


@case(section="4.4", golden={"x": [math.nan, math.inf, -math.inf]})
def selfcheck_nan_and_inf_classes():
    @qd.kernel
    def k(x: F32_1, z: qd.f32, one: qd.f32):
        x[0] = z / z
        x[1] = one / z
        x[2] = -one / z

    x = qd.ndarray(qd.f32, shape=(3,))
    k(x, 0.0, 1.0)
    return {"x": x.to_numpy()}


@case(section="2", raises=(qd.QuadrantsNameError, "undefined_name"))
def selfcheck_compile_error_points_at_user_file():
    @qd.kernel
    def k(x: I32_1):
        x[0] = undefined_name  # noqa: F821

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="5", warns=(qd.QuadrantsWarning, "Assign may lose precision: i32 <- f32"), golden={"x": [2]})
def selfcheck_warning_is_observed():
    @qd.kernel
    def k(x: I32_1, f: qd.f32):
        x[0] = f

    x = qd.ndarray(qd.i32, shape=(1,))
    k(x, 2.5)
    return {"x": x.to_numpy()}


@case(section="13", requires=("print",), stdout="a = 3 7\n")
def selfcheck_kernel_print_is_captured():
    @qd.kernel
    def k(a: qd.i32):
        print("a =", a, a + 4)

    k(3)
    return {}


@case(golden={"host": (1, 2.5, True), "grid": [[1, 2], [3, 4]]})
def selfcheck_host_observables():
    # Observables need not come from kernels: tuples, Python scalars and 2-D arrays all go through compare().
    return {"host": (1, 2.5, True), "grid": np.array([[1, 2], [3, 4]], dtype=np.int64)}
