"""WGSL helper functions that make WGSL's numerics equal docs/semantics.md §4–§6 (and the reference) bit for bit.

WGSL's own rules differ from ours in these places, each fixed by a helper here:

* integer ``/`` and ``%``: WGSL gives ``e1`` for a division by zero and truncates; we floor, and ``x // 0 == 0``;
* float ``max``/``min``: WGSL leaves NaN operands unspecified; we follow IEEE ``maximumNumber``;
* float → int: WGSL does not define NaN; we saturate and map NaN to 0 (§5);
* ``pow``: WGSL's ``pow`` is undefined for a negative base (it is ``exp2(y * log2(x))``); we follow C ``powf``;
* FMA contraction: SPIR-V lets drivers fuse ``a * b + c``; without ``fast_math`` every float product passes
  through :data:`NOFMA` (an OR with a zero the compiler cannot see) so a product is always rounded on its own.

Helpers are registered by name with their dependencies; the emitter records the names it uses and
:func:`render` writes exactly those, dependencies first. A helper may have a *variant*, another body under the same
name that a device needs (``"corrected"``: the math library's divisions and square roots through the correctly
rounding helpers of :mod:`.rounding`); ``render``/``closure`` take the variant in force. 64-bit integer helpers live
in :mod:`.i64` and register into the same table.
"""

from __future__ import annotations

import string

__all__ = ["HELPERS", "VARIANTS", "register", "register_variant", "render", "closure", "float_helper"]

HELPERS: dict[str, tuple[str, tuple[str, ...]]] = {}
VARIANTS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}  # (name, variant) -> (source, deps)


def register(name: str, source: str, deps: tuple[str, ...] = ()) -> None:
    """Add helper ``name`` (WGSL ``source`` defining it) that needs the helpers ``deps``."""
    HELPERS[name] = (source.strip("\n"), deps)


def register_variant(name: str, variant: str, source: str, deps: tuple[str, ...] = ()) -> None:
    """Another definition of the registered helper ``name``, used instead of it under ``variant``."""
    assert name in HELPERS, name
    VARIANTS[(name, variant)] = (source.strip("\n"), deps)


def _entry(name: str, variant: str | None) -> tuple[str, tuple[str, ...]]:
    return VARIANTS.get((name, variant)) or HELPERS[name]


def closure(names, variant: str | None = None) -> set[str]:
    """``names`` and every helper they need, transitively."""
    out: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in out:
            out.add(name)
            todo.extend(_entry(name, variant)[1])
    return out


def render(names, variant: str | None = None) -> str:
    """The WGSL text of the helpers ``names`` and everything they need, each once, dependencies first."""
    out: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        source, deps = _entry(name, variant)
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
  let odd = is_int && abs(f32(b)) < 16777216.0f && (i32(abs(f32(b))) & 1i) == 1i;  // f16 has no 2^24
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
    if (b < 0.0f) { return qd_fdiv_f32(1.0f, r); }
    return r;
  }
  return exp2(b * log2(a));
}""",
    ("qd_fdiv_f32",),
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
# for signed % (raw_mod(-7, 2) == 1), so the helpers never rely on WGSL's signed division at all. One template serves
# the 32-bit types and the native 64-bit ones (``shader-int64``): ``$S``/``$U`` are the types, ``$s``/``$u`` the
# literal suffixes.
_INT_TEMPLATES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "qd_divmod_$S",
        """
fn qd_divmod_$S(a: $S, b: $S) -> vec2<$S> {
  // truncating (C) quotient and remainder; b not in (0, -1)
  let ua = select(bitcast<$U>(a), 0$u - bitcast<$U>(a), a < 0$s);
  let ub = select(bitcast<$U>(b), 0$u - bitcast<$U>(b), b < 0$s);
  let q = ua / ub;
  let r = ua - q * ub;
  let sq = select(q, 0$u - q, (a < 0$s) != (b < 0$s));
  let sr = select(r, 0$u - r, a < 0$s);
  return vec2<$S>(bitcast<$S>(sq), bitcast<$S>(sr));
}""",
        (),
    ),
    (
        "qd_floordiv_$S",
        """
fn qd_floordiv_$S(a: $S, b: $S) -> $S {
  if (b == 0$s) { return 0$s; }
  if (b == -1$s) { return 0$s - a; }  // INT_MIN // -1 wraps to INT_MIN
  let d = qd_divmod_$S(a, b);
  if (d.y != 0$s && ((a < 0$s) != (b < 0$s))) { return d.x - 1$s; }
  return d.x;
}""",
        ("qd_divmod_$S",),
    ),
    (
        "qd_mod_$S",
        """
fn qd_mod_$S(a: $S, b: $S) -> $S {
  if (b == 0$s || b == -1$s) { return 0$s; }
  let r = qd_divmod_$S(a, b).y;
  if (r != 0$s && ((r < 0$s) != (b < 0$s))) { return r + b; }
  return r;
}""",
        ("qd_divmod_$S",),
    ),
    (
        "qd_rawdiv_$S",
        """
fn qd_rawdiv_$S(a: $S, b: $S) -> $S {
  if (b == 0$s) { return 0$s; }
  if (b == -1$s) { return 0$s - a; }
  return qd_divmod_$S(a, b).x;
}""",
        ("qd_divmod_$S",),
    ),
    (
        "qd_rawmod_$S",
        """
fn qd_rawmod_$S(a: $S, b: $S) -> $S {
  if (b == 0$s || b == -1$s) { return 0$s; }
  return qd_divmod_$S(a, b).y;
}""",
        ("qd_divmod_$S",),
    ),
    (
        "qd_div_$U",
        """
fn qd_div_$U(a: $U, b: $U) -> $U {
  if (b == 0$u) { return 0$u; }
  return a / b;
}""",
        (),
    ),
    (
        "qd_mod_$U",
        """
fn qd_mod_$U(a: $U, b: $U) -> $U {
  if (b == 0$u) { return 0$u; }
  return a % b;
}""",
        (),
    ),
    (
        "qd_pow_$S",
        """
fn qd_pow_$S(a: $S, b: $S) -> $S {
  if (b < 0$s) {
    if (a == 1$s) { return 1$s; }
    if (a == -1$s) { return select(1$s, -1$s, (b & 1$s) == 1$s); }
    return 0$s;
  }
  var r = 1$s;
  var base = a;
  var e = bitcast<$U>(b);
  loop {
    if (e == 0$u) { break; }
    if ((e & 1$u) == 1$u) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}""",
        (),
    ),
    (
        "qd_pow_$U",
        """
fn qd_pow_$U(a: $U, b: $U) -> $U {
  var r = 1$u;
  var base = a;
  var e = b;
  loop {
    if (e == 0$u) { break; }
    if ((e & 1$u) == 1$u) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}""",
        (),
    ),
]
INT_TEMPLATE_NAMES: tuple[str, ...] = tuple(name for name, _, _ in _INT_TEMPLATES)


def register_int_helpers(signed: str, unsigned: str, s: str, u: str) -> None:
    """Register the integer helpers of :data:`_INT_TEMPLATES` (which say ``$S $U $s $u``) for the WGSL types
    ``signed``/``unsigned`` whose literals take the suffixes ``s``/``u``: ``"i32", "u32", "i", "u"`` or
    ``"i64", "u64", "li", "lu"``."""
    names = {"S": signed, "U": unsigned, "s": s, "u": u}

    def fill(text: str) -> str:
        return string.Template(text).substitute(names)

    for name, source, deps in _INT_TEMPLATES:
        register(fill(name), fill(source), tuple(fill(d) for d in deps))


register_int_helpers("i32", "u32", "i", "u")

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
