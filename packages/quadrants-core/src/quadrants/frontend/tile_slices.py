"""Slices of arrays for register tiles (docs/simt.md, "Tiles"): ``t[:] = arr[r0:r1, c0:c1]``, ``arr[r0:r1, c0:c1] =
t`` (and ``arr[b, r0:r1, c0:c1]``), and the column ``arr[r0:r1, col]`` (one value per lane) of ``qd.outer``.

``arr`` is an ndarray, a field or a ``qd.simt.block.SharedArray`` of scalars. A slice is a compile-time proxy
(:class:`TileSlice`, :class:`ColumnSlice`) that only a tile assignment or ``qd.outer`` consumes. Lane ``tid`` reaches
row ``r0 + tid``: rows at or past ``min(r1, rows of arr)`` are skipped (a load leaves the tile's row as it was, a
store writes nothing, a column gives 0), and within a row the columns ``c0 + j`` at or past ``min(c1, columns of
arr)`` (register ``j``) likewise, as upstream 1.3.3 does.
"""

from __future__ import annotations

import ast

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import tiles, typing_rules as tr
from quadrants.frontend.values import MatrixValue, NdarrayValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = ["TileSlice", "ColumnSlice", "array_slice", "load_tile", "store_tile", "column_value", "aug_assign"]

_U1 = dtypes.u1
_FORMS = "arr[r0:r1, c0:c1], arr[b, r0:r1, c0:c1] (tile loads and stores) or arr[r0:r1, col], arr[b, r0:r1, col]"


class _Deferred:
    """A slice proxy: any use other than a tile assignment or ``qd.outer`` is a TypeError, as upstream."""

    _what = "Array slice proxy"

    def _misuse(self, op: str):
        raise TypeError(
            f"{self._what} was {op}, but it is only valid in tile operations (tile[:] = ..., ... = tile, qd.outer(...))"
        )

    def __add__(self, other):
        self._misuse("added")

    def __radd__(self, other):
        self._misuse("added")

    def __sub__(self, other):
        self._misuse("subtracted")

    def __rsub__(self, other):
        self._misuse("subtracted")

    def __mul__(self, other):
        self._misuse("multiplied")

    def __rmul__(self, other):
        self._misuse("multiplied")

    def __getitem__(self, key):
        self._misuse("subscripted")


class TileSlice(_Deferred):
    """``arr[r0:r1, c0:c1]`` / ``arr[b, r0:r1, c0:c1]``: the source of a tile load or the target of a store."""

    _what = "Array slice proxy (arr[r0:r1, c0:c1])"

    def __init__(self, arr: NdarrayValue, batch, rows: tuple, cols: tuple, indexer):
        self.arr, self.batch, self.rows, self.cols, self.indexer = arr, batch, rows, cols, indexer


class ColumnSlice(_Deferred):
    """``arr[r0:r1, col]`` / ``arr[b, r0:r1, col]``: one element per lane, for ``qd.outer``."""

    _what = "Vec slice proxy (arr[r0:r1, col])"

    def __init__(self, arr: NdarrayValue, batch, rows: tuple, col, indexer):
        self.arr, self.batch, self.rows, self.col, self.indexer = arr, batch, rows, col, indexer


# ------------------------------------------------------------------------------------------------- building


def _bound(ctx, evaluate, node, bound):
    value = evaluate(ctx, bound)
    if isinstance(value, bool) or not (isinstance(value, int) or (is_runtime(value) and not value.dtype.is_float)):
        raise QuadrantsTypeError(f"a tile slice's bounds and indices must be integers, got {value!r}", ctx.loc(node))
    if isinstance(value, int) and value < 0:  # upstream's rule for every compile-time index of a slice
        raise QuadrantsSyntaxError("Negative indices are not supported in Quadrants kernels.", ctx.loc(node))
    return value


def array_slice(ctx, node: ast.Subscript, arr: NdarrayValue, evaluate, indexer):
    """``arr[...]`` with a slice in the index: a :class:`TileSlice` or a :class:`ColumnSlice`. ``evaluate`` and
    ``indexer`` (``exprs.index_values``: an element's physical indices) come from the caller, which imports this
    module."""
    if tiles.is_tile(arr):
        raise QuadrantsSyntaxError(
            "a tile's [:] is only the target of a load: t[:] = arr[r0:r1, c0:c1] (read registers as t.r[j])",
            ctx.loc(node),
        )
    parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    kinds = tuple(isinstance(p, ast.Slice) for p in parts)
    form = {(True, True): "tile", (False, True, True): "tile", (True, False): "col", (False, True, False): "col"}
    if kinds not in form or len(parts) != arr.ndim or arr.element_shape:
        raise QuadrantsSyntaxError(
            f"an array is sliced in kernel code only for register tiles, as {_FORMS}, on an array of scalars "
            f"with that many axes ('{arr.name}' has {arr.ndim})",
            ctx.loc(node),
        )
    values = []
    for part, is_slice in zip(parts, kinds):
        if not is_slice:
            values.append(_bound(ctx, evaluate, node, part))
            continue
        which = "row" if not values or (len(values) == 1 and not kinds[0]) else "col"
        if part.lower is None or part.upper is None:
            raise QuadrantsSyntaxError(f"Tile {which} slice: both start and stop indices are required", ctx.loc(node))
        if part.step is not None:
            raise QuadrantsSyntaxError(f"Tile {which} slice: a step is not supported", ctx.loc(node))
        values.append((_bound(ctx, evaluate, node, part.lower), _bound(ctx, evaluate, node, part.upper)))
    batch = None if kinds[0] else values.pop(0)
    if form[kinds] == "tile":
        return TileSlice(arr, batch, values[0], values[1], indexer)
    return ColumnSlice(arr, batch, values[0], values[1], indexer)


# ----------------------------------------------------------------------------------------------- operations


def _min(ctx, node, a, b):
    return tr.scalar_minmax(ctx, node, Op.MIN, [a, b])


def _lt(ctx, node, a, b):
    """``a < b``: a Python bool when both are compile-time, else a u1 expression."""
    if not is_runtime(a) and not is_runtime(b):
        return a < b
    return tr.compare(ctx, Op.LT, a, b, node)


def _guarded(ctx, node, cond, body) -> None:
    if cond is True:
        body()
    elif cond is not False:
        tiles.emit_if(ctx, node, cond, body)


def _element(ctx, node, sl, row, col):
    items = [row, col] if sl.batch is None else [sl.batch, row, col]
    return sl.indexer(ctx, sl.arr, items, None, node)


def _rows(ctx, node, arr: NdarrayValue, batch, rows: tuple):
    """(this lane's row, the clipped row stop)."""
    axis = 0 if batch is None else 1
    row = ctx.temp(tr.binary(ctx, Op.ADD, "+", rows[0], tiles.lane(ctx, node), node), node, "tile_row")
    return row, _min(ctx, node, rows[1], arr.shape[axis])


def _each_column(ctx, node, sl: TileSlice, n: int, body) -> None:
    """``body(j, row, col)`` for register j, guarded by the row and column clipping."""
    row, row_stop = _rows(ctx, node, sl.arr, sl.batch, sl.rows)

    def in_row():
        c0, c1 = sl.cols
        col_stop = _min(ctx, node, c1, sl.arr.shape[-1])
        col_stop = ctx.temp(col_stop, node, "tile_col_stop") if is_runtime(col_stop) else col_stop
        for j in range(n):
            col = c0 + j if not is_runtime(c0) else tr.binary(ctx, Op.ADD, "+", c0, j, node)
            col = ctx.temp(col, node, "tile_col") if is_runtime(col) else col
            _guarded(ctx, node, _lt(ctx, node, col, col_stop), lambda j=j, col=col: body(j, row, col))

    _guarded(ctx, node, _lt(ctx, node, row, row_stop), in_row)


def load_tile(ctx, target: ast.Subscript, tile, value, node) -> None:
    """``t[:] = arr[r0:r1, c0:c1]`` (or a 3-D slice)."""
    st = tile.stype
    if not (isinstance(target.slice, ast.Slice) and target.slice.lower is None and target.slice.upper is None):
        raise QuadrantsSyntaxError(f"a tile is loaded as a whole: t[:] = {_FORMS.split(' (')[0]}", ctx.loc(node))
    if not isinstance(value, TileSlice):
        raise QuadrantsTypeError(
            f"Tile[:] can only be assigned from an array slice, got {type(value).__name__}", ctx.loc(node)
        )
    tiles.check_lanes(ctx, node, st.size, f"{st.name}[:] = ...")
    regs = tiles.registers(ctx, tile, node, f"{st.name}[:] =")
    arr = value.arr

    def load(j, row, col):
        var = ctx.new_var(f"{arr.name}_elem", arr.dtype)
        ctx.define(ir.Load(var, arr.arg, _element(ctx, node, value, row, col), ctx.loc(node)))
        tiles.set_reg(ctx, regs[j], ir.LocalRef(var), node)

    _each_column(ctx, node, value, st.size, load)


def store_tile(ctx, target: ast.Subscript, sl: TileSlice, value, node) -> None:
    """``arr[r0:r1, c0:c1] = t`` (or a 3-D slice)."""
    if isinstance(sl, ColumnSlice) or not tiles.is_tile(value):
        got = "a column slice target" if isinstance(sl, ColumnSlice) else type(value).__name__
        raise QuadrantsTypeError(
            f"only a register tile can be stored into an array slice (arr[r0:r1, c0:c1] = tile), got {got}",
            ctx.loc(node),
        )
    st = value.stype
    tiles.check_lanes(ctx, node, st.size, f"storing a {st.name}")
    regs = [ctx.temp(r, node) if is_runtime(r) else r for r in value.items["r"].items]
    arr = sl.arr

    def store(j, row, col):
        index = _element(ctx, node, sl, row, col)
        ctx.emit(ir.Store(arr.arg, index, tr.implicit(ctx, regs[j], arr.dtype, node), ctx.loc(node)))

    _each_column(ctx, node, sl, st.size, store)


def column_value(ctx, node, value, dtype):
    """An operand of ``qd.outer``: a column slice becomes this lane's element as ``dtype`` (0 past the rows), a
    scalar stays as it is."""
    if isinstance(value, ColumnSlice):
        row, row_stop = _rows(ctx, node, value.arr, value.batch, value.rows)
        out = ctx.declare("tile_vec", ir.Const(0.0, dtype), node)

        def load():
            var = ctx.new_var(f"{value.arr.name}_elem", value.arr.dtype)
            index = _element(ctx, node, value, row, value.col)
            ctx.define(ir.Load(var, value.arr.arg, index, ctx.loc(node)))
            ctx.emit(ir.Assign(out, tr.cast(ctx, ir.LocalRef(var), dtype, node), ctx.loc(node)))

        _guarded(ctx, node, _lt(ctx, node, row, row_stop), load)
        return ir.LocalRef(out)
    if (
        isinstance(value, (TileSlice, MatrixValue))
        or tiles.is_tile(value)
        or not (is_runtime(value) or isinstance(value, (int, float)))
    ):
        raise QuadrantsTypeError(
            f"qd.outer(a, b) takes one scalar per lane or a column slice arr[r0:r1, col], got {type(value).__name__}",
            ctx.loc(node),
        )
    return value


def aug_assign(ctx, node: ast.AugAssign, evaluate) -> bool:
    """``t -= qd.outer(a, b)`` on a local tile ``t``; False when the target is no tile."""
    if not isinstance(node.target, ast.Name):
        return False
    tile = ctx.lookup_local(node.target.id)
    if not tiles.is_tile(tile):
        return False
    st = tile.stype
    value = evaluate(ctx, node.value)
    op = type(node.op).__name__
    if not isinstance(value, tiles.OuterProduct):
        raise QuadrantsTypeError(
            f"{st.name}: unsupported augmented assignment with {type(value).__name__}; only "
            f"tile -= qd.outer(a, b) updates a tile",
            ctx.loc(node),
        )
    if op != "Sub":
        raise QuadrantsTypeError(
            f"{st.name}: unsupported augmented assignment op '{op}' with outer product (only -= is)", ctx.loc(node)
        )
    a = column_value(ctx, node, value.a, st.dtype)
    b = a if value.b is value.a else column_value(ctx, node, value.b, st.dtype)
    tiles.rank1_update(ctx, node, tile, a, b)
    return True
