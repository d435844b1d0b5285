"""Class-level vector/matrix constructors in kernel code: ``qd.Vector.zero(qd.f32, 3)``, ``qd.Vector.one``,
``qd.Vector.unit``, ``qd.Matrix.zero``, ``qd.Matrix.identity``, ``qd.Matrix.diag``, ``qd.Matrix.rows`` and
``qd.Matrix.cols``.

``qd.Vector``/``qd.Matrix`` live in the public layer (``lang/matrix.py``); each of these class attributes carries one
of the lowering functions below as its ``_qd_constructor`` hook (``frontend/calls.py``). A ``dt`` of ``None`` means
the type the values promote to, as for ``qd.Vector([...])``; ``int``/``float`` mean default_ip/default_fp.
"""

from __future__ import annotations

from quadrants.errors import QuadrantsCompilationError, QuadrantsTypeError
from quadrants.frontend.matrix_methods import REQUIRED as _REQUIRED, bind_params as _bind, transpose
from quadrants.frontend.values import MatrixValue, is_runtime

__all__ = ["lower_zero", "lower_one", "lower_unit", "lower_identity", "lower_diag", "lower_rows", "lower_cols"]


def _static_int(ctx, node, value, what: str) -> int:
    if is_runtime(value) or isinstance(value, bool) or not isinstance(value, int):
        raise QuadrantsCompilationError(f"{what} must be a compile-time int, got {value!r}", ctx.loc(node))
    return value


def _dtype(ctx, node, dt):
    if dt is None:
        return None
    from quadrants.frontend.annotations import to_dtype

    try:
        return to_dtype(dt, ctx.default_ip, ctx.default_fp)
    except TypeError as exc:
        raise QuadrantsTypeError(str(exc), ctx.loc(node)) from None


def _build(ctx, node, rows, dt) -> MatrixValue:
    from quadrants.frontend.matrix import make_matrix

    return make_matrix(ctx, rows, node, _dtype(ctx, node, dt))


def _filled(name: str, fill):
    def lower(ctx, node, args, kwargs):
        dt, n, m = _bind(ctx, node, name, args, kwargs, (("dt", _REQUIRED), ("n", _REQUIRED), ("m", None)))
        n = _static_int(ctx, node, n, "n")
        if m is None:
            return _build(ctx, node, [fill] * n, dt)
        m = _static_int(ctx, node, m, "m")
        return _build(ctx, node, [[fill] * m for _ in range(n)], dt)

    return lower


lower_zero = _filled("zero", 0)
lower_one = _filled("one", 1)


def lower_unit(ctx, node, args, kwargs):
    """``qd.Vector.unit(n, i, dt=None)``: component ``i`` is one, the others zero; ``dt`` defaults to ``int``."""
    n, i, dt = _bind(ctx, node, "unit", args, kwargs, (("n", _REQUIRED), ("i", _REQUIRED), ("dt", None)))
    n, i = _static_int(ctx, node, n, "n"), _static_int(ctx, node, i, "i")
    if not 0 <= i < n:
        raise QuadrantsCompilationError(f"unit(n={n}, i={i}): i must be in [0, n)", ctx.loc(node))
    return _build(ctx, node, [int(k == i) for k in range(n)], int if dt is None else dt)


def lower_identity(ctx, node, args, kwargs):
    """``qd.Matrix.identity(dt, n)``."""
    dt, n = _bind(ctx, node, "identity", args, kwargs, (("dt", _REQUIRED), ("n", _REQUIRED)))
    n = _static_int(ctx, node, n, "n")
    return _build(ctx, node, [[int(r == c) for c in range(n)] for r in range(n)], dt)


def lower_diag(ctx, node, args, kwargs):
    """``qd.Matrix.diag(dim, val)``: ``val`` on the diagonal, integer zeros elsewhere (the type promotes)."""
    dim, val = _bind(ctx, node, "diag", args, kwargs, (("dim", _REQUIRED), ("val", _REQUIRED)))
    dim = _static_int(ctx, node, dim, "dim")
    if is_runtime(val):
        val = ctx.temp(val, node)
    return _build(ctx, node, [[val if r == c else 0 for c in range(dim)] for r in range(dim)], None)


def lower_rows(ctx, node, args, kwargs):
    """``qd.Matrix.rows([v0, v1, ...])``: a matrix whose rows are the given vectors (or lists)."""
    (rows,) = _bind(ctx, node, "rows", args, kwargs, (("rows", _REQUIRED),))
    if not isinstance(rows, (list, tuple)) or not rows:
        raise QuadrantsCompilationError("Cols/rows must be a list of lists, or a list of vectors", ctx.loc(node))
    out = []
    for row in rows:
        if isinstance(row, MatrixValue) and row.is_vector:
            out.append(list(row.items))
        elif isinstance(row, (list, tuple)):
            out.append(list(row))
        else:
            raise QuadrantsCompilationError("Cols/rows must be a list of lists, or a list of vectors", ctx.loc(node))
    if len({len(r) for r in out}) != 1:
        raise QuadrantsCompilationError(
            f"required shapes to be the same, got shapes {[(len(r),) for r in out]}", ctx.loc(node)
        )
    return _build(ctx, node, out, None)


def lower_cols(ctx, node, args, kwargs):
    """``qd.Matrix.cols([v0, v1, ...])``: a matrix whose columns are the given vectors (or lists)."""
    (cols,) = _bind(ctx, node, "cols", args, kwargs, (("cols", _REQUIRED),))
    return transpose(ctx, node, lower_rows(ctx, node, [cols], {}))
