"""docs/semantics.md §5: conversions, their spellings and the precision-loss warning."""

import warnings

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
U32_1 = qd.types.NDArray[qd.u32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
I64_1 = qd.types.NDArray[qd.i64, 1]
U64_1 = qd.types.NDArray[qd.u64, 1]
F64_1 = qd.types.NDArray[qd.f64, 1]

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
NAN = float("nan")
INF = float("inf")


def _quadrants_warnings(fn):
    """Run ``fn`` and return the messages of the QuadrantsWarnings it emitted."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in rec if issubclass(w.category, qd.QuadrantsWarning)]


# -------------------------------------------------------------------------------------------------- int -> int


@case(section="5", golden={"u": [4294967289, 4294967289, 4294967295], "x": [-1, -7]})
def int_to_int_wraps_runtime():
    @qd.kernel
    def k(u: U32_1, x: I32_1, a: qd.i32, b: qd.u32):
        u[0] = qd.cast(a, qd.u32)
        u[1] = qd.u32(a)
        u[2] = qd.u32(a + 6)
        x[0] = qd.i32(b)
        x[1] = qd.cast(qd.cast(a, qd.u32), qd.i32)

    u = qd.ndarray(qd.u32, shape=(3,))
    x = qd.ndarray(qd.i32, shape=(2,))
    k(u, x, -7, 4294967295)
    return {"u": u.to_numpy(), "x": x.to_numpy()}


@case(section="5", requires=("u8",), golden={"x": [44, 255, 255, 44]})
def int_to_u8_truncates_and_zero_extends():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, m: qd.i32):
        x[0] = qd.u8(a)  # 300
        x[1] = qd.cast(m, qd.u8)  # -1
        x[2] = qd.i32(qd.u8(m))  # zero-extended back
        x[3] = qd.cast(a, qd.u8) + 0

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x, 300, -1)
    return {"x": x.to_numpy()}


@case(section="5", requires=("i8",), golden={"x": [-1, -56, -56], "u": [4294967295]})
def int_to_i8_truncates_and_sign_extends():
    @qd.kernel
    def k(x: I32_1, u: U32_1, a: qd.i32, b: qd.i32, m: qd.i32):
        x[0] = qd.i8(a)  # 2147483647
        x[1] = qd.i8(b)  # 200
        x[2] = qd.i32(qd.i8(b))
        u[0] = qd.u32(qd.i8(m))  # sign-extended by the source signedness

    x = qd.ndarray(qd.i32, shape=(3,))
    u = qd.ndarray(qd.u32, shape=(1,))
    k(x, u, 2147483647, 200, -1)
    return {"x": x.to_numpy(), "u": u.to_numpy()}


@case(section="5", requires=("i64",), golden={"x": [4294967295, -1, 5, -2147483645]})
def int_to_int_64_bit():
    @qd.kernel
    def k(x: I64_1, b: qd.u32, m: qd.i32, c: qd.i64, d: qd.i64):
        x[0] = qd.i64(b)  # zero-extended
        x[1] = qd.i64(m)  # sign-extended
        x[2] = qd.i32(c)  # 2**40 + 5 truncated
        x[3] = qd.cast(d, qd.i32)  # 2**31 + 3

    x = qd.ndarray(qd.i64, shape=(4,))
    k(x, 4294967295, -1, 2**40 + 5, 2**31 + 3)
    return {"x": x.to_numpy()}


@case(section="5", requires=("u64",), golden={"u": np.array([18446744073709551615, 4294967295], dtype=np.uint64)})
def int_to_u64_extension():
    @qd.kernel
    def k(u: U64_1, m: qd.i32, b: qd.u32):
        u[0] = qd.u64(m)  # sign-extended: i32 -1 -> all ones
        u[1] = qd.cast(b, qd.u64)

    u = qd.ndarray(qd.u64, shape=(2,))
    k(u, -1, 4294967295)
    return {"u": u.to_numpy()}


# -------------------------------------------------------------------------------------------- int <-> float


@case(section="5", golden={"x": [16777216.0, 16777220.0, -16777216.0, 4294967296.0, 16777220.0]})
def int_to_float_rounds_to_nearest_even():
    @qd.kernel
    def k(x: F32_1, a: qd.i32, b: qd.i32, u: qd.u32):
        x[0] = qd.f32(a)
        x[1] = qd.cast(b, qd.f32)
        x[2] = qd.f32(-a)
        x[3] = qd.f32(u)
        x[4] = b  # implicit store conversion rounds the same way

    x = qd.ndarray(qd.f32, shape=(5,))
    k(x, 16777217, 16777219, 4294967295)
    return {"x": x.to_numpy()}


@case(
    section="5",
    requires=("f64",),
    golden={"x": [0.10000000149011612, INF, -INF, 1.0, 1.000000238418579]},
)
def f64_to_f32_rounds_and_overflows():
    @qd.kernel
    def k(x: F64_1, a: qd.f64, b: qd.f64, c: qd.f64, d: qd.f64):
        x[0] = qd.f32(a)
        x[1] = qd.f32(b)
        x[2] = qd.cast(-b, qd.f32)
        x[3] = qd.f32(c)  # 1 + 2**-24: tie, to even
        x[4] = qd.f32(d)  # 1 + 3 * 2**-24: tie, to even (up)

    x = qd.ndarray(qd.f64, shape=(5,))
    k(x, 0.1, 1e39, 1.0 + 2.0**-24, 1.0 + 3 * 2.0**-24)
    return {"x": x.to_numpy()}


@case(
    section="5",
    golden={"x": [-7, INT_MAX, INT_MIN, 0, INT_MAX, INT_MIN, 7, 0, -7]},
)
def float_to_int_truncates_and_saturates():
    @qd.kernel
    def k(x: I32_1, a: qd.f32, big: qd.f32, z: qd.f32, b: qd.f32, c: qd.f32):
        x[0] = int(a)  # -7.5
        x[1] = int(big)  # 2.5e10
        x[2] = int(-big)
        x[3] = int(z / z)  # NaN -> 0
        x[4] = qd.i32(big / z)  # +inf
        x[5] = qd.cast(-big / z, qd.i32)  # -inf
        x[6] = qd.i32(b)  # 7.9
        x[7] = qd.cast(c, qd.i32)  # -0.9
        x[8] = qd.i32(a + 0.4)  # -7.1

    x = qd.ndarray(qd.i32, shape=(9,))
    k(x, -7.5, 2.5e10, 0.0, 7.9, -0.9)
    return {"x": x.to_numpy()}


@case(section="5", golden={"u": [0, 4294967295, 0, 4294967040, 3, 0]})
def float_to_u32_saturates():
    @qd.kernel
    def k(u: U32_1, a: qd.f32, big: qd.f32, z: qd.f32, e: qd.f32, f: qd.f32):
        u[0] = qd.cast(a, qd.u32)  # -7.5 -> 0
        u[1] = qd.u32(big)  # 5e9
        u[2] = qd.u32(z / z)  # NaN -> 0
        u[3] = qd.u32(e)  # exactly representable
        u[4] = qd.u32(f)  # 3.99
        u[5] = qd.u32(-big / z)  # -inf -> 0

    u = qd.ndarray(qd.u32, shape=(6,))
    k(u, -7.5, 5e9, 0.0, 4294967040.0, 3.99)
    return {"u": u.to_numpy()}


@case(section="5", requires=("u8",), golden={"x": [0, 255, 255, 0, 255]})
def float_to_u8_saturates():
    @qd.kernel
    def k(x: I32_1, a: qd.f32, b: qd.f32, c: qd.f32, z: qd.f32):
        x[0] = qd.cast(a, qd.u8)  # -7.5
        x[1] = qd.u8(b)  # 300.7
        x[2] = qd.u8(c)  # 255.9
        x[3] = qd.u8(z / z)
        x[4] = qd.cast(c / z, qd.u8)  # +inf

    x = qd.ndarray(qd.i32, shape=(5,))
    k(x, -7.5, 300.7, 255.9, 0.0)
    return {"x": x.to_numpy()}


@case(section="5", requires=("i64",), golden={"x": [24999999488, 2**63 - 1, -(2**63), 0, -7]})
def float_to_i64_saturates():
    @qd.kernel
    def k(x: I64_1, a: qd.f32, big: qd.f32, z: qd.f32):
        x[0] = qd.i64(a)  # f32(2.5e10) = 24999999488
        x[1] = qd.i64(big)  # 1e30
        x[2] = qd.cast(-big, qd.i64)
        x[3] = qd.i64(z / z)
        x[4] = qd.i64(z - 7.5)

    x = qd.ndarray(qd.i64, shape=(5,))
    k(x, 2.5e10, 1e30, 0.0)
    return {"x": x.to_numpy()}


# --------------------------------------------------------------------------------------------------- u1


@case(section="5", golden={"x": [1, 0, 0, 1, 1, 1, 1, 0]})
def conversion_to_u1_is_nonzero_test():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, z: qd.f32, h: qd.f32, big: qd.i32):
        x[0] = bool(a)  # 7
        x[1] = bool(a - a)
        x[2] = bool(-z)  # -0.0
        x[3] = bool(z / z)  # NaN -> 1
        x[4] = bool(h)  # 0.5
        x[5] = qd.cast(big, qd.u1)  # 256: non-zero, not the low bit
        x[6] = qd.u1(big + 2)
        x[7] = qd.cast(z, qd.u1)

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x, 7, 0.0, 0.5, 256)
    return {"x": x.to_numpy()}


@case(section="5", golden={"x": [5, 0, 1], "f": [1.0, 0.0, 1.0]})
def u1_to_number_is_0_or_1():
    @qd.kernel
    def k(x: I32_1, f: F32_1, a: qd.i32):
        x[0] = (a > 0) * 5
        x[1] = qd.i32(a < 0)
        x[2] = int(a > 0)
        f[0] = qd.cast(a > 0, qd.f32)
        f[1] = float(a < 0)
        f[2] = float(a > 0)

    x = qd.ndarray(qd.i32, shape=(3,))
    f = qd.ndarray(qd.f32, shape=(3,))
    k(x, f, 3)
    return {"x": x.to_numpy(), "f": f.to_numpy()}


# ---------------------------------------------------------------------------------------------- bit_cast


@case(
    section="5",
    golden={"x": [1065353216, -1082130432], "u": [4294967295, 2147483648], "f": [3.1415927410125732, NAN, 1.0]},
)
def bit_cast_reinterprets_bits():
    @qd.kernel
    def k(x: I32_1, u: U32_1, f: F32_1, one: qd.f32, pi_bits: qd.i32, m: qd.i32, z: qd.f32, nan_bits: qd.u32):
        x[0] = qd.bit_cast(one, qd.i32)
        x[1] = qd.bit_cast(-one, qd.i32)
        u[0] = qd.bit_cast(m, qd.u32)
        u[1] = qd.bit_cast(-z, qd.u32)  # -0.0
        f[0] = qd.bit_cast(pi_bits, qd.f32)
        f[1] = qd.bit_cast(nan_bits, qd.f32)
        f[2] = qd.bit_cast(qd.bit_cast(one, qd.u32), qd.f32)

    x = qd.ndarray(qd.i32, shape=(2,))
    u = qd.ndarray(qd.u32, shape=(2,))
    f = qd.ndarray(qd.f32, shape=(3,))
    k(x, u, f, 1.0, 0x40490FDB, -1, 0.0, 0x7FC00000)
    return {"x": x.to_numpy(), "u": u.to_numpy(), "f": f.to_numpy()}


@case(section="5", requires=("i64",), raises=(qd.QuadrantsTypeError, ""))
def bit_cast_width_mismatch_error():
    @qd.kernel
    def k(x: I64_1, a: qd.f32):
        x[0] = qd.bit_cast(a, qd.i64)

    k(qd.ndarray(qd.i64, shape=(1,)), 1.0)


@case(section="5", requires=("f64", "i64"), golden={"x": [4607182418800017408]})
def bit_cast_f64_to_i64():
    @qd.kernel
    def k(x: I64_1, d: qd.f64):
        x[0] = qd.bit_cast(d, qd.i64)

    x = qd.ndarray(qd.i64, shape=(1,))
    k(x, 1.0)
    return {"x": x.to_numpy()}


# ---------------------------------------------------------------------------------------------- spellings


@case(section="5", requires=("i64",), golden={"x": [5, -2147483645, 5]})
def int_spelling_is_i32_for_i64_source():
    @qd.kernel
    def k(x: I64_1, a: qd.i64, b: qd.i64):
        x[0] = int(a)  # 2**40 + 5 -> i32 5
        x[1] = int(b)  # 2**31 + 3 -> wraps in i32
        x[2] = int(a) + qd.i64(0)

    x = qd.ndarray(qd.i64, shape=(3,))
    k(x, 2**40 + 5, 2**31 + 3)
    return {"x": x.to_numpy()}


@case(section="5", requires=("i64", "f64"), golden={"x": [INT_MAX, -7]})
def int_spelling_is_i32_for_f64_source():
    @qd.kernel
    def k(x: I64_1, d: qd.f64):
        x[0] = int(d)  # 3e10 saturates to the i32 range
        x[1] = int(-d / d * 7.5)

    x = qd.ndarray(qd.i64, shape=(2,))
    k(x, 3e10)
    return {"x": x.to_numpy()}


@case(section="5", requires=("f64",), golden={"x": [0.10000000149011612, 16777216.0, 0.1]})
def float_spelling_is_f32():
    @qd.kernel
    def k(x: F64_1, d: qd.f64, a: qd.i32):
        x[0] = float(d)  # f64 0.1 -> f32
        x[1] = float(a)  # 16777217 -> f32
        x[2] = qd.f64(d)

    x = qd.ndarray(qd.f64, shape=(3,))
    k(x, 0.1, 16777217)
    return {"x": x.to_numpy()}


@case(section="5", requires=("i64", "f64"), golden={"x": [1099511627776.0, 1099511627777.0]})
def float_spelling_is_f32_for_i64_source():
    @qd.kernel
    def k(x: F64_1, a: qd.i64):
        x[0] = float(a)
        x[1] = qd.f64(a)

    x = qd.ndarray(qd.f64, shape=(2,))
    k(x, 2**40 + 1)
    return {"x": x.to_numpy()}


@case(section="5", requires=("i64",), golden={"x": [2147483648, -2147483648]})
def explicit_cast_widens_before_arithmetic():
    @qd.kernel
    def k(x: I64_1, a: qd.i32):
        x[0] = qd.i64(a) * 2
        x[1] = a * 2  # i32 arithmetic wraps before the store

    x = qd.ndarray(qd.i64, shape=(2,))
    k(x, 2**30)
    return {"x": x.to_numpy()}


# ----------------------------------------------------------------------------------- implicit conversions


@case(
    section="5",
    warns=(qd.QuadrantsWarning, "Assign may lose precision: i32 <- f32"),
    golden={"x": [-7, 2, INT_MAX, 0]},
)
def store_float_into_int_element_converts_with_warning():
    @qd.kernel
    def k(x: I32_1, a: qd.f32, b: qd.f32, z: qd.f32):
        x[0] = a  # -7.9
        x[1] = b  # 2.7
        x[2] = a * -1e10
        x[3] = z / z

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x, -7.9, 2.7, 0.0)
    return {"x": x.to_numpy()}


@case(
    section="5",
    requires=("i64",),
    warns=(qd.QuadrantsWarning, "Assign may lose precision: i32 <- i64"),
    golden={"x": [5]},
)
def store_i64_into_i32_element_warns():
    @qd.kernel
    def k(x: I32_1, a: qd.i64):
        x[0] = a

    x = qd.ndarray(qd.i32, shape=(1,))
    k(x, 2**40 + 5)
    return {"x": x.to_numpy()}


@case(
    section="5",
    requires=("f64",),
    warns=(qd.QuadrantsWarning, "Assign may lose precision: f32 <- f64"),
    golden={"x": [0.10000000149011612]},
)
def store_f64_into_f32_element_warns():
    @qd.kernel
    def k(x: F32_1, a: qd.f64):
        x[0] = a

    x = qd.ndarray(qd.f32, shape=(1,))
    k(x, 0.1)
    return {"x": x.to_numpy()}


@case(section="5", golden={"warnings": [], "x": [1, 3], "f": [2.5]})
def lossless_conversions_do_not_warn():
    @qd.kernel
    def k(x: I32_1, f: F32_1, a: qd.i32, b: qd.f32):
        x[0] = a > 0  # u1 -> i32
        x[1] = a
        f[0] = b

    x = qd.ndarray(qd.i32, shape=(2,))
    f = qd.ndarray(qd.f32, shape=(1,))
    msgs = _quadrants_warnings(lambda: k(x, f, 3, 2.5))
    return {"warnings": msgs, "x": x.to_numpy(), "f": f.to_numpy()}


@case(section="5", golden={"warned": True, "r": 4})
def func_primitive_parameter_converts():
    @qd.func
    def twice(v: qd.i32):
        return v * 2

    @qd.kernel
    def k(a: qd.f32) -> qd.i32:
        return twice(a)  # 2.7 -> 2, then 4

    r = None

    def run():
        nonlocal r
        r = k(2.7)

    msgs = _quadrants_warnings(run)
    return {"warned": any("Assign may lose precision: i32 <- f32" in m for m in msgs), "r": r}


@case(
    section="5",
    raises=(qd.QuadrantsSyntaxError, "A primitive type cannot decorate an expression with a compound type"),
)
def primitive_type_of_a_vector_error():
    # qd.f16(v) of a vector is refused, as upstream; v.cast(qd.f16) converts each component
    @qd.kernel
    def k():
        a = qd.Vector([1])
        b = qd.f16(a)  # noqa: F841

    k()


@case(section="5", golden={"x": [1.5, 2.0], "y": [1, 2]})
def vector_cast_converts_each_component():
    @qd.kernel
    def k(x: F32_1, y: I32_1):
        v = qd.Vector([1.5, 2.75])
        w = v.cast(qd.i32)
        u = qd.cast(qd.Vector([3, 4]), qd.f32) / 2
        x[0], x[1] = u[0], u[1]
        y[0], y[1] = w[0], w[1]

    x = qd.ndarray(qd.f32, shape=(2,))
    y = qd.ndarray(qd.i32, shape=(2,))
    k(x, y)
    return {"x": x.to_numpy(), "y": y.to_numpy()}
