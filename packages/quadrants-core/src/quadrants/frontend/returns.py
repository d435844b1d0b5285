"""Kernel return values: the return layout from the annotation, its flat slots, and ``return`` in a kernel body
(docs/semantics.md §11)."""

from __future__ import annotations

import ast
import typing

from quadrants.errors import QuadrantsCompilationError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import struct_values, typing_rules as tr
from quadrants.frontend.compound_types import MatrixType
from quadrants.frontend.struct_types import StructType, leaf_paths
from quadrants.frontend.values import MatrixValue, is_runtime
from quadrants.ir import nodes as ir
from quadrants.ir.dtypes import DataType, to_dtype
from quadrants.ir.numerics import convert_scalar

__all__ = ["parse_returns", "flat_returns", "emit_kernel_return", "convert_func_return"]


def parse_returns(annotation, ctx_or_session) -> tuple:
    """Return types from a kernel's return annotation (``None``, a dtype, a vector/matrix type, ``tuple[...]``)."""
    ip, fp = ctx_or_session.default_ip, ctx_or_session.default_fp

    def one(t):
        if isinstance(t, StructType):
            return t
        if isinstance(t, MatrixType):
            return t.resolved(fp)
        try:
            return to_dtype(t, ip, fp)
        except (TypeError, ValueError):  # NumPy's ValueError for objects such as an NDArray annotation
            raise TypeError(f"{t!r} is not a return type") from None

    if annotation is None or annotation is type(None):
        return ()
    origin = typing.get_origin(annotation)
    if origin is tuple or isinstance(annotation, tuple):
        items = typing.get_args(annotation) if origin is tuple else annotation
        return tuple(one(t) for t in items)
    return (one(annotation),)


def flat_returns(layout: tuple) -> tuple:
    """Scalar return slots of a return layout (vector/matrix returns take one slot per component)."""
    out = []
    for t in layout:
        if isinstance(t, StructType):
            out.extend(dtype for _, dtype in leaf_paths(t))
        elif isinstance(t, MatrixType):
            size = 1
            for s in t.shape:
                size *= s
            out.extend([t.dtype] * size)
        else:
            out.append(t)
    return tuple(out)


def _check_float_components(ctx, parts, dtype, node) -> None:
    """As upstream: a vector/matrix return annotated with an integer element type does not take float components
    (a scalar return converts; a vector's components are not converted implicitly)."""
    if dtype.is_float:
        return
    for part in parts:
        src = ctx.default_fp if isinstance(part, float) else getattr(part, "dtype", None)
        if src is not None and src.is_float:
            raise QuadrantsCompilationError(
                f"Return (type={src}) cannot be converted into required type {dtype}: the kernel's return annotation "
                f"has {dtype} components; convert the value first, e.g. v.cast({dtype}) or qd.cast(v, {dtype})",
                ctx.loc(node),
            )


def emit_kernel_return(ctx, value, node: ast.Return) -> None:
    if not ctx.return_layout:
        if value is None:
            return
        raise QuadrantsSyntaxError(
            "A kernel with a return value must be annotated with a return type, e.g. `def k(...) -> qd.i32:`",
            ctx.loc(node),
        )
    values = value if isinstance(value, tuple) else (value,)
    if value is None or len(values) != len(ctx.return_layout):
        raise QuadrantsTypeError(
            f"the kernel returns {len(ctx.return_layout)} value(s) by its annotation but this return gives "
            f"{0 if value is None else len(values)}",
            ctx.loc(node),
        )
    slot = 0
    for v, rtype in zip(values, ctx.return_layout):
        if isinstance(rtype, StructType):
            if not struct_values.is_struct(v):
                raise QuadrantsTypeError(f"the kernel must return a struct {rtype!r} here", ctx.loc(node))
            parts = struct_values.flat_leaves(ctx, v, rtype, node)
            for part, (_, dtype) in zip(parts, leaf_paths(rtype)):
                ctx.emit(ir.SetReturn(slot, tr.implicit(ctx, part, dtype, node), ctx.loc(node)))
                slot += 1
            continue
        if isinstance(rtype, MatrixType):
            if not isinstance(v, MatrixValue) or v.shape != rtype.shape:
                raise QuadrantsTypeError(f"the kernel must return a {rtype} here", ctx.loc(node))
            parts, dtype = v.items, rtype.dtype
            _check_float_components(ctx, parts, dtype, node)
        elif is_runtime(v) or isinstance(v, (bool, int, float)):
            parts, dtype = (v,), rtype
        else:
            raise QuadrantsTypeError(f"cannot return a {type(v).__name__} from a kernel", ctx.loc(node))
        for part in parts:
            ctx.emit(ir.SetReturn(slot, tr.implicit(ctx, part, dtype, node), ctx.loc(node)))
            slot += 1


def _converted(ctx, x, dtype: DataType, node):
    if is_runtime(x):
        return tr.cast(ctx, x, dtype, node)
    if isinstance(x, (bool, int, float)):  # a compile-time number stays one, of the annotated kind
        return convert_scalar(x, dtype)
    return x


def _convert_one(ctx, rtype, value, node):
    if isinstance(rtype, MatrixType):
        if isinstance(value, MatrixValue) and value.shape == rtype.shape:
            return MatrixValue(tuple(_converted(ctx, x, rtype.dtype, node) for x in value.items), value.shape)
        return value
    if isinstance(rtype, DataType) and not isinstance(value, tuple):
        return _converted(ctx, value, rtype, node)
    return value


def convert_func_return(ctx, annotation, value, node: ast.Return):
    """The value a ``@qd.func`` returns, converted to its scalar / vector / matrix return annotation as upstream does
    (an explicit cast: ``-> qd.i32`` of ``1.5`` is ``1``, without a precision warning); a tuple annotation converts
    each value of a returned tuple. Structs and values the annotation does not describe are returned as they are."""
    if value is None:
        return value
    try:
        layout = parse_returns(annotation, ctx)
    except TypeError:
        return value
    if isinstance(value, tuple):
        if len(layout) != len(value):
            return value
        return tuple(_convert_one(ctx, t, v, node) for t, v in zip(layout, value))
    return _convert_one(ctx, layout[0], value, node) if len(layout) == 1 else value
