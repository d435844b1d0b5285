"""Component-wise building blocks of the ``qd.math`` lowerings (``frontend/math_scalar.py``, ``math_geometry.py``,
``math_complex.py``).

Upstream Quadrants writes ``qd.math`` as ``@qd.func`` compositions of its operators; the lowerings here build the same
expression trees directly, so floats round identically and no source has to be parsed at compile time. Every helper
takes scalars (compile-time numbers or IR expressions) or :class:`MatrixValue` operands and broadcasts a scalar
against a vector/matrix the way the kernel language's operators do; two vectors/matrices must have one shape.
"""

from __future__ import annotations

import math

from quadrants.errors import QuadrantsTypeError
from quadrants.frontend import matrix_arith as a, typing_rules as tr
from quadrants.frontend.values import MatrixValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.dtypes import DataType
from quadrants.ir.ops import Op

__all__ = [
    "lift",
    "add",
    "sub",
    "mul",
    "div",
    "neg",
    "compare",
    "to_default_fp",
    "float_unary",
    "atan2",
    "power",
    "maximum",
    "minimum",
    "keep",
    "scalar",
    "build",
    "LOG_2",
]

# ``static(ops.log(2.0))`` in upstream's ``log2``: a Python float, typed default_fp where it meets a run-time value
LOG_2 = math.log(2.0)


def lift(ctx, node, fn, *values):
    """``fn(ctx, node, *scalars)`` applied per component; scalars broadcast, vectors/matrices must share a shape."""
    shapes = {v.shape for v in values if isinstance(v, MatrixValue)}
    if not shapes:
        return fn(ctx, node, *values)
    if len(shapes) > 1:
        raise QuadrantsTypeError(
            f"unsupported operand type(s): shapes {sorted(shapes)} cannot be combined component-wise; use one shape "
            "or a scalar",
            ctx.loc(node),
        )
    (shape,) = shapes
    size = len(next(v.items for v in values if isinstance(v, MatrixValue)))
    columns = [v.items if isinstance(v, MatrixValue) else (v,) * size for v in values]
    return MatrixValue(tuple(fn(ctx, node, *parts) for parts in zip(*columns)), shape)


def add(ctx, node, x, y):
    """``x + y``."""
    return lift(ctx, node, a.add, x, y)


def sub(ctx, node, x, y):
    """``x - y``."""
    return lift(ctx, node, a.sub, x, y)


def mul(ctx, node, x, y):
    """``x * y`` (component-wise; not a matrix product)."""
    return lift(ctx, node, a.mul, x, y)


def div(ctx, node, x, y):
    """``x / y`` (int / int is default_fp, docs/semantics.md §4.2)."""
    return lift(ctx, node, a.div, x, y)


def neg(ctx, node, x):
    """``-x``."""
    return lift(ctx, node, lambda c, n, v: a.neg(c, n, tr.to_expr(c, v, n)), x)


def compare(ctx, node, op: Op, x, y):
    """``x <op> y`` per component, ``u1`` results."""
    return lift(ctx, node, lambda c, n, p, q: tr.compare(c, op, p, q, n), x, y)


def to_default_fp(ctx, node, x):
    """``qd.cast(x, float)``: explicit conversion to default_fp."""
    return lift(ctx, node, lambda c, n, v: tr.cast(c, v, c.default_fp, n), x)


def _float_operand(ctx, node, x, name: str, int_to_fp: bool):
    x = tr.to_expr(ctx, x, node)
    if x.dtype.is_float:
        return x
    if not int_to_fp:
        raise QuadrantsTypeError(f"'{name}' takes real inputs only, however '{x.dtype}' is provided", ctx.loc(node))
    return tr.cast(ctx, x, ctx.default_fp)


def float_unary(ctx, node, op: Op, name: str, x, *, int_to_fp: bool):
    """``qd.sqrt``/``qd.log``/``qd.sin``/``qd.floor``… per component with the operand rules of docs/semantics.md §6:
    ``int_to_fp`` functions (sqrt, exp, log) convert integers to default_fp, the others reject them."""

    def one(c, n, v):
        v = _float_operand(c, n, v, name, int_to_fp)
        return ir.OpExpr(op, (v,), v.dtype)

    return lift(ctx, node, one, x)


def atan2(ctx, node, y, x):
    """``qd.atan2(y, x)``: promoted operands, integers become default_fp."""

    def one(c, n, p, q):
        p, q = tr.to_expr(c, p, n), tr.to_expr(c, q, n)
        common = dtypes.promote(p.dtype, q.dtype)
        if not common.is_float:
            common = c.default_fp
        return ir.OpExpr(Op.ATAN2, (tr.cast(c, p, common), tr.cast(c, q, common)), common)

    return lift(ctx, node, one, y, x)


def power(ctx, node, x, y):
    """``qd.pow(x, y)`` (the rules of ``**``)."""
    return lift(ctx, node, lambda c, n, p, q: tr.power(c, p, q, n), x, y)


def maximum(ctx, node, x, y):
    """``qd.max(x, y)`` per component (IEEE maximumNumber for floats)."""
    return lift(ctx, node, lambda c, n, p, q: tr.scalar_minmax(c, n, Op.MAX, [p, q]), x, y)


def minimum(ctx, node, x, y):
    """``qd.min(x, y)`` per component (IEEE minimumNumber for floats)."""
    return lift(ctx, node, lambda c, n, p, q: tr.scalar_minmax(c, n, Op.MIN, [p, q]), x, y)


def keep(ctx, node, value, name: str = "tmp"):
    """Materialise a value used more than once into locals (upstream's ``@qd.func`` assigns it to a variable), so the
    IR never duplicates an expression tree."""
    if isinstance(value, MatrixValue):
        return MatrixValue(tuple(keep(ctx, node, v, name) for v in value.items), value.shape)
    if isinstance(value, ir.OpExpr):
        return ctx.temp(value, node, name)
    return value


def scalar(ctx, node, value, fn: str, param: str):
    """``value`` as a scalar argument of ``qd.math.<fn>``; a vector or matrix is a type error."""
    if isinstance(value, MatrixValue):
        raise QuadrantsTypeError(
            f"qd.math.{fn}() takes a scalar '{param}', got a vector/matrix of shape {value.shape}", ctx.loc(node)
        )
    if not is_runtime(value):
        value = tr.to_expr(ctx, value, node)
    return value


def build(ctx, node, rows, dtype: DataType | None = None) -> MatrixValue:
    """``qd.math.vec2(...)`` / ``mat4([...])`` built from scalars: every component converted to ``dtype`` (default_fp),
    as upstream's fixed-type constructors convert them. ``rows`` is a flat list (vector) or a list of rows."""
    dtype = dtype or ctx.default_fp
    if rows and isinstance(rows[0], (list, tuple)):
        flat = [v for row in rows for v in row]
        shape = (len(rows), len(rows[0]))
    else:
        flat, shape = list(rows), (len(rows),)
    return MatrixValue(tuple(tr.cast(ctx, v, dtype, node) for v in flat), shape)
