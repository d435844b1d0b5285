"""The numeric rules of docs/semantics.md §4.3–§6 in LLVM IR, bit-identical to :mod:`quadrants.ir.numerics`.

Every function takes the :class:`~quadrants_llvm.builder.exprs.Emitter` ``em`` (builder, module, target, float flags)
and LLVM values already of the op's operand types, and returns a value of the result type. Nothing here can produce
poison or undefined behaviour: divisors are guarded (``x // 0 == 0``, ``INT_MIN // -1 == INT_MIN``), shift counts are
masked to the width, float→int uses the saturating intrinsics.

``f16`` values live in ``half`` registers; every float op on them widens to ``float``, computes, and rounds back
(:func:`float_op`), so the result is rounded to f16 after every op exactly like NumPy's half arithmetic (``float`` has
more than 2·11+2 bits, so the double rounding of + − × ÷ sqrt is innocuous).
"""

from __future__ import annotations

from collections.abc import Callable

import llvmlite.ir as ll

from quadrants.ir.dtypes import DataType
from quadrants_llvm.builder.types import F32, I1, I32, const, intrinsic, reg_type

__all__ = [
    "float_op",
    "call_math",
    "int_floordiv",
    "int_mod",
    "int_raw_div",
    "int_raw_mod",
    "int_pow",
    "shift",
    "convert",
    "to_bool",
    "bit_count",
]


def is_signed_int(dtype: DataType) -> bool:
    return dtype.kind == "int"


# -------------------------------------------------------------------------------------------------------- floats


def float_op(em, dtype: DataType, fn: Callable, *args):
    """Apply ``fn(*args)`` in the compute type of ``dtype``: f16 widens to f32 and rounds back once."""
    if dtype.bits != 16:
        return fn(*args)
    b = em.b
    wide = [b.fpext(a, F32) for a in args]
    return b.fptrunc(fn(*wide), reg_type(dtype))


def call_math(em, name: str, dtype: DataType, *args):
    """``llvm.<name>`` on float operands of ``dtype`` (f16 computes in f32 and rounds once)."""

    if name in em.target.software_math:  # no instruction and no libm on this target: IR implementation
        from quadrants_llvm.builder.mathlib import emit_math

        return float_op(em, dtype, lambda *xs: emit_math(em, name, *xs), *args)

    def call(*xs):
        t = xs[0].type
        fn = intrinsic(em.module, em.target.intrinsic(name), t, [t] * len(xs), [t])
        return em.b.call(fn, list(xs), fastmath=em.fm)

    return float_op(em, dtype, call, *args)


def float_binop(em, dtype: DataType, kind: str, a, b_):
    """``fadd``/``fsub``/``fmul``/``fdiv``/``frem`` with per-op rounding and no fast-math flags unless requested."""
    if kind == "frem" and "frem" in em.target.software_math:
        return call_math(em, "frem", dtype, a, b_)
    method = getattr(em.b, kind)
    return float_op(em, dtype, lambda x, y: method(x, y, flags=em.fm), a, b_)


# ------------------------------------------------------------------------------------------------------ division


def _guarded_divisor(em, dtype: DataType, d):
    """(safe divisor, d == 0, d == -1 or None): 0 and -1 are replaced by 1 so that no division can trap or overflow."""
    b = em.b
    zero = b.icmp_unsigned("==", d, const(0, dtype))
    if is_signed_int(dtype):
        minus_one = b.icmp_signed("==", d, const(-1, dtype))
        return b.select(b.or_(zero, minus_one), const(1, dtype), d), zero, minus_one
    return b.select(zero, const(1, dtype), d), zero, None


def int_floordiv(em, dtype: DataType, a, d):
    """Floor division toward −∞; ``x // 0 == 0``; ``INT_MIN // -1 == INT_MIN`` (wraps)."""
    b = em.b
    safe, zero, minus_one = _guarded_divisor(em, dtype, d)
    zero_v = const(0, dtype)
    if minus_one is None:
        return b.select(zero, zero_v, b.udiv(a, safe))
    q = b.sdiv(a, safe)
    r = b.srem(a, safe)
    # floor differs from truncation when the remainder is non-zero and its sign differs from the divisor's
    adjust = b.and_(b.icmp_signed("!=", r, zero_v), b.icmp_signed("<", b.xor(r, safe), zero_v))
    q = b.sub(q, b.zext(adjust, q.type))
    q = b.select(minus_one, b.neg(a), q)
    return b.select(zero, zero_v, q)


def int_mod(em, dtype: DataType, a, d):
    """Modulo with the sign of the divisor; ``x % 0 == 0``; ``INT_MIN % -1 == 0``."""
    b = em.b
    safe, _zero, minus_one = _guarded_divisor(em, dtype, d)
    if minus_one is None:
        return b.urem(a, safe)  # a % 1 == 0 covers % 0
    zero_v = const(0, dtype)
    r = b.srem(a, safe)
    adjust = b.and_(b.icmp_signed("!=", r, zero_v), b.icmp_signed("<", b.xor(r, safe), zero_v))
    return b.select(adjust, b.add(r, safe), r)


def int_raw_div(em, dtype: DataType, a, d):
    """C truncating division; by zero → 0; ``INT_MIN / -1 == INT_MIN``."""
    if not is_signed_int(dtype):
        return int_floordiv(em, dtype, a, d)
    b = em.b
    safe, zero, minus_one = _guarded_divisor(em, dtype, d)
    q = b.select(minus_one, b.neg(a), b.sdiv(a, safe))
    return b.select(zero, const(0, dtype), q)


def int_raw_mod(em, dtype: DataType, a, d):
    """C remainder (sign of the dividend); by zero → 0; ``INT_MIN % -1 == 0``."""
    b = em.b
    safe, _zero, minus_one = _guarded_divisor(em, dtype, d)
    return b.urem(a, safe) if minus_one is None else b.srem(a, safe)


# ---------------------------------------------------------------------------------------------------------- power


def int_pow(em, dtype: DataType, a, e):
    """Square-and-multiply with wraparound; a negative exponent gives 1, ±1 or 0 (docs/semantics.md §4.3)."""
    b = em.b
    one, zero = const(1, dtype), const(0, dtype)
    if dtype.bits == 1:
        return b.select(e, a, one)  # a ** 0 == 1, a ** 1 == a
    signed = is_signed_int(dtype)
    negative = b.icmp_signed("<", e, zero) if signed else None
    exp0 = b.select(negative, zero, e) if signed else e
    entry = b.block
    fn = entry.function
    head, body, done = (fn.append_basic_block(n) for n in ("pow.head", "pow.body", "pow.done"))
    b.branch(head)
    b.position_at_end(head)
    result = b.phi(a.type)
    base = b.phi(a.type)
    exp = b.phi(a.type)
    result.add_incoming(one, entry)
    base.add_incoming(a, entry)
    exp.add_incoming(exp0, entry)
    b.cbranch(b.icmp_unsigned("!=", exp, zero), body, done)
    b.position_at_end(body)
    odd = b.trunc(exp, I1)
    result.add_incoming(b.select(odd, b.mul(result, base), result), body)
    base.add_incoming(b.mul(base, base), body)
    exp.add_incoming(b.lshr(exp, one), body)
    b.branch(head)
    b.position_at_end(done)
    if not signed:
        return result
    odd_e = b.trunc(e, I1)
    minus_one = const(-1, dtype)
    special = b.select(
        b.icmp_signed("==", a, one),
        one,
        b.select(b.icmp_signed("==", a, minus_one), b.select(odd_e, minus_one, one), zero),
    )
    return b.select(negative, special, result)


# ---------------------------------------------------------------------------------------------------------- shifts


def shift(em, dtype: DataType, count_dtype: DataType, a, n, left: bool):
    """``a << n`` / ``a >> n`` with the count masked to ``n & (w - 1)``; ``>>`` is arithmetic for signed types."""
    b = em.b
    if dtype.bits == 1:
        return a  # w = 1: every count masks to 0
    t = a.type
    if count_dtype.bits > dtype.bits:
        n = b.trunc(n, t)  # only the low bits survive the mask
    elif count_dtype.bits < dtype.bits:
        n = b.zext(n, t)
    n = b.and_(n, ll.Constant(t, dtype.bits - 1))
    if left:
        return b.shl(a, n)
    return b.ashr(a, n) if is_signed_int(dtype) else b.lshr(a, n)


# ----------------------------------------------------------------------------------------------------- conversions


def to_bool(em, dtype: DataType, v):
    """``v != 0`` as ``i1`` (NaN → 1)."""
    b = em.b
    if dtype.is_bool:
        return v
    if dtype.is_float:
        return b.fcmp_unordered("!=", v, ll.Constant(v.type, 0.0))
    return b.icmp_unsigned("!=", v, ll.Constant(v.type, 0))


def convert(em, src: DataType, dst: DataType, v):
    """docs/semantics.md §5: wrap int→int, round int→float and float→float, saturate float→int (NaN → 0)."""
    b = em.b
    if src == dst:
        return v
    if dst.is_bool:
        return to_bool(em, src, v)
    dt = reg_type(dst)
    if src.is_float and dst.is_float:
        if src.bits == dst.bits:
            return v
        if dst.bits > src.bits:
            return b.fpext(v, dt)
        if src.bits == 64 and dst.bits == 16:
            return b.fptrunc(_f64_to_f32_odd(em, v), dt)
        return b.fptrunc(v, dt)
    if src.is_float:
        if src.bits == 16:
            v = b.fpext(v, F32)  # exact; the saturating intrinsics then see the same value
        name = "fptosi.sat" if dst.kind == "int" else "fptoui.sat"
        fn = intrinsic(em.module, em.target.intrinsic(name), dt, [v.type], [dt, v.type])
        return b.call(fn, [v])
    if dst.is_float:
        signed = src.kind == "int"
        if dst.bits == 16:
            # through f32: exact for every int below f16's overflow threshold (65520), and anything larger stays
            # large enough to overflow to inf, so the double rounding can never show
            wide = b.sitofp(v, F32) if signed else b.uitofp(v, F32)
            return b.fptrunc(wide, dt)
        return b.sitofp(v, dt) if signed else b.uitofp(v, dt)
    if dst.bits < src.bits:
        return b.trunc(v, dt)
    if dst.bits > src.bits:
        return b.sext(v, dt) if src.kind == "int" else b.zext(v, dt)
    return v


def _f64_to_f32_odd(em, v):
    """Round f64 to f32 *to odd*: then one more rounding to f16 equals direct rounding (24 ≥ 11 + 2 bits).

    LLVM lowers ``fptrunc double to half`` to a ``__truncdfhf2`` libcall that a bare process may not provide; the
    hardware f64→f32 and f32→f16 conversions with a sticky bit avoid it.
    """
    b = em.b
    r = b.fptrunc(v, F32)
    back = b.fpext(r, v.type)
    inexact = b.fcmp_ordered("!=", back, v)  # false for NaN
    fabs = intrinsic(em.module, em.target.intrinsic("fabs"), v.type, [v.type], [v.type])
    too_big = b.fcmp_ordered(">", b.call(fabs, [back]), b.call(fabs, [v]))
    bits = b.bitcast(r, I32)
    toward_zero = b.select(too_big, b.sub(bits, ll.Constant(I32, 1)), bits)
    odd = b.or_(toward_zero, ll.Constant(I32, 1))
    return b.bitcast(b.select(inexact, odd, bits), F32)


def bitcast(em, src: DataType, dst: DataType, v):
    """Reinterpret the bits (equal widths; int↔int of the same width is the identity)."""
    if src.bits != dst.bits or src.is_bool or dst.is_bool:
        raise TypeError(f"bit_cast needs equal widths: {src} -> {dst}")
    if src.is_float == dst.is_float:
        return v
    return em.b.bitcast(v, reg_type(dst))


# ---------------------------------------------------------------------------------------------------- bit counting


def bit_count(em, kind: str, dtype: DataType, v):
    """``popcnt`` / ``clz`` / ``ffs`` of the unsigned bit pattern, as i32."""
    b = em.b
    t = v.type
    if dtype.bits == 1:
        bit = b.xor(v, ll.Constant(I1, 1)) if kind == "clz" else v
        return b.zext(bit, I32)
    if kind == "popcnt":
        r = b.call(intrinsic(em.module, em.target.intrinsic("ctpop"), t, [t], [t]), [v])
    elif kind == "clz":
        r = b.call(intrinsic(em.module, em.target.intrinsic("ctlz"), t, [t, I1], [t]), [v, ll.Constant(I1, 0)])
    else:
        tz = b.call(intrinsic(em.module, em.target.intrinsic("cttz"), t, [t, I1], [t]), [v, ll.Constant(I1, 0)])
        r = b.select(b.icmp_unsigned("==", v, ll.Constant(t, 0)), ll.Constant(t, 0), b.add(tz, ll.Constant(t, 1)))
    if dtype.bits > 32:
        return b.trunc(r, I32)
    return b.zext(r, I32) if dtype.bits < 32 else r
