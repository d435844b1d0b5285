"""The scalar numerics of docs/semantics.md §4.3–§6, checked on the examples the spec states."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from quadrants.ir import dtypes as T
from quadrants.ir.numerics import OP_HANDLERS, convert, convert_scalar, fold
from quadrants.ir.ops import OP_INFO, Op

I32_MIN, I32_MAX = -(2**31), 2**31 - 1


def f(op, a, b=None, t=T.i32, rt=None, bt=None):
    """Fold ``op`` on operands of type ``t`` (count/second operand type ``bt``), result type ``rt``."""
    if b is None:
        return fold(op, [a], [t], rt or t)
    return fold(op, [a, b], [t, bt or t], rt or t)


def test_handlers_cover_every_non_atomic_op():
    expected = {op for op, info in OP_INFO.items() if info.category != "atomic"}
    assert set(OP_HANDLERS) == expected


# -------------------------------------------------------------------------------------------------------- §4.3


@pytest.mark.parametrize(
    "op,a,b,t,want",
    [
        (Op.ADD, I32_MAX, 1, T.i32, I32_MIN),
        (Op.ADD, 255, 255, T.u8, 254),
        (Op.ADD, 2**31, 2**31, T.u32, 0),
        (Op.MUL, I32_MAX, 2, T.i32, -2),
        (Op.SUB, 0, 1, T.u32, 2**32 - 1),
        (Op.FLOORDIV, -7, 2, T.i32, -4),
        (Op.FLOORDIV, 7, -2, T.i32, -4),
        (Op.FLOORDIV, 7, 2, T.i32, 3),
        (Op.FLOORDIV, I32_MIN, -1, T.i32, I32_MIN),
        (Op.FLOORDIV, 5, 0, T.i32, 0),
        (Op.FLOORDIV, 5, 0, T.u64, 0),
        (Op.MOD, -7, 2, T.i32, 1),
        (Op.MOD, 7, -2, T.i32, -1),
        (Op.MOD, I32_MIN, -1, T.i32, 0),
        (Op.MOD, 5, 0, T.i32, 0),
        (Op.MOD, 200, 7, T.u8, 4),
        (Op.RAW_DIV, -7, 2, T.i32, -3),
        (Op.RAW_DIV, 7, -2, T.i32, -3),
        (Op.RAW_DIV, -8, 2, T.i32, -4),
        (Op.RAW_DIV, I32_MIN, -1, T.i32, I32_MIN),
        (Op.RAW_DIV, 9, 0, T.i32, 0),
        (Op.RAW_MOD, -7, 2, T.i32, -1),
        (Op.RAW_MOD, 7, -2, T.i32, 1),
        (Op.RAW_MOD, I32_MIN, -1, T.i32, 0),
        (Op.RAW_MOD, 9, 0, T.i32, 0),
        (Op.BIT_AND, 12, 10, T.i32, 8),
        (Op.BIT_XOR, -1, 5, T.i32, -6),
        (Op.POW, 7, 2, T.i32, 49),
        (Op.POW, 0, 0, T.i32, 1),
        (Op.POW, 3, 40, T.i32, pow(3, 40, 2**32) - 2**32 if pow(3, 40, 2**32) >= 2**31 else pow(3, 40, 2**32)),
        (Op.POW, 3, 41, T.u64, pow(3, 41, 2**64)),
        (Op.POW, 1, -5, T.i32, 1),
        (Op.POW, -1, -5, T.i32, -1),
        (Op.POW, -1, -4, T.i32, 1),
        (Op.POW, 2, -1, T.i32, 0),
        (Op.POW, -2, 3, T.i8, -8),
        (Op.MAX, -3, 2, T.i32, 2),
        (Op.MIN, 250, 3, T.u8, 3),
    ],
)
def test_integer_binary(op, a, b, t, want):
    assert f(op, a, b, t) == want


@pytest.mark.parametrize(
    "op,a,t,want",
    [
        (Op.NEG, I32_MIN, T.i32, I32_MIN),
        (Op.NEG, 1, T.u32, 2**32 - 1),
        (Op.ABS, I32_MIN, T.i32, I32_MIN),
        (Op.ABS, -5, T.i8, 5),
        (Op.ABS, 200, T.u8, 200),
        (Op.BIT_NOT, -8, T.i32, 7),
        (Op.BIT_NOT, 0, T.u8, 255),
    ],
)
def test_integer_unary(op, a, t, want):
    assert f(op, a, t=t) == want


def test_shifts():
    assert f(Op.SHL, 1, 33, T.i32) == 2
    assert f(Op.SHL, 1, 31, T.i32) == I32_MIN
    assert f(Op.SHL, 1, -1, T.i32) == I32_MIN  # -1 & 31 = 31
    assert f(Op.SHL, 1, 9, T.u8, bt=T.i32) == 2
    assert f(Op.SHL, 0xFF, 4, T.u8, bt=T.i32) == 0xF0
    assert f(Op.SHL, 1, 63, T.i64, bt=T.i32) == -(2**63)
    assert f(Op.SHR, 0x80000000, 31, T.u32) == 1
    assert f(Op.SHR, -8, 1, T.i32) == -4
    assert f(Op.SHR, -1, 31, T.i32) == -1
    assert f(Op.SHR, 2**64 - 1, 63, T.u64, bt=T.i64) == 1
    assert f(Op.SHR, 256, 8, T.i32, bt=T.u8) == 1


def test_comparisons_are_u1_and_after_promotion():
    # i32(-1) < u32(0) compares as u32: false
    assert fold(Op.LT, [convert_scalar(-1, T.u32), 0], [T.u32, T.u32], T.u1) is False
    assert fold(Op.LT, [-1, 0], [T.i32, T.i32], T.u1) is True
    assert fold(Op.LOGICAL_NOT, [7], [T.i32], T.u1) is False
    assert fold(Op.LOGICAL_NOT, [0], [T.i32], T.u1) is True


def test_nan_comparisons():
    nan = float("nan")
    for op in (Op.EQ, Op.LT, Op.LE, Op.GT, Op.GE):
        assert fold(op, [nan, 1.0], [T.f32, T.f32], T.u1) is False
    assert fold(Op.NE, [nan, nan], [T.f32, T.f32], T.u1) is True


def test_select_and_u1_arith():
    assert fold(Op.SELECT, [3, 1, 2], [T.i32, T.i8, T.i8], T.i8) == 1
    assert fold(Op.SELECT, [0, 1, 2], [T.u1, T.i8, T.i8], T.i8) == 2
    assert fold(Op.ADD, [True, True], [T.u1, T.u1], T.u1) is False  # wraps to 1 bit
    assert fold(Op.SUB, [False, True], [T.u1, T.u1], T.u1) is True
    assert fold(Op.MUL, [True, True], [T.u1, T.u1], T.u1) is True


def test_vectorised_integer_division_matches_python():
    rng = np.random.default_rng(1)
    a = rng.integers(-50, 50, 2000).astype(np.int32)
    b = rng.integers(-6, 6, 2000).astype(np.int32)
    with np.errstate(all="ignore"):
        q = OP_HANDLERS[Op.FLOORDIV]([a, b], T.i32)
        r = OP_HANDLERS[Op.MOD]([a, b], T.i32)
        tq = OP_HANDLERS[Op.RAW_DIV]([a, b], T.i32)
        tr = OP_HANDLERS[Op.RAW_MOD]([a, b], T.i32)
    for x, y, qq, rr, tqq, trr in zip(a.tolist(), b.tolist(), q, r, tq, tr, strict=True):
        if y == 0:
            assert qq == rr == tqq == trr == 0
            continue
        assert qq == x // y and rr == x % y
        assert tqq == int(x / y) and trr == x - int(x / y) * y


def test_vectorised_int_pow_matches_python():
    rng = np.random.default_rng(2)
    a = rng.integers(-5, 6, 500).astype(np.int64)
    b = rng.integers(-3, 70, 500).astype(np.int64)
    with np.errstate(all="ignore"):
        r = OP_HANDLERS[Op.POW]([a, b], T.i64)
    for x, y, got in zip(a.tolist(), b.tolist(), r.tolist(), strict=True):
        if y >= 0:
            want = convert_scalar(x**y, T.i64)
        else:
            want = 1 if x == 1 else ((-1 if y % 2 else 1) if x == -1 else 0)
        assert got == want, (x, y)


# -------------------------------------------------------------------------------------------------------- §4.4


def test_float_floor_division_and_modulo():
    assert f(Op.FLOORDIV, -7.5, 2.0, T.f32) == -4.0
    assert f(Op.MOD, -7.5, 2.0, T.f32) == 0.5
    assert f(Op.MOD, -7.5, -2.0, T.f32) == -1.5
    assert f(Op.MOD, 7.5, 2.0, T.f64) == 1.5
    assert math.isnan(f(Op.MOD, 1.0, 0.0, T.f32))
    assert f(Op.FLOORDIV, 2.0, 0.0, T.f32) == math.inf
    assert math.isnan(f(Op.FLOORDIV, 0.0, 0.0, T.f32))
    assert f(Op.TRUEDIV, 2.0, 0.0, T.f32) == math.inf


def test_float_ops_round_in_their_type():
    assert f(Op.ADD, 0.1, 0.2, T.f32) == float(np.float32(0.1) + np.float32(0.2))
    assert f(Op.ADD, 2048.0, 1.0, T.f16) == 2048.0  # f16 rounds after every op
    assert math.isnan(f(Op.SQRT, -2.0, t=T.f32))


def test_float_max_min_are_maximum_number():
    nan = float("nan")
    assert f(Op.MAX, nan, 1.0, T.f32) == 1.0
    assert f(Op.MIN, 1.0, nan, T.f32) == 1.0
    assert math.isnan(f(Op.MAX, nan, nan, T.f32))


# ---------------------------------------------------------------------------------------------------------- §5


@pytest.mark.parametrize(
    "value,t,want",
    [
        (300, T.u8, 44),
        (2147483647, T.i8, -1),
        (-7, T.u32, 4294967289),
        (2**40, T.i64, 2**40),
        (-7.5, T.i32, -7),
        (2.5e10, T.i32, 2147483647),
        (-2.5e10, T.i32, -(2**31)),
        (-7.5, T.u8, 0),
        (300.7, T.u8, 255),
        (float("nan"), T.i32, 0),
        (float("inf"), T.i64, 2**63 - 1),
        (-float("inf"), T.i64, -(2**63)),
        (1.8446744073709552e19, T.u64, 2**64 - 1),
        (9.3e18, T.u64, 9300000000000000000),
        (9.3e18, T.i64, 2**63 - 1),
        (5, T.u1, True),
        (0, T.u1, False),
        (float("nan"), T.u1, True),
        (0.0, T.u1, False),
        (True, T.i32, 1),
    ],
)
def test_convert_scalar(value, t, want):
    got = convert_scalar(value, t)
    assert got == want and type(got) is type(want)


def test_convert_scalar_floats():
    assert convert_scalar(0.1, T.f32) == float(np.float32(0.1))
    assert convert_scalar(0.1, T.f64) == 0.1
    assert convert_scalar(1e300, T.f32) == math.inf
    assert convert_scalar(2**24 + 1, T.f32) == 2.0**24  # ties to even
    assert convert_scalar(2**60 + 2**36 + 1, T.f32) == 2.0**60 + 2.0**37  # no double rounding through f64
    assert convert_scalar(10**400, T.f64) == math.inf
    assert convert_scalar(70000, T.f16) == math.inf
    assert convert_scalar(np.float32(0.5), T.f16) == 0.5


def test_convert_arrays():
    x = np.array([-7.5, 2.5e10, np.nan, -1e30, 3.99], np.float32)
    assert convert(x, T.i32).tolist() == [-7, I32_MAX, 0, I32_MIN, 3]
    assert convert(x, T.u8).tolist() == [0, 255, 0, 0, 3]
    assert convert(np.array([300, -1], np.int32), T.u8).tolist() == [44, 255]
    assert convert(np.array([0.0, np.nan, -0.0, 2.0]), T.u1).tolist() == [False, True, False, True]
    assert convert(np.array([True, False]), T.f32).tolist() == [1.0, 0.0]


def test_cast_and_bitcast():
    assert fold(Op.CAST, [-7.5], [T.f32], T.u8) == 0
    assert fold(Op.CAST, [300], [T.i32], T.u8) == 44
    assert fold(Op.BITCAST, [1.0], [T.f32], T.i32) == 0x3F800000
    assert fold(Op.BITCAST, [-1], [T.i64], T.u64) == 2**64 - 1


# ---------------------------------------------------------------------------------------------------------- §6


def test_round_floor_ceil():
    for x, want in [(2.5, 3.0), (-2.5, -3.0), (0.5, 1.0), (0.49999997, 0.0), (-0.49999997, 0.0), (1.4, 1.0)]:
        assert f(Op.ROUND, x, t=T.f32) == want, x
    assert f(Op.FLOOR, -7.5, t=T.f32) == -8.0
    assert f(Op.CEIL, -7.5, t=T.f32) == -7.0
    assert f(Op.TRUNC, -7.5, t=T.f32) == -7.0
    assert f(Op.ROUND, 2.5, t=T.f16) == 3.0
    assert math.isnan(f(Op.ROUND, float("nan"), t=T.f64))
    assert f(Op.ROUND, float("inf"), t=T.f64) == math.inf


@pytest.mark.parametrize("t,w", [(T.i32, 32), (T.u32, 32), (T.i64, 64), (T.u64, 64), (T.i8, 8)])
def test_bit_counting(t, w):
    minus_one = convert_scalar(-1, t)
    assert fold(Op.POPCNT, [0], [t], T.i32) == 0
    assert fold(Op.POPCNT, [minus_one], [t], T.i32) == w
    assert fold(Op.CLZ, [0], [t], T.i32) == w
    assert fold(Op.CLZ, [minus_one], [t], T.i32) == 0
    assert fold(Op.CLZ, [1], [t], T.i32) == w - 1
    assert fold(Op.FFS, [0], [t], T.i32) == 0
    assert fold(Op.FFS, [minus_one], [t], T.i32) == 1
    assert fold(Op.FFS, [8], [t], T.i32) == 4
    assert fold(Op.POPCNT, [0b1011], [t], T.i32) == 3


def test_bit_counting_vectorised():
    x = np.array([0, 1, 2, 3, 0x80000000, 0x7FFFFFFF, 12345678], np.uint32)
    with np.errstate(all="ignore"):
        clz = OP_HANDLERS[Op.CLZ]([x], T.i32)
        ffs = OP_HANDLERS[Op.FFS]([x], T.i32)
        pop = OP_HANDLERS[Op.POPCNT]([x], T.i32)
    assert clz.dtype == np.int32 and ffs.dtype == np.int32 and pop.dtype == np.int32
    for v, c, s, p in zip(x.tolist(), clz, ffs, pop, strict=True):
        assert c == 32 - v.bit_length()
        assert s == ((v & -v).bit_length() if v else 0)
        assert p == bin(v).count("1")


def test_math_functions():
    assert abs(f(Op.SIN, 1.0, t=T.f64) - math.sin(1.0)) < 1e-15
    assert f(Op.RSQRT, 4.0, t=T.f32) == 0.5
    assert abs(fold(Op.ATAN2, [1.0, -1.0], [T.f64, T.f64], T.f64) - math.atan2(1.0, -1.0)) < 1e-15
    assert fold(Op.POW, [2.0, 0.5], [T.f32, T.f32], T.f32) == float(np.float32(np.sqrt(np.float32(2.0))))


# the f16/f32 math that NumPy's SIMD loops compute differently on hosts with and without AVX-512 (AVX2, NEON)
_HOST_INDEPENDENT_MATH = {
    Op.EXP: (math.exp, (-80.0, 80.0)),
    Op.LOG: (math.log, (1e-30, 1e30)),
    Op.SIN: (math.sin, (-100.0, 100.0)),
    Op.COS: (math.cos, (-100.0, 100.0)),
    Op.TAN: (math.tan, (-10.0, 10.0)),
    Op.ASIN: (math.asin, (-1.0, 1.0)),
    Op.ACOS: (math.acos, (-1.0, 1.0)),
    Op.ATAN: (math.atan, (-1e4, 1e4)),
    Op.SINH: (math.sinh, (-80.0, 80.0)),
    Op.COSH: (math.cosh, (-80.0, 80.0)),
    Op.TANH: (math.tanh, (-10.0, 10.0)),
    Op.ATAN2: (math.atan2, (-10.0, 10.0)),
    Op.POW: (math.pow, (0.0, 10.0)),
}


@pytest.mark.parametrize("dtype", [T.f16, T.f32], ids=str)
@pytest.mark.parametrize("op", list(_HOST_INDEPENDENT_MATH), ids=lambda o: o.value)
def test_narrow_float_math_is_the_rounded_f64_result(op, dtype):
    """f16/f32 transcendentals are the f64 result rounded once (docs/backends/ref.md), whatever SIMD NumPy uses.

    The expected values come from Python's ``math`` (the platform libm, one scalar call per value) rounded to the type,
    so a reference that used NumPy's vectorised f32 loops (1 ULP off in about one ``pow`` in five on AVX-512 hosts)
    fails here.
    """
    fn, (lo, hi) = _HOST_INDEPENDENT_MATH[op]
    rng = np.random.default_rng(19)
    big = float(np.finfo(dtype.np).max)
    args = [rng.uniform(max(lo, -big), min(hi, big), 2000).astype(dtype.np) for _ in range(OP_INFO[op].arity)]
    if op is Op.POW:
        args[1] = rng.uniform(-4.0, 4.0, 2000).astype(dtype.np)
    with np.errstate(all="ignore"):
        got = OP_HANDLERS[op](args, dtype)
        want = np.array([_libm(fn, *(float(a[k]) for a in args)) for k in range(2000)]).astype(dtype.np)
    assert got.dtype == dtype.np
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    assert same.all(), f"{op.value} {dtype}: {np.count_nonzero(~same)} of 2000 values are not the rounded f64 result"


def _libm(fn, *xs) -> float:
    try:
        return fn(*xs)
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


def test_result_dtypes_match_the_ir_type():
    """Every handler returns the NumPy dtype of the result type (spot check over ops and types)."""
    cases = [
        (Op.ADD, [T.i8, T.i8], T.i8),
        (Op.FLOORDIV, [T.u16, T.u16], T.u16),
        (Op.MOD, [T.f16, T.f16], T.f16),
        (Op.POW, [T.i16, T.i16], T.i16),
        (Op.SHL, [T.u8, T.i64], T.u8),
        (Op.SHR, [T.i16, T.u8], T.i16),
        (Op.EQ, [T.f64, T.f64], T.u1),
        (Op.ROUND, [T.f16], T.f16),
        (Op.CLZ, [T.u64], T.i32),
        (Op.CAST, [T.f32], T.i64),
        (Op.SELECT, [T.u1, T.f32, T.f32], T.f32),
        (Op.RAW_DIV, [T.i64, T.i64], T.i64),
    ]
    for op, ts, rt in cases:
        args = [np.ones(3, t.np) for t in ts]
        with np.errstate(all="ignore"):
            out = np.asarray(OP_HANDLERS[op](args, rt))
        assert out.dtype == rt.np, (op, out.dtype)
        assert out.shape == (3,)


def test_fold_emits_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert f(Op.ADD, I32_MAX, 1) == I32_MIN
        assert f(Op.FLOORDIV, 1, 0) == 0
        assert math.isnan(f(Op.MOD, 1.0, 0.0, T.f32))
        assert convert_scalar(1e300, T.f32) == math.inf
        assert T.u8(300) == 44


def test_datatype_call_uses_convert_scalar():
    assert T.u8(300) == 44
    assert T.i32(2.5e10) == 2147483647
    assert T.f32(0.1) == float(np.float32(0.1))
    assert T.u1(5) is True
