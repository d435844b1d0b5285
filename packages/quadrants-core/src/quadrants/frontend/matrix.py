"""Vectors and matrices in kernel code, lowered to scalars (docs/semantics.md §13).

A :class:`MatrixValue` is a compile-time container of scalar values (IR expressions or Python numbers) with a shape
``(n,)`` for vectors or ``(m, n)`` for matrices, stored row-major. Every operation maps to scalar operations, so
backends never see a vector.
"""

from __future__ import annotations

import ast

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import matrix_arith as arith, typing_rules as tr
from quadrants.frontend.values import MatrixValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.dtypes import DataType, promote
from quadrants.ir.ops import Op

__all__ = [
    "MatrixValue",
    "make_matrix",
    "constant_matrix",
    "coerce_operand",
    "elementwise",
    "binary",
    "matmul",
    "dynamic_index",
]


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


def constant_matrix(ctx, entries, node=None) -> MatrixValue:
    """A host ``qd.Vector``/``qd.Matrix`` (its NumPy ``entries``) used in kernel code: a constant vector/matrix whose
    type follows from the values (ints are default_ip, floats default_fp), as upstream."""
    return make_matrix(ctx, entries.tolist(), node)


def param_matrix(ctx, name: str, position: int, mtype) -> MatrixValue:
    """A kernel parameter of vector/matrix type: one run-time scalar argument per component (runtime/matrix_param.py
    passes the argument's components), copied into a local vector so the kernel may assign its components."""
    import itertools

    components = []
    for index in itertools.product(*(range(n) for n in mtype.shape)):
        flat = f"__qd_{name}__qd_{'_'.join(map(str, index))}"
        arg = ctx.add_arg(ir.ScalarArg(flat, mtype.dtype), ("member", position, (index,)))
        components.append(ctx.declare(f"{name}_{'_'.join(map(str, index))}", ir.ArgRef(arg, mtype.dtype)))
    return MatrixValue(tuple(ir.LocalRef(v) for v in components), mtype.shape)


def coerce_operand(ctx, value, node):
    """A Python list/tuple operand next to a vector/matrix (``v + [1, 2]``) becomes one, as in upstream."""
    if isinstance(value, (list, tuple)):
        return make_matrix(ctx, list(value), node)
    return value


def _broadcast(ctx, a, b, node):
    a, b = coerce_operand(ctx, a, node), coerce_operand(ctx, b, node)
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
    if isinstance(getattr(node, "op", None), ast.MatMult):  # comparisons (ast.Compare) have no .op
        for operand in (a, b):
            if isinstance(operand, (list, tuple)):  # as upstream: @ takes vectors/matrices, not Python lists
                raise QuadrantsTypeError(
                    f"@ needs two vectors/matrices, got a '{type(operand).__name__}' object (it has no get_shape, "
                    "as upstream): write qd.Vector([...]) or qd.Matrix([[...]])",
                    ctx.loc(node),
                )
        return matmul(ctx, node, coerce_operand(ctx, a, node), coerce_operand(ctx, b, node))
    xs, ys, shape = _broadcast(ctx, a, b, node)
    return MatrixValue(tuple(scalar_op(x, y) for x, y in zip(xs, ys)), shape)


def _dot(ctx, node, xs, ys):
    return arith.total(ctx, node, [arith.mul(ctx, node, x, y) for x, y in zip(xs, ys)])


def matmul(ctx, node, a, b):
    """``a @ b``: matrix·matrix, matrix·vector, vector·matrix (``v @ M`` is ``M.transpose() @ v``) and
    vector·vector (the dot product), as upstream."""
    if not (isinstance(a, MatrixValue) and isinstance(b, MatrixValue)):
        raise QuadrantsTypeError(
            f"@ needs two vectors/matrices, got {type(a).__name__} and {type(b).__name__}", ctx.loc(node)
        )
    if a.is_vector and b.is_vector:
        if a.shape != b.shape:
            raise QuadrantsTypeError(f"dimension mismatch between {a.shape} and {b.shape} for dot", ctx.loc(node))
        return _dot(ctx, node, a.items, b.items)
    if a.is_vector:
        if a.shape[0] != b.shape[0]:
            raise QuadrantsTypeError(
                f"dimension mismatch between {a.shape} and {b.shape} for left multiplication", ctx.loc(node)
            )
        cols = [tuple(b.at(r, c) for r in range(b.shape[0])) for c in range(b.shape[1])]
        return MatrixValue(tuple(_dot(ctx, node, col, a.items) for col in cols), (b.shape[1],))
    if a.shape[1] != b.shape[0]:
        raise QuadrantsTypeError(
            f"dimension mismatch between {a.shape} and {b.shape} for matrix multiplication", ctx.loc(node)
        )
    rows = a.rows()
    if b.is_vector:
        return MatrixValue(tuple(_dot(ctx, node, row, b.items) for row in rows), (a.shape[0],))
    m, k, n = a.shape[0], a.shape[1], b.shape[1]
    cols = [tuple(b.at(r, c) for r in range(k)) for c in range(n)]
    return MatrixValue(tuple(_dot(ctx, node, rows[i], cols[j]) for i in range(m) for j in range(n)), (m, n))


def _select_chain(ctx, node, candidates: list):
    """``candidates`` = [(condition or None, value)]: the value whose condition holds (the last one otherwise)."""
    dtype = None
    for _, v in candidates:
        t = tr.to_expr(ctx, v, node).dtype
        dtype = t if dtype is None else promote(dtype, t)
    result = tr.cast(ctx, tr.to_expr(ctx, candidates[-1][1], node), dtype)
    for cond, value in reversed(candidates[:-1]):
        result = ir.OpExpr(Op.SELECT, (cond, tr.cast(ctx, tr.to_expr(ctx, value, node), dtype), result), dtype)
    return result


def _index_hit(ctx, index, k: int):
    return ir.OpExpr(Op.EQ, (index, tr.cast(ctx, ir.Const(k, dtypes.i32), index.dtype)), dtypes.u1)


def check_component_bounds(ctx, node, shape: tuple, keys: tuple) -> None:
    """Under ``debug``, a run-time component index outside the vector/matrix shape raises a QuadrantsAssertionError
    ("Out of bound access to a [2] matrix ...", as upstream); without debug such a read gives an unspecified
    component and such a write is dropped."""
    if not ctx.debug:
        return
    for key, n in zip(keys, shape):
        if not is_runtime(key):
            continue
        below = ir.OpExpr(Op.LT, (key, tr.cast(ctx, ir.Const(n, dtypes.i32), key.dtype)), dtypes.u1)
        if key.dtype.kind == "int":
            zero = tr.cast(ctx, ir.Const(0, dtypes.i32), key.dtype)
            below = ir.OpExpr(Op.BIT_AND, (ir.OpExpr(Op.GE, (key, zero), dtypes.u1), below), dtypes.u1)
        message = f"Out of bound access to a {list(shape)} matrix: a run-time index is outside 0..{n - 1}"
        ctx.emit(ir.Check(below, "assert", message, ctx.loc(node)))


def _clamped_component(ctx, node, m: MatrixValue, keys: tuple):
    """A component of a ``boundary="clamp"`` ndarray element: upstream clamps the flat (row-major) component index
    into ``0..size - 1`` (so ``m[2, 0]`` of a 2x2 element reads ``m[1, 1]``)."""
    if len(keys) != len(m.shape):
        raise QuadrantsTypeError(
            f"a {'vector' if m.is_vector else 'matrix'} takes {len(m.shape)} index(es)", ctx.loc(node)
        )
    i32 = dtypes.i32
    flat = tr.cast(ctx, tr.to_expr(ctx, keys[0], node), i32)
    if not m.is_vector:
        col = tr.cast(ctx, tr.to_expr(ctx, keys[1], node), i32)
        flat = ir.OpExpr(Op.ADD, (ir.OpExpr(Op.MUL, (flat, ir.Const(m.shape[1], i32)), i32), col), i32)
    low = ir.OpExpr(Op.MAX, (flat, ir.Const(0, i32)), i32)
    flat = ir.OpExpr(Op.MIN, (low, ir.Const(len(m.items) - 1, i32)), i32)
    return _select_chain(ctx, node, [(_index_hit(ctx, flat, k), v) for k, v in enumerate(m.items)])


def dynamic_index(ctx, node, m: MatrixValue, keys: tuple):
    """``v[i]`` or ``m[i, j]`` with run-time indices: a select chain over the components."""
    keys = tuple(tr.to_expr(ctx, k, node) if is_runtime(k) else k for k in keys)
    for k in keys:
        if is_runtime(k) and k.dtype.is_float:
            raise QuadrantsTypeError(f"vector/matrix indices must be integers, got {k.dtype}", ctx.loc(node))
    if m.clamp and any(is_runtime(k) for k in keys):
        return _clamped_component(ctx, node, m, keys)
    check_component_bounds(ctx, node, m.shape, keys)
    if m.is_vector:
        if len(keys) != 1:
            raise QuadrantsTypeError(f"a vector takes one index, got {len(keys)}", ctx.loc(node))
        index = keys[0]
        return _select_chain(ctx, node, [(_index_hit(ctx, index, k), v) for k, v in enumerate(m.items)])
    rows, cols = m.shape
    if len(keys) != 2:
        raise QuadrantsTypeError(f"a matrix takes two indices, got {len(keys)}", ctx.loc(node))
    candidates = []
    for r in range(rows) if is_runtime(keys[0]) else [keys[0]]:
        for c in range(cols) if is_runtime(keys[1]) else [keys[1]]:
            conds = [_index_hit(ctx, key, pos) for key, pos in zip(keys, (r, c)) if is_runtime(key)]
            cond = conds[0] if len(conds) == 1 else ir.OpExpr(Op.BIT_AND, tuple(conds), dtypes.u1)
            candidates.append((cond, m.at(r, c)))
    return _select_chain(ctx, node, candidates)
