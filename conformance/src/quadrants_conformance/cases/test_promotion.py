"""docs/semantics.md §4.1 (promotion) and §4.2 (result types), observed through wrap-around and rounding."""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
U32_1 = qd.types.NDArray[qd.u32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
I64_1 = qd.types.NDArray[qd.i64, 1]
U64_1 = qd.types.NDArray[qd.u64, 1]
F64_1 = qd.types.NDArray[qd.f64, 1]


# ------------------------------------------------------------------------------------------- §4.1 int + int


@case(section="4.1", requires=("u8",), golden={"x": [44, 32, 156]})
def u8_plus_u8_stays_u8():
    @qd.kernel
    def k(x: I32_1, a: qd.u8, b: qd.u8):
        x[0] = a + b
        x[1] = a * b
        x[2] = a - b - b - b

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, 200, 100)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("u8",), golden={"x": [256, 510, -1]})
def u8_plus_literal_is_i32():
    @qd.kernel
    def k(x: I32_1, a: qd.u8):
        x[0] = a + 1
        x[1] = a * 2
        x[2] = a - 256

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, 255)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("i8",), golden={"x": [128, 16129, -129]})
def i8_plus_literal_is_i32():
    @qd.kernel
    def k(x: I32_1, a: qd.i8):
        x[0] = a + 1
        x[1] = 1 * a * a  # (1 * a) is i32
        x[2] = -a - 2

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, 127)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("i8",), golden={"x": [1, 125]})
def i8_times_i8_stays_i8():
    @qd.kernel
    def k(x: I32_1, a: qd.i8):
        x[0] = a * a  # 16129 wraps in i8 to 1
        x[1] = a + a + a  # (127 + 127) wraps to -2, then -2 + 127 = 125

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 127)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("i16",), golden={"x": [24464, -32768]})
def i16_times_i16_stays_i16():
    @qd.kernel
    def k(x: I32_1, a: qd.i16, b: qd.i16):
        x[0] = a * a
        x[1] = b + b

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 300, 16384)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("u8", "i16"), golden={"x": [-32569, 0]})
def u8_plus_i16_is_i16():
    @qd.kernel
    def k(x: I32_1, a: qd.u8, b: qd.i16):
        x[0] = a + b
        x[1] = (b + a) > 0  # wrapped to negative in i16

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 200, 32767)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("u16",), golden={"x": [65536, 65534]})
def u16_plus_i32_is_i32():
    @qd.kernel
    def k(x: I32_1, a: qd.u16, b: qd.i32):
        x[0] = a + b
        x[1] = a + a

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 65535, 1)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("i8", "u8"), golden={"x": [255, 0, 255]})
def i8_plus_u8_is_u8():
    @qd.kernel
    def k(x: I32_1, a: qd.i8, b: qd.u8):
        x[0] = a + b
        x[1] = (a + b) < 0
        x[2] = b | a

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, -1, 0)
    return {"x": x.to_numpy()}


@case(section="4.1", golden={"x": [1, 2147483647, 1, 1, 2147483647], "u": [4294967295, 4294967295]})
def i32_plus_u32_is_u32():
    @qd.kernel
    def k(x: I32_1, u: U32_1, a: qd.i32, b: qd.u32, c: qd.u32):
        x[0] = (a + b) > 0
        x[1] = (a + b) // 2
        x[2] = (a & c) > 0
        x[3] = (a * b + a) > 0
        x[4] = (b - 1) // 2
        u[0] = a + b
        u[1] = a ^ b

    x = qd.ndarray(qd.i32, shape=(5,))
    u = qd.ndarray(qd.u32, shape=(2,))
    k(x, u, -1, 0, 0xFFFFFFFF)
    return {"x": x.to_numpy(), "u": u.to_numpy()}


@case(section="4.1", golden={"x": [1, 2147483647], "u": [4294967295]})
def u32_plus_negative_literal_is_u32():
    @qd.kernel
    def k(x: I32_1, u: U32_1, a: qd.u32):
        x[0] = (a + (-1)) > 0
        x[1] = (a - 1) // 2
        u[0] = a + (-1)

    x = qd.ndarray(qd.i32, shape=(2,))
    u = qd.ndarray(qd.u32, shape=(1,))
    k(x, u, 0)
    return {"x": x.to_numpy(), "u": u.to_numpy()}


@case(section="4.1", requires=("i64",), golden={"x": [1, -1]})
def i64_plus_u32_is_i64():
    @qd.kernel
    def k(x: I64_1, a: qd.i64, b: qd.u32):
        x[0] = (a + b) < 0
        x[1] = (a + b) // 2  # i64: -1 // 2 = -1 (u64 would give 2**63 - 1)

    x = qd.ndarray(qd.i64, shape=(2,))
    k(x, -1, 0)
    return {"x": x.to_numpy()}


@case(
    section="4.1",
    requires=("u64", "i64"),
    golden={"x": [1], "u": np.array([18446744073709551615, 9223372036854775807], dtype=np.uint64)},
)
def u64_plus_i64_is_u64():
    @qd.kernel
    def k(x: I32_1, u: U64_1, a: qd.u64, b: qd.i64):
        x[0] = (a + b) > 0
        u[0] = a + b
        u[1] = (a + b) // 2

    x = qd.ndarray(qd.i32, shape=(1,))
    u = qd.ndarray(qd.u64, shape=(2,))
    k(x, u, 0, -1)
    return {"x": x.to_numpy(), "u": u.to_numpy()}


@case(section="4.1", requires=("i64",), golden={"x": [1099511627777, 2199023255552, 1099511627775]})
def i64_plus_literal_is_i64():
    @qd.kernel
    def k(x: I64_1, a: qd.i64):
        x[0] = a + 1
        x[1] = a * 2
        x[2] = a - 1

    x = qd.ndarray(qd.i64, shape=(3,))
    k(x, 2**40)
    return {"x": x.to_numpy()}


# ------------------------------------------------------------------------------------------ §4.1 with floats


@case(section="4.1", requires=("i64",), golden={"x": [1099511627776, 1099511627776]})
def i64_plus_float_is_f32():
    # i64 + 1.5 -> f32 (not f64): 2**40 + 2.5 rounds to 2**40 in f32.
    @qd.kernel
    def k(x: I64_1, a: qd.i64, f: qd.f32):
        x[0] = a + 1.5
        x[1] = a + f

    x = qd.ndarray(qd.i64, shape=(2,))
    k(x, 2**40 + 1, 0.0)
    return {"x": x.to_numpy()}


@case(section="4.1", golden={"x": [16777216.0, 16777216.0]})
def i32_plus_f32_is_f32():
    @qd.kernel
    def k(x: F32_1, a: qd.i32, f: qd.f32):
        x[0] = a + f
        x[1] = f * 1 + a

    x = qd.ndarray(qd.f32, shape=(2,))
    k(x, 16777217, 0.0)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("f16",), golden={"x": [2048.0, 2048.0]})
def i32_plus_f16_is_f16():
    @qd.kernel
    def k(x: F32_1, a: qd.i32, h: qd.f16):
        x[0] = a + h  # 2049 rounds to 2048 in f16
        x[1] = h + a

    x = qd.ndarray(qd.f32, shape=(2,))
    k(x, 2049, 0.0)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("f16",), golden={"x": [2049.5, 2049.5]})
def f16_plus_f32_is_f32():
    @qd.kernel
    def k(x: F32_1, h: qd.f16, f: qd.f32):
        x[0] = h + f
        x[1] = f + h

    x = qd.ndarray(qd.f32, shape=(2,))
    k(x, 2048.0, 1.5)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("f64",), golden={"x": [1.0000000001, 1.0]})
def f32_plus_f64_is_f64():
    @qd.kernel
    def k(x: F64_1, f: qd.f32, d: qd.f64):
        x[0] = f + d
        x[1] = f + qd.f32(d)

    x = qd.ndarray(qd.f64, shape=(2,))
    k(x, 1.0, 1e-10)
    return {"x": x.to_numpy()}


# ------------------------------------------------------------------------------ §4.1 max / min / select / ternary


@case(section="4.1", requires=("u8",), golden={"x": [256, 2]})
def max_u8_literal_is_i32():
    @qd.kernel
    def k(x: I32_1, a: qd.u8):
        x[0] = qd.max(a, 1) + 1
        x[1] = qd.min(a, 1) + 1

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 255)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("f16",), golden={"x": [2048.0, 2048.0]})
def min_f16_literal_is_f16():
    # qd.min(f16, 2049) -> f16: the literal is converted to f16 (2048) before the comparison.
    @qd.kernel
    def k(x: F32_1, h: qd.f16):
        x[0] = qd.min(h, 2049)
        x[1] = qd.max(h - h, 2049)

    x = qd.ndarray(qd.f32, shape=(2,))
    k(x, 4096.0)
    return {"x": x.to_numpy()}


@case(section="4.1", requires=("u8", "i8"), golden={"x": [200, 255]})
def builtin_min_u8_i8_is_u8():
    @qd.kernel
    def k(x: I32_1, a: qd.u8, b: qd.i8):
        x[0] = min(a, b)  # -1 converts to u8 255
        x[1] = max(a, b)

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 200, -1)
    return {"x": x.to_numpy()}


@case(section="4.1", golden={"u": [4294967295, 0]})
def max_min_i32_u32_is_u32():
    @qd.kernel
    def k(u: U32_1, a: qd.i32, b: qd.u32):
        u[0] = max(a, b)
        u[1] = qd.min(a, b)

    u = qd.ndarray(qd.u32, shape=(2,))
    k(u, -1, 0)
    return {"u": u.to_numpy()}


@case(section="4.2", requires=("i8",), golden={"x": [-56, -56]})
def select_i8_i8_is_i8():
    @qd.kernel
    def k(x: I32_1, c: qd.i32, p: qd.i8, q: qd.i8):
        x[0] = qd.select(c, p, q) + p
        x[1] = (p if c else q) + p

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 1, 100, 0)
    return {"x": x.to_numpy()}


@case(section="4.2", golden={"x": [16777216, 16777216], "f": [16777216.0, 0.5]})
def ternary_and_select_int_float_is_float():
    @qd.kernel
    def k(x: I32_1, f: F32_1, a: qd.i32, h: qd.f32, c: qd.i32):
        x[0] = a if c else h
        x[1] = qd.select(c, a, h)
        f[0] = a if c else h
        f[1] = a if c - 1 else h

    x = qd.ndarray(qd.i32, shape=(2,))
    f = qd.ndarray(qd.f32, shape=(2,))
    k(x, f, 16777217, 0.5, 1)
    return {"x": x.to_numpy(), "f": f.to_numpy()}


@case(section="4.1", golden={"x": [1, 2147483647, 1, 0]})
def and_or_promote_operands():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, b: qd.u32):
        x[0] = (a or b) > 0  # a = -1 as u32
        x[1] = (a or b) // 2
        x[2] = (b and a) > 0
        x[3] = (a and b) > 0 and (b < 0)

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x, -1, 5)
    return {"x": x.to_numpy()}


# ------------------------------------------------------------------------------------------ §4.2 result types


@case(section="4.2", golden={"x": [3.5, -3.5, 0.3333333432674408, 16777216.0, 0.5]})
def int_div_int_is_f32():
    @qd.kernel
    def k(x: F32_1, a: qd.i32, b: qd.i32, c: qd.i32):
        x[0] = a / b
        x[1] = -a / b
        x[2] = 1 / c
        x[3] = (a + 16777210) / 1  # 16777217 converted to f32 before dividing
        x[4] = b / (b + b)

    x = qd.ndarray(qd.f32, shape=(5,))
    k(x, 7, 2, 3)
    return {"x": x.to_numpy()}


@case(section="4.2", requires=("i64", "f64"), golden={"x": [1099511627776.0, 0.3333333432674408]})
def i64_div_i64_is_f32():
    @qd.kernel
    def k(x: F64_1, a: qd.i64, b: qd.i64, c: qd.i64):
        x[0] = a / b
        x[1] = b / c

    x = qd.ndarray(qd.f64, shape=(2,))
    k(x, 2**40 + 1, 1, 3)
    return {"x": x.to_numpy()}


@case(section="4.2", requires=("i8",), golden={"x": [3.5, -0.5]})
def i8_div_i8_is_f32():
    @qd.kernel
    def k(x: F32_1, a: qd.i8, b: qd.i8):
        x[0] = a / b
        x[1] = (a - a - 1) / b

    x = qd.ndarray(qd.f32, shape=(2,))
    k(x, 7, 2)
    return {"x": x.to_numpy()}


@case(section="4.2", requires=("f64",), golden={"x": [0.3333333333333333]})
def i32_div_f64_is_f64():
    @qd.kernel
    def k(x: F64_1, a: qd.i32, d: qd.f64):
        x[0] = a / d

    x = qd.ndarray(qd.f64, shape=(1,))
    k(x, 1, 3.0)
    return {"x": x.to_numpy()}


@case(section="4.2", requires=("f16",), golden={"x": [0.333251953125]})
def f16_div_f16_is_f16():
    @qd.kernel
    def k(x: F32_1, a: qd.f16, b: qd.f16):
        x[0] = a / b

    x = qd.ndarray(qd.f32, shape=(1,))
    k(x, 1.0, 3.0)
    return {"x": x.to_numpy()}


@case(section="4.2", golden={"x": [-2147483648, 0, 1024]})
def int_pow_int_is_int():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, b: qd.i32):
        x[0] = a**b  # 2**31 wraps in i32
        x[1] = a ** (b + 1)
        x[2] = qd.pow(a, b - 21)

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, 2, 31)
    return {"x": x.to_numpy()}


@case(section="4.2", requires=("i64",), golden={"x": [1099511627776, -9223372036854775808]})
def i64_pow_i32_is_i64():
    @qd.kernel
    def k(x: I64_1, a: qd.i64, b: qd.i32):
        x[0] = a**b
        x[1] = a ** (b + 23)

    x = qd.ndarray(qd.i64, shape=(2,))
    k(x, 2, 40)
    return {"x": x.to_numpy()}


@case(section="4.2", tol="pow", golden={"x": [1.4142135381698608, 2.25, 0.5]})
def pow_with_float_operand_is_float():
    @qd.kernel
    def k(x: F32_1, a: qd.i32, f: qd.f32, n: qd.i32):
        x[0] = a**0.5
        x[1] = f**n
        x[2] = a ** (f - 2.5)  # 2 ** -1.0 = 0.5 (float exponent: no integer rule)

    x = qd.ndarray(qd.f32, shape=(3,))
    k(x, 2, 1.5, 2)
    return {"x": x.to_numpy()}


@case(section="4.2", golden={"u": [4294967295, 4294967291], "x": [1]})
def unary_minus_u32_is_u32():
    @qd.kernel
    def k(u: U32_1, x: I32_1, a: qd.u32):
        u[0] = -a
        u[1] = -(a + 4)
        x[0] = (-a) > 0

    u = qd.ndarray(qd.u32, shape=(2,))
    x = qd.ndarray(qd.i32, shape=(1,))
    k(u, x, 1)
    return {"u": u.to_numpy(), "x": x.to_numpy()}


@case(section="4.2", golden={"x": [1, 0, 1, 1, 0, 1]})
def comparisons_give_0_or_1():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, f: qd.f32):
        x[0] = a < 5
        x[1] = a > 5
        x[2] = a <= 3
        x[3] = a == f
        x[4] = a != f
        x[5] = (a >= 3) + (a >= 5)

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x, 3, 3.0)
    return {"x": x.to_numpy()}


@case(section="4.2", golden={"x": [1, 0, 0, 1], "c": [2]})
def chained_comparison_middle_evaluated_once():
    @qd.func
    def mid(c: I32_1, v: qd.i32):
        c[0] += 1
        return v

    @qd.kernel
    def k(x: I32_1, c: I32_1, a: qd.i32, b: qd.i32):
        x[0] = a < mid(c, 2) < b  # 1 < 2 < 3
        x[1] = b < mid(c, 2) < a  # 3 < 2 is false: the third operand is not needed
        x[2] = a < b < a
        x[3] = a < b <= b + 0 != a

    x = qd.ndarray(qd.i32, shape=(4,))
    c = qd.ndarray(qd.i32, shape=(1,))
    k(x, c, 1, 3)
    return {"x": x.to_numpy(), "c": c.to_numpy()}


@case(section="4.2", golden={"x": [0], "c": [0]})
def chained_comparison_short_circuits():
    @qd.func
    def side(c: I32_1, v: qd.i32):
        c[0] += 1
        return v

    @qd.kernel
    def k(x: I32_1, c: I32_1, a: qd.i32, b: qd.i32):
        x[0] = b < a < side(c, 9)  # 3 < 1 is false: side() is not evaluated

    x = qd.ndarray(qd.i32, shape=(1,))
    c = qd.ndarray(qd.i32, shape=(1,))
    k(x, c, 1, 3)
    return {"x": x.to_numpy(), "c": c.to_numpy()}


@case(section="4.2", golden={"u": [4294967295], "x": [-5, 1]})
def unary_plus_keeps_type():
    @qd.kernel
    def k(u: U32_1, x: I32_1, a: qd.u32, b: qd.i32):
        u[0] = +a
        x[0] = +b
        x[1] = (+a) > 0

    u = qd.ndarray(qd.u32, shape=(1,))
    x = qd.ndarray(qd.i32, shape=(2,))
    k(u, x, 4294967295, -5)
    return {"u": u.to_numpy(), "x": x.to_numpy()}
