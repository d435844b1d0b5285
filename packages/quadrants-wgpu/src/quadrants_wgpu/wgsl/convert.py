"""Conversions between representation types (docs/semantics.md §5): ``cast`` and ``bit_cast`` in WGSL.

* float → int truncates, saturates and maps NaN to 0 through helpers (WGSL leaves NaN undefined);
* int → int sign- or zero-extends from the source type and wraps to the destination width. naga extends by the
  signedness of the *destination* (``u64(-1i)`` is ``0xffffffff``, ``i64(0xffffffffu)`` is ``-1``), so a widening
  zero-extends (``u64(u32)``) or sign-extends (:func:`sign_extend64`, which works around a lavapipe miscompile of
  ``i64(i32)``) and bit-casts after; ``i32(x)``/``u32(x)`` of a 64-bit value truncate;
* float → float rounds to nearest even (WGSL's conversion) except into f16, which is rounded explicitly, once, from the
  source (``qd_f32_round_f16``, ``qd_f64_round_f16``): see docs/backends/wgpu.md;
* int → float: one rounding (native 64-bit sources included); paired i64/u64 use correctly rounded helpers.
"""

from __future__ import annotations

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType
from quadrants_wgpu.wgsl.context import ExprCtx, as_bool, category, from_bool
from quadrants_wgpu.wgsl.names import UnsupportedError, normalize

__all__ = ["cast", "emit_cast", "emit_bitcast", "sign_extend64"]


def _as_f32(x: str, src: DataType) -> str:
    return x if src.name == "f32" else f"f32({x})"


def _to_pair(cx: ExprCtx, x: str, src: DataType, dst: DataType) -> str:
    """To a paired i64/u64 (only without ``shader-int64``, so never from f64)."""
    c = category(cx, src)
    if c == "w":
        return x
    if c == "s":
        return f"vec2<u32>(bitcast<u32>({x}), select(0u, 0xffffffffu, {x} < 0i))"
    if c == "u":
        return f"vec2<u32>({x}, 0u)"
    name = "qd_f32_to_pu64" if dst.kind == "uint" else "qd_f32_to_pi64"
    return f"{cx.use(name)}({_as_f32(x, src)})"


def _to_float(cx: ExprCtx, x: str, src: DataType, dst: DataType) -> str:
    cs = category(cx, src)
    if dst.name == "f16":
        if src.name == "f64":
            return f"f16({cx.use('qd_f64_round_f16')}({x}))"
        if cs == "w":
            f = f"{cx.use('qd_pi64_to_f32' if src.kind == 'int' else 'qd_pu64_to_f32')}({x})"
        else:  # exact below 2^24; larger integers round once (and f16 overflows to inf either way)
            f = _as_f32(x, src)
        return f"f16({cx.use('qd_f32_round_f16')}({f}))"
    if cs == "w":  # dst is f32: f64 needs shader-int64, so there are no pairs then
        return f"{cx.use('qd_pi64_to_f32' if src.kind == 'int' else 'qd_pu64_to_f32')}({x})"
    return f"{cx.vt(dst)}({x})"


def _float_to_int(cx: ExprCtx, x: str, src: DataType, dst: DataType) -> str:
    fs = "f64" if src.name == "f64" else "f32"
    x = x if fs == "f64" else _as_f32(x, src)
    if dst.bits == 64:  # native (pairs are handled by _to_pair)
        return f"{cx.use(f'qd_{fs}_to_{dst.name}')}({x})"
    if dst.bits == 32:
        return f"{cx.use(f'qd_{fs}_to_{cx.vt(dst)}')}({x})"
    suffix = "lf" if fs == "f64" else "f"
    r = f"{cx.use(f'qd_{fs}_to_narrow')}({x}, {float(dst.min)!r}{suffix}, {float(dst.max)!r}{suffix})"
    return r if category(cx, dst) == "s" else f"bitcast<u32>({r})"


def sign_extend64(x: str) -> str:
    """An i32 value as i64, without ``i64(x)``: lavapipe (Mesa 22.3) compiles the SPIR-V sign extension so that the
    stored value is right but signed comparisons of it are wrong (``i64(i32(-6)) < 0`` was false), so the value is
    zero-extended and shifted back arithmetically (docs/backends/wgpu.md, known driver issues)."""
    return f"(bitcast<i64>(u64(bitcast<u32>({x})) << 32u) >> 32u)"


def _int_to_int(cx: ExprCtx, x: str, src: DataType, dst: DataType) -> str:
    if category(cx, src) == "w":  # paired source, 32-bit destination: the low word
        x, src_t = f"({x}).x", "u32"
    else:
        src_t = cx.vt(src)
    dst_t = cx.vt(dst)
    if src_t == dst_t:
        return normalize(dst, x)
    if src.bits == 64 and dst.bits == 64:
        return f"bitcast<{dst_t}>({x})"
    if dst.bits == 64:  # extend by the source's signedness (see the module docstring), then reinterpret
        wide = sign_extend64(x) if src_t == "i32" else f"u64({x})"
        return wide if (src_t == "i32") == (dst_t == "i64") else f"bitcast<{dst_t}>({wide})"
    if src.bits == 64:
        return normalize(dst, f"{dst_t}({x})")  # truncates
    return normalize(dst, f"bitcast<{dst_t}>({x})")


def cast(cx: ExprCtx, x: str, src: DataType, dst: DataType) -> str:
    """``x`` (representation of ``src``) converted to ``dst`` by docs/semantics.md §5."""
    if src == dst:
        return x
    if dst.is_bool:
        return from_bool(as_bool(cx, x, src))
    if category(cx, dst) == "w":
        return _to_pair(cx, x, src, dst)
    if dst.is_float:
        return _to_float(cx, x, src, dst)
    if src.is_float:
        return _float_to_int(cx, x, src, dst)
    return _int_to_int(cx, x, src, dst)


def emit_cast(cx: ExprCtx, e: N.OpExpr, a: list) -> str:
    return cast(cx, a[0], e.args[0].dtype, e.dtype)


def emit_bitcast(cx: ExprCtx, e: N.OpExpr, a: list) -> str:
    src, dst = e.args[0].dtype, e.dtype
    if src.bits != dst.bits or src.is_bool or dst.is_bool:
        raise UnsupportedError(f"bit_cast needs equal widths: {src} -> {dst}")
    if category(cx, src) == "w":
        return a[0]
    if src.name == "f16":
        bits = f"(bitcast<u32>(vec2<f16>({a[0]}, 0.0h)) & 0xffffu)"
        return normalize(dst, bits if category(cx, dst) == "u" else f"bitcast<i32>({bits})")
    if dst.name == "f16":
        # exact for every half, NaN and inf included (see names._float_literal)
        return f"f16(unpack2x16float(bitcast<u32>({a[0]}) & 0xffffu).x)"
    if cx.vt(src) == cx.vt(dst):
        return normalize(dst, a[0])
    return normalize(dst, f"bitcast<{cx.vt(dst)}>({a[0]})")
