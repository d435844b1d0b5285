"""docs/semantics.md §3: types, literals, compile-time values and T(v) of compile-time values."""

import enum

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
U32_1 = qd.types.NDArray[qd.u32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
I64_1 = qd.types.NDArray[qd.i64, 1]
F64_1 = qd.types.NDArray[qd.f64, 1]

# Module constants are compile-time values (§3).
BIG_CONST = 2**40
SMALL_CONST = 3


@case(section="3", golden={"names": True, "u1": True})
def dtypes_exported():
    names = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64", "u1"]
    return {
        "names": all(str(getattr(qd, n)) == n for n in names),
        "u1": qd.u1 is not qd.u8 and qd.u1 != qd.u8,
    }


@case(section="3", raises=(qd.QuadrantsTypeError, "Integer literal 2147483648 exceeded the range of default_ip: i32"))
def literal_2pow31_out_of_range():
    @qd.kernel
    def k(x: I32_1):
        x[0] = 2**31

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(
    section="3", raises=(qd.QuadrantsTypeError, "Integer literal 1099511627776 exceeded the range of default_ip: i32")
)
def literal_2pow40_meets_runtime_value():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        x[0] = a + 2**40

    k(qd.ndarray(qd.i32, shape=(1,)), 1)


@case(section="3", raises=(qd.QuadrantsTypeError, "Integer literal 8589934592 exceeded the range of default_ip: i32"))
def literal_shift_evaluated_by_python():
    # 1 << 33 of two literals is evaluated by Python (unbounded), so it is 2**33, not the masked i32 shift.
    @qd.kernel
    def k(x: I32_1):
        x[0] = 1 << 33

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="3", golden={"x": [4, -2147483648, 2147483647, 5, 2, 7]})
def compile_time_unbounded_ints():
    @qd.kernel
    def k(x: I32_1):
        x[0] = 2**40 // 2**38
        x[1] = -(2**31)
        x[2] = 2**31 - 1
        x[3] = (2**31 + 5) - 2**31
        x[4] = (1 << 33) >> 32
        x[5] = BIG_CONST // 2**38 + SMALL_CONST

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x)
    return {"x": x.to_numpy()}


@case(
    section="3",
    golden={"f": [3.5, 0.25, 1.0, 3.0, -4.0, 0.3333333432674408], "i": [3, -4, 1]},
)
def compile_time_python_semantics():
    @qd.kernel
    def k(f: F32_1, i: I32_1):
        f[0] = 7 / 2
        f[1] = 2**-2
        f[2] = (16777216.0 + 1.0) - 16777216.0  # f64 at compile time: 1.0 (f32 arithmetic would give 0.0)
        f[3] = 7 // 2
        f[4] = -7 // 2
        f[5] = 1 / 3
        i[0] = 7 // 2
        i[1] = -7 // 2
        i[2] = -7 % 2

    f = qd.ndarray(qd.f32, shape=(6,))
    i = qd.ndarray(qd.i32, shape=(3,))
    k(f, i)
    return {"f": f.to_numpy(), "i": i.to_numpy()}


@case(section="3", golden={"x": [3.5, 0.5]})
def compile_time_division_with_runtime_store():
    # 7 / 2 is the f32 constant 3.5 and meets the run-time value a as an f32.
    @qd.kernel
    def k(x: F32_1, a: qd.f32):
        x[0] = a + 7 / 2
        x[1] = a + 2**-1

    x = qd.ndarray(qd.f32, shape=(2,))
    k(x, 0.0)
    return {"x": x.to_numpy()}


@case(section="3", golden={"x": [-3, -3, 1]})
def true_false_are_u1_in_promotion():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        b = a > 0
        x[0] = b + a  # u1 + i32 -> i32
        x[1] = True * a
        x[2] = (True + a) < 0  # signed comparison: -2 < 0

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, -3)
    return {"x": x.to_numpy()}


@case(section="3", golden={"r1": 5, "r2": -2147483648, "r3": 0.10000000149011612})
def int_and_float_annotations_are_defaults():
    @qd.kernel
    def ki(a: int) -> int:
        return a

    @qd.kernel
    def kf(b: float) -> float:
        return b

    return {"r1": ki(2**32 + 5), "r2": ki(2**31), "r3": kf(0.1)}


@case(section="3", golden={"x": [4294967289, 4294967295, 4294967295, 5]})
def cast_of_compile_time_value_u32():
    # qd.cast takes a number as a default_ip literal first, then converts it (wrapping, §5)
    @qd.kernel
    def k(x: U32_1):
        x[0] = qd.cast(-7, qd.u32)
        x[1] = qd.u32(4294967295)
        x[2] = qd.cast(-1, qd.u32)
        x[3] = qd.cast(5.9, qd.u32)

    x = qd.ndarray(qd.u32, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="3", golden={"x": [2147483647, -2147483648, -7, 0, 0]})
def cast_of_compile_time_float_saturates():
    @qd.kernel
    def k(x: I32_1):
        x[0] = qd.cast(2.5e10, qd.i32)
        x[1] = qd.cast(-2.5e10, qd.i32)
        x[2] = qd.cast(-7.9, qd.i32)
        x[3] = qd.cast(-7.5, qd.u32)
        x[4] = qd.cast(0.9, qd.i32)

    x = qd.ndarray(qd.i32, shape=(5,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="3", requires=("u8",), golden={"x": [44, 255, 0, 255]})
def cast_of_compile_time_value_u8():
    @qd.kernel
    def k(x: I32_1):
        x[0] = qd.cast(300, qd.u8)
        x[1] = qd.cast(-1, qd.u8)
        x[2] = qd.cast(256, qd.u8)
        x[3] = qd.u8(255)

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="3", requires=("i8",), golden={"x": [-1, -128, 127, -128]})
def cast_of_compile_time_value_i8():
    @qd.kernel
    def k(x: I32_1):
        x[0] = qd.cast(2147483647, qd.i8)
        x[1] = qd.cast(128, qd.i8)
        x[2] = qd.i8(127)
        x[3] = qd.i8(-128)

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


@case(
    section="3",
    requires=("u8",),
    raises=(qd.QuadrantsTypeError, "Integer literal 300 exceeded the range of specified dtype: u8"),
)
def typed_literal_out_of_range_error():
    @qd.kernel
    def k(x: I32_1):
        x[0] = qd.u8(300)

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="3", raises=(qd.QuadrantsTypeError, "Integer literal -1 exceeded the range of specified dtype: u32"))
def typed_literal_negative_for_unsigned_error():
    @qd.kernel
    def k(x: U32_1):
        x[0] = qd.u32(-1)

    k(qd.ndarray(qd.u32, shape=(1,)))


@case(
    section="3",
    raises=(qd.QuadrantsTypeError, "Floating-point literals must be annotated with a floating-point type"),
)
def float_literal_typed_as_integer_error():
    @qd.kernel
    def k(x: I32_1):
        x[0] = qd.i32(0.9)

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="3", raises=(qd.QuadrantsTypeError, "Integer literals must be annotated with a integer type"))
def integer_literal_typed_as_float_error():
    @qd.kernel
    def k(x: F32_1):
        x[0] = qd.f32(3)

    k(qd.ndarray(qd.f32, shape=(1,)))


@case(
    section="3",
    requires=("i64",),
    raises=(qd.QuadrantsTypeError, "Integer literal 2147483648 exceeded the range of default_ip: i32"),
)
def cast_of_literal_outside_default_ip_error():
    @qd.kernel
    def k(x: I64_1):
        x[0] = qd.cast(2**31, qd.i64)

    k(qd.ndarray(qd.i64, shape=(1,)))


@case(
    section="3",
    requires=("i64",),
    golden={"x": [1099511627776, 1099511627777, -9223372036854775803, 4]},
)
def i64_constructor_of_large_literal():
    @qd.kernel
    def k(x: I64_1):
        x[0] = qd.i64(2**40)
        x[1] = qd.i64(2**40) + 1
        x[2] = qd.cast(qd.u64(2**63 + 5), qd.i64)
        x[3] = qd.i64(BIG_CONST) // qd.i64(2**38)

    x = qd.ndarray(qd.i64, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="3", requires=("f64",), golden={"x": [0.10000000149011612, 0.1, 0.30000000000000004]})
def f64_plus_float_literal_adds_f32_value():
    @qd.kernel
    def k(x: F64_1, a: qd.f64, b: qd.f64):
        x[0] = a + 0.1
        x[1] = a + qd.f64(0.1)
        x[2] = b + qd.f64(0.2)

    x = qd.ndarray(qd.f64, shape=(3,))
    k(x, 0.0, 0.1)
    return {"x": x.to_numpy()}


@case(section="3", requires=("f64",), golden={"x": [0.10000000149011612, 0.1]})
def f64_store_of_float_literal():
    # A stored literal becomes an f32 literal (the Python value rounded to f32), then converts to f64.
    @qd.kernel
    def k(x: F64_1):
        x[0] = 0.1
        x[1] = qd.f64(0.1)

    x = qd.ndarray(qd.f64, shape=(2,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="3", requires=("f16",), golden={"x": [2049.5, 2048.0, 2050.0]})
def f16_plus_literals():
    # f16 + 1.5 -> f32 (the literal is f32); f16 + 1 -> f16 (2049 rounds to 2048 in f16).
    @qd.kernel
    def k(x: F32_1, h: qd.f16):
        x[0] = h + 1.5
        x[1] = h + 1
        x[2] = h + 2

    x = qd.ndarray(qd.f32, shape=(3,))
    k(x, 2048.0)
    return {"x": x.to_numpy()}


@case(section="3", golden={"x": [16777216.0, 16777220.0]})
def int_literal_converted_to_f32_store():
    @qd.kernel
    def k(x: F32_1, a: qd.f32):
        x[0] = a + 16777217  # i32 literal meets an f32 run-time value: converted to f32 (ties to even)
        x[1] = a + 16777219

    x = qd.ndarray(qd.f32, shape=(2,))
    k(x, 0.0)
    return {"x": x.to_numpy()}


class Color(enum.Enum):
    RED = 1
    BLUE = 4


COLOR = Color.BLUE


@case(section="3", golden={"x": [8, 1, 0]})
def enum_members_are_compile_time_values():
    @qd.kernel
    def k(x: I32_1):
        x[0] = Color.BLUE.value * 2
        if qd.static(COLOR == Color.BLUE):
            x[1] = 1
        if qd.static(COLOR == Color.RED):  # compare members with == (`is` in qd.static is for template is None)
            x[2] = 1

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="3", golden={"x": [-2147483648, 2147483647], "f": [0.0, 0.0]})
def typed_constant_operations_match_run_time():
    # T(v) of a compile-time value is a typed constant: operations on it are typed operations, and folding them
    # must give the run-time result (i32 wrap-around, f32 rounding), not Python's.
    @qd.kernel
    def k(x: I32_1, f: F32_1, a: qd.f32):
        x[0] = qd.i32(2147483647) + 1
        x[1] = qd.i32(-2147483648) - 1
        f[0] = (qd.f32(16777216.0) + qd.f32(1.0)) - qd.f32(16777216.0)
        f[1] = (a + 1.0) - a  # the same operation at run time (a = 16777216)

    x = qd.ndarray(qd.i32, shape=(2,))
    f = qd.ndarray(qd.f32, shape=(2,))
    k(x, f, 16777216.0)
    return {"x": x.to_numpy(), "f": f.to_numpy()}


@case(section="3", requires=("u8",), golden={"x": [44, 44]})
def typed_u8_constants_wrap():
    @qd.kernel
    def k(x: I32_1, a: qd.u8, b: qd.u8):
        x[0] = qd.u8(200) + qd.u8(100)
        x[1] = a + b

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 200, 100)
    return {"x": x.to_numpy()}
