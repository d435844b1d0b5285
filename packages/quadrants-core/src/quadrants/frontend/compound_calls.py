"""Lowering of vector/matrix constructor calls (``qd.Vector``, ``qd.Matrix``, ``qd.types.vector(...)(...)``).

``qd.Vector`` and ``qd.Matrix`` are defined in the public layer (``lang/matrix.py``) and reach these functions
through their ``_qd_constructor`` hook; type objects (:class:`~quadrants.frontend.compound_types.MatrixType`) are
recognised by ``frontend/calls.py``.
"""

from __future__ import annotations

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend.matrix import MatrixValue, make_matrix
from quadrants.ir.dtypes import to_dtype

__all__ = ["construct_vector", "construct_matrix", "construct_typed"]


def _flatten(values) -> list:
    out = []
    for v in values:
        if isinstance(v, MatrixValue):
            out.extend(v.items)
        elif isinstance(v, (list, tuple)):
            out.extend(_flatten(v))
        else:
            out.append(v)
    return out


def _element_dtype(ctx, node, name: str, args, kwargs):
    """The ``dt`` of ``qd.Vector(values, dt)`` (positional, ``dt=`` or ``dtype=``); ``int``/``float`` mean the
    defaults; ``None`` means the type the values promote to."""
    if len(args) > 2:
        raise QuadrantsSyntaxError(f"{name} takes the values and an optional dt", ctx.loc(node))
    dt = args[1] if len(args) == 2 else kwargs.get("dt", kwargs.get("dtype"))
    if dt is None:
        return None
    try:
        return to_dtype(dt, ctx.default_ip, ctx.default_fp)
    except TypeError as exc:
        raise QuadrantsTypeError(str(exc), ctx.loc(node)) from None


def construct_vector(ctx, node, args, kwargs):
    """``qd.Vector([x, y, z], dt=None)`` in kernel code."""
    if not args or not isinstance(args[0], (list, tuple, MatrixValue)):
        raise QuadrantsSyntaxError("qd.Vector takes one list of components: qd.Vector([x, y, z])", ctx.loc(node))
    dtype = _element_dtype(ctx, node, "qd.Vector", args, kwargs)
    return make_matrix(ctx, _flatten(args[0]), node, dtype)


def construct_matrix(ctx, node, args, kwargs):
    """``qd.Matrix([[a, b], [c, d]], dt=None)`` in kernel code; a flat list (``qd.Matrix([a, b])``) is a vector, as
    in upstream."""
    if not args or not isinstance(args[0], (list, tuple, MatrixValue)):
        raise QuadrantsSyntaxError("qd.Matrix takes a list of rows: qd.Matrix([[a, b], [c, d]])", ctx.loc(node))
    dtype = _element_dtype(ctx, node, "qd.Matrix", args, kwargs)
    values = args[0]
    if isinstance(values, MatrixValue):
        values = list(values.items) if values.is_vector else [list(r) for r in values.rows()]
    return make_matrix(ctx, list(values), node, dtype)


def construct_typed(ctx, node, mtype, args):
    """``vec3(1, 2, 3)``, ``vec3(0)`` (broadcast) or ``mat2([[1, 2], [3, 4]])``."""
    dtype = mtype.resolved(ctx.default_fp, ctx.default_ip).dtype
    size = 1
    for s in mtype.shape:
        size *= s
    flat = _flatten(args)
    if len(flat) == 1:
        flat = flat * size
    if len(flat) != size:
        raise QuadrantsSyntaxError(f"{mtype} needs {size} components, got {len(flat)}", ctx.loc(node))
    value = make_matrix(ctx, flat, node, dtype)
    return MatrixValue(value.items, mtype.shape)
