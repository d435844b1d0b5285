"""f64 transcendental functions written in WGSL (``shader-f64``).

naga accepts ``sin``/``exp``/``log``/… on f64, but the SPIR-V it emits uses GLSL.std.450 instructions that are only
defined for 16- and 32-bit floats: Mesa's lavapipe returns garbage for them (``exp(1.0)`` was ``5e-315``). So every
f64 function is built here from ``+ − × ÷``, ``sqrt``, ``floor``/``round``/``trunc``, ``ldexp`` and bit operations
(all exact or correctly rounded in f64 on the drivers we run), with the same algorithms as the LLVM backends'
math library (``quadrants_llvm.builder.mathlib``), accurate to about 1–2 ULP (measured against NumPy):

* ``exp``: ``x = k·ln2 + r`` (Cody–Waite, |r| ≤ ln2/2), degree-13 Taylor polynomial, scaling by ``2^k`` in two
  steps (so results near the overflow and underflow thresholds are rounded once);
* ``log``: fdlibm's ``log(1+f) = f − f²/2 + s·(f²/2 + R(s))`` with ``s = f/(2+f)`` on ``m ∈ [√½, √2)``;
* ``sin``/``cos``/``tan``: reduction by π/2 with fdlibm's four-part constant (accurate for |x| < 2^20·π/2; larger
  arguments lose accuracy), Taylor polynomials on [−π/4, π/4];
* ``atan`` (``1/x`` for |x| > 1 and the π/6 identity), ``atan2`` with the C99 special cases, ``asin``/``acos``
  through ``atan2`` and ``(1−x)(1+x)``; ``sinh``/``cosh``/``tanh`` through ``exp`` and a Taylor ``expm1``.

No ``fma`` is used: WGSL does not promise that ``fma`` is fused. The Cody–Waite constants have trailing zero bits so
that ``k · C`` is exact, and every reduction step passes through ``qd_opaque0_f64`` so that a driver cannot
reassociate it (naga emits no NoContraction). ``pow`` lives in :mod:`.float64`.
"""

from __future__ import annotations

import math

from quadrants_wgpu.wgsl.library import register

__all__ = ["MATH64_HELPERS", "c", "exp_poly", "log_reduce_lines", "LN2_HI", "LN2_LO", "LOG2E"]

LOG2E = 1.4426950408889634
LN2_HI, LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10  # fdlibm: LN2_HI has 32 significant bits
# fdlibm's pi/2 in four parts: the first three have 33 significant bits (k * part is exact for |k| < 2^20)
PIO2_1, PIO2_2, PIO2_3 = 1.57079632673412561417e00, 6.07710050630396597660e-11, 2.02226624871116645580e-21
PIO2_3T = 8.47842766036889956997e-32
PI_2 = (1.5707963267948966, 6.123233995736766e-17)  # pi/2 = hi + lo
PI_6 = (0.5235987755982989, -5.360408832255455e-17)
PI = (3.141592653589793, 1.2246467991473532e-16)

_O = "qd_opaque0_f64"
_NAN = "bitcast<f64>(0x7ff8000000000000lu)"
_INF = "bitcast<f64>(0x7ff0000000000000lu)"


def c(value: float) -> str:
    """An exact f64 literal."""
    if value == 0:
        return "-0.0lf" if math.copysign(1.0, value) < 0 else "0.0lf"
    return f"{float(value).hex()}lf"


def horner(var: str, coeffs: list[float]) -> str:
    """``coeffs[0] + coeffs[1]·var + …`` in Horner form."""
    out = c(coeffs[-1])
    for k in reversed(coeffs[:-1]):
        out = f"({out} * {var} + {c(k)})"
    return out


_EXP_TAYLOR = [1.0 / math.factorial(n) for n in range(14)]
_EXPM1_TAYLOR = [1.0 / math.factorial(n) for n in range(1, 21)]  # times x
_SIN_TAYLOR = [(-1) ** n / math.factorial(2 * n + 1) for n in range(11)]  # in r², times r
_COS_TAYLOR = [(-1) ** n / math.factorial(2 * n) for n in range(11)]
_ATAN_TAYLOR = [(-1) ** n / (2 * n + 1) for n in range(16)]  # in z², times z
_LOG_R = [2.0 / (2 * n + 1) for n in range(1, 12)]  # R(s) = sum 2 s^(2n) / (2n+1), in s², times s²
_SINH_TAYLOR = [1.0 / math.factorial(2 * n + 1) for n in range(9)]  # in a², times a


def exp_poly(var: str) -> str:
    """``e^var`` for |var| ≤ ln2/2 (degree-13 Taylor)."""
    return horner(var, _EXP_TAYLOR)


def log_reduce_lines(x: str) -> str:
    """WGSL lines (indented for a function body) defining ``e: i32`` and ``u: f64`` with ``x = 2^e (1 + u)``,
    ``1 + u`` in [√½, √2); ``x`` positive and finite (subnormals included). ``u`` is exact."""
    return f"""  let sub = {x} < 2.2250738585072014e-308lf;
  let bits = bitcast<u64>(select({x}, {x} * 0x1p54lf, sub));
  var e = i32((bits >> 52u) & 0x7fflu) - select(1023i, 1077i, sub);
  var m = bitcast<f64>((bits & 0x000fffffffffffffflu) | 0x3ff0000000000000lu);
  if (m > 1.4142135623730951lf) {{ m = m * 0.5lf; e = e + 1i; }}
  let u = m - 1.0lf;"""


_SOURCES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "qd_ldexp_f64",
        """
fn qd_ldexp_f64(x: f64, k: i32) -> f64 {
  // x * 2^k in two steps: 2^k alone can overflow or underflow before the product is in range
  let h = k / 2i;
  return ldexp(ldexp(x, h), k - h);
}""",
        (),
    ),
    (
        "qd_copysign_f64",
        """
fn qd_copysign_f64(m: f64, s: f64) -> f64 {
  return select(abs(m), -abs(m), bitcast<u64>(s) >= 0x8000000000000000lu);
}""",
        (),
    ),
    (
        "qd_exp_f64",
        f"""
fn qd_exp_f64(x: f64) -> f64 {{
  if (qd_isnan_f64(x)) {{ return x; }}
  if (x > 709.79lf) {{ return {_INF}; }}
  if (x < -745.2lf) {{ return 0.0lf; }}
  let k = round(x * {c(LOG2E)});
  let r = {_O}({_O}(x - k * {c(LN2_HI)}) - k * {c(LN2_LO)});
  return qd_ldexp_f64({exp_poly("r")}, i32(k));
}}""",
        ("qd_isnan_f64", _O, "qd_ldexp_f64"),
    ),
    (
        "qd_expm1_f64",
        f"""
fn qd_expm1_f64(x: f64) -> f64 {{
  // e^x - 1 without cancellation for |x| < 1
  if (abs(x) < 1.0lf) {{ return x * {horner("x", _EXPM1_TAYLOR)}; }}
  return qd_exp_f64(x) - 1.0lf;
}}""",
        ("qd_exp_f64",),
    ),
    (
        "qd_log_f64",
        f"""
fn qd_log_f64(x: f64) -> f64 {{
  if (qd_isnan_f64(x) || x < 0.0lf) {{ return {_NAN}; }}
  if (x == 0.0lf) {{ return -{_INF}; }}
  if (qd_isinf_f64(x)) {{ return x; }}
{log_reduce_lines("x")}
  let s = u / (2.0lf + u);
  let z = s * s;
  let r = z * {horner("z", _LOG_R)};
  let hfsq = 0.5lf * u * u;
  let k = f64(e);
  return {_O}(k * {c(LN2_HI)} - {_O}({_O}(hfsq - {_O}(s * (hfsq + r) + k * {c(LN2_LO)})) - u));
}}""",
        ("qd_isnan_f64", "qd_isinf_f64", _O),
    ),
    (
        "qd_sincos_f64",
        f"""
struct QdSinCos64 {{ s: f64, c: f64, q: i32 }}

fn qd_sincos_f64(x: f64) -> QdSinCos64 {{
  // x = k * pi/2 + r, |r| <= pi/4 (exact k * C steps: the constants have 33 significant bits); q = k mod 4
  let k = round(x * 0.6366197723675814lf);
  let r3 = {_O}({_O}(x - k * {c(PIO2_1)}) - k * {c(PIO2_2)});
  let r = {_O}({_O}(r3 - k * {c(PIO2_3)}) - k * {c(PIO2_3T)});
  let z = r * r;
  let q = i32(k - 4.0lf * floor(k * 0.25lf));
  return QdSinCos64(r * {horner("z", _SIN_TAYLOR)}, {horner("z", _COS_TAYLOR)}, q);
}}""",
        (_O,),
    ),
    (
        "qd_sin_f64",
        f"""
fn qd_sin_f64(x: f64) -> f64 {{
  if (qd_isnan_f64(x) || qd_isinf_f64(x)) {{ return {_NAN}; }}
  if (x == 0.0lf) {{ return x; }}  // sin(-0) = -0
  let t = qd_sincos_f64(x);
  let y = select(t.s, t.c, (t.q & 1i) == 1i);
  return select(y, -y, t.q >= 2i);
}}""",
        ("qd_sincos_f64", "qd_isnan_f64", "qd_isinf_f64"),
    ),
    (
        "qd_cos_f64",
        f"""
fn qd_cos_f64(x: f64) -> f64 {{
  if (qd_isnan_f64(x) || qd_isinf_f64(x)) {{ return {_NAN}; }}
  let t = qd_sincos_f64(x);
  let y = select(t.c, t.s, (t.q & 1i) == 1i);
  return select(y, -y, t.q == 1i || t.q == 2i);
}}""",
        ("qd_sincos_f64", "qd_isnan_f64", "qd_isinf_f64"),
    ),
    (
        "qd_tan_f64",
        f"""
fn qd_tan_f64(x: f64) -> f64 {{
  if (qd_isnan_f64(x) || qd_isinf_f64(x)) {{ return {_NAN}; }}
  if (x == 0.0lf) {{ return x; }}
  let t = qd_sincos_f64(x);
  return select(t.s / t.c, -(t.c / t.s), (t.q & 1i) == 1i);
}}""",
        ("qd_sincos_f64", "qd_isnan_f64", "qd_isinf_f64"),
    ),
    (
        "qd_atan_pos_f64",
        f"""
fn qd_atan_pos_f64(a: f64) -> f64 {{
  // atan(a) for a >= 0 (inf -> pi/2)
  let inv = a > 1.0lf;
  let t = select(a, 1.0lf / a, inv);
  let mid = t > 0.2679491924311227lf;
  let z = select(t, (t * 1.7320508075688772lf - 1.0lf) / (t + 1.7320508075688772lf), mid);
  let zz = z * z;
  var p = z * {horner("zz", _ATAN_TAYLOR)};
  if (mid) {{ p = {c(PI_6[0])} + {_O}(p + {c(PI_6[1])}); }}
  if (inv) {{ p = {c(PI_2[0])} + {_O}({c(PI_2[1])} - p); }}
  return p;
}}""",
        (_O,),
    ),
    (
        "qd_atan_f64",
        """
fn qd_atan_f64(x: f64) -> f64 {
  if (qd_isnan_f64(x)) { return x; }
  return qd_copysign_f64(qd_atan_pos_f64(abs(x)), x);
}""",
        ("qd_atan_pos_f64", "qd_copysign_f64", "qd_isnan_f64"),
    ),
    (
        "qd_atan2_f64",
        f"""
fn qd_atan2_f64(y: f64, x: f64) -> f64 {{
  if (qd_isnan_f64(x) || qd_isnan_f64(y)) {{ return {_NAN}; }}
  let ay = abs(y);
  let ax = abs(x);
  var t = ay / ax;
  if (ay == 0.0lf) {{ t = 0.0lf; }}  // 0/0: angle 0 (then pi for a negative x)
  if (qd_isinf_f64(ay) && qd_isinf_f64(ax)) {{ t = 1.0lf; }}
  var a = qd_atan_pos_f64(t);
  if (bitcast<u64>(x) >= 0x8000000000000000lu) {{ a = {c(PI[0])} + {_O}({c(PI[1])} - a); }}
  return qd_copysign_f64(a, y);
}}""",
        ("qd_atan_pos_f64", "qd_copysign_f64", "qd_isnan_f64", "qd_isinf_f64", _O),
    ),
    (
        "qd_asin_f64",
        """
fn qd_asin_f64(x: f64) -> f64 {
  return qd_atan2_f64(x, sqrt((1.0lf - x) * (1.0lf + x)));
}""",
        ("qd_atan2_f64",),
    ),
    (
        "qd_acos_f64",
        """
fn qd_acos_f64(x: f64) -> f64 {
  return qd_atan2_f64(sqrt((1.0lf - x) * (1.0lf + x)), x);
}""",
        ("qd_atan2_f64",),
    ),
    (
        "qd_sinh_f64",
        f"""
fn qd_sinh_f64(x: f64) -> f64 {{
  let a = abs(x);
  if (a < 1.0lf) {{ return qd_copysign_f64(a * {horner("(a * a)", _SINH_TAYLOR)}, x); }}
  let e = qd_exp_f64(a);
  var half = 0.5lf * e;
  // (0.5·h)·h, kept in that order: a compiler that reassociates it to 0.5·(h·h) overflows (NVIDIA's did)
  if (a > 709.0lf) {{ let h = qd_exp_f64(0.5lf * a); half = {_O}(0.5lf * h) * h; }}
  return qd_copysign_f64(half - 0.5lf / e, x);
}}""",
        ("qd_exp_f64", "qd_copysign_f64", _O),
    ),
    (
        "qd_cosh_f64",
        f"""
fn qd_cosh_f64(x: f64) -> f64 {{
  let a = abs(x);
  let e = qd_exp_f64(a);
  var half = 0.5lf * e;
  if (a > 709.0lf) {{ let h = qd_exp_f64(0.5lf * a); half = {_O}(0.5lf * h) * h; }}
  return half + 0.5lf / e;
}}""",
        ("qd_exp_f64", _O),
    ),
    (
        "qd_tanh_f64",
        """
fn qd_tanh_f64(x: f64) -> f64 {
  if (qd_isnan_f64(x)) { return x; }
  let a = abs(x);
  if (a > 22.0lf) { return qd_copysign_f64(1.0lf, x); }
  let t = qd_expm1_f64(a + a);
  return qd_copysign_f64(t / (t + 2.0lf), x);
}""",
        ("qd_expm1_f64", "qd_copysign_f64", "qd_isnan_f64"),
    ),
]

for _name, _src, _deps in _SOURCES:
    register(_name, _src, _deps)

MATH64_HELPERS: tuple[str, ...] = tuple(name for name, _, _ in _SOURCES)
