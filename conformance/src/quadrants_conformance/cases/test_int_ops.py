"""docs/semantics.md §4.3: integer value semantics (run-time operands unless a case says otherwise)."""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
U32_1 = qd.types.NDArray[qd.u32, 1]
I64_1 = qd.types.NDArray[qd.i64, 1]

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


@case(section="4.3", golden={"x": [INT_MIN, -2, INT_MIN, INT_MAX, 1, INT_MIN]})
def i32_wraparound():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, m: qd.i32):
        x[0] = a + 1
        x[1] = a * 2
        x[2] = -m
        x[3] = m - 1
        x[4] = a * a
        x[5] = m * -1

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x, INT_MAX, INT_MIN)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"u": [0, 4294967295, 2147483648, 2147483648]})
def u32_wraparound():
    @qd.kernel
    def k(u: U32_1, a: qd.u32, z: qd.u32):
        u[0] = a + a
        u[1] = z - 1
        u[2] = a * 3
        u[3] = -a

    u = qd.ndarray(qd.u32, shape=(4,))
    k(u, 2**31, 0)
    return {"u": u.to_numpy()}


@case(section="4.3", requires=("u8",), golden={"x": [254, 1, 1]})
def u8_wraparound():
    @qd.kernel
    def k(x: I32_1, a: qd.u8):
        x[0] = a + a
        x[1] = a * a
        x[2] = -a

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, 255)
    return {"x": x.to_numpy()}


@case(
    section="4.3",
    requires=("i64",),
    golden={"x": [-(2**63), -2, -4, 0, 0, -(2**63), 0]},
)
def i64_wraparound_and_division():
    @qd.kernel
    def k(x: I64_1, a: qd.i64, b: qd.i64, z: qd.i64):
        x[0] = a + 1
        x[1] = a * 2
        x[2] = b // 2
        x[3] = a // z
        x[4] = a % z
        x[5] = (a + 1) // -1
        x[6] = (a + 1) % -1

    x = qd.ndarray(qd.i64, shape=(7,))
    k(x, 2**63 - 1, -7, 0)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [-4, -4, 1, -1, 3, -1, 3, 1]})
def floordiv_mod_signs_runtime():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, b: qd.i32, c: qd.i32, d: qd.i32):
        x[0] = a // b  # -7 // 2
        x[1] = c // d  # 7 // -2
        x[2] = a % b
        x[3] = c % d
        x[4] = a // d  # -7 // -2
        x[5] = a % d
        x[6] = c // b
        x[7] = c % b

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x, -7, 2, 7, -2)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [-4, -4, 1, -1, 3, -1]})
def floordiv_mod_signs_compile_time():
    @qd.kernel
    def k(x: I32_1):
        x[0] = -7 // 2
        x[1] = 7 // -2
        x[2] = -7 % 2
        x[3] = 7 % -2
        x[4] = -7 // -2
        x[5] = -7 % -2

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [INT_MIN, 0, INT_MIN, 0]})
def int_min_div_minus_one():
    @qd.kernel
    def k(x: I32_1, m: qd.i32, n: qd.i32):
        x[0] = m // n
        x[1] = m % n
        x[2] = qd.raw_div(m, n)
        x[3] = qd.raw_mod(m, n)

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x, INT_MIN, -1)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [0, 0, 0, 0, 0, 0], "u": [0, 0, 0, 0]})
def int_division_by_zero_is_zero():
    @qd.kernel
    def k(x: I32_1, u: U32_1, a: qd.i32, z: qd.i32, ua: qd.u32, uz: qd.u32):
        x[0] = a // z
        x[1] = a % z
        x[2] = qd.raw_div(a, z)
        x[3] = qd.raw_mod(a, z)
        x[4] = -a // z
        x[5] = -a % z
        u[0] = ua // uz
        u[1] = ua % uz
        u[2] = qd.raw_div(ua, uz)
        u[3] = qd.raw_mod(ua, uz)

    x = qd.ndarray(qd.i32, shape=(6,))
    u = qd.ndarray(qd.u32, shape=(4,))
    x.fill(9)
    u.fill(9)
    k(x, u, 7, 0, 4000000000, 0)
    return {"x": x.to_numpy(), "u": u.to_numpy()}


@case(section="4.3", golden={"x": [-3, -1, -3, 1, 3, -1, 3, 1]})
def raw_div_raw_mod_truncate():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, b: qd.i32):
        x[0] = qd.raw_div(-a, b)  # -7, 2
        x[1] = qd.raw_mod(-a, b)
        x[2] = qd.raw_div(a, -b)  # 7, -2
        x[3] = qd.raw_mod(a, -b)
        x[4] = qd.raw_div(-a, -b)
        x[5] = qd.raw_mod(-a, -b)
        x[6] = qd.raw_div(a, b)
        x[7] = qd.raw_mod(a, b)

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x, 7, 2)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"u": [2147483644, 1, 429496728, 9, 2147483644, 1, 0, 2147483644]})
def unsigned_div_mod():
    @qd.kernel
    def k(u: U32_1, a: qd.u32, b: qd.u32, s: qd.i32):
        u[0] = a // b
        u[1] = a % b
        u[2] = a // 10
        u[3] = a % 10
        u[4] = qd.raw_div(a, b)
        u[5] = qd.raw_mod(a, b)
        u[6] = b // s  # 2 // (-2 as u32) = 0
        u[7] = -7 // b  # -7 as u32 = 4294967289, // 2

    u = qd.ndarray(qd.u32, shape=(8,))
    k(u, 4294967289, 2, -2)
    return {"u": u.to_numpy()}


@case(section="4.3", golden={"x": [2, INT_MIN, 1, -1, 1, INT_MIN, 5]})
def shift_count_masked_to_width():
    @qd.kernel
    def k(x: I32_1, one: qd.i32, n33: qd.i32, n31: qd.i32, n32: qd.i32, n35: qd.i32, n40: qd.i32, nm1: qd.i32):
        x[0] = one << n33
        x[1] = one << n31
        x[2] = one << n32
        x[3] = -one >> n35
        x[4] = (one * 256) >> n40
        x[5] = one << nm1  # -1 & 31 = 31
        x[6] = (one * 5) << (n32 * 2)

    x = qd.ndarray(qd.i32, shape=(7,))
    k(x, 1, 33, 31, 32, 35, 40, -1)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [-4, -1, -1, 2], "u": [1, 268435455, 268435455, 2147483648]})
def shift_arithmetic_vs_logical():
    @qd.kernel
    def k(x: I32_1, u: U32_1, a: qd.i32, m: qd.i32, b: qd.u32, c: qd.u32, n: qd.i32):
        x[0] = a >> n  # -8 >> 1
        x[1] = m >> 31
        x[2] = a >> 30
        x[3] = -a >> 2
        u[0] = b >> 31
        u[1] = c >> 4
        u[2] = c >> 36
        u[3] = b >> 32

    x = qd.ndarray(qd.i32, shape=(4,))
    u = qd.ndarray(qd.u32, shape=(4,))
    k(x, u, -8, INT_MIN, 0x80000000, 0xFFFFFFFF, 1)
    return {"x": x.to_numpy(), "u": u.to_numpy()}


@case(section="4.3", requires=("u8",), golden={"x": [240, 1, 1, 2]})
def shift_result_has_left_type_u8():
    @qd.kernel
    def k(x: I32_1, a: qd.u8, b: qd.u8, c: qd.u8, n: qd.i32):
        x[0] = a << n  # u8 255 << 4 = 240 (not 4080)
        x[1] = b << (n + 4)  # count 8 & 7 = 0
        x[2] = c >> 7  # logical: 128 >> 7
        x[3] = b << (n + 5)  # count 9 & 7 = 1

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x, 255, 1, 128, 4)
    return {"x": x.to_numpy()}


@case(section="4.3", requires=("i64",), golden={"x": [2, INT_MIN, 1099511627776, 2, -1]})
def shift_i32_by_i64_and_i64_shifts():
    @qd.kernel
    def k(x: I64_1, a: qd.i32, n: qd.i64, b: qd.i64):
        x[0] = a << n  # count 33 & 31 = 1
        x[1] = a << (n - 2)  # i32 result: INT_MIN, not 2**31
        x[2] = b << 40
        x[3] = b << 65  # count 65 & 63 = 1
        x[4] = -b >> 63

    x = qd.ndarray(qd.i64, shape=(5,))
    k(x, 1, 33, 1)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [7, -1, 8, 14, 6, 255, 0], "u": [4294967295, 4294967294]})
def bitwise_ops():
    @qd.kernel
    def k(x: I32_1, u: U32_1, a: qd.i32, z: qd.i32, p: qd.i32, q: qd.i32, uz: qd.u32):
        x[0] = ~a  # ~-8
        x[1] = ~z
        x[2] = p & q
        x[3] = p | q
        x[4] = p ^ q
        x[5] = -1 & (p * 0 + 255)
        x[6] = ~(~z + 1 - 1) + ~z + 1
        u[0] = ~uz
        u[1] = ~(uz + 1)

    x = qd.ndarray(qd.i32, shape=(7,))
    u = qd.ndarray(qd.u32, shape=(2,))
    k(x, u, -8, 0, 12, 10, 0)
    return {"x": x.to_numpy(), "u": u.to_numpy()}


@case(section="4.3", golden={"x": [INT_MIN, 5, 5, 0, INT_MAX], "u": [4294967295, 5]})
def abs_of_ints():
    @qd.kernel
    def k(x: I32_1, u: U32_1, m: qd.i32, a: qd.i32, ub: qd.u32):
        x[0] = abs(m)
        x[1] = abs(a)
        x[2] = qd.abs(a)
        x[3] = abs(a - a)
        x[4] = abs(m + 1)
        u[0] = abs(ub)
        u[1] = qd.abs(ub + 6)  # wraps to 5

    x = qd.ndarray(qd.i32, shape=(5,))
    u = qd.ndarray(qd.u32, shape=(2,))
    k(x, u, INT_MIN, -5, 4294967295)
    return {"x": x.to_numpy(), "u": u.to_numpy()}


@case(section="4.3", golden={"x": [49, 1, 1870418611, -27, 1, INT_MIN, 5, 0]})
def int_pow_nonnegative_exponent():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, b: qd.i32, z: qd.i32):
        x[0] = a**b  # 7 ** 2
        x[1] = z**z  # 0 ** 0
        x[2] = (a - 4) ** (b + 19)  # 3 ** 21 wraps
        x[3] = (a - 10) ** (b + 1)  # (-3) ** 3
        x[4] = a**z
        x[5] = (z - 2) ** (b + 29)  # (-2) ** 31
        x[6] = (a - 2) ** (b - 1)
        x[7] = z**b

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x, 7, 2, 0)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [1, -1, 1, 0, 0, 0, 0, 1]})
def int_pow_negative_exponent_runtime():
    @qd.kernel
    def k(x: I32_1, one: qd.i32, n3: qd.i32, n2: qd.i32, n1: qd.i32):
        x[0] = one**n3  # 1 ** -3
        x[1] = (-one) ** n3  # (-1) ** -3
        x[2] = (-one) ** n2  # (-1) ** -2
        x[3] = (one + one) ** n1  # 2 ** -1
        x[4] = (one - one) ** n1  # 0 ** -1
        x[5] = (-one - one) ** n1  # (-2) ** -1
        x[6] = (one * 5) ** n2  # 5 ** -2
        x[7] = one**n1

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x, 1, -3, -2, -1)
    return {"x": x.to_numpy()}


@case(section="4.3", raises=(qd.QuadrantsTypeError, "negative exponent"))
def int_pow_negative_compile_time_exponent_error():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        x[0] = a**-2

    k(qd.ndarray(qd.i32, shape=(1,)), 2)


@case(section="4.3", golden={"x": [0, 1, 1, 0, 1, 1]})
def comparisons_after_promotion_mixed_sign():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, b: qd.u32, c: qd.u32):
        x[0] = a < b  # -1 < 0 compared as u32: false
        x[1] = a > b
        x[2] = a == c  # -1 == 4294967295 as u32
        x[3] = a <= b
        x[4] = c >= a
        x[5] = a < 0  # i32 vs i32 literal: signed

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x, -1, 0, 4294967295)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [2, 0, 7, 2, 0, 0, 7, -3]})
def and_or_value_semantics():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, b: qd.i32, z: qd.i32):
        x[0] = a and b  # 7 and 2
        x[1] = z and b
        x[2] = a or b
        x[3] = z or b
        x[4] = z or z
        x[5] = a and z
        x[6] = a or z
        x[7] = a and b and (b - 5)

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x, 7, 2, 0)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [0, 1, 1, 0, 1], "c": [0, 1, 0, 0]})
def and_or_short_circuit_atomics():
    @qd.kernel
    def k(x: I32_1, c: I32_1, z: qd.i32, one: qd.i32):
        x[0] = z and qd.atomic_add(c[0], 1)  # not evaluated
        x[1] = one or qd.atomic_add(c[0], 1)  # not evaluated
        x[2] = one and (qd.atomic_add(c[1], 1) + 1)  # evaluated: old 0, +1
        x[3] = z or qd.atomic_add(c[2], 0)  # evaluated: old 0
        x[4] = one or qd.atomic_add(c[3], 5)  # not evaluated

    x = qd.ndarray(qd.i32, shape=(5,))
    c = qd.ndarray(qd.i32, shape=(4,))
    k(x, c, 0, 1)
    return {"x": x.to_numpy(), "c": c.to_numpy()}


@case(section="4.3", golden={"x": [0, 1, 5, 5], "c": [2]})
def and_or_short_circuit_func_side_effects():
    @qd.func
    def bump(c: I32_1, v: qd.i32):
        c[0] += 1
        return v

    @qd.kernel
    def k(x: I32_1, c: I32_1, z: qd.i32, one: qd.i32):
        x[0] = z and bump(c, 5)  # skipped
        x[1] = one or bump(c, 5)  # skipped
        x[2] = one and bump(c, 5)  # runs
        x[3] = z or bump(c, 5)  # runs

    x = qd.ndarray(qd.i32, shape=(4,))
    c = qd.ndarray(qd.i32, shape=(1,))
    k(x, c, 0, 1)
    return {"x": x.to_numpy(), "c": c.to_numpy()}


@case(section="4.3", debug=True, golden={"x": [0, 1, 0]})
def and_or_short_circuit_skips_division_by_zero_debug():
    @qd.kernel
    def k(x: I32_1, z: qd.i32, one: qd.i32):
        x[0] = z and (7 // z)
        x[1] = one or (7 % z)
        x[2] = (z != 0) and (qd.raw_div(7, z) > 1)

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, 0, 1)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [0, 1, 0, 0, 1]})
def logical_not_values():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, z: qd.i32, u: qd.u32):
        x[0] = not a
        x[1] = not z
        x[2] = not (a - 8)
        x[3] = not u
        x[4] = bool(a)

    x = qd.ndarray(qd.i32, shape=(5,))
    k(x, 7, 0, 4294967295)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [5, 7, 9], "c": [1]})
def ternary_evaluates_only_selected_branch():
    @qd.func
    def bump(c: I32_1, v: qd.i32):
        c[0] += 1
        return v

    @qd.kernel
    def k(x: I32_1, c: I32_1, z: qd.i32, one: qd.i32):
        x[0] = bump(c, 100) if z else 5
        x[1] = 7 if one else bump(c, 100)
        x[2] = bump(c, 9) if one else bump(c, 100)

    x = qd.ndarray(qd.i32, shape=(3,))
    c = qd.ndarray(qd.i32, shape=(1,))
    k(x, c, 0, 1)
    return {"x": x.to_numpy(), "c": c.to_numpy()}


@case(section="4.3", debug=True, golden={"x": [3, 4]})
def ternary_unselected_division_by_zero_debug():
    @qd.kernel
    def k(x: I32_1, z: qd.i32):
        x[0] = (7 // z) if z else 3
        x[1] = 4 if z == 0 else (7 % z)

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 0)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"x": [1, 10], "c": [11, 2]})
def select_evaluates_all_operands():
    @qd.func
    def bump(c: I32_1, v: qd.i32):
        c[0] += v
        return v

    @qd.func
    def cond(c: I32_1, v: qd.i32):
        c[1] += 1
        return v

    @qd.kernel
    def k(x: I32_1, c: I32_1):
        x[0] = qd.select(cond(c, 1), bump(c, 1), bump(c, 10))
        x[1] = qd.select(cond(c, 0), 1, 10)

    x = qd.ndarray(qd.i32, shape=(2,))
    c = qd.ndarray(qd.i32, shape=(2,))
    k(x, c)
    return {"x": x.to_numpy(), "c": c.to_numpy()}


@case(section="4.2", golden={"x": [1, 1, 0, 3, 1, 0, 20]})
def integer_conditions_nonzero_is_true():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, u: qd.u32, z: qd.i32):
        if a:  # -3
            x[0] = 1
        if u:  # 2**31
            x[1] = 1
        if z:
            x[2] = 1
        n = 3
        c = 0
        while n:
            n -= 1
            c += 1
        x[3] = c
        x[4] = 1 if a else 2
        x[5] = qd.select(z, 1, 0)
        x[6] = 10 if not ((a > 0) or ((u > 0) and (z == 0))) else 20  # `and` binds tighter than `or`

    x = qd.ndarray(qd.i32, shape=(7,))
    k(x, -3, 2**31, 0)
    return {"x": x.to_numpy()}


@case(section="4.2", golden={"x": [1, 0, 1, 0, 2, 1, 3, 3]})
def select_and_logic_on_comparisons_in_parallel():
    @qd.kernel
    def k(x: I32_1, v: I32_1):
        for i in range(8):
            if i < 4:
                x[i] = (v[i] > 0) and (v[i] < 10)
            else:
                x[i] = qd.select(v[i] > 0, v[i] // 2, -v[i]) + 0 * i

    v = qd.ndarray(qd.i32, shape=(8,))
    v.from_numpy(np.array([5, -5, 9, 10, 4, -1, 6, -3], dtype=np.int32))
    x = qd.ndarray(qd.i32, shape=(8,))
    k(x, v)
    return {"x": x.to_numpy()}
