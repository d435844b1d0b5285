"""WGSL helper functions that make WGSL's numerics equal SEMANTICS.md §4–§6 (and the reference) bit for bit.

WGSL's own rules differ from ours in these places, each fixed by a helper here:

* integer ``/`` and ``%``: WGSL gives ``e1`` for a division by zero and truncates; we floor, and ``x // 0 == 0``;
* float ``max``/``min``: WGSL leaves NaN operands unspecified; we follow IEEE ``maximumNumber``;
* float → int: WGSL does not define NaN; we saturate and map NaN to 0 (§5);
* ``pow``: WGSL's ``pow`` is undefined for a negative base (it is ``exp2(y * log2(x))``); we follow C ``powf``;
* FMA contraction: SPIR-V lets drivers fuse ``a * b + c``; without ``fast_math`` every float product passes
  through :data:`NOFMA` (an OR with a zero the compiler cannot see) so a product is always rounded on its own.

Helpers are registered by name with their dependencies; the emitter records the names it uses and
:func:`render` writes exactly those, dependencies first. 64-bit integer helpers live in :mod:`.i64` and register
into the same table.
"""

from __future__ import annotations

__all__ = ["HELPERS", "register", "render", "float_helper"]

HELPERS: dict[str, tuple[str, tuple[str, ...]]] = {}


def register(name: str, source: str, deps: tuple[str, ...] = ()) -> None:
    """Add helper ``name`` (WGSL ``source`` defining it) that needs the helpers ``deps``."""
    HELPERS[name] = (source.strip("\n"), deps)


def render(names) -> str:
    """The WGSL text of the helpers ``names`` and everything they need, each once, dependencies first."""
    out: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        source, deps = HELPERS[name]
        for d in deps:
            visit(d)
        out.append(source)

    for n in sorted(names):
        visit(n)
    return "\n\n".join(out)


def float_helper(base: str, ftype: str) -> str:
    """The name of a float helper for ``ftype`` (``"f32"`` or ``"f16"``)."""
    return f"{base}_{ftype}"


# ------------------------------------------------------------------------------------------------ float helpers

register(
    "qd_zero_decl",
    """
// loaded from the args buffer at entry: zeros that the shader compiler cannot constant-fold (two, so that it
// cannot prove qd_opaque0(x) == qd_opaque1(x) either)
var<private> qd_zero: u32;
var<private> qd_zero1: u32;""",
)

for _t in ("f32", "f16"):
    for _k, _z in ((0, "qd_zero"), (1, "qd_zero1")):
        _body = (
            f"bitcast<f32>(bitcast<u32>(x) | {_z})"
            if _t == "f32"
            else f"f16(bitcast<f32>(bitcast<u32>(f32(x)) | {_z}))"
        )
        register(
            f"qd_opaque{_k}_{_t}",
            f"""
fn qd_opaque{_k}_{_t}(x: {_t}) -> {_t} {{
  // x itself, but opaque to the optimizer: no x - x -> 0, (a + 1) - a -> 1, a * b + c -> fma, ...
  return {_body};
}}""",
            ("qd_zero_decl",),
        )

for _t in ("f32", "f16"):
    _bits = "bitcast<u32>(x)" if _t == "f32" else "bitcast<u32>(f32(x))"
    _sign_a = "bitcast<u32>(a)" if _t == "f32" else "bitcast<u32>(f32(a))"
    register(
        f"qd_isnan_{_t}",
        f"""
fn qd_isnan_{_t}(x: {_t}) -> bool {{
  // a bit test: drivers may fold x != x away
  return ({_bits} & 0x7fffffffu) > 0x7f800000u;
}}""",
    )
    register(
        f"qd_isinf_{_t}",
        f"""
fn qd_isinf_{_t}(x: {_t}) -> bool {{
  return ({_bits} & 0x7fffffffu) == 0x7f800000u;
}}""",
    )
    for _name, _fn in (("max", "max"), ("min", "min")):
        register(
            f"qd_{_name}_{_t}",
            f"""
fn qd_{_name}_{_t}(a: {_t}, b: {_t}) -> {_t} {{
  // IEEE {_name}imumNumber: one NaN operand is ignored
  if (qd_isnan_{_t}(a)) {{ return b; }}
  if (qd_isnan_{_t}(b)) {{ return a; }}
  return {_fn}(a, b);
}}""",
            (f"qd_isnan_{_t}",),
        )
    register(
        f"qd_round_{_t}",
        f"""
fn qd_round_{_t}(x: {_t}) -> {_t} {{
  // half away from zero; x - trunc(x) is exact, so 0.49999997 stays 0
  let t = trunc(x);
  if (abs(x - t) >= {_t}(0.5)) {{ return t + select({_t}(-1.0), {_t}(1.0), x > {_t}(0.0)); }}
  return t;
}}""",
    )
    register(
        f"qd_pow_{_t}",
        f"""
fn qd_pow_{_t}(a: {_t}, b: {_t}) -> {_t} {{
  // C powf special cases; WGSL pow(a, b) is exp2(b * log2(a)) and undefined for a < 0
  if (b == {_t}(0.0) || a == {_t}(1.0)) {{ return {_t}(1.0); }}
  if (qd_isnan_{_t}(a) || qd_isnan_{_t}(b)) {{ return a + b; }}
  let ab = abs(a);
  let is_int = trunc(b) == b;
  let odd = is_int && abs(b) < {_t}(16777216.0) && (i32(abs(f32(b))) & 1i) == 1i;
  if (ab == {_t}(1.0) && qd_isinf_{_t}(b)) {{ return {_t}(1.0); }}
  if (a < {_t}(0.0) && !is_int) {{ return (a - a) / (a - a); }}
  var r: {_t};
  if (ab == {_t}(0.0)) {{
    r = select({_t}(0.0), {_t}(1.0) / ab, b < {_t}(0.0));
  }} else if (qd_isinf_{_t}(ab)) {{
    r = select(ab, {_t}(0.0), b < {_t}(0.0));
  }} else if (qd_isinf_{_t}(b)) {{
    r = select({_t}(0.0), abs(b), (ab > {_t}(1.0)) == (b > {_t}(0.0)));
  }} else {{
    r = {"qd_pow_pos_" + _t}(ab, b);
  }}
  if (odd && {_sign_a} >= 0x80000000u) {{ r = -r; }}
  return r;
}}""",
        (f"qd_isnan_{_t}", f"qd_isinf_{_t}", f"qd_pow_pos_{_t}"),
    )

register(
    "qd_pow_pos_f32",
    """
fn qd_pow_pos_f32(a: f32, b: f32) -> f32 {
  // a > 0 finite, b finite non-zero. Small integer exponents multiply (each step rounded: a few ulp at most),
  // others use exp2(b * log2(a)) whose error grows with |b * log2(a)|.
  if (trunc(b) == b && abs(b) <= 64.0f) {
    var e = u32(abs(b));
    var base = a;
    var r = 1.0f;
    loop {
      if (e == 0u) { break; }
      if ((e & 1u) == 1u) { r = r * base; }
      e = e >> 1u;
      if (e != 0u) { base = base * base; }
    }
    if (b < 0.0f) { return 1.0f / r; }
    return r;
  }
  return exp2(b * log2(a));
}""",
)
register(
    "qd_pow_pos_f16",
    """
fn qd_pow_pos_f16(a: f16, b: f16) -> f16 {
  return f16(qd_pow_pos_f32(f32(a), f32(b)));
}""",
    ("qd_pow_pos_f32",),
)

# ------------------------------------------------------------------------------------------ integer division

# Signed / and % are computed on unsigned magnitudes: NVIDIA's Vulkan driver was observed to give unsigned results
# for signed % (raw_mod(-7, 2) == 1), so the helpers never rely on WGSL's signed division at all.
register(
    "qd_divmod_i32",
    """
fn qd_divmod_i32(a: i32, b: i32) -> vec2<i32> {
  // truncating (C) quotient and remainder; b not in (0, -1)
  let ua = select(bitcast<u32>(a), 0u - bitcast<u32>(a), a < 0i);
  let ub = select(bitcast<u32>(b), 0u - bitcast<u32>(b), b < 0i);
  let q = ua / ub;
  let r = ua - q * ub;
  let sq = select(q, 0u - q, (a < 0i) != (b < 0i));
  let sr = select(r, 0u - r, a < 0i);
  return vec2<i32>(bitcast<i32>(sq), bitcast<i32>(sr));
}""",
)
register(
    "qd_floordiv_i32",
    """
fn qd_floordiv_i32(a: i32, b: i32) -> i32 {
  if (b == 0i) { return 0i; }
  if (b == -1i) { return 0i - a; }  // INT_MIN // -1 wraps to INT_MIN
  let d = qd_divmod_i32(a, b);
  if (d.y != 0i && ((a < 0i) != (b < 0i))) { return d.x - 1i; }
  return d.x;
}""",
    ("qd_divmod_i32",),
)
register(
    "qd_mod_i32",
    """
fn qd_mod_i32(a: i32, b: i32) -> i32 {
  if (b == 0i || b == -1i) { return 0i; }
  let r = qd_divmod_i32(a, b).y;
  if (r != 0i && ((r < 0i) != (b < 0i))) { return r + b; }
  return r;
}""",
    ("qd_divmod_i32",),
)
register(
    "qd_rawdiv_i32",
    """
fn qd_rawdiv_i32(a: i32, b: i32) -> i32 {
  if (b == 0i) { return 0i; }
  if (b == -1i) { return 0i - a; }
  return qd_divmod_i32(a, b).x;
}""",
    ("qd_divmod_i32",),
)
register(
    "qd_rawmod_i32",
    """
fn qd_rawmod_i32(a: i32, b: i32) -> i32 {
  if (b == 0i || b == -1i) { return 0i; }
  return qd_divmod_i32(a, b).y;
}""",
    ("qd_divmod_i32",),
)
register(
    "qd_div_u32",
    """
fn qd_div_u32(a: u32, b: u32) -> u32 {
  if (b == 0u) { return 0u; }
  return a / b;
}""",
)
register(
    "qd_mod_u32",
    """
fn qd_mod_u32(a: u32, b: u32) -> u32 {
  if (b == 0u) { return 0u; }
  return a % b;
}""",
)
register(
    "qd_pow_i32",
    """
fn qd_pow_i32(a: i32, b: i32) -> i32 {
  if (b < 0i) {
    if (a == 1i) { return 1i; }
    if (a == -1i) { return select(1i, -1i, (b & 1i) == 1i); }
    return 0i;
  }
  var r = 1i;
  var base = a;
  var e = u32(b);
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) == 1u) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}""",
)
register(
    "qd_pow_u32",
    """
fn qd_pow_u32(a: u32, b: u32) -> u32 {
  var r = 1u;
  var base = a;
  var e = b;
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) == 1u) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}""",
)

# ------------------------------------------------------------------------------------------ float -> int

register(
    "qd_f32_to_i32",
    """
fn qd_f32_to_i32(x: f32) -> i32 {
  // truncate, saturate, NaN -> 0 (SEMANTICS §5)
  if (qd_isnan_f32(x)) { return 0i; }
  if (x >= 2147483648.0f) { return 2147483647i; }
  if (x <= -2147483648.0f) { return bitcast<i32>(0x80000000u); }
  return i32(x);
}""",
    ("qd_isnan_f32",),
)
register(
    "qd_f32_to_u32",
    """
fn qd_f32_to_u32(x: f32) -> u32 {
  if (!(x > -1.0f)) { return 0u; }  // also NaN
  if (x >= 4294967296.0f) { return 0xffffffffu; }
  return u32(x);
}""",
)
register(
    "qd_f32_to_narrow",
    """
fn qd_f32_to_narrow(x: f32, lo: f32, hi: f32) -> i32 {
  // 8/16-bit targets: their limits are exact in f32, so clamping the truncated value saturates
  if (qd_isnan_f32(x)) { return 0i; }
  return i32(clamp(trunc(x), lo, hi));
}""",
    ("qd_isnan_f32",),
)

register(
    "qd_f32_round_f16",
    """
fn qd_f32_round_f16(x: f32) -> f32 {
  // x rounded to the nearest f16 value (ties to even), computed on the bits: NVIDIA's driver was observed to elide
  // f32(f16(x)) and keep f32 precision, so f16 results are made f16-representable before the conversion
  let b = bitcast<u32>(x);
  let e = (b >> 23u) & 0xffu;
  if (e == 0xffu || e < 103u || e > 142u) { return f32(f16(x)); }  // NaN/inf, below 2^-24, or overflowing
  let drop = select(13u, 126u - e, e < 113u);  // f16 subnormals keep fewer bits
  let half = 1u << (drop - 1u);
  let rem = b & ((1u << drop) - 1u);
  var r = b - rem;
  if (rem > half || (rem == half && ((b >> drop) & 1u) == 1u)) { r = r + (1u << drop); }
  return bitcast<f32>(r);
}""",
)
