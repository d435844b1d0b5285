"""64-bit integers emulated with 32-bit pairs: ``vec2<u32>(low, high)``, two's complement.

Core WGSL has no 64-bit integers: without the adapter feature ``shader-int64`` (:mod:`.target`; with it, :mod:`.int64`)
i64/u64 values are pairs and every operation is a helper function registered into :mod:`.library`. Helpers whose
name carries a type say ``pi64``/``pu64`` ("paired"), apart from the native ``i64``/``u64`` ones. Signedness only
matters for division, comparison, right shift and conversions; add, sub, mul, shl and the bitwise ops are the same
bits for both (wraparound is exact by construction: carries are propagated explicitly and the high word simply drops
bits above 64).

Conversions to f32 are correctly rounded (the top 32 significant bits are converted with a sticky bit, then scaled
exactly), and f32 → i64/u64 truncates and saturates like the reference.
"""

from __future__ import annotations

from quadrants_wgpu.wgsl.library import register

__all__ = ["I64_HELPERS"]

_V = "vec2<u32>"

_SOURCES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "qd_add64",
        f"""
fn qd_add64(a: {_V}, b: {_V}) -> {_V} {{
  let lo = a.x + b.x;
  return {_V}(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}}""",
        (),
    ),
    (
        "qd_sub64",
        f"""
fn qd_sub64(a: {_V}, b: {_V}) -> {_V} {{
  return {_V}(a.x - b.x, a.y - b.y - select(0u, 1u, a.x < b.x));
}}""",
        (),
    ),
    (
        "qd_neg64",
        f"""
fn qd_neg64(a: {_V}) -> {_V} {{
  return qd_sub64({_V}(0u, 0u), a);
}}""",
        ("qd_sub64",),
    ),
    (
        "qd_mul32x32",
        f"""
fn qd_mul32x32(a: u32, b: u32) -> {_V} {{
  // full 64-bit product of two u32 from 16-bit halves
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return {_V}((p00 & 0xffffu) | (mid << 16u), p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u));
}}""",
        (),
    ),
    (
        "qd_mul64",
        f"""
fn qd_mul64(a: {_V}, b: {_V}) -> {_V} {{
  let p = qd_mul32x32(a.x, b.x);
  return {_V}(p.x, p.y + a.x * b.y + a.y * b.x);
}}""",
        ("qd_mul32x32",),
    ),
    (
        "qd_lt_pu64",
        f"""
fn qd_lt_pu64(a: {_V}, b: {_V}) -> bool {{
  return a.y < b.y || (a.y == b.y && a.x < b.x);
}}""",
        (),
    ),
    (
        "qd_lt_pi64",
        f"""
fn qd_lt_pi64(a: {_V}, b: {_V}) -> bool {{
  let ah = bitcast<i32>(a.y);
  let bh = bitcast<i32>(b.y);
  return ah < bh || (ah == bh && a.x < b.x);
}}""",
        (),
    ),
    (
        "qd_isneg64",
        f"""
fn qd_isneg64(a: {_V}) -> bool {{
  return (a.y & 0x80000000u) != 0u;
}}""",
        (),
    ),
    (
        "qd_abs64",
        f"""
fn qd_abs64(a: {_V}) -> {_V} {{
  return select(a, qd_neg64(a), qd_isneg64(a));
}}""",
        ("qd_neg64", "qd_isneg64"),
    ),
    (
        "qd_shl64",
        f"""
fn qd_shl64(a: {_V}, n: u32) -> {_V} {{
  let s = n & 63u;
  if (s == 0u) {{ return a; }}
  if (s >= 32u) {{ return {_V}(0u, a.x << (s - 32u)); }}
  return {_V}(a.x << s, (a.y << s) | (a.x >> (32u - s)));
}}""",
        (),
    ),
    (
        "qd_shr_pu64",
        f"""
fn qd_shr_pu64(a: {_V}, n: u32) -> {_V} {{
  let s = n & 63u;
  if (s == 0u) {{ return a; }}
  if (s >= 32u) {{ return {_V}(a.y >> (s - 32u), 0u); }}
  return {_V}((a.x >> s) | (a.y << (32u - s)), a.y >> s);
}}""",
        (),
    ),
    (
        "qd_shr_pi64",
        f"""
fn qd_shr_pi64(a: {_V}, n: u32) -> {_V} {{
  let s = n & 63u;
  let h = bitcast<i32>(a.y);
  if (s == 0u) {{ return a; }}
  if (s >= 32u) {{ return {_V}(bitcast<u32>(h >> (s - 32u)), bitcast<u32>(h >> 31u)); }}
  return {_V}((a.x >> s) | (a.y << (32u - s)), bitcast<u32>(h >> s));
}}""",
        (),
    ),
    (
        "qd_divmod_pu64",
        f"""
struct QdDivMod64 {{ q: {_V}, r: {_V} }}

fn qd_divmod_pu64(a: {_V}, b: {_V}) -> QdDivMod64 {{
  // b != 0. Restoring shift-subtract division, one quotient bit per step (fast path when both fit in 32 bits)
  if (a.y == 0u && b.y == 0u) {{ return QdDivMod64({_V}(a.x / b.x, 0u), {_V}(a.x % b.x, 0u)); }}
  var q = {_V}(0u, 0u);
  var r = {_V}(0u, 0u);
  for (var i = 63i; i >= 0i; i = i - 1i) {{
    let bit = select((a.x >> u32(i)) & 1u, (a.y >> u32(i - 32i)) & 1u, i >= 32i);
    r = {_V}((r.x << 1u) | bit, (r.y << 1u) | (r.x >> 31u));
    if (!qd_lt_pu64(r, b)) {{
      r = qd_sub64(r, b);
      if (i >= 32i) {{ q.y = q.y | (1u << u32(i - 32i)); }} else {{ q.x = q.x | (1u << u32(i)); }}
    }}
  }}
  return QdDivMod64(q, r);
}}""",
        ("qd_lt_pu64", "qd_sub64"),
    ),
    (
        "qd_floordiv_pu64",
        f"""
fn qd_floordiv_pu64(a: {_V}, b: {_V}) -> {_V} {{
  if (all(b == {_V}(0u, 0u))) {{ return {_V}(0u, 0u); }}
  return qd_divmod_pu64(a, b).q;
}}""",
        ("qd_divmod_pu64",),
    ),
    (
        "qd_mod_pu64",
        f"""
fn qd_mod_pu64(a: {_V}, b: {_V}) -> {_V} {{
  if (all(b == {_V}(0u, 0u))) {{ return {_V}(0u, 0u); }}
  return qd_divmod_pu64(a, b).r;
}}""",
        ("qd_divmod_pu64",),
    ),
    (
        "qd_divmod_pi64",
        f"""
fn qd_divmod_pi64(a: {_V}, b: {_V}) -> QdDivMod64 {{
  // truncating division on magnitudes (|INT64_MIN| = 2^63 is fine as u64); b not in (0, -1)
  let d = qd_divmod_pu64(qd_abs64(a), qd_abs64(b));
  let q = select(d.q, qd_neg64(d.q), qd_isneg64(a) != qd_isneg64(b));
  let r = select(d.r, qd_neg64(d.r), qd_isneg64(a));
  return QdDivMod64(q, r);
}}""",
        ("qd_divmod_pu64", "qd_abs64", "qd_neg64", "qd_isneg64"),
    ),
    (
        "qd_rawdiv_pi64",
        f"""
fn qd_rawdiv_pi64(a: {_V}, b: {_V}) -> {_V} {{
  if (all(b == {_V}(0u, 0u))) {{ return {_V}(0u, 0u); }}
  if (all(b == {_V}(0xffffffffu, 0xffffffffu))) {{ return qd_neg64(a); }}
  return qd_divmod_pi64(a, b).q;
}}""",
        ("qd_divmod_pi64", "qd_neg64"),
    ),
    (
        "qd_rawmod_pi64",
        f"""
fn qd_rawmod_pi64(a: {_V}, b: {_V}) -> {_V} {{
  if (all(b == {_V}(0u, 0u)) || all(b == {_V}(0xffffffffu, 0xffffffffu))) {{ return {_V}(0u, 0u); }}
  return qd_divmod_pi64(a, b).r;
}}""",
        ("qd_divmod_pi64",),
    ),
    (
        "qd_floordiv_pi64",
        f"""
fn qd_floordiv_pi64(a: {_V}, b: {_V}) -> {_V} {{
  if (all(b == {_V}(0u, 0u))) {{ return {_V}(0u, 0u); }}
  if (all(b == {_V}(0xffffffffu, 0xffffffffu))) {{ return qd_neg64(a); }}
  let d = qd_divmod_pi64(a, b);
  if (any(d.r != {_V}(0u, 0u)) && (qd_isneg64(a) != qd_isneg64(b))) {{ return qd_sub64(d.q, {_V}(1u, 0u)); }}
  return d.q;
}}""",
        ("qd_divmod_pi64", "qd_neg64", "qd_sub64", "qd_isneg64"),
    ),
    (
        "qd_mod_pi64",
        f"""
fn qd_mod_pi64(a: {_V}, b: {_V}) -> {_V} {{
  if (all(b == {_V}(0u, 0u)) || all(b == {_V}(0xffffffffu, 0xffffffffu))) {{ return {_V}(0u, 0u); }}
  let r = qd_divmod_pi64(a, b).r;
  if (any(r != {_V}(0u, 0u)) && (qd_isneg64(r) != qd_isneg64(b))) {{ return qd_add64(r, b); }}
  return r;
}}""",
        ("qd_divmod_pi64", "qd_add64", "qd_isneg64"),
    ),
    (
        "qd_pow_pu64",
        f"""
fn qd_pow_pu64(a: {_V}, b: {_V}) -> {_V} {{
  var r = {_V}(1u, 0u);
  var base = a;
  var e = b;
  loop {{
    if (all(e == {_V}(0u, 0u))) {{ break; }}
    if ((e.x & 1u) == 1u) {{ r = qd_mul64(r, base); }}
    base = qd_mul64(base, base);
    e = qd_shr_pu64(e, 1u);
  }}
  return r;
}}""",
        ("qd_mul64", "qd_shr_pu64"),
    ),
    (
        "qd_pow_pi64",
        f"""
fn qd_pow_pi64(a: {_V}, b: {_V}) -> {_V} {{
  if (qd_isneg64(b)) {{
    if (all(a == {_V}(1u, 0u))) {{ return a; }}
    if (all(a == {_V}(0xffffffffu, 0xffffffffu))) {{ return select({_V}(1u, 0u), a, (b.x & 1u) == 1u); }}
    return {_V}(0u, 0u);
  }}
  return qd_pow_pu64(a, b);
}}""",
        ("qd_pow_pu64", "qd_isneg64"),
    ),
    (
        "qd_pu64_to_f32",
        f"""
fn qd_pu64_to_f32(m: {_V}) -> f32 {{
  // correctly rounded: convert the top 32 significant bits with a sticky bit for the rest, then scale exactly
  if (m.y == 0u) {{ return f32(m.x); }}
  let shift = 32u - countLeadingZeros(m.y);
  var t: u32;
  var sticky: bool;
  if (shift == 32u) {{
    t = m.y;
    sticky = m.x != 0u;
  }} else {{
    t = (m.y << (32u - shift)) | (m.x >> shift);
    sticky = (m.x << (32u - shift)) != 0u;
  }}
  return ldexp(f32(t | select(0u, 1u, sticky)), i32(shift));
}}""",
        (),
    ),
    (
        "qd_pi64_to_f32",
        f"""
fn qd_pi64_to_f32(a: {_V}) -> f32 {{
  let m = qd_pu64_to_f32(qd_abs64(a));
  return select(m, -m, qd_isneg64(a));
}}""",
        ("qd_pu64_to_f32", "qd_abs64", "qd_isneg64"),
    ),
    (
        "qd_f32_to_pu64",
        f"""
fn qd_f32_to_pu64(x: f32) -> {_V} {{
  if (!(x > -1.0f)) {{ return {_V}(0u, 0u); }}  // also NaN
  if (x >= 18446744073709551616.0f) {{ return {_V}(0xffffffffu, 0xffffffffu); }}
  let t = trunc(x);
  // exact: t is an integer below 2^64 with 24 significant bits, so both halves are exact in f32
  let hi = floor(t * 0x1p-32f);
  return {_V}(u32(t - hi * 4294967296.0f), u32(hi));
}}""",
        (),
    ),
    (
        "qd_f32_to_pi64",
        f"""
fn qd_f32_to_pi64(x: f32) -> {_V} {{
  if (qd_isnan_f32(x)) {{ return {_V}(0u, 0u); }}
  if (x >= 9223372036854775808.0f) {{ return {_V}(0xffffffffu, 0x7fffffffu); }}
  if (x <= -9223372036854775808.0f) {{ return {_V}(0u, 0x80000000u); }}
  let m = qd_f32_to_pu64(abs(x));
  return select(m, qd_neg64(m), x < 0.0f);
}}""",
        ("qd_isnan_f32", "qd_f32_to_pu64", "qd_neg64"),
    ),
    (
        "qd_clz64",
        f"""
fn qd_clz64(a: {_V}) -> i32 {{
  if (a.y != 0u) {{ return i32(countLeadingZeros(a.y)); }}
  return 32i + i32(countLeadingZeros(a.x));
}}""",
        (),
    ),
    (
        "qd_ffs64",
        f"""
fn qd_ffs64(a: {_V}) -> i32 {{
  if (a.x != 0u) {{ return i32(countTrailingZeros(a.x)) + 1i; }}
  if (a.y != 0u) {{ return i32(countTrailingZeros(a.y)) + 33i; }}
  return 0i;
}}""",
        (),
    ),
]

I64_HELPERS: tuple[str, ...] = tuple(name for name, _, _ in _SOURCES)

for _name, _src, _deps in _SOURCES:
    register(_name, _src, _deps)
