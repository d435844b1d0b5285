"""Writes that name several components at once: ``v.xy = w``, ``v.fill(x)``, ``f.fill(x)`` on an ndarray or field,
and the value conversion of ``x[i] = [a, b]`` (a list or a scalar stored into a vector/matrix element).

The writes are lowered as the equivalent component statements (``v[0] = w[0]; v[1] = w[1]``, or
``for I in qd.grouped(f): f[I] = x``), built as Python AST and handed back to the statement lowering, so they behave
exactly as if the user had written them: local or global targets, parallel or serial loops, atomics, conversions.
"""

from __future__ import annotations

import ast
import itertools

from quadrants.errors import QuadrantsTypeError
from quadrants.frontend import typing_rules as tr
from quadrants.frontend.swizzle import swizzle_indices
from quadrants.frontend.values import MatrixValue, NdarrayValue, is_runtime

__all__ = ["as_components", "assign_swizzle", "aug_assign_swizzle", "fill_components", "fill_array"]

# names bound in a private scope while a synthesized statement is lowered (not valid user identifiers in practice)
_VALUE = "__qd_store_value"
_TARGET = "__qd_store_target"
_INDEX = "__qd_store_index"
_GROUPED = "__qd_store_grouped"


def _describe(shape, dtype=None) -> str:
    inner = ", ".join(map(str, shape))
    return f"[Tensor ({inner}) {dtype}]" if dtype else f"shape ({inner})"


def as_components(ctx, value, shape: tuple, dtype, node) -> tuple:
    """The components (row-major) of ``value`` stored into a vector/matrix of ``shape``.

    A vector/matrix or a (nested) list must have exactly ``shape``; a scalar is broadcast to every component.
    """
    if isinstance(value, (list, tuple)):
        from quadrants.frontend.matrix import make_matrix

        value = make_matrix(ctx, list(value), node)
    if isinstance(value, MatrixValue):
        if tuple(value.shape) != tuple(shape):
            got = _describe(value.shape, tr.matrix_dtype(ctx, value))
            raise QuadrantsTypeError(f"cannot assign '{got}' to '{_describe(shape, dtype)}'", ctx.loc(node))
        return value.items
    if not is_runtime(value) and not isinstance(value, (bool, int, float)):
        raise QuadrantsTypeError(
            f"cannot assign a {type(value).__name__} to a vector/matrix of {_describe(shape)}", ctx.loc(node)
        )
    size = 1
    for s in shape:
        size *= s
    return (value,) * size


def _run(ctx, node, statements: list[ast.stmt], names: dict) -> None:
    """Lower synthesized ``statements`` (located at ``node``) with ``names`` bound in a private scope.

    Only the synthesized AST nodes get ``node``'s location; the user's own nodes embedded in them keep theirs.
    """
    with ctx.scope():
        for name, value in names.items():
            ctx.bind(name, value)
        for stmt in statements:
            for sub in ast.walk(stmt):
                if "lineno" in sub._attributes and not hasattr(sub, "lineno"):
                    ast.copy_location(sub, node)
            ctx.lower.visit(ctx, stmt)


def _component_store(target_ast: ast.expr, key, value_name: str) -> ast.Assign:
    key_ast = ast.Tuple([ast.Constant(k) for k in key], ast.Load()) if isinstance(key, tuple) else ast.Constant(key)
    subscript = ast.Subscript(value=target_ast, slice=key_ast, ctx=ast.Store())
    return ast.Assign(targets=[subscript], value=ast.Name(value_name, ast.Load()))


def _frozen(ctx, value, node):
    return ctx.temp(value, node) if is_runtime(value) else value


def assign_swizzle(ctx, target: ast.Attribute, base, value, node) -> bool:
    """``v.xy = w`` (or ``x[i].zx = w``), ``base`` being the evaluated ``target.value``.

    Returns False when ``target.attr`` is not a swizzle of a vector (the caller reports the error).
    """
    if not isinstance(base, MatrixValue):
        return False
    indices = swizzle_indices(ctx, target, base.shape, target.attr)
    if indices is None:
        return False
    dtype = tr.matrix_dtype(ctx, base)
    parts = as_components(ctx, value, (len(indices),), dtype, node)
    names, statements = {}, []
    for k, (index, part) in enumerate(zip(indices, parts)):
        name = f"{_VALUE}{k}"
        names[name] = _frozen(ctx, part, node)
        statements.append(_component_store(target.value, index, name))
    _run(ctx, node, statements, names)
    return True


def aug_assign_swizzle(ctx, node: ast.AugAssign, base, value) -> bool:
    """``v.xy += w``: one augmented assignment per named component (``v[0] += w[0]; v[1] += w[1]``), so a global
    element's components update as ``x[i][k] += ...`` does. Returns False when the target is no swizzle of a vector
    or names a component twice (the caller then loads, combines and assigns the whole swizzle)."""
    target = node.target
    if not isinstance(base, MatrixValue):
        return False
    indices = swizzle_indices(ctx, target, base.shape, target.attr)
    if indices is None or len(set(indices)) != len(indices):
        return False
    parts = as_components(ctx, value, (len(indices),), tr.matrix_dtype(ctx, base), node)
    names, statements = {}, []
    for k, (index, part) in enumerate(zip(indices, parts)):
        name = f"{_VALUE}{k}"
        names[name] = _frozen(ctx, part, node)
        key_ast = ast.Constant(index)
        subscript = ast.Subscript(value=target.value, slice=key_ast, ctx=ast.Store())
        statements.append(ast.AugAssign(target=subscript, op=node.op, value=ast.Name(name, ast.Load())))
    _run(ctx, node, statements, names)
    return True


def fill_components(ctx, target_ast: ast.expr, m: MatrixValue, value, node) -> None:
    """``v.fill(x)``: ``x`` assigned to every component of the vector/matrix that ``target_ast`` names."""
    if isinstance(value, (MatrixValue, list, tuple)):
        raise QuadrantsTypeError("fill() of a vector/matrix takes a scalar", ctx.loc(node))
    keys = list(range(m.shape[0])) if m.is_vector else list(itertools.product(*(range(s) for s in m.shape)))
    statements = [_component_store(target_ast, key, _VALUE) for key in keys]
    _run(ctx, node, statements, {_VALUE: _frozen(ctx, tr.to_expr(ctx, value, node), node)})


def fill_array(ctx, node, target: NdarrayValue, args: list, kwargs: dict) -> None:
    """``f.fill(x)`` in kernel code: ``for I in qd.grouped(f): f[I] = x`` (parallel at the top level)."""
    from quadrants.frontend.intrinsics import grouped

    if len(args) + len(kwargs) != 1 or (kwargs and "val" not in kwargs):
        raise QuadrantsTypeError("fill() takes one value: f.fill(x)", ctx.loc(node))
    value = args[0] if args else kwargs["val"]
    if target.element_shape:
        parts = as_components(ctx, value, target.element_shape, target.dtype, node)
        value = MatrixValue(tuple(_frozen(ctx, p, node) for p in parts), target.element_shape)
    else:
        if isinstance(value, (MatrixValue, list, tuple)):
            raise QuadrantsTypeError(f"cannot fill the scalar array '{target.name}' with a vector", ctx.loc(node))
        value = _frozen(ctx, tr.to_expr(ctx, value, node), node)
    store = ast.Assign(
        targets=[ast.Subscript(ast.Name(_TARGET, ast.Load()), ast.Name(_INDEX, ast.Load()), ast.Store())],
        value=ast.Name(_VALUE, ast.Load()),
    )
    if target.ndim == 0:
        store.targets[0].slice = ast.Constant(None)
        statements = [store]
    else:
        loop_iter = ast.Call(ast.Name(_GROUPED, ast.Load()), [ast.Name(_TARGET, ast.Load())], [])
        statements = [ast.For(ast.Name(_INDEX, ast.Store()), loop_iter, [store], [])]
    _run(ctx, node, statements, {_VALUE: value, _TARGET: target, _GROUPED: grouped})
