"""IR expressions → WGSL expressions: one emitter per ``Op`` in :data:`OP_EMITTERS`, one per node type.

Every emitter takes the emitted operand strings and returns a WGSL expression of the result's representation type
(:mod:`.names`). Narrow integer results are normalized back to their width; 64-bit integers and every numeric rule
where WGSL differs from SEMANTICS.md go through helpers (:mod:`.library`, :mod:`.i64`) that the context records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType, i32 as _I32
from quadrants.ir.ops import Op
from quadrants_wgpu.wgsl import i64 as _i64, mathlib as _mathlib  # noqa: F401  (register their helpers)
from quadrants_wgpu.wgsl.names import (
    UnsupportedError,
    is_wide,
    literal,
    load_word_expr,
    normalize,
    value_type,
    var_name,
    zero,
)

__all__ = ["ExprCtx", "emit_expr", "OP_EMITTERS", "as_bool", "cast"]


@dataclass
class ExprCtx:
    """What expression emission needs to know about the program and the task, and what it records."""

    scalar_offsets: dict[int, int]  # scalar arg index -> word offset in qd_args
    shape_offsets: dict[int, int]  # ndarray arg index -> word offset of its shape in qd_args
    kv_offsets: dict[int, int]  # kernel var id -> word offset in qd_kv
    fast_math: bool = False
    kv_atomic: bool = False  # qd_kv is array<atomic<u32>> in this shader (it updates a kernel var atomically)
    f16_ok: bool = True
    helpers: set[str] = field(default_factory=set)

    def use(self, name: str) -> str:
        """Record that helper ``name`` is needed; return the name."""
        self.helpers.add(name)
        return name


def _cat(dtype: DataType) -> str:
    """``"f"`` float, ``"w"`` 64-bit int, ``"s"`` signed 32-bit representation, ``"u"`` unsigned 32-bit."""
    if dtype.is_float:
        return "f"
    if is_wide(dtype):
        return "w"
    return "s" if value_type(dtype) == "i32" else "u"


def _ft(dtype: DataType) -> str:
    return value_type(dtype)  # "f32" or "f16"


def as_bool(expr: str, dtype: DataType) -> str:
    """A WGSL ``bool`` that is true when ``expr`` (of ``dtype``) is non-zero (NaN counts as non-zero)."""
    if is_wide(dtype):
        return f"any(({expr}) != vec2<u32>(0u, 0u))"
    if dtype.is_float:
        return f"(!(({expr}) == {zero(dtype)}))"  # unordered: NaN is true
    return f"(({expr}) != {zero(dtype)})"


def _from_bool(b: str) -> str:
    return f"select(0u, 1u, {b})"


# --------------------------------------------------------------------------------------------------- arithmetic


def _nofma(cx: ExprCtx, expr: str, dtype: DataType) -> str:
    """A float product the driver cannot contract into an FMA with a following add (see :mod:`.library`)."""
    if cx.fast_math:
        return expr
    return f"{cx.use('qd_opaque0_' + _ft(dtype))}({expr})"


def _arith(symbol: str, wide: str):
    def emit(cx: ExprCtx, e: N.OpExpr, a: list[str]) -> str:
        c = _cat(e.dtype)
        if c == "w":
            return f"{cx.use(wide)}({a[0]}, {a[1]})"
        r = f"({a[0]} {symbol} {a[1]})"
        return r if c == "f" else normalize(e.dtype, r)

    return emit


def _truediv(cx, e, a):
    return f"({a[0]} / {a[1]})"


def _int_helper(base32s: str, base32u: str, wide_s: str, wide_u: str):
    def emit(cx: ExprCtx, e: N.OpExpr, a: list[str]) -> str:
        c = _cat(e.dtype)
        if c == "w":
            return f"{cx.use(wide_s if e.dtype.kind == 'int' else wide_u)}({a[0]}, {a[1]})"
        name = base32s if c == "s" else base32u
        return normalize(e.dtype, f"{cx.use(name)}({a[0]}, {a[1]})")

    return emit


_int_floordiv = _int_helper("qd_floordiv_i32", "qd_div_u32", "qd_floordiv_i64", "qd_floordiv_u64")
_int_mod = _int_helper("qd_mod_i32", "qd_mod_u32", "qd_mod_i64", "qd_mod_u64")
_raw_div = _int_helper("qd_rawdiv_i32", "qd_div_u32", "qd_rawdiv_i64", "qd_floordiv_u64")
_raw_mod = _int_helper("qd_rawmod_i32", "qd_mod_u32", "qd_rawmod_i64", "qd_mod_u64")
_int_pow = _int_helper("qd_pow_i32", "qd_pow_u32", "qd_pow_i64", "qd_pow_u64")


def _floordiv(cx, e, a):
    if e.dtype.is_float:
        return f"floor({a[0]} / {a[1]})"
    return _int_floordiv(cx, e, a)


def _mod(cx, e, a):
    if e.dtype.is_float:  # a - floor(a/b)*b, each step rounded (no FMA)
        return f"({a[0]} - {_nofma(cx, f'(floor({a[0]} / {a[1]}) * {a[1]})', e.dtype)})"
    return _int_mod(cx, e, a)


def _raw_div_any(cx, e, a):
    if e.dtype.is_float:
        return f"trunc({a[0]} / {a[1]})"
    return _raw_div(cx, e, a)


def _raw_mod_any(cx, e, a):
    if e.dtype.is_float:  # C fmod: a - trunc(a/b)*b is not exact in general; declared through the float path only
        return f"({a[0]} - {_nofma(cx, f'(trunc({a[0]} / {a[1]}) * {a[1]})', e.dtype)})"
    return _raw_mod(cx, e, a)


def _pow(cx, e, a):
    if e.dtype.is_float:
        return f"{cx.use('qd_pow_' + _ft(e.dtype))}({a[0]}, {a[1]})"
    return _int_pow(cx, e, a)


def _neg(cx, e, a):
    c = _cat(e.dtype)
    if c == "w":
        return f"{cx.use('qd_neg64')}({a[0]})"
    if c == "u":
        return normalize(e.dtype, f"(0u - {a[0]})")
    if c == "s":
        return normalize(e.dtype, f"(0i - {a[0]})")  # wraps: -INT_MIN = INT_MIN
    return f"(-{a[0]})"


def _abs(cx, e, a):
    c = _cat(e.dtype)
    if c == "u":
        return a[0]
    if c == "w":
        return a[0] if e.dtype.kind == "uint" else f"{cx.use('qd_abs64')}({a[0]})"
    if c == "s":
        return normalize(e.dtype, f"abs({a[0]})")  # abs(INT_MIN) = INT_MIN in WGSL too
    return f"abs({a[0]})"


def _minmax(name: str, pick_first_if: str):
    def emit(cx, e, a):
        c = _cat(e.dtype)
        if c == "f":
            return f"{cx.use(f'qd_{name}_{_ft(e.dtype)}')}({a[0]}, {a[1]})"
        if c == "w":
            lt = cx.use("qd_lt_i64" if e.dtype.kind == "int" else "qd_lt_u64")
            first_lt = f"{lt}({a[0]}, {a[1]})"
            cond = first_lt if pick_first_if == "lt" else f"!{first_lt}"
            return f"select({a[1]}, {a[0]}, {cond})"
        return f"{name}({a[0]}, {a[1]})"

    return emit


# ------------------------------------------------------------------------------------------------------ bitwise


def _bitwise(symbol: str):
    def emit(cx, e, a):
        return f"({a[0]} {symbol} {a[1]})"  # canonical forms are closed under & | ^ (also on vec2 halves)

    return emit


def _bit_not(cx, e, a):
    if e.dtype.is_bool:
        return f"({a[0]} ^ 1u)"
    return normalize(e.dtype, f"(~{a[0]})")


def _shift_count(expr: str, dtype: DataType) -> str:
    """The shift count as u32 (only its low bits matter: the caller masks with the width)."""
    if is_wide(dtype):
        return f"({expr}).x"
    if value_type(dtype) == "i32":
        return f"bitcast<u32>({expr})"
    return expr


def _shl(cx, e, a):
    dt = e.dtype
    if dt.is_bool:
        return a[0]
    count = _shift_count(a[1], e.args[1].dtype)
    if is_wide(dt):
        return f"{cx.use('qd_shl64')}({a[0]}, {count})"
    return normalize(dt, f"({a[0]} << ({count} & {dt.bits - 1}u))")


def _shr(cx, e, a):
    dt = e.dtype
    if dt.is_bool:
        return a[0]
    count = _shift_count(a[1], e.args[1].dtype)
    if is_wide(dt):
        name = "qd_shr_i64" if dt.kind == "int" else "qd_shr_u64"
        return f"{cx.use(name)}({a[0]}, {count})"
    # canonical narrow values: arithmetic (i32) / logical (u32) shifts already give the narrow result
    return f"({a[0]} >> ({count} & {dt.bits - 1}u))"


# -------------------------------------------------------------------------------------------------- comparisons


def _compare(symbol: str):
    def emit(cx, e, a):
        dt = e.args[0].dtype
        if is_wide(dt):
            lt = cx.use("qd_lt_i64" if dt.kind == "int" else "qd_lt_u64")
            x, y = a
            table = {
                "==": f"all({x} == {y})",
                "!=": f"any({x} != {y})",
                "<": f"{lt}({x}, {y})",
                ">": f"{lt}({y}, {x})",
                "<=": f"!{lt}({y}, {x})",
                ">=": f"!{lt}({x}, {y})",
            }
            return _from_bool(table[symbol])
        if dt.is_float and symbol == "!=":
            return _from_bool(f"!({a[0]} == {a[1]})")  # unordered: NaN != x is true
        return _from_bool(f"({a[0]} {symbol} {a[1]})")

    return emit


def _logical_not(cx, e, a):
    return _from_bool(f"!{as_bool(a[0], e.args[0].dtype)}")


def _select(cx, e, a):
    return f"select({a[2]}, {a[1]}, {as_bool(a[0], e.args[0].dtype)})"


# -------------------------------------------------------------------------------------------------- conversions


def _to_wide(cx: ExprCtx, x: str, src: DataType) -> str:
    c = _cat(src)
    if c == "w":
        return x
    if c == "s":
        return f"vec2<u32>(bitcast<u32>({x}), select(0u, 0xffffffffu, {x} < 0i))"
    if c == "u":
        return f"vec2<u32>({x}, 0u)"
    f32 = x if src.name == "f32" else f"f32({x})"
    return f"{cx.use('qd_f32_to_i64')}({f32})"


def cast(cx: ExprCtx, x: str, src: DataType, dst: DataType) -> str:
    """``x`` (representation of ``src``) converted to ``dst`` by SEMANTICS.md §5."""
    if src == dst:
        return x
    cs, cd = _cat(src), _cat(dst)
    if dst.is_bool:
        return _from_bool(as_bool(x, src))
    if cd == "w":
        if cs == "f" and dst.kind == "uint":
            f32 = x if src.name == "f32" else f"f32({x})"
            return f"{cx.use('qd_f32_to_u64')}({f32})"
        return _to_wide(cx, x, src)
    if cd == "f":
        if cs == "w":
            name = "qd_i64_to_f32" if src.kind == "int" else "qd_u64_to_f32"
            f = f"{cx.use(name)}({x})"
        elif cs == "f":
            if dst.name == "f16":
                return f"f16({cx.use('qd_f32_round_f16')}({x}))"
            return f"{value_type(dst)}({x})"
        else:
            f = f"f32({x})"  # exact below 2^24; larger values round once (f16 overflows to inf either way)
        return f if dst.name == "f32" else f"f16({cx.use('qd_f32_round_f16')}({f}))"
    # integer destination of 32-bit representation
    if cs == "f":
        f32 = x if src.name == "f32" else f"f32({x})"
        if dst.bits == 32:
            name = "qd_f32_to_i32" if dst.kind == "int" else "qd_f32_to_u32"
            return f"{cx.use(name)}({f32})"
        lo, hi = float(dst.min), float(dst.max)
        r = f"{cx.use('qd_f32_to_narrow')}({f32}, {lo!r}f, {hi!r}f)"
        return r if cd == "s" else f"bitcast<u32>({r})"
    if cs == "w":
        x = f"({x}).x"
        cs = "u"
    if cs != cd:
        x = f"bitcast<{value_type(dst)}>({x})"
    return normalize(dst, x)


def _cast(cx, e, a):
    return cast(cx, a[0], e.args[0].dtype, e.dtype)


def _bitcast(cx, e, a):
    src, dst = e.args[0].dtype, e.dtype
    if src.bits != dst.bits or src.is_bool or dst.is_bool:
        raise UnsupportedError(f"bit_cast needs equal widths: {src} -> {dst}")
    if is_wide(src):
        return a[0]
    if src.name == "f16":
        bits = f"(bitcast<u32>(vec2<f16>({a[0]}, 0.0h)) & 0xffffu)"
        return normalize(dst, bits if _cat(dst) == "u" else f"bitcast<i32>({bits})")
    if dst.name == "f16":
        # exact for every half, NaN and inf included (see names._float_literal)
        return f"f16(unpack2x16float(bitcast<u32>({a[0]}) & 0xffffu).x)"
    if value_type(src) == value_type(dst):
        return normalize(dst, a[0])
    return normalize(dst, f"bitcast<{value_type(dst)}>({a[0]})")


# -------------------------------------------------------------------------------------------------------- math


def _builtin(name: str):
    def emit(cx, e, a):
        return f"{name}({', '.join(a)})"

    return emit


def _helper(base: str):
    def emit(cx, e, a):
        return f"{cx.use(base + '_' + _ft(e.dtype))}({', '.join(a)})"

    return emit


def _math(name: str):
    """A transcendental: our WGSL implementation (:mod:`.mathlib`), or the driver's builtin under fast_math."""

    def emit(cx, e, a):
        if cx.fast_math:
            return f"{name}({', '.join(a)})"
        return f"{cx.use(f'qd_{name}_{_ft(e.dtype)}')}({', '.join(a)})"

    return emit


def _rsqrt(cx, e, a):
    one = literal(1.0, e.dtype)
    return f"({one} / sqrt({a[0]}))"  # inverseSqrt is an approximation; the reference is 1 / sqrt(x)


def _unsigned_bits(x: str, dtype: DataType) -> str:
    """The bit pattern of a 32-bit-representation integer restricted to its width, as u32."""
    u = f"bitcast<u32>({x})" if value_type(dtype) == "i32" else x
    if dtype.bits < 32:
        return f"({u} & {hex((1 << dtype.bits) - 1)}u)"
    return u


def _popcnt(cx, e, a):
    dt = e.args[0].dtype
    if is_wide(dt):
        return f"i32(countOneBits(({a[0]}).x) + countOneBits(({a[0]}).y))"
    return f"i32(countOneBits({_unsigned_bits(a[0], dt)}))"


def _clz(cx, e, a):
    dt = e.args[0].dtype
    if is_wide(dt):
        return f"{cx.use('qd_clz64')}({a[0]})"
    return f"(i32(countLeadingZeros({_unsigned_bits(a[0], dt)})) - {32 - dt.bits}i)"


def _ffs(cx, e, a):
    dt = e.args[0].dtype
    if is_wide(dt):
        return f"{cx.use('qd_ffs64')}({a[0]})"
    u = _unsigned_bits(a[0], dt)
    return f"select(0i, i32(countTrailingZeros({u})) + 1i, {u} != 0u)"


OpEmitter = Callable[[ExprCtx, N.OpExpr, list], str]

OP_EMITTERS: dict[Op, OpEmitter] = {
    Op.ADD: _arith("+", "qd_add64"),
    Op.SUB: _arith("-", "qd_sub64"),
    Op.MUL: _arith("*", "qd_mul64"),
    Op.TRUEDIV: _truediv,
    Op.FLOORDIV: _floordiv,
    Op.MOD: _mod,
    Op.RAW_DIV: _raw_div_any,
    Op.RAW_MOD: _raw_mod_any,
    Op.POW: _pow,
    Op.NEG: _neg,
    Op.ABS: _abs,
    Op.MAX: _minmax("max", "gt"),
    Op.MIN: _minmax("min", "lt"),
    Op.BIT_AND: _bitwise("&"),
    Op.BIT_OR: _bitwise("|"),
    Op.BIT_XOR: _bitwise("^"),
    Op.BIT_NOT: _bit_not,
    Op.SHL: _shl,
    Op.SHR: _shr,
    Op.EQ: _compare("=="),
    Op.NE: _compare("!="),
    Op.LT: _compare("<"),
    Op.LE: _compare("<="),
    Op.GT: _compare(">"),
    Op.GE: _compare(">="),
    Op.LOGICAL_NOT: _logical_not,
    Op.SELECT: _select,
    Op.CAST: _cast,
    Op.BITCAST: _bitcast,
    Op.SQRT: _builtin("sqrt"),
    Op.RSQRT: _rsqrt,
    Op.EXP: _math("exp"),
    Op.LOG: _math("log"),
    Op.SIN: _math("sin"),
    Op.COS: _math("cos"),
    Op.TAN: _math("tan"),
    Op.ASIN: _math("asin"),
    Op.ACOS: _math("acos"),
    Op.ATAN: _math("atan"),
    Op.SINH: _math("sinh"),
    Op.COSH: _math("cosh"),
    Op.TANH: _math("tanh"),
    Op.ATAN2: _math("atan2"),
    Op.FLOOR: _builtin("floor"),
    Op.CEIL: _builtin("ceil"),
    Op.ROUND: _helper("qd_round"),
    Op.TRUNC: _builtin("trunc"),
    Op.POPCNT: _popcnt,
    Op.CLZ: _clz,
    Op.FFS: _ffs,
}

# Ops this backend cannot emit, with the capability that names the gap (none today: the table is complete).
DECLARED_GAPS: dict[Op, str] = {}


# ------------------------------------------------------------------------------------------------------- nodes


def _emit_const(cx: ExprCtx, e: N.Const) -> str:
    _check_dtype(cx, e.dtype)
    return literal(e.value, e.dtype)


def _emit_local(cx: ExprCtx, e: N.LocalRef) -> str:
    _check_dtype(cx, e.dtype)
    off = cx.kv_offsets.get(e.var.id)
    if off is not None:
        return load_word_expr("qd_kv", off, e.dtype, cx.kv_atomic)
    return var_name(e.var)


def _emit_arg(cx: ExprCtx, e: N.ArgRef) -> str:
    _check_dtype(cx, e.dtype)
    return load_word_expr("qd_args", cx.scalar_offsets[e.index], e.dtype)


def _emit_shape(cx: ExprCtx, e: N.Shape) -> str:
    return cast(cx, f"bitcast<i32>(qd_args[{cx.shape_offsets[e.arg] + e.axis}])", _I32, e.dtype)


# Float ops whose operands pass through qd_opaque0/1 unless fast_math: Mesa (NIR) and other Vulkan compilers apply
# value-changing algebra (x - x -> 0, (a + b) - a -> b, contraction) since naga emits no NoContraction/float controls.
_OPAQUE_OPERANDS = frozenset(
    {Op.ADD, Op.SUB, Op.MUL, Op.TRUEDIV, Op.FLOORDIV, Op.MOD, Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE}
)


def _emit_op(cx: ExprCtx, e: N.OpExpr) -> str:
    _check_dtype(cx, e.dtype)
    args = [emit_expr(cx, x) for x in e.args]
    if not cx.fast_math and e.op in _OPAQUE_OPERANDS and e.args[0].dtype.is_float:
        ft = _ft(e.args[0].dtype)
        args = [f"{cx.use(f'qd_opaque{k}_{ft}')}({a})" for k, a in enumerate(args)]
    return OP_EMITTERS[e.op](cx, e, args)


def _check_dtype(cx: ExprCtx, dtype: DataType) -> None:
    value_type(dtype)  # raises for f64
    if dtype.name == "f16" and not cx.f16_ok:
        raise UnsupportedError("f16 needs the adapter feature 'shader-f16', which this device lacks")


EXPR_EMITTERS: dict[type, Callable] = {
    N.Const: _emit_const,
    N.LocalRef: _emit_local,
    N.ArgRef: _emit_arg,
    N.Shape: _emit_shape,
    N.OpExpr: _emit_op,
}


def emit_expr(cx: ExprCtx, e) -> str:
    """The WGSL expression computing ``e``."""
    return EXPR_EMITTERS[type(e)](cx, e)
