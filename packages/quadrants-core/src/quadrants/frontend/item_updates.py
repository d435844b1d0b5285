"""``obj[i, j] += v`` on a library object passed into a kernel (``qd.linalg.SparseMatrixBuilder``).

A data_oriented class opts in with a ``@qd.func`` method ``_qd_item_update(self, op, *indices, value)`` (``op`` is
``"add"``, ``"sub"``, …, a compile-time string), the tuple ``_qd_item_update_ops`` of the operators it accepts and
the message ``_qd_item_update_error`` for the others. The update is inlined like any func call.
"""

from __future__ import annotations

import ast

from quadrants.errors import QuadrantsSyntaxError
from quadrants.frontend.exprs import evaluate
from quadrants.frontend.funcdef import Func
from quadrants.frontend.structs import StructRef

__all__ = ["lower_item_update"]

_OPS = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.Div: "truediv",
    ast.FloorDiv: "floordiv",
    ast.Mod: "mod",
    ast.Pow: "pow",
    ast.BitAnd: "and",
    ast.BitOr: "or",
    ast.BitXor: "xor",
    ast.LShift: "shl",
    ast.RShift: "shr",
}


def lower_item_update(ctx, node: ast.AugAssign) -> bool:
    """Lower ``node`` when its target is ``obj[...]`` of an object with an item-update hook; False otherwise."""
    target = node.target
    if not isinstance(target, ast.Subscript) or not isinstance(target.value, (ast.Name, ast.Attribute)):
        return False
    base = evaluate(ctx, target.value)
    if not isinstance(base, StructRef):
        return False
    hook = getattr(type(base.obj), "_qd_item_update", None)
    if not isinstance(hook, Func):
        return False
    op = _OPS.get(type(node.op))
    if op not in getattr(type(base.obj), "_qd_item_update_ops", ()):
        message = getattr(
            type(base.obj), "_qd_item_update_error", f"this update is not supported on {type(base.obj).__name__}"
        )
        raise QuadrantsSyntaxError(message, ctx.loc(node))
    index = evaluate(ctx, target.slice)
    indices = list(index) if isinstance(index, tuple) else [index]
    from quadrants.frontend.funcs import inline

    inline(ctx, hook, node, [base, op, *indices, evaluate(ctx, node.value)], {})
    return True
