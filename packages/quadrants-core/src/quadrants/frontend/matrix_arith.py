"""Scalar arithmetic used to lower vector/matrix operations component by component.

Each function takes two (or one) scalar values, compile-time Python numbers or run-time IR expressions, and returns
one: two compile-time operands are combined by Python (docs/semantics.md §3), anything else becomes a typed IR operation
under the usual promotion rules (§4). Vector/matrix lowerings (``frontend/matrix_methods.py``,
``frontend/matrix_linalg.py``) and other kernel-language functions built on them (``qd.math``) share these, so that
every method evaluates the same expression tree as upstream Quadrants and rounds identically.
"""

from __future__ import annotations

import operator

from quadrants.frontend import typing_rules as tr
from quadrants.frontend.values import is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = ["add", "sub", "mul", "div", "neg", "sqrt", "rsqrt", "absolute", "greater", "select", "total", "fold"]


def _binary(op: Op, symbol: str, host):
    def apply(ctx, node, x, y):
        if not is_runtime(x) and not is_runtime(y):
            return tr.python_call(ctx, node, host, (x, y), {})
        return tr.binary(ctx, op, symbol, x, y, node)

    apply.__name__ = op.value
    apply.__doc__ = f"``x {symbol} y`` on two scalars."
    return apply


add = _binary(Op.ADD, "+", operator.add)
sub = _binary(Op.SUB, "-", operator.sub)
mul = _binary(Op.MUL, "*", operator.mul)
div = _binary(Op.TRUEDIV, "/", operator.truediv)


def neg(ctx, node, x):
    """``-x``."""
    if not is_runtime(x):
        return -x
    return ir.OpExpr(Op.NEG, (x,), x.dtype)


def _float_operand(ctx, node, x):
    x = tr.to_expr(ctx, x, node)
    return x if x.dtype.is_float else tr.cast(ctx, x, ctx.default_fp)


def sqrt(ctx, node, x):
    """``qd.sqrt(x)``: integer operands become default_fp first (docs/semantics.md §6)."""
    x = _float_operand(ctx, node, x)
    return ir.OpExpr(Op.SQRT, (x,), x.dtype)


def rsqrt(ctx, node, x):
    """``qd.rsqrt(x)``: integer operands become default_fp first (docs/semantics.md §20 #16)."""
    x = _float_operand(ctx, node, x)
    return ir.OpExpr(Op.RSQRT, (x,), x.dtype)


def absolute(ctx, node, x):
    """``abs(x)``; unsigned and boolean values are returned unchanged."""
    if not is_runtime(x):
        return abs(x)
    return x if x.dtype.kind in ("uint", "bool") else ir.OpExpr(Op.ABS, (x,), x.dtype)


def greater(ctx, node, x, y):
    """``x > y`` as a u1 value."""
    if not is_runtime(x) and not is_runtime(y):
        return x > y
    return tr.compare(ctx, Op.GT, x, y, node)


def select(ctx, node, cond, a, b):
    """``cond ? a : b`` with both branches promoted to one type (all operands are evaluated)."""
    if not is_runtime(cond):
        return a if cond else b
    a, b = tr.to_expr(ctx, a, node), tr.to_expr(ctx, b, node)
    common = dtypes.promote(a.dtype, b.dtype)
    return ir.OpExpr(Op.SELECT, (cond, tr.cast(ctx, a, common), tr.cast(ctx, b, common)), common)


def fold(ctx, node, values, combine):
    """``combine(...combine(combine(v0, v1), v2)..., vn)``: left to right, as upstream's reductions."""
    result = values[0]
    for v in values[1:]:
        result = combine(ctx, node, result, v)
    return result


def total(ctx, node, values):
    """The sum of ``values``, added left to right."""
    return fold(ctx, node, list(values), add)
