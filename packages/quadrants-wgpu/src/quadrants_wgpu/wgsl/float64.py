"""f64 helpers (``shader-f64``, which the backend only uses together with ``shader-int64``): the f64 rows of
:mod:`.library` — opaque operands, NaN tests, ``maximumNumber``, rounding, ``pow`` — and conversions out of f64.

The rules are the same as for f32 (docs/semantics.md §4–§6): bit tests for NaN that a compiler cannot fold, IEEE
``maximumNumber`` for ``max``/``min``, half-away-from-zero ``round``, truncating and saturating float → int with
NaN → 0, and C ``pow`` special cases. The bits of an f64 are reached through ``bitcast<u64>``.

``pow`` on positive finite operands is ``exp(y · log x)`` evaluated in double-double arithmetic (:mod:`.mathlib64`
holds ``exp``/``log``; the extended steps here): a plain f64 ``exp(y * log(x))`` loses ``|y · log x|`` ULPs (hundreds
near the overflow threshold), the extended one about 2 (5 at ``|y · log x| ≈ 700``). Exponents ±1…±4 multiply.
"""

from __future__ import annotations

from quadrants_wgpu.wgsl.library import register
from quadrants_wgpu.wgsl.mathlib64 import LN2_HI, LN2_LO, LOG2E, c, exp_poly, log_reduce_lines

__all__ = ["F64_HELPERS"]

_SIGN = "0x8000000000000000lu"
_NAN = "bitcast<f64>(0x7ff8000000000000lu)"
_INF = "bitcast<f64>(0x7ff0000000000000lu)"


def _atanh_tail() -> str:
    """``1/3 + z/5 + z²/7 + …`` (z = s², s ≤ 0.1716: 12 terms reach 2^-70) in Horner form."""
    coeffs = [1.0 / (2 * n + 1) for n in range(1, 13)]
    out = c(coeffs[-1])
    for k in reversed(coeffs[:-1]):
        out = f"({out} * z + {c(k)})"
    return out


_SOURCES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "qd_opaque0_f64",
        """
fn qd_opaque0_f64(x: f64) -> f64 {
  // x itself, but opaque to the optimizer (see qd_opaque0_f32)
  return bitcast<f64>(bitcast<u64>(x) | u64(qd_zero));
}""",
        ("qd_zero_decl",),
    ),
    (
        "qd_opaque1_f64",
        """
fn qd_opaque1_f64(x: f64) -> f64 {
  return bitcast<f64>(bitcast<u64>(x) | u64(qd_zero1));
}""",
        ("qd_zero_decl",),
    ),
    (
        "qd_isnan_f64",
        """
fn qd_isnan_f64(x: f64) -> bool {
  return (bitcast<u64>(x) & 0x7ffffffffffffffflu) > 0x7ff0000000000000lu;
}""",
        (),
    ),
    (
        "qd_isinf_f64",
        """
fn qd_isinf_f64(x: f64) -> bool {
  return (bitcast<u64>(x) & 0x7ffffffffffffffflu) == 0x7ff0000000000000lu;
}""",
        (),
    ),
    (
        "qd_signbit_f64",
        f"""
fn qd_signbit_f64(x: f64) -> bool {{
  return bitcast<u64>(x) >= {_SIGN};
}}""",
        (),
    ),
    (
        "qd_max_f64",
        """
fn qd_max_f64(a: f64, b: f64) -> f64 {
  // IEEE maximumNumber: one NaN operand is ignored
  if (qd_isnan_f64(a)) { return b; }
  if (qd_isnan_f64(b)) { return a; }
  return max(a, b);
}""",
        ("qd_isnan_f64",),
    ),
    (
        "qd_min_f64",
        """
fn qd_min_f64(a: f64, b: f64) -> f64 {
  // IEEE minimumNumber: one NaN operand is ignored
  if (qd_isnan_f64(a)) { return b; }
  if (qd_isnan_f64(b)) { return a; }
  return min(a, b);
}""",
        ("qd_isnan_f64",),
    ),
    (
        "qd_round_f64",
        """
fn qd_round_f64(x: f64) -> f64 {
  // half away from zero; x - trunc(x) is exact
  let t = trunc(x);
  if (abs(x - t) >= 0.5lf) { return t + select(-1.0lf, 1.0lf, x > 0.0lf); }
  return t;
}""",
        (),
    ),
    # ------------------------------------------------------------------------------------------ f64 -> int
    (
        "qd_f64_to_i32",
        """
fn qd_f64_to_i32(x: f64) -> i32 {
  // truncate, saturate, NaN -> 0 (SEMANTICS §5)
  if (qd_isnan_f64(x)) { return 0i; }
  if (x >= 2147483648.0lf) { return 2147483647i; }
  if (x <= -2147483648.0lf) { return bitcast<i32>(0x80000000u); }
  return i32(x);
}""",
        ("qd_isnan_f64",),
    ),
    (
        "qd_f64_to_u32",
        """
fn qd_f64_to_u32(x: f64) -> u32 {
  if (!(x > -1.0lf)) { return 0u; }  // also NaN
  if (x >= 4294967296.0lf) { return 0xffffffffu; }
  return u32(x);
}""",
        (),
    ),
    (
        "qd_f64_to_narrow",
        """
fn qd_f64_to_narrow(x: f64, lo: f64, hi: f64) -> i32 {
  if (qd_isnan_f64(x)) { return 0i; }
  return i32(clamp(trunc(x), lo, hi));
}""",
        ("qd_isnan_f64",),
    ),
    (
        "qd_f64_to_i64",
        f"""
fn qd_f64_to_i64(x: f64) -> i64 {{
  if (qd_isnan_f64(x)) {{ return 0li; }}
  if (x >= 9223372036854775808.0lf) {{ return 9223372036854775807li; }}
  if (x <= -9223372036854775808.0lf) {{ return bitcast<i64>({_SIGN}); }}
  return i64(x);
}}""",
        ("qd_isnan_f64",),
    ),
    (
        "qd_f64_to_u64",
        """
fn qd_f64_to_u64(x: f64) -> u64 {
  if (!(x > -1.0lf)) { return 0lu; }  // also NaN
  if (x >= 18446744073709551616.0lf) { return 0xfffffffffffffffflu; }
  return u64(x);
}""",
        (),
    ),
    (
        "qd_f64_round_f16",
        """
fn qd_f64_round_f16(x: f64) -> f32 {
  // x rounded once to the nearest f16 value (ties to even), returned as the (exact) f32 of that value: rounding to
  // f32 first would round twice. Quantum 2^(e - 10) for normal halves, 2^-24 for subnormal ones; round() is RTE.
  let a = abs(x);
  if (!(a < 65520.0lf)) { return f32(x); }  // NaN, inf, or rounds to inf (f16() of the f32 gives it)
  let e = i32((bitcast<u64>(a) >> 52u) & 0x7fflu) - 1023i;
  let q = ldexp(1.0lf, max(e, -14i) - 10i);
  return f32(round(x / q) * q);
}""",
        (),
    ),
    # ------------------------------------------------------------------------------------------------ pow
    (
        "qd_pow_f64",
        f"""
fn qd_pow_f64(a: f64, b: f64) -> f64 {{
  // C pow special cases
  if (b == 0.0lf || a == 1.0lf) {{ return 1.0lf; }}
  if (qd_isnan_f64(a) || qd_isnan_f64(b)) {{ return {_NAN}; }}
  let ab = abs(a);
  let is_int = trunc(b) == b;
  let odd = is_int && abs(b) < 9007199254740992.0lf && trunc(b * 0.5lf) != b * 0.5lf;
  if (ab == 1.0lf && qd_isinf_f64(b)) {{ return 1.0lf; }}
  if (a < 0.0lf && !is_int && !qd_isinf_f64(a)) {{ return {_NAN}; }}  // pow(-inf, y) is pow(inf, y)
  var r: f64;
  if (ab == 0.0lf) {{
    r = select(0.0lf, {_INF}, b < 0.0lf);
  }} else if (qd_isinf_f64(ab)) {{
    r = select(ab, 0.0lf, b < 0.0lf);
  }} else if (qd_isinf_f64(b)) {{
    r = select(0.0lf, {_INF}, (ab > 1.0lf) == (b > 0.0lf));
  }} else {{
    r = qd_pow_pos_f64(ab, b);
  }}
  if (odd && qd_signbit_f64(a)) {{ r = -r; }}
  return r;
}}""",
        ("qd_isnan_f64", "qd_isinf_f64", "qd_signbit_f64", "qd_pow_pos_f64"),
    ),
    (
        "qd_dd_f64",
        """
// double-double steps; every sum passes through qd_opaque0_f64 so that no compiler can reassociate it away
fn qd_two_sum_f64(a: f64, b: f64) -> vec2<f64> {
  let s = qd_opaque0_f64(a + b);
  let bb = qd_opaque0_f64(s - a);
  return vec2<f64>(s, qd_opaque0_f64(a - qd_opaque0_f64(s - bb)) + qd_opaque0_f64(b - bb));
}

fn qd_split_f64(a: f64) -> vec2<f64> {
  // Veltkamp: a = hi + lo with 26-bit halves (|a| < 2^996)
  let t = qd_opaque0_f64(134217729.0lf * a);
  let hi = qd_opaque0_f64(t - qd_opaque0_f64(t - a));
  return vec2<f64>(hi, qd_opaque0_f64(a - hi));
}

fn qd_two_prod_f64(a: f64, b: f64) -> vec2<f64> {
  // Dekker: a * b = p + e exactly (each partial product is exact; a contracted fma is exact too)
  let p = qd_opaque0_f64(a * b);
  let x = qd_split_f64(a);
  let y = qd_split_f64(b);
  let e = qd_opaque0_f64(qd_opaque0_f64(qd_opaque0_f64(x.x * y.x - p) + x.x * y.y) + x.y * y.x) + x.y * y.y;
  return vec2<f64>(p, e);
}""",
        ("qd_opaque0_f64",),
    ),
    (
        "qd_log_dd_f64",
        f"""
fn qd_log_dd_f64(x: f64) -> vec2<f64> {{
  // log(x) as hi + lo (about 2^-60 relative) for a positive finite x: log(m) = 2 atanh(s), s = u / (2 + u)
{log_reduce_lines("x")}
  let d = qd_two_sum_f64(2.0lf, u);
  let sh = u / d.x;
  let p = qd_two_prod_f64(sh, d.x);
  let sl = qd_opaque0_f64(qd_opaque0_f64(qd_opaque0_f64(u - p.x) - p.y) - sh * d.y) / d.x;
  let z = sh * sh;
  let tail = 2.0lf * sh * z * ({_atanh_tail()});
  let k = f64(e);
  let hi = qd_two_sum_f64(k * {c(LN2_HI)}, 2.0lf * sh);
  let lo = qd_opaque0_f64(qd_opaque0_f64(2.0lf * sl + tail) + k * {c(LN2_LO)}) + hi.y;
  return qd_two_sum_f64(hi.x, lo);
}}""",
        ("qd_dd_f64", "qd_opaque0_f64"),
    ),
    (
        "qd_pow_pos_f64",
        f"""
fn qd_pow_pos_f64(a: f64, b: f64) -> f64 {{
  // a > 0 finite, b finite non-zero
  if (trunc(b) == b && abs(b) <= 4.0lf) {{
    var r = a;
    for (var k = 1.0lf; k < abs(b); k = k + 1.0lf) {{ r = r * a; }}
    return select(r, 1.0lf / r, b < 0.0lf);
  }}
  let l = qd_log_dd_f64(a);
  let t0 = b * l.x;
  if (t0 > 710.0lf) {{ return {_INF}; }}
  if (t0 < -746.0lf) {{ return 0.0lf; }}
  let t = qd_two_prod_f64(b, l.x);
  let th = qd_two_sum_f64(t.x, qd_opaque0_f64(t.y + b * l.y));
  // exp(th.x + th.y): as qd_exp_f64, with the low part added to the reduced argument
  let k = round(th.x * {c(LOG2E)});
  let r = qd_opaque0_f64(qd_opaque0_f64(qd_opaque0_f64(th.x - k * {c(LN2_HI)}) - k * {c(LN2_LO)}) + th.y);
  return qd_ldexp_f64({exp_poly("r")}, i32(k));
}}""",
        ("qd_log_dd_f64", "qd_dd_f64", "qd_opaque0_f64", "qd_ldexp_f64"),
    ),
]


for _name, _src, _deps in _SOURCES:
    register(_name, _src, _deps)

F64_HELPERS: tuple[str, ...] = tuple(name for name, _, _ in _SOURCES)
