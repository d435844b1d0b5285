"""Correctly rounded f32 (and f16) division and square root for drivers whose ``/`` and ``sqrt`` are approximate.

WGSL allows 2.5 ulp for ``x / y`` and 1 ulp for ``sqrt``; NVIDIA's Vulkan driver uses that freedom (≤ 2 ulp and
≤ 1 ulp measured on an H100), while docs/semantics.md asks for IEEE results (the reference's). On such adapters
(:mod:`quadrants_wgpu.runtime.rounding` decides) every f32 ``/`` and ``sqrt`` of a program goes through the helpers
here; elsewhere the emitter writes the plain operators.

How the helpers get the IEEE result from an approximate one (the argument is in docs/backends/wgpu.md, "Correctly
rounded division and sqrt"; ``tests/test_rounding_model.py`` runs a NumPy model of exactly these steps with quotients
and roots deliberately 1-3 ulp off, and ``tests/test_rounding.py`` runs the helpers themselves on the device):

* the operands are split on their bits into a significand in [1, 2) and an exponent (subnormals are normalized with
  a shift, so a driver that flushes subnormals still sees normal numbers), so every step below runs far from
  overflow and underflow;
* residuals ``x - q * y`` are computed exactly with Dekker's product (``qd_cr_residual_f32``), not with ``fma``:
  Vulkan lets a driver split ``fma`` into a multiply and an add, and lavapipe does;
* the driver's quotient (root) of the significands is refined with one Newton step, which leaves it within one ulp:
  one of the two floats around the exact value; the sign of its residual says on which side the exact value lies;
* division keeps the neighbour on that side when the residual is more than half the gap times the divisor; sqrt uses
  Tuckerman's test: ``sqrt(m)`` is above the midpoint of ``lo`` and ``hi`` exactly when ``m - lo * hi > 0``;
* the exponent is put back on the bits. A quotient below the normal range is rounded at its subnormal position on
  the integer significand, the residual's sign deciding the halfway cases (no double rounding).

Zeros, infinities and NaN are decided on the bits too. Everything is branch-free (``select``), so a warp never
diverges on these helpers (a few dozen instructions each).
"""

from __future__ import annotations

from quadrants_wgpu.wgsl.library import register, register_variant

__all__ = ["CORRECTED_TYPES", "corrected"]

register(
    "qd_cr_split_f32",
    """
fn qd_cr_split_f32(x: u32) -> vec2<i32> {
  // x: the bits of a finite non-zero |v|. Returns (bits of s, e) with v = s * 2^e, s in [1, 2); a subnormal is
  // normalized by shifting its significand (no float arithmetic: a driver that flushes subnormals cannot lose it)
  let f = x >> 23u;
  let m = x & 0x7fffffu;
  let sh = select(0u, countLeadingZeros(m) - 8u, f == 0u);
  let e = select(i32(f), 1i - i32(sh), f == 0u) - 127i;
  return vec2<i32>(bitcast<i32>(((m << sh) & 0x7fffffu) | 0x3f800000u), e);
}""",
)

register(
    "qd_cr_residual_f32",
    """
fn qd_cr_residual_f32(x: f32, q: f32, y: f32) -> f32 {
  // x - q * y rounded once (exact when it fits in a float, so its sign is always exact), for x, q, y in [0.5, 4)
  // with q * y within a factor 2 of x. q * y is taken exactly by Dekker's product: q and y split on the bits into
  // 12-bit halves, so every partial product and every partial sum below is exact; an fma the driver may or may not
  // contract them into changes nothing. p is opaque so that x - p cannot become fma(-q, y, x) while e stays p's error.
  let p = qd_opaque0_f32(q * y);
  let qh = bitcast<f32>((bitcast<u32>(q) + 0x800u) & 0xfffff000u);
  let yh = bitcast<f32>((bitcast<u32>(y) + 0x800u) & 0xfffff000u);
  let ql = qd_opaque0_f32(q - qh);
  let yl = qd_opaque0_f32(y - yh);
  let e = (((qh * yh - p) + qh * yl) + ql * yh) + ql * yl;  // q * y - p
  return (x - p) - e;
}""",
    ("qd_opaque0_f32",),
)

register(
    "qd_cr_div_f32",
    """
fn qd_cr_div_f32(a: f32, b: f32) -> f32 {
  // a / b rounded to nearest even, from the driver's approximate division (see quadrants_wgpu/wgsl/rounding.py)
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let xa = ua & 0x7fffffffu;
  let xb = ub & 0x7fffffffu;
  let sa = qd_cr_split_f32(xa);
  let sb = qd_cr_split_f32(xb);
  let x = bitcast<f32>(sa.x);
  let y = bitcast<f32>(sb.x);
  // x / y in (0.5, 2): the driver's quotient and one Newton step; q1 is then one of the two floats around x / y
  let q0 = qd_opaque0_f32(x / y);
  let q1 = qd_opaque0_f32(q0 + qd_cr_residual_f32(x, q0, y) * (1.0f / y));
  // c: the neighbour of q1 on the other side of x / y (r1 is exact); c is nearer when |r1| > |c - q1| * y / 2
  let r1 = qd_cr_residual_f32(x, q1, y);
  let c = bitcast<f32>(bitcast<u32>(q1) + select(0xffffffffu, 1u, r1 > 0.0f));
  let pick = abs(r1) > 0.5f * abs(c - q1) * y;  // never equal: a quotient is never halfway between two floats
  let q = bitcast<u32>(select(q1, c, pick));
  let above = select(r1 > 0.0f, r1 < 0.0f, pick);  // the exact quotient is above q
  let exact = r1 == 0.0f;
  // the exponent back on the bits; below the normal range, round the significand once at the subnormal position
  let field = i32(q >> 23u) + sa.y - sb.y;
  let normal = select((bitcast<u32>(field) << 23u) | (q & 0x7fffffu), 0x7f800000u, field > 254i);
  let sig = (q & 0x7fffffu) | 0x800000u;
  let s = u32(clamp(1i - field, 1i, 25i));
  let kept = sig >> s;
  let rest = sig & ((1u << s) - 1u);
  let half = 1u << (s - 1u);
  let up = (rest > half) | ((rest == half) & (above | (exact & ((kept & 1u) == 1u))));
  var mag = select(normal, kept + select(0u, 1u, up), field < 1i);
  // zeros and infinities on the bits; NaN operands pass through
  let a_zero = xa == 0u;
  let b_zero = xb == 0u;
  let a_inf = xa == 0x7f800000u;
  let b_inf = xb == 0x7f800000u;
  let special = select(select(0u, 0x7f800000u, a_inf | b_zero), 0x7fc00000u, (a_zero & b_zero) | (a_inf & b_inf));
  mag = select(mag, special, a_zero | b_zero | a_inf | b_inf);
  let nan_in = (xa > 0x7f800000u) | (xb > 0x7f800000u);
  return select(bitcast<f32>(((ua ^ ub) & 0x80000000u) | mag), a + b, nan_in);
}""",
    ("qd_cr_split_f32", "qd_cr_residual_f32", "qd_opaque0_f32"),
)

register(
    "qd_cr_sqrt_f32",
    """
fn qd_cr_sqrt_f32(v: f32) -> f32 {
  // sqrt(v) rounded to nearest even, from the driver's approximate sqrt (see quadrants_wgpu/wgsl/rounding.py)
  let u = bitcast<u32>(v);
  let sp = qd_cr_split_f32(u & 0x7fffffffu);
  // v = m * 2^(2k) with m in [1, 4)
  let k = sp.y >> 1u;
  let m = bitcast<f32>(bitcast<u32>(sp.x) + select(0u, 0x800000u, (sp.y & 1i) != 0i));
  let s0 = qd_opaque0_f32(sqrt(m));
  let s1 = qd_opaque0_f32(s0 + qd_cr_residual_f32(m, s0, s0) * (0.5f / s0));  // a float next to sqrt(m)
  let r1 = qd_cr_residual_f32(m, s1, s1);
  let c = bitcast<f32>(bitcast<u32>(s1) + select(0xffffffffu, 1u, r1 > 0.0f));
  let lo = min(s1, c);
  let hi = max(s1, c);
  // Tuckerman: sqrt(m) is above (lo + hi) / 2 exactly when m > lo * hi (never equal)
  let s = select(lo, hi, qd_cr_residual_f32(m, lo, hi) > 0.0f);
  let root = bitcast<f32>(bitcast<u32>(bitcast<i32>(bitcast<u32>(s)) + k * 8388608i));
  // +-0, +inf and NaN are their own root; every other negative is NaN
  let special = ((u & 0x7fffffffu) == 0u) | (u >= 0x7f800000u);
  let neg = (u > 0x80000000u) & (u <= 0xff800000u);
  return select(root, select(v, bitcast<f32>(0x7fc00000u), neg), special);
}""",
    ("qd_cr_split_f32", "qd_cr_residual_f32", "qd_opaque0_f32"),
)

# f16: the f32 result rounded once more is the correctly rounded f16 result (24 >= 2 * 11 + 2 bits: the double
# rounding is innocuous), so these go through f32; the f32 -> f16 rounding is done on the bits (qd_f32_round_f16).
register(
    "qd_cr_div_f16",
    """
fn qd_cr_div_f16(a: f16, b: f16) -> f16 {
  return f16(qd_f32_round_f16(qd_cr_div_f32(f32(a), f32(b))));
}""",
    ("qd_cr_div_f32", "qd_f32_round_f16"),
)
register(
    "qd_cr_sqrt_f16",
    """
fn qd_cr_sqrt_f16(v: f16) -> f16 {
  return f16(qd_f32_round_f16(qd_cr_sqrt_f32(f32(v))));
}""",
    ("qd_cr_sqrt_f32", "qd_f32_round_f16"),
)

# The math library (mathlib.py, pow) divides and takes roots through these: the driver's operators, or (variant
# "corrected", chosen by the emitter on the devices that get the helpers) the correctly rounded ones, so that its
# results are the same on every driver.
for _op, _plain in (("div", "a / b"), ("sqrt", "sqrt(a)")):
    _params, _args = ("a: f32, b: f32", "a, b") if _op == "div" else ("a: f32", "a")
    register(f"qd_f{_op}_f32", f"fn qd_f{_op}_f32({_params}) -> f32 {{\n  return {_plain};\n}}")
    register_variant(
        f"qd_f{_op}_f32",
        "corrected",
        f"fn qd_f{_op}_f32({_params}) -> f32 {{\n  return qd_cr_{_op}_f32({_args});\n}}",
        (f"qd_cr_{_op}_f32",),
    )

# The WGSL value types whose / and sqrt the helpers correct (f64 is the driver's: IEEE on every adapter measured).
CORRECTED_TYPES = frozenset({"f32", "f16"})


def corrected(op: str, ftype: str) -> str | None:
    """The helper computing ``op`` (``"div"`` or ``"sqrt"``) on WGSL type ``ftype`` correctly rounded, or None when
    the plain operator already is (f64)."""
    return f"qd_cr_{op}_{ftype}" if ftype in CORRECTED_TYPES else None
