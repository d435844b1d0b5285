"""Buffer views in kernel code: ``v: qd.BufferView[qd.f32]`` parameters, ``v[i]``, ``v.size``, ``v.subview(o, n)``,
``v[a:b]`` (docs/buffer-views.md).

A view of a 1-D ndarray is the ndarray plus a run-time ``offset`` and ``size``. The kernel receives three arguments,
as upstream's does: the ndarray (by reference) and the two integers, read like the members of a dataclass argument
(``frontend/structs.py``), so a new view of the same ndarray type never recompiles. In kernel code the view is an
:class:`~quadrants.frontend.values.NdarrayValue` with ``view=(offset, size)``: every load, store and atomic goes
through :func:`view_indices` (called by ``exprs.element_indices``), which adds the offset to the index and, under
``qd.init(debug=True)``, first checks ``0 <= i < size`` (``QuadrantsAssertionError`` naming the kernel). Subviews and
slices make new views of the same ndarray; their offset and size are frozen into locals when they are made.
"""

from __future__ import annotations

import ast
import dataclasses

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import typing_rules as tr
from quadrants.frontend.values import BoundMethod, NdarrayValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = ["BufferViewType", "is_buffer_view", "ref_view", "view_indices", "view_attribute", "slice_view"]


class BufferViewType:
    """The annotation ``qd.BufferView[dtype]`` (or ``qd.types.BufferViewType(dtype)``) of a view parameter.

    ``dtype`` of ``None`` (a plain ``qd.BufferView`` annotation) accepts a view of any ndarray; ``boundary`` is
    upstream's ndarray boundary mode, kept for its repr (indices are not clamped here).
    """

    def __init__(self, dtype=None, boundary: str = "unsafe"):
        self.dtype = dtype
        self.boundary = boundary

    def __repr__(self) -> str:
        return f"BufferViewType(dtype={self.dtype}, boundary={self.boundary})"

    def __eq__(self, other) -> bool:
        return isinstance(other, BufferViewType) and (self.dtype, self.boundary) == (other.dtype, other.boundary)

    def __hash__(self) -> int:
        return hash(("BufferViewType", self.dtype, self.boundary))


def is_buffer_view(value) -> bool:
    """True for a host ``qd.BufferView`` (recognised by its protocol attribute: the class lives in the runtime)."""
    return getattr(type(value), "_qd_buffer_view", False)


def ref_view(ctx, ref, node, read_member) -> NdarrayValue:
    """The kernel-side view of the host view ``ref.obj`` (a ``structs.StructRef``) reached through a parameter: the
    parameter itself, or a member of a dataclass / data_oriented argument. Its ``arr``, ``offset`` and ``size`` are
    read with ``read_member`` (``structs.member``, passed in: structs imports this module) like the parameter's other
    members, so they become an ndarray argument and two run-time scalars."""
    name = ".".join((ref.param_name, *ref.path))  # self.view: how the user wrote it
    arr = read_member(ctx, ref, "arr", node)
    if not isinstance(arr, NdarrayValue) or arr.ndim != 1:
        raise QuadrantsTypeError(f"BufferView '{name}' must view a 1-D ndarray", ctx.loc(node) if node else None)
    offset, size = read_member(ctx, ref, "offset", node), read_member(ctx, ref, "size", node)
    return dataclasses.replace(arr, name=name, view=(offset, size))


def _int_expr(ctx, value, node, what: str):
    expr = tr.to_expr(ctx, value, node)
    if expr.dtype.is_float:
        raise QuadrantsTypeError(f"a BufferView {what} must be an integer, got {expr.dtype}", ctx.loc(node))
    return expr


def _check(ctx, node, conditions, message: str) -> None:
    for cond in conditions:  # one check per condition: the message is the same
        ctx.emit(ir.Check(cond, "assert", message, ctx.loc(node)))


def _text(node) -> str:
    return ast.unparse(node) if isinstance(node, ast.AST) else str(node)


def view_indices(ctx, target: NdarrayValue, out: list, index_node, node) -> list:
    """``v[i]``: ``i + offset`` on the ndarray, after the debug check ``0 <= i < size``."""
    offset, size = target.view
    i = out[0]
    if ctx.debug:
        size_expr = tr.to_expr(ctx, size, node)
        zero = ir.Const(0, i.dtype)
        _check(
            ctx,
            node,
            [ir.OpExpr(Op.GE, (i, zero), dtypes.u1), tr.compare(ctx, Op.LT, i, size_expr, node)],
            f"BufferView Out Of Range: kernel[{ctx.kernel_name}]: index {_text(index_node)} is outside the view "
            f"'{target.name}' [0, size) of its ndarray",
        )
    out = list(out)
    out[0] = tr.binary(ctx, Op.ADD, "+", i, offset, node)
    return out


def _subview(ctx, node, view: NdarrayValue, offset, size, what: str) -> NdarrayValue:
    """A view of ``[offset, offset + size)`` of ``view``'s range (relative offsets, upstream's ``subview``)."""
    parent_offset, parent_size = view.view
    off = _int_expr(ctx, offset, node, "offset")
    n = _int_expr(ctx, size, node, "size")
    if ctx.debug:
        parent = tr.to_expr(ctx, parent_size, node)
        end = tr.binary(ctx, Op.ADD, "+", off, n, node)
        _check(
            ctx,
            node,
            [
                ir.OpExpr(Op.GE, (off, ir.Const(0, off.dtype)), dtypes.u1),
                ir.OpExpr(Op.GE, (n, ir.Const(0, n.dtype)), dtypes.u1),
                tr.compare(ctx, Op.LE, end, parent, node),
            ],
            f"BufferView subview Out Of Range: kernel[{ctx.kernel_name}]: {what} is outside the view '{view.name}'",
        )
    start = ctx.temp(tr.binary(ctx, Op.ADD, "+", parent_offset, off, node), node, f"{view.name}_offset")
    return dataclasses.replace(view, view=(start, ctx.temp(n, node, f"{view.name}_size")))


def _lower_subview(ctx, node, view, args, kwargs):
    names = ("offset", "size")
    values = dict(zip(names, args))
    values.update(kwargs)
    if len(args) > 2 or set(values) != set(names):
        raise QuadrantsTypeError("subview() takes offset and size", ctx.loc(node))
    what = f"subview({', '.join(_text(a) for a in node.args)})"
    return _subview(ctx, node, view, values["offset"], values["size"], what)


def slice_view(ctx, node: ast.Subscript, view: NdarrayValue, evaluate) -> NdarrayValue:
    """``v[a:b]`` in kernel code: ``v.subview(a, b - a)`` (missing ends are 0 and ``v.size``; no step)."""
    s = node.slice
    if s.step is not None:
        raise QuadrantsSyntaxError("BufferView slices take no step", ctx.loc(node))
    start = evaluate(ctx, s.lower) if s.lower is not None else 0
    stop = evaluate(ctx, s.upper) if s.upper is not None else view.view[1]
    if not is_runtime(start) and not is_runtime(stop):
        size = stop - start
    else:
        size = tr.binary(ctx, Op.SUB, "-", stop, start, node)
    return _subview(ctx, node, view, start, size, f"slice [{_text(s)}]")


def view_attribute(ctx, view: NdarrayValue, attr: str, node):
    """``v.size``, ``v.offset``, ``v.shape``, ``v.subview``, ``v.arr`` / ``v.get_ndarray`` in kernel code."""
    offset, size = view.view
    if attr == "size":
        return size
    if attr == "offset":
        return offset
    if attr == "shape":
        return (size,)
    if attr == "subview":
        return BoundMethod(view, _lower_subview)
    if attr == "arr":
        return dataclasses.replace(view, view=None)
    raise QuadrantsSyntaxError(f"BufferView has no attribute '{attr}' in kernel code", ctx.loc(node))
