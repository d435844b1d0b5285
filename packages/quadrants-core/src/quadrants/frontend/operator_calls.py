"""Python's ``operator`` functions (``operator.add(a, b)``, …) and the builtins ``any``/``all`` in kernel code.

Upstream's values overload Python's operators, so a program may pass ``operator.add`` around and apply it to vectors
in a kernel, or call ``any(v)``/``all(v)`` on a vector. These rows of the call table (``frontend/calls.py``) lower such
calls exactly as the matching expression (``a + b``, ``v.any()``); on compile-time values they are Python's.
"""

from __future__ import annotations

import ast
import builtins
import operator

from quadrants.errors import QuadrantsTypeError
from quadrants.frontend import exprs
from quadrants.frontend.matrix_methods import METHODS
from quadrants.frontend.typing_rules import all_static, python_call
from quadrants.frontend.values import MatrixValue

__all__ = ["operator_rows"]

_BINARY = {
    operator.add: ast.Add,
    operator.sub: ast.Sub,
    operator.mul: ast.Mult,
    operator.truediv: ast.Div,
    operator.floordiv: ast.FloorDiv,
    operator.mod: ast.Mod,
    operator.pow: ast.Pow,
    operator.matmul: ast.MatMult,
    operator.and_: ast.BitAnd,
    operator.or_: ast.BitOr,
    operator.xor: ast.BitXor,
    operator.lshift: ast.LShift,
    operator.rshift: ast.RShift,
}
_COMPARE = {
    operator.eq: ast.Eq,
    operator.ne: ast.NotEq,
    operator.lt: ast.Lt,
    operator.le: ast.LtE,
    operator.gt: ast.Gt,
    operator.ge: ast.GtE,
}
_UNARY = {operator.neg: ast.USub, operator.pos: ast.UAdd, operator.invert: ast.Invert, operator.not_: ast.Not}


def _arity(ctx, node, fn, args, n: int) -> None:
    if len(args) != n:
        raise QuadrantsTypeError(f"{fn.__name__}() takes {n} argument(s) but {len(args)} were given", ctx.loc(node))


def _binary(fn, op_type):
    def lower(ctx, node, args, kwargs):
        _arity(ctx, node, fn, args, 2)
        binop = ast.copy_location(ast.BinOp(left=node, op=op_type(), right=node), node)
        return exprs._binop_values(ctx, binop, args[0], args[1])

    return lower


def _compare(fn, op_type):
    def lower(ctx, node, args, kwargs):
        _arity(ctx, node, fn, args, 2)
        return exprs._compare_pair(ctx, node, op_type(), args[0], args[1])

    return lower


def _unary(fn, op_type):
    def lower(ctx, node, args, kwargs):
        _arity(ctx, node, fn, args, 1)
        return exprs.unary_values(ctx, ast.copy_location(ast.UnaryOp(op=op_type(), operand=node), node), args[0])

    return lower


def _truth_reduction(fn, method: str):
    """``any(v)`` / ``all(v)``: a vector's ``v.any()`` / ``v.all()``; Python's for compile-time sequences."""

    def lower(ctx, node, args, kwargs):
        if len(args) == 1 and isinstance(args[0], MatrixValue) and not kwargs:
            return METHODS[method](ctx, node, args[0], [], {})
        if all_static(args):
            return python_call(ctx, node, fn, args, kwargs)
        raise QuadrantsTypeError(
            f"{fn.__name__}() in kernel code takes a vector/matrix or a compile-time sequence", ctx.loc(node)
        )

    return lower


def operator_rows() -> dict:
    """``callable -> (lower, kind)`` rows for ``frontend/calls.py``'s call table (arguments evaluated first)."""
    rows = {}
    for table, make in ((_BINARY, _binary), (_COMPARE, _compare), (_UNARY, _unary)):
        for fn, op_type in table.items():
            rows[fn] = (make(fn, op_type), "values")
    rows[builtins.any] = (_truth_reduction(builtins.any, "any"), "values")
    rows[builtins.all] = (_truth_reduction(builtins.all, "all"), "values")
    return rows
