"""Assignment and atomic targets that name a struct member: ``x[i].a``, ``x[i].v[k]``, ``s.a``, ``s.v[k]``.

Reading ``x[i].v`` loads the member into temporaries, so a store or an atomic must not evaluate its target as an
expression: it would update the temporaries. :func:`member_target` resolves such a target to the global element it
names (a member field and its indices) or to the local variables of a local struct, without loading anything.
"""

from __future__ import annotations

import ast
import dataclasses

from quadrants.errors import QuadrantsTypeError
from quadrants.frontend.exprs import evaluate
from quadrants.frontend.struct_values import StructElement, StructValue
from quadrants.frontend.values import MatrixBinding, MatrixValue, NdarrayValue, is_runtime
from quadrants.ir import dtypes, nodes as ir

__all__ = ["member_target"]


def member_target(ctx, node: ast.AST):
    """``("element", (ndarray, indices))``, ``("local", var or MatrixBinding)`` or ``None`` (not a struct member)."""
    if isinstance(node, ast.Attribute):
        return _attribute_target(ctx, node)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        found = _attribute_target(ctx, node.value)
        if found is None or found[0] != "element":
            return None  # a local struct's vector member: its components are locals, the plain path handles them
        nd, indices = found[1]
        if not nd.element_shape:
            raise QuadrantsTypeError(f"member field '{nd.name}' holds scalars and cannot be indexed", ctx.loc(node))
        key = evaluate(ctx, node.slice)
        keys = key if isinstance(key, tuple) else (key,)
        if any(is_runtime(k) for k in keys) or len(keys) != len(nd.element_shape):
            raise QuadrantsTypeError(
                "component indices of a vector/matrix member of a field element must be compile-time ints, one per "
                "axis of the member",
                ctx.loc(node),
            )
        view = dataclasses.replace(nd, ndim=nd.ndim + len(nd.element_shape), element_shape=(), static_shape=None)
        component = tuple(ir.Const(int(k), dtypes.i32) for k in keys)
        return "element", (view, tuple(indices) + component)
    return None


def _attribute_target(ctx, node: ast.Attribute):
    base = evaluate(ctx, node.value)
    if isinstance(base, StructElement) and node.attr in base.ref.field.field_dict:
        member = base.ref.member(ctx, node.attr)
        if isinstance(member, NdarrayValue):
            return "element", (member, base.indices)
        return None
    if isinstance(base, StructValue) and node.attr in base.items:
        value = base.items[node.attr]
        if isinstance(value, ir.LocalRef):
            return "local", value.var
        if isinstance(value, MatrixValue) and all(isinstance(c, ir.LocalRef) for c in value.items):
            return "local", MatrixBinding(tuple(c.var for c in value.items), value.shape)
    return None
