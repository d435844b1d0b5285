"""A NumPy model of the correctly rounding f32 division and sqrt helpers (``quadrants_wgpu/wgsl/rounding.py``), step
for step, run with the driver's quotient, reciprocal and root *deliberately wrong* by up to 3 ulp: that is what
NVIDIA's driver does (≤ 2 ulp for ``/``, ≤ 1 ulp for ``sqrt``), simulated on a machine whose own division is exact.
Every result must equal NumPy's IEEE ``np.divide``/``np.sqrt`` bit for bit.

The model uses float32 NumPy operations only (one rounding each, no fused multiply-add), which is what the helpers
ask of a driver; integer steps are the same bit operations as the WGSL.
"""

from __future__ import annotations

import numpy as np
import pytest

from .rounding_cases import (
    bits,
    division_operands,
    expected_div,
    expected_sqrt,
    floats,
    same,
    sqrt_operands,
)

F32 = np.float32
U32 = np.uint32


def _off_by(x: np.ndarray, ulps: np.ndarray) -> np.ndarray:
    """``x`` (positive) moved by ``ulps`` units in the last place: a driver's loosely rounded result."""
    return floats((bits(x).astype(np.int64) + ulps).astype(U32))


def _split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """qd_cr_split_f32: bits of a finite non-zero magnitude -> (significand in [1, 2), exponent)."""
    f = x >> U32(23)
    m = x & U32(0x7FFFFF)
    clz = np.where(m == 0, 32, 31 - np.floor(np.log2(np.maximum(m, 1))).astype(np.int64))
    sh = np.where(f == 0, clz - 8, 0).astype(U32)
    e = np.where(f == 0, 1 - sh.astype(np.int64), f.astype(np.int64)) - 127
    return floats(((m << sh) & U32(0x7FFFFF)) | U32(0x3F800000)), e


def _residual(x, q, y):
    """qd_cr_residual_f32: x - q * y rounded once, q * y by Dekker's product on 12-bit halves."""
    p = q * y
    qh = floats((bits(q) + U32(0x800)) & U32(0xFFFFF000))
    yh = floats((bits(y) + U32(0x800)) & U32(0xFFFFF000))
    ql = q - qh
    yl = y - yh
    e = (((qh * yh - p) + qh * yl) + ql * yh) + ql * yl
    return (x - p) - e


def _neighbour(q, up):
    return floats(np.where(up, bits(q) + U32(1), bits(q) - U32(1)).astype(U32))


def model_div(a: np.ndarray, b: np.ndarray, rng, err: int = 3) -> np.ndarray:
    """qd_cr_div_f32 with the driver's x / y and 1 / y off by up to ``err`` ulp."""
    a, b = a.astype(F32), b.astype(F32)
    ua, ub = bits(a), bits(b)
    xa, xb = ua & U32(0x7FFFFFFF), ub & U32(0x7FFFFFFF)
    x, ea = _split(xa)
    y, eb = _split(xb)
    q0 = _off_by(x / y, rng.integers(-err, err + 1, x.size))
    recip = _off_by(F32(1) / y, rng.integers(-err, err + 1, x.size))
    q1 = q0 + _residual(x, q0, y) * recip
    r1 = _residual(x, q1, y)
    c = _neighbour(q1, r1 > 0)
    pick = np.abs(r1) > F32(0.5) * np.abs(c - q1) * y
    q = bits(np.where(pick, c, q1))
    above = np.where(pick, r1 < 0, r1 > 0)
    exact = r1 == 0
    field = (q >> U32(23)).astype(np.int64) + ea - eb
    normal = np.where(field > 254, 0x7F800000, (field << 23) & 0xFFFFFFFF | (q & U32(0x7FFFFF))).astype(np.int64)
    sig = ((q & U32(0x7FFFFF)) | U32(0x800000)).astype(np.int64)
    s = np.clip(1 - field, 1, 25)
    kept = sig >> s
    rest = sig & ((1 << s) - 1)
    half = 1 << (s - 1)
    up = (rest > half) | ((rest == half) & (above | (exact & ((kept & 1) == 1))))
    mag = np.where(field < 1, kept + up, normal)
    a_zero, b_zero = xa == 0, xb == 0
    a_inf, b_inf = xa == 0x7F800000, xb == 0x7F800000
    special = np.where((a_zero & b_zero) | (a_inf & b_inf), 0x7FC00000, np.where(a_inf | b_zero, 0x7F800000, 0))
    mag = np.where(a_zero | b_zero | a_inf | b_inf, special, mag)
    out = floats((((ua ^ ub) & U32(0x80000000)).astype(np.int64) | mag).astype(U32))
    nan_in = (xa > 0x7F800000) | (xb > 0x7F800000)
    return np.where(nan_in, a + b, out)


def model_sqrt(v: np.ndarray, rng, err: int = 3) -> np.ndarray:
    """qd_cr_sqrt_f32 with the driver's sqrt and 0.5 / s0 off by up to ``err`` ulp."""
    v = v.astype(F32)
    u = bits(v)
    sx, e = _split(u & U32(0x7FFFFFFF))
    k = e >> 1
    m = floats(bits(sx) + np.where(e & 1, U32(0x800000), U32(0)))
    s0 = _off_by(np.sqrt(m), rng.integers(-err, err + 1, v.size))
    half_recip = _off_by(F32(0.5) / s0, rng.integers(-err, err + 1, v.size))
    s1 = s0 + _residual(m, s0, s0) * half_recip
    r1 = _residual(m, s1, s1)
    c = _neighbour(s1, r1 > 0)
    lo, hi = np.minimum(s1, c), np.maximum(s1, c)
    s = np.where(_residual(m, lo, hi) > 0, hi, lo)
    root = floats((bits(s).astype(np.int64) + k * (1 << 23)).astype(U32))
    special = ((u & U32(0x7FFFFFFF)) == 0) | (u >= 0x7F800000)
    neg = (u > 0x80000000) & (u <= 0xFF800000)
    return np.where(special, np.where(neg, F32(np.nan), v), root)


@pytest.mark.parametrize("err", [0, 1, 3])
def test_division_model_is_correctly_rounded_from_a_wrong_quotient(err):
    rng = np.random.default_rng(err)
    a, b = division_operands()
    with np.errstate(all="ignore"):
        got = model_div(a, b, rng, err)
    want = expected_div(a, b)
    bad = ~same(got, want)
    assert not bad.any(), list(zip(a[bad][:5], b[bad][:5], got[bad][:5], want[bad][:5]))


@pytest.mark.parametrize("err", [0, 1, 3])
def test_sqrt_model_is_correctly_rounded_from_a_wrong_root(err):
    rng = np.random.default_rng(100 + err)
    v = sqrt_operands()
    with np.errstate(all="ignore"):
        got = model_sqrt(v, rng, err)
    want = expected_sqrt(v)
    bad = ~same(got, want)
    assert not bad.any(), list(zip(v[bad][:5], got[bad][:5], want[bad][:5]))


def test_the_plain_operation_with_the_same_errors_is_wrong():
    """The perturbation is real: the uncorrected quotients and roots differ from IEEE on most inputs."""
    rng = np.random.default_rng(5)
    a, b = division_operands()
    finite = np.isfinite(a) & np.isfinite(b) & (b != 0) & (a != 0)
    with np.errstate(all="ignore"):
        q = np.abs(expected_div(a[finite], b[finite]))
        normal = (q > 2.0**-126) & np.isfinite(q)
        moved = _off_by(q[normal], rng.integers(1, 4, normal.sum()))
    assert (~same(moved, q[normal])).mean() > 0.99


def test_the_near_halfway_cases_are_near_halfway():
    """The hard cases are hard: for many of them, rounding the quotient computed in f64 with one ulp of f64 error
    either way would already give two different f32 results."""
    a, b = division_operands()
    sel = slice(1 << 14, 2 << 14)
    exact = a[sel].astype(np.float64) / b[sel].astype(np.float64)
    finite = np.isfinite(exact) & (np.abs(exact) > 2.0**-126) & (np.abs(exact) < 2.0**127)
    lo = (exact[finite] * (1 - 2.0**-30)).astype(F32)
    hi = (exact[finite] * (1 + 2.0**-30)).astype(F32)
    assert (lo != hi).mean() > 0.2
