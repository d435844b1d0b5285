"""Transcendental functions written in WGSL, so that their accuracy does not depend on the driver.

WGSL (and Vulkan) only bound the error of ``sin``/``cos`` absolutely and of ``asin``/``atan`` loosely; Mesa's
lavapipe was observed 3500 ulp off for ``asin(0.5)``. These are the Cephes single-precision algorithms (argument
reduction + minimax polynomials, about 1–2 ulp), which stay within the conformance tolerance table on every driver.
Extended-precision argument reductions pass through ``qd_opaque0`` so a driver cannot reassociate them. f16 versions
compute in f32 and round once.
"""

from __future__ import annotations

from quadrants_wgpu.wgsl import rounding as _rounding  # noqa: F401  (registers qd_fdiv_f32, qd_fsqrt_f32)
from quadrants_wgpu.wgsl.library import register

__all__ = ["MATH_HELPERS"]

_O = "qd_opaque0_f32"

_SOURCES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "qd_sincos_reduce",
        f"""
struct QdReduced {{ z: f32, j: u32 }}

fn qd_sincos_reduce(ax: f32) -> QdReduced {{
  // ax >= 0: z = ax - j * pi/4 in three exact steps (Cody-Waite), j even
  var j = u32(ax * 1.27323954473516f);
  var y = f32(j);
  if ((j & 1u) == 1u) {{ j = j + 1u; y = y + 1.0f; }}
  let z = {_O}({_O}({_O}(ax - y * 0.78515625f) - y * 2.4187564849853515625e-4f) - y * 3.77489497744594108e-8f);
  return QdReduced(z, j & 7u);
}}""",
        ("qd_opaque0_f32",),
    ),
    (
        "qd_sin_poly",
        """
fn qd_sin_poly(z: f32) -> f32 {
  let zz = z * z;
  return ((-1.9515295891e-4f * zz + 8.3321608736e-3f) * zz - 1.6666654611e-1f) * zz * z + z;
}

fn qd_cos_poly(z: f32) -> f32 {
  let zz = z * z;
  return ((2.443315711809948e-5f * zz - 1.388731625493765e-3f) * zz + 4.166664568298827e-2f) * zz * zz
    - 0.5f * zz + 1.0f;
}""",
        (),
    ),
    (
        "qd_sin_f32",
        """
fn qd_sin_f32(x: f32) -> f32 {
  if (qd_isnan_f32(x) || qd_isinf_f32(x)) { return bitcast<f32>(0x7fc00000u); }  // drivers fold x - x to 0
  let r = qd_sincos_reduce(abs(x));
  var j = r.j;
  var sign = select(1.0f, -1.0f, x < 0.0f);
  if (j > 3u) { sign = -sign; j = j - 4u; }
  let y = select(qd_sin_poly(r.z), qd_cos_poly(r.z), j == 1u || j == 2u);
  return sign * y;
}""",
        ("qd_sincos_reduce", "qd_sin_poly", "qd_isnan_f32", "qd_isinf_f32"),
    ),
    (
        "qd_cos_f32",
        """
fn qd_cos_f32(x: f32) -> f32 {
  if (qd_isnan_f32(x) || qd_isinf_f32(x)) { return bitcast<f32>(0x7fc00000u); }  // drivers fold x - x to 0
  let r = qd_sincos_reduce(abs(x));
  var j = r.j;
  var sign = 1.0f;
  if (j > 3u) { sign = -sign; j = j - 4u; }
  if (j > 1u) { sign = -sign; }
  let y = select(qd_cos_poly(r.z), qd_sin_poly(r.z), j == 1u || j == 2u);
  return sign * y;
}""",
        ("qd_sincos_reduce", "qd_sin_poly", "qd_isnan_f32", "qd_isinf_f32"),
    ),
    (
        "qd_tan_f32",
        """
fn qd_tan_f32(x: f32) -> f32 {
  if (qd_isnan_f32(x) || qd_isinf_f32(x)) { return bitcast<f32>(0x7fc00000u); }  // drivers fold x - x to 0
  let r = qd_sincos_reduce(abs(x));
  let z = r.z;
  let zz = z * z;
  var y = z;
  if (abs(z) > 1.0e-4f) {
    y = (((((9.38540185543e-3f * zz + 3.11992232697e-3f) * zz + 2.44301354525e-2f) * zz + 5.34112807005e-2f) * zz
      + 1.33387994085e-1f) * zz + 3.33331568548e-1f) * zz * z + z;
  }
  if ((r.j & 2u) == 2u) { y = qd_fdiv_f32(-1.0f, y); }
  return select(y, -y, x < 0.0f);
}""",
        ("qd_sincos_reduce", "qd_isnan_f32", "qd_isinf_f32"),
    ),
    (
        "qd_exp_f32",
        """
fn qd_exp_f32(x: f32) -> f32 {
  if (qd_isnan_f32(x)) { return x; }
  if (x > 88.72283905206835f) { return bitcast<f32>(0x7f800000u); }
  if (x < -103.972084f) { return 0.0f; }
  let n = floor(1.44269504088896341f * x + 0.5f);
  let r = qd_opaque0_f32(qd_opaque0_f32(x - n * 0.693359375f) - n * -2.12194440e-4f);
  let r2 = r * r;
  let p = (((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r + 4.1665795894e-2f) * r
    + 1.6666665459e-1f) * r + 5.0000001201e-1f) * r2 + r + 1.0f;
  // two steps: 2^n alone can overflow/underflow before the product is in range
  let h = i32(n) / 2i;
  return ldexp(ldexp(p, h), i32(n) - h);
}""",
        ("qd_isnan_f32", "qd_opaque0_f32"),
    ),
    (
        "qd_log_f32",
        """
fn qd_log_f32(x: f32) -> f32 {
  if (qd_isnan_f32(x) || x < 0.0f) { return bitcast<f32>(0x7fc00000u); }
  if (x == 0.0f) { return bitcast<f32>(0xff800000u); }
  if (qd_isinf_f32(x)) { return x; }
  let fr = frexp(x);
  var m = fr.fract;
  var e = f32(fr.exp);
  if (m < 0.707106781186547524f) { e = e - 1.0f; m = m + m - 1.0f; } else { m = m - 1.0f; }
  let z = m * m;
  var y = ((((((((7.0376836292e-2f * m - 1.1514610310e-1f) * m + 1.1676998740e-1f) * m - 1.2420140846e-1f) * m
    + 1.4249322787e-1f) * m - 1.6668057665e-1f) * m + 2.0000714765e-1f) * m - 2.4999993993e-1f) * m
    + 3.3333331174e-1f) * m * z;
  y = y + -2.12194440e-4f * e;
  y = y - 0.5f * z;
  return qd_opaque0_f32(m + y) + 0.693359375f * e;
}""",
        ("qd_isnan_f32", "qd_isinf_f32", "qd_opaque0_f32"),
    ),
    (
        "qd_atan_f32",
        """
fn qd_atan_f32(x: f32) -> f32 {
  if (qd_isnan_f32(x)) { return x; }
  var a = abs(x);
  var y = 0.0f;
  if (a > 2.414213562373095f) {
    y = 1.5707963267948966f;
    a = qd_fdiv_f32(-1.0f, a);
  } else if (a > 0.4142135623730950f) {
    y = 0.7853981633974483f;
    a = qd_fdiv_f32(a - 1.0f, a + 1.0f);
  }
  let z = a * a;
  y = y + ((((8.05374449538e-2f * z - 1.38776856032e-1f) * z + 1.99777106478e-1f) * z - 3.33329491539e-1f) * z * a
    + a);
  return select(y, -y, x < 0.0f);
}""",
        ("qd_isnan_f32",),
    ),
    (
        "qd_atan2_f32",
        """
fn qd_atan2_f32(y: f32, x: f32) -> f32 {
  if (qd_isnan_f32(x) || qd_isnan_f32(y)) { return x + y; }
  let neg_y = bitcast<u32>(y) >= 0x80000000u;
  let neg_x = bitcast<u32>(x) >= 0x80000000u;
  let pi = select(3.14159265358979f, -3.14159265358979f, neg_y);
  if (y == 0.0f) { return select(y, pi, neg_x); }  // +-0 or +-pi, following the signs of zero
  if (x == 0.0f) { return select(1.5707963267948966f, -1.5707963267948966f, neg_y); }
  if (qd_isinf_f32(x) && qd_isinf_f32(y)) {
    return select(0.7853981633974483f, 2.356194490192345f, neg_x) * select(1.0f, -1.0f, neg_y);
  }
  let w = select(0.0f, pi, x < 0.0f);
  return w + qd_atan_f32(qd_fdiv_f32(y, x));
}""",
        ("qd_atan_f32", "qd_isnan_f32", "qd_isinf_f32"),
    ),
    (
        "qd_asin_core",
        """
fn qd_asin_core(a: f32) -> f32 {
  // 0 <= a <= 1
  if (a < 1.0e-4f) { return a; }
  var x = a;
  var z = a * a;
  let big = a > 0.5f;
  if (big) { z = 0.5f * (1.0f - a); x = qd_fsqrt_f32(z); }
  var r = ((((4.2163199048e-2f * z + 2.4181311049e-2f) * z + 4.5470025998e-2f) * z + 7.4953002686e-2f) * z
    + 1.6666752422e-1f) * z * x + x;
  if (big) { r = 1.5707963267948966f - (r + r); }
  return r;
}""",
        (),
    ),
    (
        "qd_asin_f32",
        """
fn qd_asin_f32(x: f32) -> f32 {
  if (!(abs(x) <= 1.0f)) { return bitcast<f32>(0x7fc00000u); }
  let r = qd_asin_core(abs(x));
  return select(r, -r, x < 0.0f);
}""",
        ("qd_asin_core",),
    ),
    (
        "qd_acos_f32",
        """
fn qd_acos_f32(x: f32) -> f32 {
  if (!(abs(x) <= 1.0f)) { return bitcast<f32>(0x7fc00000u); }
  if (x < -0.5f) { return 3.14159265358979f - 2.0f * qd_asin_core(qd_fsqrt_f32(0.5f * (1.0f + x))); }
  if (x > 0.5f) { return 2.0f * qd_asin_core(qd_fsqrt_f32(0.5f * (1.0f - x))); }
  return 1.5707963267948966f - select(qd_asin_core(x), -qd_asin_core(-x), x < 0.0f);
}""",
        ("qd_asin_core",),
    ),
    (
        "qd_sinh_f32",
        """
fn qd_sinh_f32(x: f32) -> f32 {
  let a = abs(x);
  var r: f32;
  if (a > 88.0f) {
    let w = qd_exp_f32(0.5f * a);
    r = qd_opaque0_f32(0.5f * w) * w;  // in this order: 0.5·(w·w) would overflow
  } else if (a > 1.0f) {
    let z = qd_exp_f32(a);
    r = 0.5f * z - qd_fdiv_f32(0.5f, z);
  } else {
    let z = x * x;
    return ((2.03721912945e-4f * z + 8.33028376239e-3f) * z + 1.66667160211e-1f) * z * x + x;
  }
  return select(r, -r, x < 0.0f);
}""",
        ("qd_exp_f32", "qd_opaque0_f32"),
    ),
    (
        "qd_cosh_f32",
        """
fn qd_cosh_f32(x: f32) -> f32 {
  let a = abs(x);
  if (a > 88.0f) {
    let w = qd_exp_f32(0.5f * a);
    return qd_opaque0_f32(0.5f * w) * w;
  }
  let z = qd_exp_f32(a);
  return 0.5f * z + qd_fdiv_f32(0.5f, z);
}""",
        ("qd_exp_f32", "qd_opaque0_f32"),
    ),
    (
        "qd_tanh_f32",
        """
fn qd_tanh_f32(x: f32) -> f32 {
  if (qd_isnan_f32(x)) { return x; }
  let a = abs(x);
  if (a > 0.625f) {
    let r = 1.0f - qd_fdiv_f32(2.0f, qd_exp_f32(a + a) + 1.0f);
    return select(r, -r, x < 0.0f);
  }
  let z = x * x;
  return ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z
    - 3.33332819422e-1f) * z * x + x;
}""",
        ("qd_exp_f32", "qd_isnan_f32"),
    ),
]

# Divisions and square roots go through qd_fdiv_f32/qd_fsqrt_f32: the driver's operators, or the correctly rounded
# helpers on a device that rounds them loosely, so that these functions give the same results on every driver.
_IEEE_OPS = ("qd_fdiv_f32", "qd_fsqrt_f32")
for _name, _src, _deps in _SOURCES:
    register(_name, _src, _deps + tuple(h for h in _IEEE_OPS if h + "(" in _src))

# f16: compute in f32, round once
for _fn, _arity in (
    ("sin", 1), ("cos", 1), ("tan", 1), ("exp", 1), ("log", 1), ("atan", 1), ("asin", 1), ("acos", 1),
    ("sinh", 1), ("cosh", 1), ("tanh", 1), ("atan2", 2),
):  # fmt: skip
    _params = "x: f16" if _arity == 1 else "y: f16, x: f16"
    _args = "f32(x)" if _arity == 1 else "f32(y), f32(x)"
    register(
        f"qd_{_fn}_f16",
        f"fn qd_{_fn}_f16({_params}) -> f16 {{\n  return f16(qd_f32_round_f16(qd_{_fn}_f32({_args})));\n}}",
        (f"qd_{_fn}_f32", "qd_f32_round_f16"),
    )

MATH_HELPERS: tuple[str, ...] = tuple(name for name, _, _ in _SOURCES)
