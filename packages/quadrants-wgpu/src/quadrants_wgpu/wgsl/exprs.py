"""IR expressions → WGSL expressions: one emitter per ``Op`` in :data:`OP_EMITTERS`, one per node type.

Every emitter takes the emitted operand strings and returns a WGSL expression of the result's representation type
(:mod:`.names`, which depends on the device's :class:`~quadrants_wgpu.wgsl.target.ShaderTarget`). Narrow integer
results are normalized back to their width; paired 64-bit integers and every numeric rule where WGSL differs from
docs/semantics.md go through helpers (:mod:`.library`, :mod:`.i64`, :mod:`.int64`, :mod:`.float64`) that the context
records. Conversions live in :mod:`.convert`.
"""

from __future__ import annotations

from collections.abc import Callable

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType, i32 as _I32
from quadrants.ir.ops import Op
from quadrants_wgpu.wgsl import (  # noqa: F401  (register their helpers)
    float64 as _float64,
    i64 as _i64,
    int64 as _int64,
    mathlib as _mathlib,
    rounding,
)
from quadrants_wgpu.wgsl.context import ExprCtx, as_bool, category, from_bool
from quadrants_wgpu.wgsl.convert import cast, emit_bitcast, emit_cast
from quadrants_wgpu.wgsl.names import (
    UnsupportedError,
    is_pair,
    literal,
    load_word_expr,
    normalize,
    value_type,
    var_name,
    zero,
)

__all__ = ["emit_expr", "check_dtype", "OP_EMITTERS", "DECLARED_GAPS"]


# --------------------------------------------------------------------------------------------------- arithmetic


def _nofma(cx: ExprCtx, expr: str, dtype: DataType) -> str:
    """A float product the driver cannot contract into an FMA with a following add (see :mod:`.library`)."""
    if cx.fast_math:
        return expr
    return f"{cx.use('qd_opaque0_' + cx.vt(dtype))}({expr})"


def _arith(symbol: str, wide: str):
    def emit(cx: ExprCtx, e: N.OpExpr, a: list[str]) -> str:
        c = category(cx, e.dtype)
        if c == "w":
            return f"{cx.use(wide)}({a[0]}, {a[1]})"
        r = f"({a[0]} {symbol} {a[1]})"
        return r if c == "f" else normalize(e.dtype, r)

    return emit


def _corrected(cx: ExprCtx, op: str, dtype: DataType) -> str | None:
    """The correctly rounding helper for float ``op`` (``"div"``/``"sqrt"``) when the device needs one (not under
    fast_math, which takes the driver's operator as it is)."""
    if cx.fast_math or not cx.target.corrected_div_sqrt:
        return None
    name = rounding.corrected(op, cx.vt(dtype))
    return cx.use(name) if name else None


def fdiv(cx: ExprCtx, x: str, y: str, dtype: DataType) -> str:
    """The float quotient ``x / y`` as the semantics define it: IEEE, corrected on adapters that round it loosely."""
    helper = _corrected(cx, "div", dtype)
    return f"{helper}({x}, {y})" if helper else f"({x} / {y})"


def fsqrt(cx: ExprCtx, x: str, dtype: DataType) -> str:
    """IEEE ``sqrt(x)``, corrected like :func:`fdiv`."""
    helper = _corrected(cx, "sqrt", dtype)
    return f"{helper}({x})" if helper else f"sqrt({x})"


def _truediv(cx, e, a):
    return fdiv(cx, a[0], a[1], e.dtype)


def _int_helper(signed: str, unsigned: str, pair_s: str, pair_u: str):
    """Integer ops through helpers: ``<signed>_<type>`` / ``<unsigned>_<type>`` (:mod:`.library` templates for
    i32/u32 and native i64/u64), ``pair_s`` / ``pair_u`` for paired 64-bit values."""

    def emit(cx: ExprCtx, e: N.OpExpr, a: list[str]) -> str:
        c = category(cx, e.dtype)
        if c == "w":
            return f"{cx.use(pair_s if e.dtype.kind == 'int' else pair_u)}({a[0]}, {a[1]})"
        name = f"{signed if c == 's' else unsigned}_{cx.vt(e.dtype)}"
        return normalize(e.dtype, f"{cx.use(name)}({a[0]}, {a[1]})")

    return emit


_int_floordiv = _int_helper("qd_floordiv", "qd_div", "qd_floordiv_pi64", "qd_floordiv_pu64")
_int_mod = _int_helper("qd_mod", "qd_mod", "qd_mod_pi64", "qd_mod_pu64")
_raw_div = _int_helper("qd_rawdiv", "qd_div", "qd_rawdiv_pi64", "qd_floordiv_pu64")
_raw_mod = _int_helper("qd_rawmod", "qd_mod", "qd_rawmod_pi64", "qd_mod_pu64")
_int_pow = _int_helper("qd_pow", "qd_pow", "qd_pow_pi64", "qd_pow_pu64")


def _floordiv(cx, e, a):
    if e.dtype.is_float:
        return f"floor({fdiv(cx, a[0], a[1], e.dtype)})"
    return _int_floordiv(cx, e, a)


def _mod(cx, e, a):
    if e.dtype.is_float:  # a - floor(a/b)*b, each step rounded (no FMA)
        return f"({a[0]} - {_nofma(cx, f'(floor({fdiv(cx, a[0], a[1], e.dtype)}) * {a[1]})', e.dtype)})"
    return _int_mod(cx, e, a)


def _raw_div_any(cx, e, a):
    if e.dtype.is_float:
        return f"trunc({fdiv(cx, a[0], a[1], e.dtype)})"
    return _raw_div(cx, e, a)


def _raw_mod_any(cx, e, a):
    if e.dtype.is_float:  # C fmod: a - trunc(a/b)*b is not exact in general; declared through the float path only
        return f"({a[0]} - {_nofma(cx, f'(trunc({fdiv(cx, a[0], a[1], e.dtype)}) * {a[1]})', e.dtype)})"
    return _raw_mod(cx, e, a)


def _pow(cx, e, a):
    if e.dtype.is_float:
        return f"{cx.use('qd_pow_' + cx.vt(e.dtype))}({a[0]}, {a[1]})"
    return _int_pow(cx, e, a)


def _neg(cx, e, a):
    c = category(cx, e.dtype)
    if c == "w":
        return f"{cx.use('qd_neg64')}({a[0]})"
    if c in ("s", "u"):
        return normalize(e.dtype, f"({zero(e.dtype, cx.target)} - {a[0]})")  # wraps: -INT_MIN = INT_MIN
    return f"(-{a[0]})"


def _abs(cx, e, a):
    c = category(cx, e.dtype)
    if c == "u":
        return a[0]
    if c == "w":
        return a[0] if e.dtype.kind == "uint" else f"{cx.use('qd_abs64')}({a[0]})"
    if c == "s":
        return normalize(e.dtype, f"abs({a[0]})")  # abs(INT_MIN) = INT_MIN in WGSL too
    return f"abs({a[0]})"


def _minmax(name: str, pick_first_if: str):
    def emit(cx, e, a):
        c = category(cx, e.dtype)
        if c == "f":
            return f"{cx.use(f'qd_{name}_{cx.vt(e.dtype)}')}({a[0]}, {a[1]})"
        if c == "w":
            lt = cx.use("qd_lt_pi64" if e.dtype.kind == "int" else "qd_lt_pu64")
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


def _shift_count(cx: ExprCtx, expr: str, dtype: DataType) -> str:
    """The shift count as u32 (only its low bits matter: the caller masks with the width)."""
    if is_pair(dtype, cx.target):
        return f"({expr}).x"
    t = cx.vt(dtype)
    if dtype.bits == 64:
        return f"u32({expr})"  # truncates
    return f"bitcast<u32>({expr})" if t == "i32" else expr


def _shl(cx, e, a):
    dt = e.dtype
    if dt.is_bool:
        return a[0]
    count = _shift_count(cx, a[1], e.args[1].dtype)
    if is_pair(dt, cx.target):
        return f"{cx.use('qd_shl64')}({a[0]}, {count})"
    return normalize(dt, f"({a[0]} << ({count} & {dt.bits - 1}u))")


def _shr(cx, e, a):
    dt = e.dtype
    if dt.is_bool:
        return a[0]
    count = _shift_count(cx, a[1], e.args[1].dtype)
    if is_pair(dt, cx.target):
        name = "qd_shr_pi64" if dt.kind == "int" else "qd_shr_pu64"
        return f"{cx.use(name)}({a[0]}, {count})"
    # canonical narrow values: arithmetic (signed) / logical (unsigned) shifts already give the narrow result
    return f"({a[0]} >> ({count} & {dt.bits - 1}u))"


# -------------------------------------------------------------------------------------------------- comparisons


def _compare(symbol: str):
    def emit(cx, e, a):
        dt = e.args[0].dtype
        if is_pair(dt, cx.target):
            lt = cx.use("qd_lt_pi64" if dt.kind == "int" else "qd_lt_pu64")
            x, y = a
            table = {
                "==": f"all({x} == {y})",
                "!=": f"any({x} != {y})",
                "<": f"{lt}({x}, {y})",
                ">": f"{lt}({y}, {x})",
                "<=": f"!{lt}({y}, {x})",
                ">=": f"!{lt}({x}, {y})",
            }
            return from_bool(table[symbol])
        if dt.is_float and symbol == "!=":
            return from_bool(f"!({a[0]} == {a[1]})")  # unordered: NaN != x is true
        return from_bool(f"({a[0]} {symbol} {a[1]})")

    return emit


def _logical_not(cx, e, a):
    return from_bool(f"!{as_bool(cx, a[0], e.args[0].dtype)}")


def _select(cx, e, a):
    return f"select({a[2]}, {a[1]}, {as_bool(cx, a[0], e.args[0].dtype)})"


# -------------------------------------------------------------------------------------------------------- math


def _builtin(name: str):
    def emit(cx, e, a):
        return f"{name}({', '.join(a)})"

    return emit


def _helper(base: str):
    def emit(cx, e, a):
        return f"{cx.use(base + '_' + cx.vt(e.dtype))}({', '.join(a)})"

    return emit


def _math(name: str):
    """A transcendental: our WGSL implementation (:mod:`.mathlib`, :mod:`.mathlib64`), or the driver's builtin under
    fast_math — never for f64, whose builtins naga writes as GLSL.std.450 instructions defined only for 16/32 bits."""

    def emit(cx, e, a):
        if cx.fast_math and e.dtype.name != "f64":
            return f"{name}({', '.join(a)})"
        return f"{cx.use(f'qd_{name}_{cx.vt(e.dtype)}')}({', '.join(a)})"

    return emit


def _sqrt(cx, e, a):
    return fsqrt(cx, a[0], e.dtype)


def _rsqrt(cx, e, a):
    one = literal(1.0, e.dtype, cx.target)
    # inverseSqrt is an approximation; the reference is 1 / sqrt(x), two rounded operations
    return fdiv(cx, one, fsqrt(cx, a[0], e.dtype), e.dtype)


def _unsigned_bits(cx: ExprCtx, x: str, dtype: DataType) -> str:
    """The bit pattern of a 32-bit-representation integer restricted to its width, as u32."""
    u = f"bitcast<u32>({x})" if cx.vt(dtype) == "i32" else x
    if dtype.bits < 32:
        return f"({u} & {hex((1 << dtype.bits) - 1)}u)"
    return u


def _as_pair(cx: ExprCtx, x: str, dtype: DataType) -> str | None:
    """A 64-bit integer as ``vec2<u32>(low, high)`` (bit counts go through the halves: naga 29 panics on
    ``countLeadingZeros(i64)`` and lavapipe miscounts ``countTrailingZeros(i64)``); None for narrower types."""
    if dtype.bits != 64:
        return None
    if is_pair(dtype, cx.target):
        return x
    return f"vec2<u32>(u32({x}), u32({x} >> 32u))"


def _popcnt(cx, e, a):
    dt = e.args[0].dtype
    pair = _as_pair(cx, a[0], dt)
    if pair is not None:
        return f"i32(countOneBits(({pair}).x) + countOneBits(({pair}).y))"
    return f"i32(countOneBits({_unsigned_bits(cx, a[0], dt)}))"


def _clz(cx, e, a):
    dt = e.args[0].dtype
    pair = _as_pair(cx, a[0], dt)
    if pair is not None:
        return f"{cx.use('qd_clz64')}({pair})"
    return f"(i32(countLeadingZeros({_unsigned_bits(cx, a[0], dt)})) - {32 - dt.bits}i)"


def _ffs(cx, e, a):
    dt = e.args[0].dtype
    pair = _as_pair(cx, a[0], dt)
    if pair is not None:
        return f"{cx.use('qd_ffs64')}({pair})"
    u = _unsigned_bits(cx, a[0], dt)
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
    Op.CAST: emit_cast,
    Op.BITCAST: emit_bitcast,
    Op.SQRT: _sqrt,
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
    check_dtype(cx, e.dtype)
    return literal(e.value, e.dtype, cx.target)


def _emit_local(cx: ExprCtx, e: N.LocalRef) -> str:
    check_dtype(cx, e.dtype)
    off = cx.kv_offsets.get(e.var.id)
    if off is not None:
        return load_word_expr("qd_kv", off, e.dtype, cx.target, cx.kv_words)
    return var_name(e.var)


def _emit_arg(cx: ExprCtx, e: N.ArgRef) -> str:
    check_dtype(cx, e.dtype)
    return load_word_expr("qd_args", cx.scalar_offsets[e.index], e.dtype, cx.target)


def _emit_shape(cx: ExprCtx, e: N.Shape) -> str:
    return cast(cx, f"bitcast<i32>(qd_args[{cx.shape_offsets[e.arg] + e.axis}])", _I32, e.dtype)


# Float ops whose operands pass through qd_opaque0/1 unless fast_math: Mesa (NIR) and other Vulkan compilers apply
# value-changing algebra (x - x -> 0, (a + b) - a -> b, contraction) since naga emits no NoContraction/float controls.
_OPAQUE_OPERANDS = frozenset(
    {Op.ADD, Op.SUB, Op.MUL, Op.TRUEDIV, Op.FLOORDIV, Op.MOD, Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE}
)


def _emit_op(cx: ExprCtx, e: N.OpExpr) -> str:
    check_dtype(cx, e.dtype)
    args = [emit_expr(cx, x) for x in e.args]
    if not cx.fast_math and e.op in _OPAQUE_OPERANDS and e.args[0].dtype.is_float:
        ft = cx.vt(e.args[0].dtype)
        args = [f"{cx.use(f'qd_opaque{k}_{ft}')}({a})" for k, a in enumerate(args)]
    return OP_EMITTERS[e.op](cx, e, args)


def check_dtype(cx: ExprCtx, dtype: DataType) -> None:
    """Raise :class:`UnsupportedError` when the device has no representation for ``dtype`` (f64, f16)."""
    value_type(dtype, cx.target)  # raises for f64 without shader-f64
    if dtype.name == "f16" and not cx.target.f16:
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
