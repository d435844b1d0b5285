"""Slices of vectors and matrices in kernel code: ``v[1:]``, ``m[i, :]``, ``m[:, j]``, ``m[0:2, 1:3]``
(docs/vectors-and-matrices.md).

As upstream, the bounds and step of a slice are compile-time values, while an axis indexed by an int may be a run-time
index (``m[i, :]`` with a loop variable ``i``: each component is then a select over that axis). An axis indexed by an
int is dropped from the result, so ``m[i, :]`` and ``m[:, j]`` are vectors, and two slices give a matrix.
"""

from __future__ import annotations

import ast
import itertools

from quadrants.errors import QuadrantsIndexError, QuadrantsSyntaxError
from quadrants.frontend.matrix import dynamic_index
from quadrants.frontend.values import MatrixValue, is_runtime

__all__ = ["has_slice", "slice_matrix", "store_slice"]


def has_slice(index_node: ast.AST) -> bool:
    """Whether a subscript's index is a slice or a tuple holding one."""
    if isinstance(index_node, ast.Slice):
        return True
    return isinstance(index_node, ast.Tuple) and any(isinstance(e, ast.Slice) for e in index_node.elts)


def _static_bound(ctx, evaluate, node, bound_node):
    if bound_node is None:
        return None
    value = evaluate(ctx, bound_node)
    if is_runtime(value) or not isinstance(value, int) or isinstance(value, bool):
        raise QuadrantsSyntaxError(
            "Quadrants does not support variables in slice now, please use constant instead of it: the bounds and step "
            "of a vector/matrix slice must be compile-time ints",
            ctx.loc(node),
        )
    return value


def _axis_positions(ctx, evaluate, node, key_node, size: int):
    """``(positions, kept)``: the component positions a key selects on an axis of ``size``, and whether the axis
    stays in the result (a slice) or is dropped (an int, possibly run-time)."""
    if isinstance(key_node, ast.Slice):
        bounds = [_static_bound(ctx, evaluate, node, b) for b in (key_node.lower, key_node.upper, key_node.step)]
        return list(range(*slice(*bounds).indices(size))), True
    key = evaluate(ctx, key_node)
    return [key], False


def _axes(ctx, evaluate, node: ast.Subscript, m: MatrixValue) -> list:
    keys = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    if len(keys) != len(m.shape):
        raise QuadrantsIndexError(f"Expected {len(m.shape)} indices, got {len(keys)}", ctx.loc(node))
    axes = [_axis_positions(ctx, evaluate, node, k, size) for k, size in zip(keys, m.shape)]
    if any(keep and not positions for positions, keep in axes):
        raise QuadrantsIndexError("a vector/matrix slice must select at least one component", ctx.loc(node))
    return axes


def slice_matrix(ctx, evaluate, node: ast.Subscript, m: MatrixValue):
    """The vector or matrix that ``m[...]`` with at least one slice selects."""
    axes = _axes(ctx, evaluate, node, m)

    def component(index: tuple):
        if any(is_runtime(k) for k in index):
            return dynamic_index(ctx, node, m, index)
        for k, size in zip(index, m.shape):
            if not -size <= k < size:
                raise QuadrantsIndexError(
                    f"index {k} is out of range for a vector/matrix of shape {m.shape}", ctx.loc(node)
                )
        return m.at(*(k % size for k, size in zip(index, m.shape)))

    positions = [p for p, _ in axes]
    shape = tuple(len(p) for p, keep in axes if keep)
    if len(m.shape) == 1:
        return MatrixValue(tuple(component((p,)) for p in positions[0]), shape)
    return MatrixValue(tuple(component((r, c)) for r in positions[0] for c in positions[1]), shape)


def store_slice(ctx, evaluate, target: ast.Subscript, base: MatrixValue, value, node, store_at) -> None:
    """``m[i, :] = v``, ``v[1:3] = w``: every selected component of the local ``base`` gets the matching component
    of ``value`` (a vector/matrix with as many components, row-major) or ``value`` itself (a scalar)."""
    axes = _axes(ctx, evaluate, target, base)
    positions = list(itertools.product(*(p for p, _ in axes)))
    if isinstance(value, MatrixValue):
        if len(value.items) != len(positions):
            shape = tuple(len(p) for p, keep in axes if keep)
            raise QuadrantsIndexError(
                f"cannot assign a vector/matrix of shape {value.shape} to a slice of shape {shape}", ctx.loc(node)
            )
        parts = list(value.items)
    else:
        parts = [value] * len(positions)
    for position, part in zip(positions, parts):
        store_at(ctx, target, base, position, part, node)
