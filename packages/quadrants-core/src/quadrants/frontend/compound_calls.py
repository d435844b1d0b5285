"""Lowering of vector/matrix constructor calls (``qd.Vector``, ``qd.Matrix``, ``qd.types.vector(...)(...)``).

``qd.Vector`` and ``qd.Matrix`` are defined in the public layer (``lang/matrix.py``) and reach these functions
through their ``_qd_constructor`` hook; type objects (:class:`~quadrants.frontend.compound_types.MatrixType`) are
recognised by ``frontend/calls.py``.
"""

from __future__ import annotations

from quadrants.errors import QuadrantsSyntaxError
from quadrants.frontend.matrix import MatrixValue, make_matrix

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


def construct_vector(ctx, node, args, kwargs):
    """``qd.Vector([x, y, z], dt=...)`` in kernel code."""
    if len(args) != 1 or not isinstance(args[0], (list, tuple, MatrixValue)):
        raise QuadrantsSyntaxError("qd.Vector takes one list of components: qd.Vector([x, y, z])", ctx.loc(node))
    dtype = kwargs.get("dt", kwargs.get("dtype"))
    return make_matrix(ctx, _flatten(args[0]), node, dtype)


def construct_matrix(ctx, node, args, kwargs):
    """``qd.Matrix([[a, b], [c, d]], dt=...)`` in kernel code."""
    if len(args) != 1 or not isinstance(args[0], (list, tuple)):
        raise QuadrantsSyntaxError("qd.Matrix takes a list of rows: qd.Matrix([[a, b], [c, d]])", ctx.loc(node))
    rows = [r if isinstance(r, (list, tuple, MatrixValue)) else [r] for r in args[0]]
    return make_matrix(ctx, rows, node, kwargs.get("dt", kwargs.get("dtype")))


def construct_typed(ctx, node, mtype, args):
    """``vec3(1, 2, 3)``, ``vec3(0)`` (broadcast) or ``mat2([[1, 2], [3, 4]])``."""
    dtype = mtype.dtype or ctx.default_fp
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
