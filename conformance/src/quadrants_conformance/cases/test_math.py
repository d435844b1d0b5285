"""docs/semantics.md §6: math functions, their result types and errors."""

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
U32_1 = qd.types.NDArray[qd.u32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
I64_1 = qd.types.NDArray[qd.i64, 1]
F64_1 = qd.types.NDArray[qd.f64, 1]

INF = float("inf")
NAN = float("nan")


@case(section="6", requires=("f64",), golden={"x": [1.4142135381698608, 1.7320507764816284, 2.0]})
def sqrt_of_int_is_f32():
    # Stored into f64 so that an f64 result (1.4142135623730951) would be visible.
    @qd.kernel
    def k(x: F64_1, a: qd.i32, b: qd.u32):
        x[0] = qd.sqrt(a)
        x[1] = qd.sqrt(b)
        x[2] = qd.sqrt(a + a)

    x = qd.ndarray(qd.f64, shape=(3,))
    k(x, 2, 3)
    return {"x": x.to_numpy()}


@case(section="6", requires=("i64", "f64"), golden={"x": [1.4142135381698608]})
def sqrt_of_i64_is_f32():
    @qd.kernel
    def k(x: F64_1, a: qd.i64):
        x[0] = qd.sqrt(a)

    x = qd.ndarray(qd.f64, shape=(1,))
    k(x, 2)
    return {"x": x.to_numpy()}


@case(
    section="6",
    tol="transcendental",
    golden={"x": [3.0, 1.0, 0.0, 0.5, 2.7182817459106445, 2.3025851249694824, 0.5]},
)
def sqrt_exp_log_rsqrt_of_int():
    @qd.kernel
    def k(x: F32_1, a: qd.i32, z: qd.i32, one: qd.i32, four: qd.i32, ten: qd.i32):
        x[0] = qd.sqrt(a)  # 9
        x[1] = qd.exp(z)
        x[2] = qd.log(one)
        x[3] = qd.rsqrt(four)  # default_fp, not an integer 0
        x[4] = qd.exp(one)
        x[5] = qd.log(ten)
        x[6] = qd.rsqrt(four) * one

    x = qd.ndarray(qd.f32, shape=(7,))
    k(x, 9, 0, 1, 4, 10)
    return {"x": x.to_numpy()}


@case(section="6", tol="transcendental", golden={"x": [2.0, -INF, NAN, INF, 0.0]})
def exp_log_rsqrt_special_values():
    @qd.kernel
    def k(x: F32_1, q: qd.f32, z: qd.f32, big: qd.f32):
        x[0] = qd.rsqrt(q)  # 0.25
        x[1] = qd.log(z)
        x[2] = qd.log(z - 1.0)
        x[3] = qd.exp(big)
        x[4] = qd.exp(-big)

    x = qd.ndarray(qd.f32, shape=(5,))
    k(x, 0.25, 0.0, 1000.0)
    return {"x": x.to_numpy()}


@case(
    section="6",
    tol="transcendental",
    golden={
        "x": [
            0.4794255495071411,
            0.8775825500488281,
            0.5463024973869324,
            0.5235987901687622,
            1.0471975803375244,
            0.46364760398864746,
            0.46211716532707214,
        ]
    },
)
def trig_and_hyperbolic_f32():
    @qd.kernel
    def k(x: F32_1, a: qd.f32):
        x[0] = qd.sin(a)
        x[1] = qd.cos(a)
        x[2] = qd.tan(a)
        x[3] = qd.asin(a)
        x[4] = qd.acos(a)
        x[5] = qd.atan(a)
        x[6] = qd.tanh(a)

    x = qd.ndarray(qd.f32, shape=(7,))
    k(x, 0.5)
    return {"x": x.to_numpy()}


@case(section="6", raises=(qd.QuadrantsTypeError, "'sin' takes real inputs only"))
def sin_of_int_error():
    @qd.kernel
    def k(x: F32_1, a: qd.i32):
        x[0] = qd.sin(a)

    k(qd.ndarray(qd.f32, shape=(1,)), 1)


@case(section="6", raises=(qd.QuadrantsTypeError, "'cos' takes real inputs only"))
def cos_of_int_error():
    @qd.kernel
    def k(x: F32_1, a: qd.i32):
        x[0] = qd.cos(a + 1)

    k(qd.ndarray(qd.f32, shape=(1,)), 1)


@case(section="6", raises=(qd.QuadrantsTypeError, "'tanh' takes real inputs only"))
def tanh_of_int_error():
    @qd.kernel
    def k(x: F32_1, a: qd.u32):
        x[0] = qd.tanh(a)

    k(qd.ndarray(qd.f32, shape=(1,)), 1)


@case(section="6", requires=("f64",), tol="transcendental", golden={"x": [1.5574077246549023]})
def tan_of_f64_is_f64():
    @qd.kernel
    def k(x: F64_1, d: qd.f64):
        x[0] = qd.tan(d)

    x = qd.ndarray(qd.f64, shape=(1,))
    k(x, 1.0)
    return {"x": x.to_numpy()}


@case(section="6", requires=("f16",), tol="transcendental", golden={"x": [0.5234375]})
def asin_of_f16_is_f16():
    @qd.kernel
    def k(x: F32_1, h: qd.f16):
        x[0] = qd.asin(h)

    x = qd.ndarray(qd.f32, shape=(1,))
    k(x, 0.5)
    return {"x": x.to_numpy()}


@case(
    section="6",
    tol="transcendental",
    golden={"x": [2.356194496154785, 0.7853981852531433, -1.5707963705062866, 0.7853981852531433]},
)
def atan2_values_and_int_operands():
    @qd.kernel
    def k(x: F32_1, y: qd.f32, xx: qd.f32, a: qd.i32, b: qd.i32):
        x[0] = qd.atan2(y, xx)  # atan2(1, -1) = 3*pi/4
        x[1] = qd.atan2(a, b)  # int, int -> f32
        x[2] = qd.atan2(-y, xx + 1.0)  # atan2(-1, 0)
        x[3] = qd.atan2(a, y)

    x = qd.ndarray(qd.f32, shape=(4,))
    k(x, 1.0, -1.0, 1, 1)
    return {"x": x.to_numpy()}


@case(section="6", requires=("f64",), tol="transcendental", golden={"x": [0.3217505543966422]})
def atan2_f64_f32_is_f64():
    @qd.kernel
    def k(x: F64_1, y: qd.f64, xx: qd.f32):
        x[0] = qd.atan2(y, xx)

    x = qd.ndarray(qd.f64, shape=(1,))
    k(x, 1.0, 3.0)
    return {"x": x.to_numpy()}


@case(section="6", golden={"x": [-8.0, -7.0, 3.0, -3.0, 1.0, 2.0, -1.0, 7.0, -0.0, 0.0]})
def floor_ceil_round_values():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, h: qd.f32):
        x[0] = qd.floor(a)  # -7.5
        x[1] = qd.ceil(a)
        x[2] = qd.round(h * 5)  # 2.5
        x[3] = qd.round(-h * 5)  # -2.5
        x[4] = qd.round(h)  # 0.5
        x[5] = qd.round(h * 3)  # 1.5
        x[6] = qd.round(-h)  # -0.5
        x[7] = qd.floor(-a)
        x[8] = qd.round(-h * 0.8)  # -0.4
        x[9] = qd.round(h * 0.8)  # 0.4

    x = qd.ndarray(qd.f32, shape=(10,))
    k(x, -7.5, 0.5)
    return {"x": x.to_numpy()}


@case(section="6", golden={"x": [-8, -7, 3, -3, -16, 6]})
def floor_ceil_round_with_dtype():
    @qd.kernel
    def k(x: I32_1, a: qd.f32, b: qd.f32):
        x[0] = qd.floor(a, qd.i32)
        x[1] = qd.ceil(a, dtype=qd.i32)
        x[2] = qd.round(b, qd.i32)  # 2.5
        x[3] = qd.round(-b, dtype=qd.i32)
        x[4] = qd.floor(a, qd.i32) << 1  # an integer result: shifts are allowed
        x[5] = qd.round(b, qd.i32) * 2

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x, -7.5, 2.5)
    return {"x": x.to_numpy()}


@case(section="6", requires=("i64",), golden={"x": [24999999488, -24999999488]})
def round_to_i64():
    @qd.kernel
    def k(x: I64_1, a: qd.f32):
        x[0] = qd.round(a, qd.i64)
        x[1] = qd.round(-a, dtype=qd.i64)

    x = qd.ndarray(qd.i64, shape=(2,))
    k(x, 2.5e10)
    return {"x": x.to_numpy()}


@case(section="6", raises=(qd.QuadrantsTypeError, "'floor' takes real inputs only"))
def floor_of_int_error():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        x[0] = qd.floor(a)

    k(qd.ndarray(qd.i32, shape=(1,)), 3)


@case(section="6", raises=(qd.QuadrantsTypeError, "'round' takes real inputs only"))
def round_of_int_error():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        x[0] = qd.round(a, qd.i32)

    k(qd.ndarray(qd.i32, shape=(1,)), 3)


@case(section="6", golden={"x": [3.5, 3.5, INF, 0.0]})
def abs_of_floats():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, z: qd.f32):
        x[0] = abs(a)
        x[1] = qd.abs(-a)
        x[2] = abs(a / z)
        x[3] = abs(z)

    x = qd.ndarray(qd.f32, shape=(4,))
    k(x, -3.5, 0.0)
    return {"x": x.to_numpy()}


@case(section="6", golden={"x": [1.0, 1.0, 1.0, 1.0, NAN, NAN, 2.0, -1.0]})
def max_min_with_nan():
    @qd.kernel
    def k(x: F32_1, one: qd.f32, z: qd.f32):
        n = z / z
        x[0] = max(n, one)
        x[1] = qd.max(one, n)
        x[2] = min(n, one)
        x[3] = qd.min(one, n)
        x[4] = max(n, n)
        x[5] = qd.min(n, n)
        x[6] = qd.max(one, one + one)
        x[7] = min(one, -one)

    x = qd.ndarray(qd.f32, shape=(8,))
    k(x, 1.0, 0.0)
    return {"x": x.to_numpy()}


@case(section="6", golden={"x": [5, -3, 5, -3, 7]})
def max_min_ints():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, b: qd.i32):
        x[0] = max(a, b)
        x[1] = min(a, b)
        x[2] = qd.max(b, a)
        x[3] = qd.min(b, a)
        x[4] = max(a, 7)

    x = qd.ndarray(qd.i32, shape=(5,))
    k(x, -3, 5)
    return {"x": x.to_numpy()}


@case(section="6", tol="pow", golden={"x": [1024, 0, -1], "f": [1.4142135381698608, 0.25]})
def qd_pow_matches_operator():
    @qd.kernel
    def k(x: I32_1, f: F32_1, a: qd.i32, b: qd.i32, h: qd.f32):
        x[0] = qd.pow(a, b)
        x[1] = qd.pow(a, -b + 9)  # 2 ** -1 at run time
        x[2] = qd.pow(a - 3, b + 1)  # (-1) ** 11
        f[0] = qd.pow(h * 4, 0.5)
        f[1] = qd.pow(h, a)

    x = qd.ndarray(qd.i32, shape=(3,))
    f = qd.ndarray(qd.f32, shape=(2,))
    k(x, f, 2, 10, 0.5)
    return {"x": x.to_numpy(), "f": f.to_numpy()}


@case(
    section="6",
    requires=("f64",),
    golden={
        "f": [10.889999389648438, 50.40999984741211, 108.15998840332031, INF, 0.0, INF, NAN, 118.59208679199219,
              10.889999389648438, 10.889999389648438],
        "d": [10.889999999999999, 11.560000010132788],
        "x": [605032704, -2147479015, 49],
    },
)  # fmt: skip
def squares_are_correctly_rounded():
    # x ** 2 is the correctly rounded square (x * x) for every x and exponent spelling, not an approximate pow
    @qd.kernel
    def k(f: F32_1, d: F64_1, x: I32_1, a: qd.f32, m: qd.f32, big: qd.f32, z: qd.f32, wd: qd.f64, n: qd.i32):
        f[0] = a**2  # 3.3
        f[1] = m**2.0  # -7.1
        f[2] = (a - m) ** 2
        f[3] = big**2  # 1e20: overflows to inf
        f[4] = (-z) ** 2  # -0.0 squared is +0.0
        f[5] = (m / z) ** 2  # -inf
        f[6] = (z / z) ** 2  # NaN
        f[7] = (a**2) ** 2
        f[8] = qd.pow(a, 2)
        f[9] = a ** (n - 69998)  # the exponent 2 known only at run time: the same value
        d[0] = wd**2
        d[1] = (wd + 0.1) ** 2  # 0.1 is an f32 literal (default_fp)
        x[0] = n**2  # 70000: wraps
        x[1] = (n - 116341) ** 2  # -46341
        x[2] = (n - 69993) ** 2

    f = qd.ndarray(qd.f32, shape=(10,))
    d = qd.ndarray(qd.f64, shape=(2,))
    x = qd.ndarray(qd.i32, shape=(3,))
    k(f, d, x, 3.3, -7.1, 1e20, 0.0, 3.3, 70000)
    return {"f": f.to_numpy(), "d": d.to_numpy(), "x": x.to_numpy()}


@case(
    section="6", tol="pow", golden={"f": [35.9370002746582, -357.9109802246094, 27.984098434448242, INF, 2541.16796875]}
)
def cubes_and_fourth_powers():
    # f32 x ** 3 and x ** 4: the f64 power rounded once (llvm backends compute them as f64 products, no pow)
    @qd.kernel
    def k(f: F32_1, a: qd.f32, m: qd.f32, big: qd.f32):
        f[0] = a**3  # 3.3
        f[1] = m**3  # -7.1
        f[2] = (1.0 - a) ** 4
        f[3] = big**3  # 1e20: overflows to inf
        f[4] = m**4.0

    f = qd.ndarray(qd.f32, shape=(5,))
    k(f, 3.3, -7.1, 1e20)
    return {"f": f.to_numpy()}


@case(section="6", golden={"x": [0, 32, 3, 2, 1, 32, 1]})
def popcnt_values_and_type():
    @qd.kernel
    def k(x: I32_1, z: qd.i32, m: qd.i32, s: qd.i32, u: qd.u32, mn: qd.i32, umax: qd.u32):
        x[0] = qd.math.popcnt(z)
        x[1] = qd.math.popcnt(m)  # -1
        x[2] = qd.math.popcnt(s)  # 7
        x[3] = qd.math.popcnt(u)  # 0x80000001
        x[4] = qd.math.popcnt(mn)  # INT_MIN
        x[5] = qd.math.popcnt(umax)
        x[6] = (qd.math.popcnt(umax) - 33) < 0  # the result is i32 (signed)

    x = qd.ndarray(qd.i32, shape=(7,))
    k(x, 0, -1, 7, 0x80000001, -(2**31), 0xFFFFFFFF)
    return {"x": x.to_numpy()}


@case(section="6", golden={"x": [32, 0, 31, 16, 0, 32, 1]})
def clz_values_and_type():
    @qd.kernel
    def k(x: I32_1, z: qd.i32, m: qd.i32, one: qd.i32, u: qd.u32, mn: qd.i32, uz: qd.u32):
        x[0] = qd.math.clz(z)
        x[1] = qd.math.clz(m)
        x[2] = qd.math.clz(one)
        x[3] = qd.math.clz(u)  # 0x8000
        x[4] = qd.math.clz(mn)
        x[5] = qd.math.clz(uz)
        x[6] = (qd.math.clz(uz) - 33) < 0

    x = qd.ndarray(qd.i32, shape=(7,))
    k(x, 0, -1, 1, 0x8000, -(2**31), 0)
    return {"x": x.to_numpy()}


@case(section="6", golden={"x": [0, 1, 4, 32, 32, 3, 1]})
def ffs_values_and_type():
    @qd.kernel
    def k(x: I32_1, z: qd.i32, m: qd.i32, e: qd.i32, mn: qd.i32, u: qd.u32, t: qd.i32):
        x[0] = qd.math.ffs(z)
        x[1] = qd.math.ffs(m)
        x[2] = qd.math.ffs(e)  # 8
        x[3] = qd.math.ffs(mn)
        x[4] = qd.math.ffs(u)  # 0x80000000
        x[5] = qd.math.ffs(t)  # 12
        x[6] = (qd.math.ffs(z) - 1) < 0

    x = qd.ndarray(qd.i32, shape=(7,))
    k(x, 0, -1, 8, -(2**31), 0x80000000, 12)
    return {"x": x.to_numpy()}


@case(section="6", requires=("i64",), golden={"x": [64, 64, 63, 41, 0, 1]})
def bit_counts_i64():
    @qd.kernel
    def k(x: I32_1, m: qd.i64, z: qd.i64, one: qd.i64, p: qd.i64):
        x[0] = qd.math.popcnt(m)
        x[1] = qd.math.clz(z)
        x[2] = qd.math.clz(one)
        x[3] = qd.math.ffs(p)  # 2**40
        x[4] = qd.math.clz(m)
        x[5] = qd.math.ffs(m)

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x, -1, 0, 1, 2**40)
    return {"x": x.to_numpy()}


@case(section="6", requires=("u64",), golden={"x": [64, 63, 64, 1, 0, 1]})
def bit_counts_u64():
    @qd.kernel
    def k(x: I32_1, m: qd.u64, one: qd.u64, z: qd.u64):
        x[0] = qd.math.popcnt(m)
        x[1] = qd.math.clz(one)
        x[2] = qd.math.clz(z)
        x[3] = qd.math.ffs(one)
        x[4] = qd.math.ffs(z)
        x[5] = qd.math.popcnt(one)

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x, 2**64 - 1, 1, 0)
    return {"x": x.to_numpy()}


@case(section="6", raises=(qd.QuadrantsTypeError, "takes integral inputs only"))
def ffs_of_a_float_is_a_type_error():
    @qd.kernel
    def k(f: qd.f32) -> qd.i32:
        return qd.math.ffs(f)

    k(1.0)
