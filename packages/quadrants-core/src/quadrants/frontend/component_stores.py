"""``v[k] = s``, ``m[i, j] = s`` and ``x[i][j, k] = s``: one component of a local vector/matrix or of a vector/matrix
element of an ndarray or field, with compile-time or run-time component indices.

A run-time index stores through a chain of guarded stores (``if j == 0: ...; if j == 1: ...``), the counterpart of the
select chain that reads such a component (``frontend/matrix.py``).
"""

from __future__ import annotations

import ast

from quadrants.errors import QuadrantsIndexError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import typing_rules as tr
from quadrants.frontend.exprs import _flatten_index, component_targets, element_indices, evaluate
from quadrants.frontend.matrix import check_component_bounds
from quadrants.frontend.values import MatrixValue, NdarrayValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = ["store_component", "store_at"]


def _destinations(ctx, target: ast.Subscript, base: MatrixValue, node) -> list:
    """One ``store(value) -> statement`` per component (row-major)."""
    inner = target.value
    if isinstance(inner, ast.Subscript):
        owner = evaluate(ctx, inner.value)
        if isinstance(owner, NdarrayValue) and owner.element_shape:
            indices = element_indices(ctx, owner, inner.slice, inner)
            return [
                lambda v, view=view, idx=idx: ir.Store(
                    view.arg, idx, tr.implicit(ctx, v, view.dtype, node), ctx.loc(node)
                )
                for view, idx in component_targets(owner, indices)
            ]
    if not all(isinstance(v, ir.LocalRef) for v in base.items):
        raise QuadrantsSyntaxError("only local vectors/matrices can be assigned by component", ctx.loc(node))
    return [
        lambda v, var=item.var: ir.Assign(var, tr.implicit(ctx, v, var.dtype, node), ctx.loc(node))
        for item in base.items
    ]


def _hit(ctx, key, position: int):
    return ir.OpExpr(Op.EQ, (key, tr.cast(ctx, ir.Const(position, dtypes.i32), key.dtype)), dtypes.u1)


def store_component(ctx, target: ast.Subscript, base: MatrixValue, value, node) -> None:
    """Store ``value`` into the component of ``base`` (the evaluated ``target.value``) that ``target`` names."""
    key = evaluate(ctx, target.slice)
    store_at(ctx, target, base, tuple(_flatten_index(key)), value, node)  # m[I] = v with a grouped index I too


def store_at(ctx, target: ast.Subscript, base: MatrixValue, keys: tuple, value, node) -> None:
    """Store ``value`` into component ``keys`` (evaluated; compile-time or run-time) of ``base``, which ``target``
    (a subscript of it) reaches."""
    wanted = 1 if base.is_vector else 2
    if len(keys) != wanted:
        raise QuadrantsIndexError(f"Expected {wanted} indices, got {len(keys)}", ctx.loc(node))
    keys = tuple(tr.to_expr(ctx, k, node) if is_runtime(k) else k for k in keys)
    for k in keys:
        if is_runtime(k) and k.dtype.is_float:
            raise QuadrantsTypeError(f"vector/matrix indices must be integers, got {k.dtype}", ctx.loc(node))
    check_component_bounds(ctx, node, base.shape, keys)
    stores = _destinations(ctx, target, base, node)
    width = 1 if base.is_vector else base.shape[1]
    ranges = [range(n) if is_runtime(k) else [k] for k, n in zip(keys, base.shape)]
    if not any(is_runtime(k) for k in keys):
        flat = keys[0] if base.is_vector else keys[0] * width + keys[1]
        ctx.emit(stores[flat](value))
        return
    value = ctx.temp(tr.to_expr(ctx, value, node), node)
    import itertools

    for position in itertools.product(*ranges):
        conds = [_hit(ctx, k, p) for k, p in zip(keys, position) if is_runtime(k)]
        cond = conds[0] if len(conds) == 1 else ir.OpExpr(Op.BIT_AND, tuple(conds), dtypes.u1)
        flat = position[0] if base.is_vector else position[0] * width + position[1]
        ctx.emit(ir.If(cond, (stores[flat](value),), (), ctx.loc(node)))
