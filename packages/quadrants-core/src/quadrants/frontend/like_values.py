"""Kernel-side lowering of ``qd.zero(x)``, ``qd.one(x)`` and ``qd.rescale_index(a, b, I)`` (docs/language.md).

The public objects live in ``quadrants/lang/value_helpers.py`` (their Python-scope behaviour); kernel code reaches the
functions here through their ``_qd_constructor`` hook (frontend/calls.py).

* ``qd.zero(x)`` is ``x * 0`` and ``qd.one(x)`` is ``x * 0 + 1``, component by component, as upstream defines them:
  the result has ``x``'s shape (a scalar stays a scalar) and the type of ``x * 0`` with an integer literal. A NaN or
  infinite float component therefore gives NaN, exactly as upstream's ``x * 0``.
* ``qd.rescale_index(a, b, I)`` maps the grouped index ``I`` of field/SNode ``a`` to the cell of ``b`` that covers it:
  on each axis both have, ``I[k] // (a.shape[k] // b.shape[k])`` when ``a`` is finer, ``I[k] * (b.shape[k] //
  a.shape[k])`` when it is coarser; other components are copied. The result is an integer vector of ``len(I)``.
"""

from __future__ import annotations

import operator

from quadrants.errors import QuadrantsTypeError
from quadrants.frontend import typing_rules as tr
from quadrants.frontend.matrix import MatrixValue, elementwise
from quadrants.frontend.values import IndexVector, NdarrayValue, is_runtime
from quadrants.ir.ops import Op

__all__ = ["lower_zero", "lower_one", "lower_rescale_index", "static_shape"]


def _scalar(ctx, node, op: Op, symbol: str, host, x, c):
    if not is_runtime(x):
        return host(x, c)
    return tr.binary(ctx, op, symbol, x, c, node)


def _componentwise(ctx, node, op: Op, symbol: str, host, x, c):
    if isinstance(x, MatrixValue):
        return elementwise(lambda item: _scalar(ctx, node, op, symbol, host, item, c), x)
    if isinstance(x, (NdarrayValue, IndexVector)) or not (is_runtime(x) or isinstance(x, (int, float, bool))):
        raise QuadrantsTypeError(
            f"qd.zero()/qd.one() take a scalar, vector or matrix, got {type(x).__name__}", ctx.loc(node)
        )
    return _scalar(ctx, node, op, symbol, host, x, c)


def lower_zero(ctx, node, x):
    """``x * 0`` per component."""
    return _componentwise(ctx, node, Op.MUL, "*", operator.mul, x, 0)


def lower_one(ctx, node, x):
    """``x * 0 + 1`` per component."""
    return _componentwise(ctx, node, Op.ADD, "+", operator.add, lower_zero(ctx, node, x), 1)


def static_shape(obj) -> tuple[int, ...] | None:
    """The compile-time shape of a field (bound in kernel code), a host field or an SNode; ``None`` for others."""
    if isinstance(obj, NdarrayValue):
        return obj.static_shape
    if getattr(obj, "_is_quadrants_field", False):
        return tuple(obj.shape)
    loop_shape = getattr(obj, "_qd_loop_shape", None)  # an SNode (the protocol struct-for reads, runtime/snode.py)
    return tuple(loop_shape) if loop_shape is not None else None


def _index_items(ctx, node, index) -> tuple:
    if isinstance(index, (IndexVector, MatrixValue)):
        return tuple(index.items)
    if isinstance(index, (list, tuple)):
        return tuple(index)
    raise QuadrantsTypeError(
        "qd.rescale_index: the third argument must be an index (a list, a qd.Vector or a qd.grouped index), "
        f"got {type(index).__name__}",
        ctx.loc(node),
    )


def lower_rescale_index(ctx, node, a, b, index):
    shapes = [static_shape(a), static_shape(b)]
    for which, shape in zip(("first", "second"), shapes):
        if shape is None:
            raise QuadrantsTypeError(
                f"qd.rescale_index: the {which} argument must be a field or an SNode", ctx.loc(node)
            )
    items = list(_index_items(ctx, node, index))
    for k in range(min(len(items), len(shapes[0]), len(shapes[1]))):
        sa, sb = shapes[0][k], shapes[1][k]
        if sa > sb:
            items[k] = _scalar(ctx, node, Op.FLOORDIV, "//", operator.floordiv, items[k], sa // sb)
        elif sa < sb:
            items[k] = _scalar(ctx, node, Op.MUL, "*", operator.mul, items[k], sb // sa)
    return MatrixValue(tuple(items), (len(items),))
