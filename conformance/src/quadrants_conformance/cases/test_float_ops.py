"""docs/semantics.md §4.4: IEEE float value semantics (fast_math=False)."""

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
F64_1 = qd.types.NDArray[qd.f64, 1]

INF = float("inf")
NAN = float("nan")


@case(section="4.4", golden={"x": [INF, -INF, NAN, NAN, NAN, 0.0, INF, NAN]})
def ieee_inf_and_nan():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, z: qd.f32):
        x[0] = a / z  # 2 / 0.0
        x[1] = -a / z
        x[2] = z / z
        x[3] = qd.sqrt(-a)
        x[4] = (a / z) - (a / z)
        x[5] = a / (a / z)
        x[6] = (a / z) + 1.0
        x[7] = (a / z) * z

    x = qd.ndarray(qd.f32, shape=(8,))
    k(x, 2.0, 0.0)
    return {"x": x.to_numpy()}


@case(section="4.4", golden={"x": [0, 0, 0, 1, 0, 0, 1, 0]})
def nan_comparisons_false_except_ne():
    @qd.kernel
    def k(x: I32_1, z: qd.f32):
        n = z / z
        x[0] = n < 1.0
        x[1] = n > 1.0
        x[2] = n == n
        x[3] = n != n
        x[4] = n <= n
        x[5] = n >= 1.0
        x[6] = n != 1.0
        x[7] = n == 0

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x, 0.0)
    return {"x": x.to_numpy()}


@case(section="4.4", golden={"x": [-4.0, 0.5, -1.5, -4.0, -0.5, 3.0, 1.5, 3.0]})
def float_floordiv_mod_runtime():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, b: qd.f32):
        x[0] = a // b  # -7.5 // 2.0
        x[1] = a % b
        x[2] = a % -b
        x[3] = -a // -b  # 7.5 // -2.0
        x[4] = -a % -b
        x[5] = -a // b
        x[6] = -a % b
        x[7] = a // -b  # -7.5 // -2.0

    x = qd.ndarray(qd.f32, shape=(8,))
    k(x, -7.5, 2.0)
    return {"x": x.to_numpy()}


@case(section="4.4", golden={"x": [-4.0, 0.5, -1.5, -0.5]})
def float_floordiv_mod_compile_time():
    @qd.kernel
    def k(x: F32_1):
        x[0] = -7.5 // 2.0
        x[1] = -7.5 % 2.0
        x[2] = -7.5 % -2.0
        x[3] = 7.5 % -2.0

    x = qd.ndarray(qd.f32, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="4.4", golden={"x": [INF, -INF, NAN, NAN, NAN]})
def float_floordiv_mod_by_zero():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, z: qd.f32):
        x[0] = a // z
        x[1] = -a // z
        x[2] = z // z
        x[3] = a % z
        x[4] = -a % z

    x = qd.ndarray(qd.f32, shape=(5,))
    k(x, 1.0, 0.0)
    return {"x": x.to_numpy()}


@case(section="4.4", debug=True, golden={"x": [INF, NAN, INF]})
def float_division_by_zero_does_not_raise_in_debug():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, z: qd.f32):
        x[0] = a / z
        x[1] = a % z
        x[2] = a // z

    x = qd.ndarray(qd.f32, shape=(3,))
    k(x, 1.0, 0.0)
    return {"x": x.to_numpy()}


@case(
    section="4.4",
    golden={"x": [0.3333333432674408, 1.4142135381698608, 0.30000001192092896, 0.30000001192092896, 0.5]},
)
def basic_ops_correctly_rounded():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, b: qd.f32, c: qd.f32, d: qd.f32):
        x[0] = a / b  # 1 / 3
        x[1] = qd.sqrt(a + a)
        x[2] = c + d  # 0.1 + 0.2 in f32
        x[3] = c * 3
        x[4] = a - a / (a + a)

    x = qd.ndarray(qd.f32, shape=(5,))
    k(x, 1.0, 3.0, 0.1, 0.2)
    return {"x": x.to_numpy()}


@case(section="4.4", golden={"x": [0.0, 0.0, 0.0]})
def no_fma_contraction():
    # a*a = 1 + 2**-11 + 2**-24 rounds to 1 + 2**-11 in f32; an FMA would keep the 2**-24.
    @qd.kernel
    def k(x: F32_1, a: qd.f32, c: qd.f32):
        x[0] = a * a + c
        x[1] = c + a * a
        p = a * a
        x[2] = p + c

    x = qd.ndarray(qd.f32, shape=(3,))
    k(x, 1.0 + 2.0**-12, -(1.0 + 2.0**-11))
    return {"x": x.to_numpy()}


@case(section="4.4", golden={"x": [1.0, 0.0, 1.0]})
def no_reassociation():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, b: qd.f32, c: qd.f32):
        x[0] = (a + b) + c
        x[1] = a + (b + c)  # -1e8 + 1 rounds to -1e8
        x[2] = a + b + c

    x = qd.ndarray(qd.f32, shape=(3,))
    k(x, 1e8, -1e8, 1.0)
    return {"x": x.to_numpy()}


@case(section="4.4", requires=("subnormals",), golden={"x": [2.0**-127, 2.0**-127, 2.0**-139, 2.0**-139, 2.0**-140, 1]})
def subnormals_not_flushed():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, s: qd.f32, src: F32_1):
        x[0] = a / 2.0
        x[1] = a * 0.5
        x[2] = s * 2.0
        x[3] = s + src[0]
        x[4] = src[0] * 1.0
        x[5] = src[0] > 0.0

    x = qd.ndarray(qd.f32, shape=(6,))
    src = qd.ndarray(qd.f32, shape=(1,))
    src[0] = 2.0**-140
    k(x, 2.0**-126, 2.0**-140, src)
    return {"x": x.to_numpy()}


@case(section="4.4", tol="bitwise", golden={"x": [-0.0, -0.0, 0.0, -0.0]})
def signed_zero_ieee():
    @qd.kernel
    def k(x: F32_1, z: qd.f32):
        x[0] = -z
        x[1] = z * -1.0
        x[2] = z + (-z)
        x[3] = -z - z

    x = qd.ndarray(qd.f32, shape=(4,))
    k(x, 0.0)
    return {"x": x.to_numpy()}


@case(section="4.4", golden={"x": [INF, -INF, NAN, 0.0, INF]})
def float_overflow_and_inf_arithmetic():
    @qd.kernel
    def k(x: F32_1, big: qd.f32, z: qd.f32):
        x[0] = big * 2.0
        x[1] = -big - big
        inf = big * 2.0
        x[2] = inf * z
        x[3] = 1.0 / inf
        x[4] = inf + 1.0

    x = qd.ndarray(qd.f32, shape=(5,))
    k(x, 3e38, 0.0)
    return {"x": x.to_numpy()}


@case(section="4.4", requires=("f16",), golden={"x": [2048.0, 2050.0, INF, 2048.0]})
def f16_rounds_after_every_operation():
    @qd.kernel
    def k(x: F32_1, h: qd.f16, one: qd.f16):
        x[0] = (h + one) + one  # 2049 -> 2048 after each add
        x[1] = h + (one + one)
        x[2] = h * h  # overflows f16
        x[3] = h + one + one + one + one  # every step rounds back to 2048

    x = qd.ndarray(qd.f32, shape=(4,))
    k(x, 2048.0, 1.0)
    return {"x": x.to_numpy()}


@case(section="4.4", requires=("f64",), golden={"x": [0.30000000000000004, 0.3333333333333333, 1.4142135623730951]})
def f64_ops_exact():
    @qd.kernel
    def k(x: F64_1, a: qd.f64, b: qd.f64, c: qd.f64):
        x[0] = a + b
        x[1] = c / 3.0
        x[2] = qd.sqrt(c + c)

    x = qd.ndarray(qd.f64, shape=(3,))
    k(x, 0.1, 0.2, 1.0)
    return {"x": x.to_numpy()}


@case(section="4.3", tol="pow", golden={"x": [0.25, 0.25, 0.5]})
def negative_exponent_with_float_operand_is_allowed():
    # The compile-time negative-exponent error is only for an integer run-time base with an integer exponent.
    @qd.kernel
    def k(x: F32_1, f: qd.f32, a: qd.i32):
        x[0] = f**-2
        x[1] = a**-2.0
        x[2] = qd.pow(f, -1)

    x = qd.ndarray(qd.f32, shape=(3,))
    k(x, 2.0, 2)
    return {"x": x.to_numpy()}
