"""f64 end to end (docs/semantics.md §4.4, §5, §6, §12): arithmetic, conversions, every math function and atomics.

These are the cases that exercise a backend's own f64 implementation (the wgpu backend builds every f64 function
from basic operations, docs/backends/wgpu.md) over inputs that reach the edges of each algorithm: argument
reduction, subnormals, overflow and underflow thresholds, signed zeros, infinities and NaN.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F64_1 = qd.types.NDArray[qd.f64, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
I32_1 = qd.types.NDArray[qd.i32, 1]
U32_1 = qd.types.NDArray[qd.u32, 1]
I8_1 = qd.types.NDArray[qd.i8, 1]
I64_1 = qd.types.NDArray[qd.i64, 1]
U64_1 = qd.types.NDArray[qd.u64, 1]
F16_1 = qd.types.NDArray[qd.f16, 1]

INF, NAN = float("inf"), float("nan")
SPECIALS = [0.0, -0.0, INF, -INF, NAN, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308]


def _unary(values, fn):
    """Apply the kernel ``fn`` element-wise to ``values`` (an f64 ndarray in, an f64 ndarray out)."""
    x = qd.ndarray(qd.f64, shape=(len(values),))
    x.from_numpy(np.array(values, np.float64))
    y = qd.ndarray(qd.f64, shape=(len(values),))
    fn(x, y)
    return {"y": y.to_numpy()}


# ---------------------------------------------------------------------------------------------- arithmetic


@case(
    section="4.4",
    requires=("f64",),
    golden={
        "x": [0.30000000000000004, -0.1, 0.020000000000000004, 0.5, 1.4142135623730951, 2.0, 0.25, -0.0, 0.0, 3.0,
              -4.0, 0.1, 0.0]
    },
)  # fmt: skip
def f64_arithmetic_is_exact():
    @qd.kernel
    def k(x: F64_1, a: qd.f64, b: qd.f64, c: qd.f64, t: qd.f64):
        x[0] = a + b
        x[1] = a - b
        x[2] = a * b
        x[3] = a / b
        x[4] = qd.sqrt(c)
        x[5] = c // 0.75
        x[6] = (c + 0.25) % 0.5  # 2.25 - floor(2.25 / 0.5) * 0.5
        x[7] = -qd.floor(a + 0.5)
        x[8] = (a + b) - (a + b)
        x[9] = qd.round(2.5)
        x[10] = qd.round(-3.5)
        x[11] = qd.max(a, qd.sqrt(-c))  # NaN operand ignored
        x[12] = t * 1e-300  # underflows to 0

    x = qd.ndarray(qd.f64, shape=(13,))
    k(x, 0.1, 0.2, 2.0, 1e-310)
    return {"x": x.to_numpy()}


@case(section="4.4", requires=("f64", "subnormals"), golden={"x": [1.00000001490097e-310, 5e-324, 0.0]})
def f64_subnormals():
    @qd.kernel
    def k(x: F64_1, t: qd.f64):
        x[0] = t * 0.1 * 10.0  # subnormal operand and results; 0.1 is an f32 literal
        x[1] = qd.f64(2.0**-1073) * 0.5
        x[2] = qd.f64(2.0**-1074) * 0.5  # tie: to even (0)

    x = qd.ndarray(qd.f64, shape=(3,))
    k(x, 1e-310)
    return {"x": x.to_numpy()}


@case(section="4.4", requires=("f64",), golden={"lt": [1, 0, 0], "ne": [1, 1, 0]})
def f64_comparisons_distinguish_close_values():
    @qd.kernel
    def k(lt: I32_1, ne: I32_1, a: qd.f64, b: qd.f64):
        lt[0] = a < b
        lt[1] = b < a
        lt[2] = a < a
        ne[0] = a != b
        ne[1] = qd.sqrt(-a) != qd.sqrt(-a)  # NaN
        ne[2] = a != a

    lt, ne = qd.ndarray(qd.i32, shape=(3,)), qd.ndarray(qd.i32, shape=(3,))
    k(lt, ne, 1.0, 1.0 + 2.0**-52)
    return {"lt": lt.to_numpy(), "ne": ne.to_numpy()}


# ---------------------------------------------------------------------------------------------- conversions


@case(
    section="5",
    requires=("f64", "i8"),
    golden={
        "i": [2147483647, -2147483648, 0, -7, 3, 2147483647],
        "u": [4294967295, 0, 0, 0, 3, 4294967295],
        "b": [127, -128, 0, -7, 3, 127],
        "w": [9223372036854775807, -9223372036854775808, 0, -7, 3, 30000000000],
        "uw": np.array([18446744073709551615, 0, 0, 0, 3, 30000000000], np.uint64),
    },
)
def f64_to_int_truncates_and_saturates():
    @qd.kernel
    def k(x: F64_1, i: I32_1, u: U32_1, b: I8_1, w: I64_1, uw: U64_1):
        for n in range(x.shape[0]):
            i[n] = qd.cast(x[n], qd.i32)
            u[n] = qd.cast(x[n], qd.u32)
            b[n] = qd.cast(x[n], qd.i8)
            w[n] = qd.cast(x[n], qd.i64)
            uw[n] = qd.cast(x[n], qd.u64)

    values = [1e300, -1e300, NAN, -7.9, 3.99, 3e10]
    x = qd.ndarray(qd.f64, shape=(6,))
    x.from_numpy(np.array(values))
    out = {name: qd.ndarray(t, shape=(6,)) for name, t in
           (("i", qd.i32), ("u", qd.u32), ("b", qd.i8), ("w", qd.i64), ("uw", qd.u64))}  # fmt: skip
    k(x, *out.values())
    return {name: a.to_numpy() for name, a in out.items()}


@case(
    section="5",
    requires=("f64", "i64"),
    golden={
        "x": [9.223372036854776e18, -9.223372036854776e18, 9007199254740992.0, 9007199254740996.0,
              1.8446744073709552e19, 4294967295.0, -1.0]
    },
)  # fmt: skip
def int64_to_f64_rounds_to_nearest_even():
    @qd.kernel
    def k(x: F64_1, a: qd.i64, b: qd.i64, c: qd.i64, d: qd.i64, e: qd.u64, f: qd.u32, g: qd.i32):
        x[0] = qd.f64(a)
        x[1] = qd.f64(b)
        x[2] = qd.f64(c)  # 2^53 + 1: tie, to even
        x[3] = qd.f64(d)  # 2^53 + 3: tie, to even (up)
        x[4] = qd.f64(e)
        x[5] = qd.f64(f)
        x[6] = qd.f64(g)

    x = qd.ndarray(qd.f64, shape=(7,))
    k(x, 2**63 - 1, -(2**63), 2**53 + 1, 2**53 + 3, 2**64 - 1, 2**32 - 1, -1)
    return {"x": x.to_numpy()}


@case(
    section="5",
    requires=("f64", "f16"),
    golden={"h": [1.0, 1.0009765625, 65504.0, INF, 5.960464477539063e-08, 0.0, 1.7881393432617188e-07, -INF]},
)
def f64_to_f16_rounds_once():
    # 1 + 2^-11 + 2^-40 is just above the tie: f64 -> f16 gives 1 + 2^-10, while rounding through f32 (which drops
    # the 2^-40) would land on the tie and give 1.0.
    @qd.kernel
    def k(h: F16_1, x: F64_1):
        for n in range(x.shape[0]):
            h[n] = qd.cast(x[n], qd.f16)

    values = [1.0 + 2.0**-11, 1.0 + 2.0**-11 + 2.0**-40, 65519.0, 65520.0, 2.0**-25 + 2.0**-60, 2.0**-25,
              1.5 * 2.0**-23, -1e300]  # fmt: skip
    x = qd.ndarray(qd.f64, shape=(len(values),))
    x.from_numpy(np.array(values))
    h = qd.ndarray(qd.f16, shape=(len(values),))
    k(h, x)
    return {"h": h.to_numpy()}


_F32_EDGES = [3.4028234663852886e38, INF, 1.401298464324817e-45, 0.0]  # the third is an f32 subnormal


@case(section="5", requires=("f64", "subnormals"), golden={"x": _F32_EDGES})
def f64_to_f32_edges():
    @qd.kernel
    def k(x: F64_1, y: F64_1):
        for n in range(x.shape[0]):
            y[n] = qd.f64(qd.f32(x[n]))

    x = qd.ndarray(qd.f64, shape=(4,))
    x.from_numpy(np.array([3.4028235e38, 3.4028236e38, 1.401298464324817e-45 * 0.75, 1.401298464324817e-45 * 0.5]))
    y = qd.ndarray(qd.f64, shape=(4,))
    k(x, y)
    return {"x": y.to_numpy()}


# ------------------------------------------------------------------------------------------- math functions


def _math_case(fn, values):
    @qd.kernel
    def k(x: F64_1, y: F64_1):
        for n in range(x.shape[0]):
            y[n] = fn(x[n])

    return _unary(values, k)


@case(section="6", requires=("f64",), tol="transcendental")
def f64_exp_log():
    exp = _math_case(qd.exp, [-745.2, -745.0, -708.5, -1.0, -1e-10, 0.5, 1.0, 10.0, 700.0, 709.78, 709.8, *SPECIALS])
    log = _math_case(qd.log, [1e-320, 1e-300, 0.1, 0.7071, 1.0, 1.4143, 2.0, 10.0, 1e300, -1.0, *SPECIALS])
    return {"exp": exp["y"], "log": log["y"]}


@case(section="6", requires=("f64",), tol="transcendental")
def f64_trigonometric():
    values = [-1e5, -100.0, -3.0, -1.0, 1e-8, 0.5, 0.7853981633974483, 1.0, 1.5707963267948966, 3.141592653589793,
              4.0, 1e4, *SPECIALS[:5]]  # fmt: skip
    return {
        "sin": _math_case(qd.sin, values)["y"],
        "cos": _math_case(qd.cos, values)["y"],
        "tan": _math_case(qd.tan, values)["y"],
    }


@case(section="6", requires=("f64",), tol="transcendental")
def f64_inverse_trigonometric():
    unit = [-1.0, -0.99, -0.5, -1e-9, 0.0, -0.0, 0.3, 0.7071067811865476, 0.999999, 1.0, 1.5, NAN]
    wide = [-1e300, -1e10, -2.0, -0.4, 0.0, -0.0, 0.3, 0.9, 1.0, 2.5, 1e10, INF, -INF, NAN]
    return {
        "asin": _math_case(qd.asin, unit)["y"],
        "acos": _math_case(qd.acos, unit)["y"],
        "atan": _math_case(qd.atan, wide)["y"],
    }


@case(section="6", requires=("f64",), tol="transcendental")
def f64_hyperbolic():
    values = [-720.0, -710.0, -30.0, -1.0, -1e-9, 0.0, -0.0, 0.3, 0.9, 1.5, 21.0, 23.0, 709.5, 711.0, INF, -INF, NAN]
    return {
        "sinh": _math_case(qd.sinh, values)["y"],
        "cosh": _math_case(qd.cosh, values)["y"],
        "tanh": _math_case(qd.tanh, values)["y"],
    }


@case(section="6", requires=("f64",), tol="transcendental")
def f64_atan2_quadrants_and_special_values():
    ys = [1.0, 1.0, -1.0, -1.0, 0.0, -0.0, 0.0, -0.0, 1.0, INF, INF, -INF, 3.0, 1e-300, NAN, 2.0]
    xs = [1.0, -1.0, 1.0, -1.0, -0.0, -0.0, 0.0, 1.0, 0.0, INF, -INF, 5.0, -INF, 1e300, 1.0, -1e-300]

    @qd.kernel
    def k(y: F64_1, x: F64_1, r: F64_1):
        for n in range(y.shape[0]):
            r[n] = qd.atan2(y[n], x[n])

    y, x, r = (qd.ndarray(qd.f64, shape=(len(ys),)) for _ in range(3))
    y.from_numpy(np.array(ys))
    x.from_numpy(np.array(xs))
    k(y, x, r)
    return {"r": r.to_numpy()}


@case(section="6", requires=("f64",), tol="pow")
def f64_pow():
    bases = [2.0, 2.0, 10.0, 0.5, 1.0000001, 7.0, 3.0, -2.0, -2.0, -2.0, 0.0, -0.0, INF, -INF, 1.0, -1.0, 0.9, NAN, 2.5]
    exps = [0.5, -3.0, 300.0, 1023.9, 1e10, 2.0, 40.5, 3.0, 0.5, -4.0, -1.0, -3.0, -2.0, 3.0, NAN, INF, -300.5, 0.0,
            -1075.0]  # fmt: skip

    @qd.kernel
    def k(a: F64_1, b: F64_1, r: F64_1):
        for n in range(a.shape[0]):
            r[n] = a[n] ** b[n]

    a, b, r = (qd.ndarray(qd.f64, shape=(len(bases),)) for _ in range(3))
    a.from_numpy(np.array(bases))
    b.from_numpy(np.array(exps))
    k(a, b, r)
    return {"r": r.to_numpy()}


# ---------------------------------------------------------------------------------------- fields and atomics


@case(section="13", requires=("f64",), golden={"f": [0.0, 0.1, 0.2, 0.30000000000000004], "r": 0.6000000000000001})
def f64_field_and_return():
    f = qd.field(qd.f64, shape=(4,))

    @qd.kernel
    def k(step: qd.f64) -> qd.f64:
        for n in range(4):
            f[n] = n * step
        total = qd.f64(0.0)
        for _ in range(1):
            for n in range(4):
                total += f[n]
        return total

    r = k(0.1)
    return {"f": f.to_numpy(), "r": r}


@case(
    section="12",
    requires=("atomic:f64",),
    golden={"s": [192.0, -3.0, 7.5, 10.0], "old": [2.5000000000000004]},
)
def f64_atomics_exact_values():
    @qd.kernel
    def k(s: F64_1, old: F64_1):
        for i in range(128):
            qd.atomic_add(s[0], 1.5)  # exact in any order
            qd.atomic_min(s[1], -(i % 4) * 1.0)
            qd.atomic_max(s[2], (i % 16) * 0.5)
        old[0] = qd.atomic_sub(s[3], -7.5)  # serial statement: old value is 2.5 + 2^-51

    s = qd.ndarray(qd.f64, shape=(4,))
    s[3] = 2.5 + 2.0**-51
    o = qd.ndarray(qd.f64, shape=(1,))
    k(s, o)
    return {"s": s.to_numpy(), "old": o.to_numpy()}


@case(section="12", requires=("atomic:f64",), tol="reduction", golden={"s": [0.49949999895022756]})
def f64_atomic_add_reduction():
    @qd.kernel
    def k(s: F64_1):
        for i in range(1000):
            qd.atomic_add(s[0], i * 1e-6)  # 1e-6 is an f32 literal

    s = qd.ndarray(qd.f64, shape=(1,))
    k(s)
    return {"s": s.to_numpy()}
