"""Integer overflow reports under ``qd.init(debug=True)`` (docs/language.md, "Integer overflow under debug").

As upstream: an integer ``+``, ``-``, ``*`` or ``<<`` whose exact result does not fit its dtype prints
``Addition overflow detected in File "...", line N, in f:`` with the source line and a caret, and the kernel goes
on with the wrapped value (a report, not an exception). The check is ordinary IR, so every backend runs it: the
operands and the wrapped result are kept in locals, an overflow condition is computed from them, and an ``If``
guards a ``Print`` of the message.

Conditions (``r`` is the wrapped result of ``a op b`` in the dtype):

* add: signed ``((a ^ r) & (b ^ r)) < 0``; unsigned ``r < a``.
* sub: signed ``((a ^ b) & (a ^ r)) < 0``; unsigned ``a < b``.
* mul: up to 16 bits the exact product in 32 bits differs from ``r``; wider, ``r / a != b`` for ``a`` other than 0
  (and, signed, ``a == -1`` with ``b`` the minimum, the one case whose division would itself overflow).
* shl: shifting ``r`` back (arithmetic for signed) does not give ``a``.
"""

from __future__ import annotations

import ast

from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.dtypes import DataType
from quadrants.ir.ops import Op

__all__ = ["CHECKED_OPS", "checked_op"]

_NAMES = {Op.ADD: "Addition", Op.SUB: "Subtraction", Op.MUL: "Multiplication", Op.SHL: "Shift left"}
CHECKED_OPS = frozenset(_NAMES)
_U1 = dtypes.u1
_SIMPLE = (ir.Const, ir.ArgRef, ir.Shape, ir.LocalRef)


def _op(op: Op, dtype: DataType, *args) -> ir.OpExpr:
    return ir.OpExpr(op, args, dtype)


def _c(value, dtype: DataType) -> ir.Const:
    return ir.Const(value, dtype)


def _negative(x, dtype: DataType) -> ir.OpExpr:
    return _op(Op.LT, _U1, x, _c(0, dtype))


def _add(a, b, r, t: DataType):
    if t.kind == "int":
        return _negative(_op(Op.BIT_AND, t, _op(Op.BIT_XOR, t, a, r), _op(Op.BIT_XOR, t, b, r)), t)
    return _op(Op.LT, _U1, r, a)


def _sub(a, b, r, t: DataType):
    if t.kind == "int":
        return _negative(_op(Op.BIT_AND, t, _op(Op.BIT_XOR, t, a, b), _op(Op.BIT_XOR, t, a, r)), t)
    return _op(Op.LT, _U1, a, b)


def _mul(a, b, r, t: DataType):
    if t.bits <= 16:  # the exact product fits 32 bits
        wide = dtypes.i32 if t.kind == "int" else dtypes.u32
        exact = _op(Op.MUL, wide, _op(Op.CAST, wide, a), _op(Op.CAST, wide, b))
        return _op(Op.NE, _U1, exact, _op(Op.CAST, wide, r))
    false = _c(False, _U1)
    if t.kind != "int":  # r / a == b unless the product wrapped (a == 0 divides to 0 and is masked)
        return _op(Op.SELECT, _U1, _op(Op.NE, _U1, a, _c(0, t)), _op(Op.NE, _U1, _op(Op.RAW_DIV, t, r, a), b), false)
    # signed: r / -1 with r the minimum would overflow the division itself, so a == -1 is decided by b alone
    minus_one = _op(Op.EQ, _U1, a, _c(-1, t))
    divisor = _op(Op.SELECT, t, minus_one, _c(1, t), a)
    wrapped = _op(Op.NE, _U1, _op(Op.RAW_DIV, t, r, divisor), b)
    ordinary = _op(Op.SELECT, _U1, _op(Op.NE, _U1, a, _c(0, t)), wrapped, false)
    return _op(Op.SELECT, _U1, minus_one, _op(Op.EQ, _U1, b, _c(t.min, t)), ordinary)


def _shl(a, b, r, t: DataType):
    return _op(Op.NE, _U1, _op(Op.SHR, t, r, b), a)


_CONDITIONS = {Op.ADD: _add, Op.SUB: _sub, Op.MUL: _mul, Op.SHL: _shl}


def _local(ctx, value, node, name: str):
    return value if isinstance(value, _SIMPLE) else ctx.temp(value, node, name)


def checked_op(ctx, op: Op, a, b, dtype: DataType, node: ast.AST | None) -> ir.Expr:
    """``a <op> b`` (run-time operands already of the op's types) followed by its overflow report; returns the
    wrapped result, held in a local."""
    a, b = _local(ctx, a, node, "lhs"), _local(ctx, b, node, "rhs")
    r = ctx.temp(ir.OpExpr(op, (a, b), dtype), node, "res")
    loc = ctx.loc(node)
    text = f"{_NAMES[op]} overflow detected"
    if loc is not None:
        caret = loc.caret()
        text += f" in {loc}:\n{caret}\n" if caret else f" in {loc}\n"
    report = ir.Print((text,), loc, sep="", end="\n")
    ctx.emit(ir.If(_CONDITIONS[op](a, b, r, dtype), (report,), (), loc))
    return r
