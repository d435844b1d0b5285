"""Constant folding: an ``OpExpr`` whose operands are all ``Const`` becomes a ``Const``.

Folding calls :func:`quadrants.ir.numerics.fold`, the same scalar numerics the reference interpreter runs, so a
folded constant can never disagree with run time (STYLE.md habit 2).
"""

from __future__ import annotations

from quadrants.ir.nodes import Const, Expr, OpExpr, Program
from quadrants.ir.rewrite import map_exprs

__all__ = ["fold_constants"]


def fold_constants(program: Program) -> Program:
    """Return ``program`` with every all-constant operation folded; unchanged when numerics are unavailable."""
    try:
        from quadrants.ir.numerics import fold
    except ImportError:
        return program

    def fold_expr(e: Expr) -> Expr:
        if not isinstance(e, OpExpr) or not e.args or not all(isinstance(a, Const) for a in e.args):
            return e
        try:
            value = fold(e.op, tuple(a.value for a in e.args), tuple(a.dtype for a in e.args), e.dtype)
        except NotImplementedError:
            return e
        if value is None:
            return e
        return Const(value.item() if hasattr(value, "item") else value, e.dtype)  # NumPy scalar -> Python value

    return map_exprs(program, fold_expr)
