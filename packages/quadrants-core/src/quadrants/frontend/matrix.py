"""Vectors and matrices in kernel code, lowered to scalars (SEMANTICS.md §13).

A :class:`MatrixValue` is a compile-time container of scalar values (IR expressions or Python numbers) with a shape
``(n,)`` for vectors or ``(m, n)`` for matrices, stored row-major. Every operation maps to scalar operations, so
backends never see a vector.
"""

from __future__ import annotations

import ast

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import typing_rules as tr
from quadrants.frontend.values import MatrixValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.dtypes import DataType, promote
from quadrants.ir.ops import Op

__all__ = ["MatrixValue", "make_matrix", "elementwise", "binary", "METHODS", "dynamic_index"]


def make_matrix(ctx, rows, node, dtype: DataType | None = None) -> MatrixValue:
    """``qd.Vector([...])`` / ``qd.Matrix([[...], ...])``: elements promoted to one type (or converted to ``dtype``)."""
    if rows and isinstance(rows[0], (list, tuple, MatrixValue)):
        flat = []
        width = None
        for row in rows:
            row_items = row.items if isinstance(row, MatrixValue) else tuple(row)
            if width is not None and len(row_items) != width:
                raise QuadrantsSyntaxError("matrix rows must have the same length", ctx.loc(node))
            width = len(row_items)
            flat.extend(row_items)
        shape = (len(rows), width or 0)
    else:
        flat, shape = list(rows), (len(rows),)
    exprs = [tr.to_expr(ctx, v, node) for v in flat]
    target = dtype
    if target is None:
        for e in exprs:
            target = e.dtype if target is None else promote(target, e.dtype)
    if target is None:
        target = ctx.default_fp
    return MatrixValue(tuple(tr.cast(ctx, e, target) for e in exprs), shape)


def _broadcast(ctx, a, b, node):
    if isinstance(a, MatrixValue) and isinstance(b, MatrixValue):
        if a.shape != b.shape:
            raise QuadrantsTypeError(f"shape mismatch: {a.shape} and {b.shape}", ctx.loc(node))
        return a.items, b.items, a.shape
    if isinstance(a, MatrixValue):
        return a.items, (b,) * len(a.items), a.shape
    return (a,) * len(b.items), b.items, b.shape


def elementwise(fn, *values):
    """Apply ``fn`` to each component (scalars broadcast); the shape comes from the first matrix operand."""
    shape = next(v.shape for v in values if isinstance(v, MatrixValue))
    size = len(next(v.items for v in values if isinstance(v, MatrixValue)))
    columns = [v.items if isinstance(v, MatrixValue) else (v,) * size for v in values]
    return MatrixValue(tuple(fn(*parts) for parts in zip(*columns)), shape)


def binary(ctx, node, scalar_op, a, b):
    """Elementwise binary operation; ``scalar_op(x, y)`` combines two scalars."""
    if isinstance(node.op, ast.MatMult):
        return matmul(ctx, node, a, b)
    xs, ys, shape = _broadcast(ctx, a, b, node)
    return MatrixValue(tuple(scalar_op(x, y) for x, y in zip(xs, ys)), shape)


def matmul(ctx, node, a, b):
    if not (isinstance(a, MatrixValue) and isinstance(b, MatrixValue)):
        raise QuadrantsTypeError("@ needs two vectors/matrices", ctx.loc(node))
    a_rows = a.rows() if not a.is_vector else [a.items]
    if b.is_vector:
        if a.is_vector or a.shape[1] != b.shape[0]:
            raise QuadrantsTypeError(f"cannot multiply shapes {a.shape} @ {b.shape}", ctx.loc(node))
        return MatrixValue(tuple(_dot(ctx, node, row, b.items) for row in a_rows), (a.shape[0],))
    if a.is_vector or a.shape[1] != b.shape[0]:
        raise QuadrantsTypeError(f"cannot multiply shapes {a.shape} @ {b.shape}", ctx.loc(node))
    m, k, n = a.shape[0], a.shape[1], b.shape[1]
    cols = [tuple(b.at(r, c) for r in range(k)) for c in range(n)]
    return MatrixValue(tuple(_dot(ctx, node, a_rows[i], cols[j]) for i in range(m) for j in range(n)), (m, n))


def _add(ctx, node, x, y):
    if not is_runtime(x) and not is_runtime(y):
        return x + y
    return tr.binary(ctx, Op.ADD, "+", x, y, node)


def _mul(ctx, node, x, y):
    if not is_runtime(x) and not is_runtime(y):
        return x * y
    return tr.binary(ctx, Op.MUL, "*", x, y, node)


def _sub(ctx, node, x, y):
    if not is_runtime(x) and not is_runtime(y):
        return x - y
    return tr.binary(ctx, Op.SUB, "-", x, y, node)


def _dot(ctx, node, xs, ys):
    total = None
    for x, y in zip(xs, ys):
        term = _mul(ctx, node, x, y)
        total = term if total is None else _add(ctx, node, total, term)
    return total


def _vector_arg(ctx, node, value, name):
    if not isinstance(value, MatrixValue) or not value.is_vector:
        raise QuadrantsTypeError(f"{name} needs a vector", ctx.loc(node))
    return value


def _m_dot(ctx, node, m, args):
    other = _vector_arg(ctx, node, args[0], "dot()")
    if other.shape != m.shape:
        raise QuadrantsTypeError(f"dot() of shapes {m.shape} and {other.shape}", ctx.loc(node))
    return _dot(ctx, node, m.items, other.items)


def _m_norm_sqr(ctx, node, m, args):
    return _dot(ctx, node, m.items, m.items)


def _m_norm(ctx, node, m, args):
    sq = tr.to_expr(ctx, _m_norm_sqr(ctx, node, m, args), node)
    if not sq.dtype.is_float:
        sq = tr.cast(ctx, sq, ctx.default_fp)
    return ir.OpExpr(Op.SQRT, (sq,), sq.dtype)


def _m_normalized(ctx, node, m, args):
    inv = tr.binary(ctx, Op.TRUEDIV, "/", 1.0, _m_norm(ctx, node, m, args), node)
    return elementwise(lambda x: _mul(ctx, node, x, inv), m)


def _m_sum(ctx, node, m, args):
    total = None
    for x in m.items:
        total = x if total is None else _add(ctx, node, total, x)
    return total


def _m_cross(ctx, node, m, args):
    o = _vector_arg(ctx, node, args[0], "cross()")
    if m.shape == (3,) and o.shape == (3,):
        a, b = m.items, o.items
        return MatrixValue(
            (
                _sub(ctx, node, _mul(ctx, node, a[1], b[2]), _mul(ctx, node, a[2], b[1])),
                _sub(ctx, node, _mul(ctx, node, a[2], b[0]), _mul(ctx, node, a[0], b[2])),
                _sub(ctx, node, _mul(ctx, node, a[0], b[1]), _mul(ctx, node, a[1], b[0])),
            ),
            (3,),
        )
    if m.shape == (2,) and o.shape == (2,):
        a, b = m.items, o.items
        return _sub(ctx, node, _mul(ctx, node, a[0], b[1]), _mul(ctx, node, a[1], b[0]))
    raise QuadrantsTypeError("cross() needs two 2D or two 3D vectors", ctx.loc(node))


def _m_transpose(ctx, node, m, args):
    if m.is_vector:
        return MatrixValue(m.items, (1, m.shape[0]))
    rows, cols = m.shape
    return MatrixValue(tuple(m.at(r, c) for c in range(cols) for r in range(rows)), (cols, rows))


def _det(ctx, node, rows):
    n = len(rows)
    if n == 1:
        return rows[0][0]
    if n == 2:
        return _sub(ctx, node, _mul(ctx, node, rows[0][0], rows[1][1]), _mul(ctx, node, rows[0][1], rows[1][0]))
    total = None
    for c in range(n):
        minor = [tuple(r[k] for k in range(n) if k != c) for r in rows[1:]]
        term = _mul(ctx, node, rows[0][c], _det(ctx, node, minor))
        if total is None:
            total = term
        elif c % 2:
            total = _sub(ctx, node, total, term)
        else:
            total = _add(ctx, node, total, term)
    return total


def _m_determinant(ctx, node, m, args):
    if m.is_vector or m.shape[0] != m.shape[1] or m.shape[0] > 4:
        raise QuadrantsTypeError("determinant() needs a square matrix of size 1 to 4", ctx.loc(node))
    return _det(ctx, node, m.rows())


def _m_trace(ctx, node, m, args):
    if m.is_vector or m.shape[0] != m.shape[1]:
        raise QuadrantsTypeError("trace() needs a square matrix", ctx.loc(node))
    total = None
    for k in range(m.shape[0]):
        total = m.at(k, k) if total is None else _add(ctx, node, total, m.at(k, k))
    return total


def _m_max(ctx, node, m, args):
    return tr.scalar_minmax(ctx, node, Op.MAX, list(m.items))


def _m_min(ctx, node, m, args):
    return tr.scalar_minmax(ctx, node, Op.MIN, list(m.items))


# method name -> lowering(ctx, node, matrix, args)
METHODS = {
    "dot": _m_dot,
    "norm_sqr": _m_norm_sqr,
    "norm": _m_norm,
    "normalized": _m_normalized,
    "sum": _m_sum,
    "cross": _m_cross,
    "transpose": _m_transpose,
    "determinant": _m_determinant,
    "trace": _m_trace,
    "max": _m_max,
    "min": _m_min,
}

_SWIZZLE = {"x": 0, "y": 1, "z": 2, "w": 3, "r": 0, "g": 1, "b": 2, "a": 3}


def swizzle(ctx, node, m: MatrixValue, attr: str):
    """``v.x`` … ``v.w`` (and ``v.xy``-style multi-component reads)."""
    if not m.is_vector or any(c not in _SWIZZLE for c in attr):
        return None
    idx = [_SWIZZLE[c] for c in attr]
    if max(idx) >= m.shape[0]:
        raise QuadrantsSyntaxError(f"vector of size {m.shape[0]} has no component '{attr}'", ctx.loc(node))
    if len(idx) == 1:
        return m.items[idx[0]]
    return MatrixValue(tuple(m.items[i] for i in idx), (len(idx),))


def dynamic_index(ctx, node, m: MatrixValue, index):
    """``v[i]`` with a run-time ``i``: a select chain over the components."""
    index = tr.to_expr(ctx, index, node)
    if not m.is_vector:
        raise QuadrantsTypeError("run-time indices are supported on vectors only", ctx.loc(node))
    exprs = [tr.to_expr(ctx, v, node) for v in m.items]
    dtype = tr.matrix_dtype(ctx, m)
    result = tr.cast(ctx, exprs[-1], dtype)
    for k in range(len(exprs) - 2, -1, -1):
        hit = ir.OpExpr(Op.EQ, (index, tr.cast(ctx, ir.Const(k, dtypes.i32), index.dtype)), dtypes.u1)
        result = ir.OpExpr(Op.SELECT, (hit, tr.cast(ctx, exprs[k], dtype), result), dtype)
    return result
