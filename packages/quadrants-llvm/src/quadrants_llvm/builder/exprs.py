"""Expression emitters: the op table :data:`OP_EMITTERS` (keyed by ``Op``) and the node table :data:`EXPR_EMITTERS`.

An op emitter is ``fn(em, args, arg_dtypes, dtype) -> value``: ``args`` are LLVM values of the operand dtypes
(already converted by the frontend, docs/semantics.md §4.1), ``dtype`` is the result type written in the IR. The
semantics are those of :data:`quadrants.ir.numerics.OP_HANDLERS`; the hard ones live in :mod:`.numerics`.
"""

from __future__ import annotations

from collections.abc import Callable

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType, i64 as _I64_DT
from quadrants.ir.ops import OP_INFO, Op
from quadrants_llvm.builder import numerics as nm
from quadrants_llvm.builder.types import I1, const

__all__ = ["OP_EMITTERS", "EXPR_EMITTERS", "emit_expr", "emit_op", "DECLARED_GAPS"]

OpEmitter = Callable[..., ll.Value]

# Ops the builder does not emit (none): a backend lists its gaps here and as capabilities.
DECLARED_GAPS: frozenset[Op] = frozenset()


def _int_or_float(int_fn, float_kind: str) -> OpEmitter:
    def emit(em, args, dts, dtype):
        if dtype.is_float:
            return nm.float_binop(em, dtype, float_kind, *args)
        return int_fn(em.b)(*args)

    return emit


def _division(int_fn, float_fn) -> OpEmitter:
    def emit(em, args, dts, dtype):
        if dtype.is_float:
            return float_fn(em, dtype, *args)
        return int_fn(em, dtype, *args)

    return emit


def _float_floordiv(em, dtype, a, b_):
    q = nm.float_binop(em, dtype, "fdiv", a, b_)
    return nm.call_math(em, "floor", dtype, q)


def _float_mod(em, dtype, a, b_):
    # a - floor(a / b) * b, every step rounded to the type, never contracted into an FMA
    fl = _float_floordiv(em, dtype, a, b_)
    return nm.float_binop(em, dtype, "fsub", a, nm.float_binop(em, dtype, "fmul", fl, b_))


def _float_raw_div(em, dtype, a, b_):
    return nm.call_math(em, "trunc", dtype, nm.float_binop(em, dtype, "fdiv", a, b_))


def _float_raw_mod(em, dtype, a, b_):
    return nm.float_binop(em, dtype, "frem", a, b_)


def _truediv(em, args, dts, dtype):
    return nm.float_binop(em, dtype, "fdiv", *args)


def _pow(em, args, dts, dtype):
    if dtype.is_float:
        exponent = args[1].constant if isinstance(args[1], ll.Constant) else None
        if exponent == 2.0:
            # the correctly rounded square (passes/square_powers.py), here for operands too large to write twice
            return nm.float_binop(em, dtype, "fmul", args[0], args[0])
        if exponent in (3.0, 4.0) and dtype.bits == 32:
            return _f32_cube_or_fourth(em, args[0], int(exponent))
        return nm.call_math(em, "pow", dtype, *args)
    return nm.int_pow(em, dtype, *args)


def _f32_cube_or_fourth(em, x, n: int):
    """``x ** 3`` / ``x ** 4`` of an f32 as products in f64, rounded once to f32: the square of an f32 is exact in f64,
    so ``x² · x`` and ``x² · x²`` are each one f64 rounding of the exact power, the value of the f64 ``pow`` the
    reference rounds (docs/semantics/numbers.md), for ±0, ±∞, NaN and overflow too. A GPU has no ``pow`` instruction:
    its software ``pow`` per call was most of an SPH neighbour loop (Genesis's ``(1.0 - q) ** 3``)."""
    b = em.b
    wide = b.fpext(x, ll.DoubleType())
    square = b.fmul(wide, wide, flags=em.fm)
    power = b.fmul(square, wide if n == 3 else square, flags=em.fm)
    return b.fptrunc(power, x.type)


def _neg(em, args, dts, dtype):
    if dtype.is_float:
        return em.b.fneg(args[0], flags=em.fm)
    return em.b.neg(args[0])


def _abs(em, args, dts, dtype):
    a = args[0]
    if dtype.is_float:
        return nm.call_math(em, "fabs", dtype, a)
    if dtype.kind != "int":
        return a
    b = em.b
    return b.select(b.icmp_signed("<", a, const(0, dtype)), b.neg(a), a)  # abs(INT_MIN) wraps to INT_MIN


def _minmax(float_name: str, pred: str) -> OpEmitter:
    def emit(em, args, dts, dtype):
        a, b_ = args
        if dtype.is_float:
            return nm.call_math(em, float_name, dtype, a, b_)  # IEEE maximumNumber / minimumNumber
        b = em.b
        cmp = b.icmp_signed if dtype.kind == "int" else b.icmp_unsigned
        return b.select(cmp(pred, a, b_), a, b_)

    return emit


def _bitwise(name: str) -> OpEmitter:
    def emit(em, args, dts, dtype):
        return getattr(em.b, name)(*args)

    return emit


def _bit_not(em, args, dts, dtype):
    return em.b.not_(args[0])


def _shift(left: bool) -> OpEmitter:
    def emit(em, args, dts, dtype):
        return nm.shift(em, dtype, dts[1], args[0], args[1], left)

    return emit


_FCMP = {Op.EQ: "==", Op.NE: "!=", Op.LT: "<", Op.LE: "<=", Op.GT: ">", Op.GE: ">="}


def _compare(op: Op) -> OpEmitter:
    pred = _FCMP[op]

    def emit(em, args, dts, dtype):
        b = em.b
        t = dts[0]
        if t.is_float:
            # ordered comparisons are false with a NaN operand; != is the unordered one (true with NaN)
            return b.fcmp_unordered(pred, *args) if op is Op.NE else b.fcmp_ordered(pred, *args)
        if t.kind == "int":
            return b.icmp_signed(pred, *args)
        return b.icmp_unsigned(pred, *args)

    return emit


def _logical_not(em, args, dts, dtype):
    return em.b.xor(nm.to_bool(em, dts[0], args[0]), ll.Constant(I1, 1))


def _select(em, args, dts, dtype):
    c, a, b_ = args
    return em.b.select(nm.to_bool(em, dts[0], c), a, b_)


def _cast(em, args, dts, dtype):
    return nm.convert(em, dts[0], dtype, args[0])


def _bitcast(em, args, dts, dtype):
    return nm.bitcast(em, dts[0], dtype, args[0])


def _math(name: str) -> OpEmitter:
    def emit(em, args, dts, dtype):
        return nm.call_math(em, name, dtype, *args)

    return emit


def _rsqrt(em, args, dts, dtype):
    s = nm.call_math(em, "sqrt", dtype, args[0])
    one = ll.Constant(s.type, 1.0)
    return nm.float_binop(em, dtype, "fdiv", one, s)


def _bit_count(kind: str) -> OpEmitter:
    def emit(em, args, dts, dtype):
        return nm.bit_count(em, kind, dts[0], args[0])

    return emit


OP_EMITTERS: dict[Op, OpEmitter] = {
    Op.ADD: _int_or_float(lambda b: b.add, "fadd"),
    Op.SUB: _int_or_float(lambda b: b.sub, "fsub"),
    Op.MUL: _int_or_float(lambda b: b.mul, "fmul"),
    Op.TRUEDIV: _truediv,
    Op.FLOORDIV: _division(nm.int_floordiv, _float_floordiv),
    Op.MOD: _division(nm.int_mod, _float_mod),
    Op.RAW_DIV: _division(nm.int_raw_div, _float_raw_div),
    Op.RAW_MOD: _division(nm.int_raw_mod, _float_raw_mod),
    Op.POW: _pow,
    Op.NEG: _neg,
    Op.ABS: _abs,
    Op.MAX: _minmax("maxnum", ">"),
    Op.MIN: _minmax("minnum", "<"),
    Op.BIT_AND: _bitwise("and_"),
    Op.BIT_OR: _bitwise("or_"),
    Op.BIT_XOR: _bitwise("xor"),
    Op.BIT_NOT: _bit_not,
    Op.SHL: _shift(True),
    Op.SHR: _shift(False),
    **{op: _compare(op) for op in _FCMP},
    Op.LOGICAL_NOT: _logical_not,
    Op.SELECT: _select,
    Op.CAST: _cast,
    Op.BITCAST: _bitcast,
    Op.SQRT: _math("sqrt"),
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
    Op.FLOOR: _math("floor"),
    Op.CEIL: _math("ceil"),
    Op.ROUND: _math("round"),  # llvm.round: half away from zero, like the reference
    Op.TRUNC: _math("trunc"),
    Op.POPCNT: _bit_count("popcnt"),
    Op.CLZ: _bit_count("clz"),
    Op.FFS: _bit_count("ffs"),
}

assert set(OP_EMITTERS) | DECLARED_GAPS == {op for op, i in OP_INFO.items() if i.category != "atomic"}


def emit_op(em, op: Op, args: list, arg_dtypes: list[DataType], dtype: DataType):
    """Emit ``op`` on LLVM values ``args`` (of ``arg_dtypes``) producing a value of ``dtype``."""
    return OP_EMITTERS[op](em, args, arg_dtypes, dtype)


# ------------------------------------------------------------------------------------------------- expression nodes


def _emit_const(em, e: N.Const):
    return const(e.value, e.dtype)


def _emit_local(em, e: N.LocalRef):
    return em.read_var(e.var)


def _emit_arg(em, e: N.ArgRef):
    return em.scalar_arg(e.index)


def _emit_shape(em, e: N.Shape):
    return nm.convert(em, _I64_DT, e.dtype, em.shape(e.arg, e.axis))


def _emit_opexpr(em, e: N.OpExpr):
    args = [emit_expr(em, a) for a in e.args]
    return emit_op(em, e.op, args, [a.dtype for a in e.args], e.dtype)


EXPR_EMITTERS: dict[type, Callable] = {
    N.Const: _emit_const,
    N.LocalRef: _emit_local,
    N.ArgRef: _emit_arg,
    N.Shape: _emit_shape,
    N.OpExpr: _emit_opexpr,
}


def emit_expr(em, e):
    """The LLVM value of expression ``e`` (emitted at the builder's position)."""
    return EXPR_EMITTERS[type(e)](em, e)
