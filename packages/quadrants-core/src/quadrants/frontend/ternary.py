"""``a if c else b`` with a run-time condition (docs/semantics.md §4.3): only the selected branch runs.

Each branch is lowered into its own block of an ``If``; the result is one local per scalar component, declared before
the ``If`` and assigned in both blocks. Besides scalars, the branches may be vectors/matrices of one shape or tuples of
one length (``x[(j, i) if i > j else (i, j)]``, as upstream), nested to any depth; compile-time components (loop
indices, ints) become run-time values. The types of a component are promoted as for a binary operation.
"""

from __future__ import annotations

import ast

from quadrants.errors import QuadrantsTypeError
from quadrants.frontend import typing_rules as tr
from quadrants.frontend.values import MatrixValue
from quadrants.ir import nodes as ir
from quadrants.ir.dtypes import promote

__all__ = ["lower_ternary"]


def _flatten(value) -> list:
    if isinstance(value, tuple):
        return [leaf for item in value for leaf in _flatten(item)]
    if isinstance(value, MatrixValue):
        return list(value.items)
    return [value]


def _structure(value):
    """The nesting of ``value`` without its scalars: equal for branches that can be merged."""
    if isinstance(value, tuple):
        return ("tuple", tuple(_structure(v) for v in value))
    if isinstance(value, MatrixValue):
        return ("matrix", value.shape)
    return "scalar"


def _rebuild(template, leaves: list):
    if isinstance(template, tuple):
        return tuple(_rebuild(item, leaves) for item in template)
    if isinstance(template, MatrixValue):
        return MatrixValue(tuple(leaves.pop(0) for _ in template.items), template.shape)
    return leaves.pop(0)


def lower_ternary(ctx, node: ast.IfExp, cond, evaluate):
    """The value of ``node`` for a run-time (already checked) condition ``cond``."""
    with ctx.nested():
        with ctx.block() as then_block:
            a = evaluate(ctx, node.body)
            a_leaves = [tr.to_expr(ctx, v, node.body) for v in _flatten(a)]
        with ctx.block() as else_block:
            b = evaluate(ctx, node.orelse)
            b_leaves = [tr.to_expr(ctx, v, node.orelse) for v in _flatten(b)]
    if _structure(a) != _structure(b):
        raise QuadrantsTypeError(
            f"the two branches of a ternary with a run-time condition must have the same shape, got {_structure(a)} "
            f"and {_structure(b)}",
            ctx.loc(node),
        )
    results = []
    for x, y in zip(a_leaves, b_leaves):
        common = promote(x.dtype, y.dtype)
        var = ctx.new_var("ternary", common)
        ctx.define(ir.Decl(var, ir.Const(0, common), ctx.loc(node)))
        then_block.append(ir.Assign(var, tr.cast(ctx, x, common), ctx.loc(node.body)))
        else_block.append(ir.Assign(var, tr.cast(ctx, y, common), ctx.loc(node.orelse)))
        results.append(ir.LocalRef(var))
    ctx.emit(ir.If(cond, tuple(then_block), tuple(else_block), ctx.loc(node)))
    return _rebuild(a, results)
