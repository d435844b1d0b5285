"""``m.determinant()`` and ``m.inverse()`` in kernel code.

Both evaluate the same expression trees as upstream Quadrants 1.3.3 (cofactor expansions for sizes 1 to 4, in
``frontend/matrix_cofactors.py``; Gauss elimination with partial pivoting for inverses of sizes 5 to 12), so results
round identically: the order of every addition and multiplication matters for floats.
"""

from __future__ import annotations

from quadrants.errors import QuadrantsCompilationError
from quadrants.frontend import matrix_arith as a, typing_rules as tr
from quadrants.frontend.matrix_cofactors import adjugate_rows, determinant_expr
from quadrants.frontend.values import MatrixValue
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = ["determinant", "inverse", "square_size"]

_MAX_DETERMINANT = 4
_MAX_INVERSE = 12


def square_size(ctx, node, m: MatrixValue, limit: int | None = None) -> int:
    """The size of square matrix ``m``; a non-square value (or one of ``limit`` rows or more) is a compile error."""
    if m.is_vector or m.shape[0] != m.shape[1]:
        raise QuadrantsCompilationError(f"expected a square matrix, got shape {m.shape}", ctx.loc(node))
    if limit is not None and m.shape[0] >= limit:
        raise QuadrantsCompilationError(f"only dimension < {limit} is supported, got shape {m.shape}", ctx.loc(node))
    return m.shape[0]


class _IrOps:
    """The arithmetic of ``frontend/matrix_cofactors.py`` as IR builders (compile-time operands fold in Python)."""

    def __init__(self, ctx, node):
        self.ctx, self.node = ctx, node

    def add(self, x, y):
        return a.add(self.ctx, self.node, x, y)

    def sub(self, x, y):
        return a.sub(self.ctx, self.node, x, y)

    def mul(self, x, y):
        return a.mul(self.ctx, self.node, x, y)

    def neg(self, x):
        return a.neg(self.ctx, self.node, x)


def determinant(ctx, node, m: MatrixValue):
    """``m.determinant()`` for square matrices of size 1 to 4."""
    n = square_size(ctx, node, m, _MAX_DETERMINANT + 1)
    return determinant_expr(_IrOps(ctx, node), m.at, n)


def inverse(ctx, node, m: MatrixValue) -> MatrixValue:
    """``m.inverse()`` for square matrices of size 1 to 12 (integer matrices give default_fp results)."""
    from quadrants.frontend.matrix import make_matrix

    n = square_size(ctx, node, m, _MAX_INVERSE + 1)
    if n == 1:
        return make_matrix(ctx, [[a.div(ctx, node, 1.0, m.at(0, 0))]], node)
    if n > 4:
        return _inverse_lu(ctx, node, m, n)
    ops = _IrOps(ctx, node)
    inv_det = a.div(ctx, node, 1.0, determinant_expr(ops, m.at, n))
    adjugate = make_matrix(ctx, adjugate_rows(ops, m.at, n), node)
    return MatrixValue(tuple(a.mul(ctx, node, inv_det, x) for x in adjugate.items), (n, n))


class _Grid:
    """An n×n grid of scalar locals (declared with the matrix's dtype), as upstream's working matrices."""

    def __init__(self, ctx, node, name: str, n: int, dtype, init):
        self.ctx, self.node, self.dtype = ctx, node, dtype
        self.vars = [
            [ctx.declare(f"{name}_{r}_{c}", tr.cast(ctx, init(r, c), dtype), node) for c in range(n)] for r in range(n)
        ]

    def __getitem__(self, rc):
        return ir.LocalRef(self.vars[rc[0]][rc[1]])

    def __setitem__(self, rc, value):
        var = self.vars[rc[0]][rc[1]]
        self.ctx.emit(ir.Assign(var, tr.implicit(self.ctx, value, var.dtype, self.node), self.ctx.loc(self.node)))


def _inverse_lu(ctx, node, m: MatrixValue, n: int) -> MatrixValue:
    """Gauss elimination with partial pivoting (the pivot row is a run-time value), then back substitution."""
    zero = a.mul(ctx, node, m.at(0, 0), 0)
    dtype = tr.to_expr(ctx, zero, node).dtype
    work = _Grid(ctx, node, "lu", n, dtype, lambda r, c: m.at(r, c))
    rhs = _Grid(ctx, node, "lu_rhs", n, dtype, lambda r, c: 1 if r == c else 0)
    for k in range(n):
        pivot = ctx.declare("pivot", ir.Const(k, dtypes.i32), node)
        pivot_abs = ctx.declare("pivot_abs", tr.to_expr(ctx, a.absolute(ctx, node, work[k, k]), node), node)
        for p in range(k + 1, n):
            current = ctx.temp(a.absolute(ctx, node, work[p, k]), node)
            better = ctx.temp(a.greater(ctx, node, current, ir.LocalRef(pivot_abs)), node)
            ctx.emit(ir.Assign(pivot_abs, a.select(ctx, node, better, current, ir.LocalRef(pivot_abs)), ctx.loc(node)))
            ctx.emit(ir.Assign(pivot, a.select(ctx, node, better, p, ir.LocalRef(pivot)), ctx.loc(node)))
        for r in range(k + 1, n):
            _swap_rows_if(ctx, node, ir.LocalRef(pivot), k, r, (work, rhs), n)
        for i in range(k + 1, n):
            factor = ctx.temp(a.div(ctx, node, work[i, k], work[k, k]), node)
            work[i, k] = factor
            for j in range(k + 1, n):
                work[i, j] = a.sub(ctx, node, work[i, j], a.mul(ctx, node, factor, work[k, j]))
            for j in range(n):
                rhs[i, j] = a.sub(ctx, node, rhs[i, j], a.mul(ctx, node, factor, rhs[k, j]))
    result = _Grid(ctx, node, "lu_inv", n, dtype, lambda r, c: zero)
    for col in range(n):
        for i in range(n - 1, -1, -1):
            s = rhs[i, col]
            for j in range(i + 1, n):
                s = a.sub(ctx, node, s, a.mul(ctx, node, work[i, j], result[j, col]))
            result[i, col] = a.div(ctx, node, s, work[i, i])
    return MatrixValue(tuple(result[r, c] for r in range(n) for c in range(n)), (n, n))


def _swap_rows_if(ctx, node, pivot, k: int, r: int, grids, n: int) -> None:
    """``if pivot == r: swap rows k and r`` of every grid (a run-time row swap without dynamic indexing)."""
    with ctx.block() as body:
        for grid in grids:
            for j in range(n):
                held = ctx.temp(grid[k, j], node)
                grid[k, j] = grid[r, j]
                grid[r, j] = held
    hit = tr.compare(ctx, Op.EQ, pivot, ir.Const(r, dtypes.i32), node)
    ctx.emit(ir.If(hit, tuple(body), (), ctx.loc(node)))
