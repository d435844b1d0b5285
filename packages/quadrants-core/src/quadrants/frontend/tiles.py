"""Register tiles ``qd.simt.Tile16x16`` / ``qd.simt.Tile32x32`` (docs/simt.md, "Tiles").

A tile of size N is an N x N matrix spread over the lanes of a subgroup: lane ``invocation_id()`` holds row
``invocation_id()`` in N scalar locals. In kernel code a tile is a struct value of a :class:`TileType` with one member
``r`` (a vector of the N registers), so it is copied, passed to ``@qd.func``\\ s and returned like any struct, and
``t.r[j]`` reads or writes register ``j``. Its operations expand at compile time into ordinary IR: the per-lane ones
(creation, ``eye_``, loads and stores: frontend/tile_slices.py) touch the lane's own registers, and the ones that need
other rows (``t -= qd.outer(a, b)``, ``cholesky_``, ``solve_triangular_``) publish what they need in a block array,
pass a barrier and read it back, like every group operation (frontend/simt_ops.py). Their arithmetic follows upstream
1.3.3 operation by operation (the order of the sums, the eps floor), so a result is the same bits on every backend.
"""

from __future__ import annotations

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError, caller_loc
from quadrants.frontend import simt, simt_lowering, simt_ops as so, typing_rules as tr
from quadrants.frontend.compound_types import MatrixType
from quadrants.frontend.struct_types import StructType
from quadrants.frontend.values import MatrixValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.dtypes import to_dtype
from quadrants.ir.ops import Op

__all__ = ["TileClass", "TileType", "Tile16x16", "Tile32x32", "OuterProduct", "outer", "is_tile", "rank1_update"]

_I32, _U1 = dtypes.i32, dtypes.u1
_COMPOSITION = "OuterProduct does not support composition; apply each update separately"


# ---------------------------------------------------------------------------------------------------- types


class TileType(StructType):
    """The struct type of an N x N tile of ``dtype``: one member ``r``, the lane's row (N registers)."""

    def __init__(self, size: int, dtype):
        super().__init__({"r": MatrixType((size,), dtype)}, dict(_METHODS), f"Tile{size}x{size}")
        self.size, self.dtype = size, dtype

    def __repr__(self) -> str:
        return f"<qd.simt.Tile{self.size}x{self.size} of {self.dtype}>"


_TYPES: dict[tuple, TileType] = {}


def tile_type(size: int, dtype) -> TileType:
    """One type per (size, dtype), so that tiles of the same kind assign to each other."""
    found = _TYPES.get((size, dtype))
    if found is None:
        found = _TYPES[(size, dtype)] = TileType(size, dtype)
    return found


def is_tile(value) -> bool:
    """A tile value in kernel code (a struct value of a TileType)."""
    return isinstance(getattr(value, "stype", None), TileType)


class _TileCtor:
    """``TileNxN.zeros`` / ``TileNxN.eye``: kernel-only constructors (``dtype=`` keyword, default: default_fp)."""

    def __init__(self, tile: TileClass, kind: str):
        self._tile, self._kind = tile, kind
        self.__name__ = kind
        self.__qualname__ = f"qd.simt.{tile.__name__}.{kind}"

    def __call__(self, *args, **kwargs):
        raise QuadrantsSyntaxError(f"{self.__qualname__}() can only be called in kernel code", caller_loc())

    def _qd_constructor(self, ctx, node, args, kwargs):
        if args or set(kwargs) - {"dtype"}:
            raise QuadrantsTypeError(
                f"{self.__qualname__}() takes only the keyword argument dtype=, e.g. {self.__qualname__}(dtype=qd.f32)",
                ctx.loc(node),
            )
        dtype = kwargs.get("dtype")
        try:
            dtype = ctx.default_fp if dtype is None else to_dtype(dtype, ctx.default_ip, ctx.default_fp)
        except TypeError:
            dtype = None
        if dtype is None or not dtype.is_float:
            raise QuadrantsTypeError(
                f"{self.__qualname__}(dtype=...) needs a float type (qd.f32 or qd.f64), got {kwargs.get('dtype')!r}",
                ctx.loc(node),
            )
        n = self._tile.SIZE
        check_lanes(ctx, node, n, self.__qualname__)
        if self._kind == "zeros":
            regs = [ir.Const(0.0, dtype)] * n
        else:
            regs = _eye_row(ctx, node, n, dtype)
        stype = tile_type(n, dtype)
        from quadrants.frontend.struct_values import StructValue

        return StructValue(stype, {"r": MatrixValue(tuple(regs), (n,))}, dict(stype.methods))


class TileClass:
    """``qd.simt.Tile16x16`` / ``qd.simt.Tile32x32``: ``SIZE``, ``zeros(dtype=...)``, ``eye(dtype=...)``.

    The object itself is a compile-time value, usable as a ``qd.template()`` argument (Genesis passes the class of
    the tile it wants); it is one object per size, hashed by identity.
    """

    def __init__(self, size: int):
        self.SIZE = size
        self.__name__ = f"Tile{size}x{size}"
        self.zeros = _TileCtor(self, "zeros")
        self.eye = _TileCtor(self, "eye")

    def __repr__(self) -> str:
        return f"qd.simt.{self.__name__}"

    def __reduce__(self):  # pickles (kernel cache keys) to the same object
        return (_tile_class, (self.SIZE,))


def _tile_class(size: int) -> TileClass:
    return {16: Tile16x16, 32: Tile32x32}[size]


Tile16x16 = TileClass(16)
Tile32x32 = TileClass(32)


# ---------------------------------------------------------------------------------------------------- lanes


def check_lanes(ctx, node, n: int, what: str):
    """Tiles live in a parallel loop whose subgroups have at least N lanes (one row per lane)."""
    loop = ctx.parallel_loop
    if loop is None:
        raise QuadrantsSyntaxError(
            f"{what}: register tiles hold one row per subgroup lane, so they need a parallel loop (the outermost "
            f"for of a kernel) with qd.loop_config(block_dim={n}) or a multiple of 32",
            ctx.loc(node),
        )
    block_dim = loop.config.get("block_dim", simt.DEFAULT_BLOCK_DIM)
    if isinstance(block_dim, int) and min(simt.SUBGROUP_SIZE, block_dim) < n:
        raise QuadrantsSyntaxError(
            f"{what}: a {n}x{n} tile needs {n} lanes, one per row, but block_dim={block_dim}; "
            f"use qd.loop_config(block_dim={n}) (or a multiple of 32)",
            ctx.loc(node),
        )


def lane(ctx, node) -> ir.Expr:
    """``qd.simt.subgroup.invocation_id()``: the tile row this iteration holds. An expression of the loop index,
    not a local: the phases of a SIMT task re-derive it, where a local used across a barrier would be kept in a
    per-lane scratch array."""
    return ir.OpExpr(Op.MOD, (so.thread_idx_expr(ctx, node), ir.Const(simt.SUBGROUP_SIZE, _I32)), _I32)


def _eye_row(ctx, node, n: int, dtype) -> list:
    tid = ctx.temp(lane(ctx, node), node, "tile_lane")
    one, zero = ir.Const(1.0, dtype), ir.Const(0.0, dtype)
    return [ir.OpExpr(Op.SELECT, (ir.OpExpr(Op.EQ, (tid, ir.Const(j, _I32)), _U1), one, zero), dtype) for j in range(n)]


def registers(ctx, tile, node, what: str) -> list:
    """The register locals of a tile bound to a name (an in-place operation writes them)."""
    regs = tile.items["r"].items
    if not all(isinstance(r, ir.LocalRef) for r in regs):
        raise QuadrantsSyntaxError(
            f"{what} changes the tile in place: assign the tile to a local first (t = qd.simt.Tile16x16.zeros(); "
            f"t.{what.rsplit('.', 1)[-1]}...)",
            ctx.loc(node),
        )
    return list(regs)


def set_reg(ctx, ref: ir.LocalRef, value, node) -> None:
    ctx.emit(ir.Assign(ref.var, tr.cast(ctx, value, ref.var.dtype, node), ctx.loc(node)))


def emit_if(ctx, node, cond, body) -> None:
    """``if cond: body()`` as one IR statement (a lane-varying condition: no barrier may sit inside)."""
    with ctx.block() as stmts, ctx.nested():
        body()
    ctx.emit(ir.If(cond, tuple(stmts), (), ctx.loc(node)))


def _exchange_rows(ctx, node, n: int, dtype, rows, publish_cond, compute, buffer: int = 0, last: bool = True):
    """Every lane (or those where ``publish_cond`` holds) stores ``rows`` (its values 0..len-1) in a block array; a
    barrier; ``compute(read)`` runs with ``read(lane, j)`` the value j of a lane of the same subgroup; a barrier.

    An operation made of several exchanges alternates two arrays (``buffer`` 0 and 1) and passes ``last=False`` but
    on its final one: exchange s + 1 writes the other array, and exchange s + 2 writes this one only after the
    barrier of s + 1, which every lane reaches after its reads of s, so one barrier per exchange suffices."""
    task = simt_lowering.simt_task(ctx, node, "a tile operation")
    key = ("tile", dtype, n, buffer)
    array = task.exchange.get(key)
    if array is None:
        shape = (task.block_dim, n)
        array = task.exchange[key] = simt.scratch_array(ctx, task, dtype, shape, f"tile{n}_{buffer}_{dtype}")
    slot = ir.LocalRef(task.slot)
    tid = simt.thread_index(task)  # an expression, re-derived after the barrier (no scratch array)

    def store():
        for j, v in enumerate(rows):
            value = tr.cast(ctx, v, dtype, node)
            ctx.emit(ir.Store(array.arg, (slot, tid, ir.Const(j, _I32)), value, ctx.loc(node)))

    if publish_cond is None:
        store()
    else:
        emit_if(ctx, node, publish_cond, store)
    simt_lowering.emit_barrier(ctx, node)
    width = min(simt.SUBGROUP_SIZE, task.block_dim)
    base = ctx.temp(ir.OpExpr(Op.SUB, (tid, ir.OpExpr(Op.MOD, (tid, ir.Const(width, _I32)), _I32)), _I32), node)

    def read(src: int, j: int):
        var = ctx.new_var("tile_read", dtype)
        index = ir.OpExpr(Op.ADD, (base, ir.Const(src, _I32)), _I32)
        ctx.define(ir.Load(var, array.arg, (slot, index, ir.Const(j, _I32)), ctx.loc(node)))
        return ir.LocalRef(var)

    compute(read)
    if last:
        simt_lowering.emit_barrier(ctx, node)  # nobody overwrites the array before every lane has read it


def _bin(ctx, node, op: Op, a, b):
    symbol = {Op.ADD: "+", Op.SUB: "-", Op.MUL: "*", Op.TRUEDIV: "/"}[op]
    return tr.binary(ctx, op, symbol, a, b, node)


# -------------------------------------------------------------------------------------------------- methods


def _stype(tile) -> TileType:
    return tile.stype


def _eye_(ctx, node, tile, args, kwargs):
    """``t.eye_()``: the identity, each lane setting its diagonal register to 1 and the others to 0."""
    _no_args(ctx, node, "eye_", args, kwargs)
    st = _stype(tile)
    check_lanes(ctx, node, st.size, f"{st.name}.eye_")
    regs = registers(ctx, tile, node, f"{st.name}.eye_")
    for ref, v in zip(regs, _eye_row(ctx, node, st.size, st.dtype)):
        set_reg(ctx, ref, v, node)


def _cholesky_(ctx, node, tile, args, kwargs):
    """``t.cholesky_(eps)``: in place, the lower triangle becomes L with L @ L^T = t (upstream's right-looking
    order): for each pivot k, lane k sets its diagonal to sqrt(max(t[k][k] - |L[k][:k]|^2, eps)) (eps read on lane
    k), then every lane below divides (t[i][k] - L[i][:k] . L[k][:k]) by it, the dot product summed as two partial
    sums over the even and the odd j, added at the end."""
    (eps,) = _params(ctx, node, "cholesky_", args, kwargs, ("eps",))
    if isinstance(eps, MatrixValue) or not (is_runtime(eps) or isinstance(eps, (int, float))):
        raise QuadrantsTypeError(f"cholesky_(eps): eps must be a scalar, got {type(eps).__name__}", ctx.loc(node))
    st = _stype(tile)
    n, dtype = st.size, st.dtype
    check_lanes(ctx, node, n, f"{st.name}.cholesky_")
    regs = registers(ctx, tile, node, f"{st.name}.cholesky_")
    eps = ctx.temp(tr.to_expr(ctx, eps, node), node, "tile_eps") if not is_runtime(eps) else ctx.temp(eps, node)
    norm = ir.LocalRef(ctx.declare("tile_norm", ir.Const(0.0, dtype), node))  # sum of this row's L[i][:k]^2
    for k in range(n):
        on_pivot = ir.OpExpr(Op.EQ, (lane(ctx, node), ir.Const(k, _I32)), _U1)

        def pivot(k=k):
            floored = tr.scalar_minmax(ctx, node, Op.MAX, [_bin(ctx, node, Op.SUB, regs[k], norm), eps])
            set_reg(ctx, regs[k], ir.OpExpr(Op.SQRT, (floored,), floored.dtype), node)

        emit_if(ctx, node, on_pivot, pivot)

        def column(read, k=k):
            def add(a, b):
                return _bin(ctx, node, Op.ADD, a, b)

            def mul(a, b):
                return _bin(ctx, node, Op.MUL, a, b)

            sums = [ir.Const(0.0, dtype), ir.Const(0.0, dtype)]  # upstream's two interleaved partial sums
            for j in range(k):
                sums[j % 2] = ctx.temp(add(sums[j % 2], mul(read(k, j), regs[j])), node, "tile_dot")
            dot = add(sums[0], sums[1]) if k else sums[0]

            def update():
                quotient = _bin(ctx, node, Op.TRUEDIV, _bin(ctx, node, Op.SUB, regs[k], dot), read(k, k))
                value = ctx.temp(tr.cast(ctx, quotient, dtype, node), node, "tile_l")
                set_reg(ctx, regs[k], value, node)
                ctx.emit(ir.Assign(norm.var, add(norm, mul(value, value)), ctx.loc(node)))

            emit_if(ctx, node, ir.OpExpr(Op.GT, (lane(ctx, node), ir.Const(k, _I32)), _U1), update)

        _exchange_rows(ctx, node, n, dtype, regs[: k + 1], on_pivot, column, buffer=k % 2, last=k == n - 1)


def _solve_triangular_(ctx, node, tile, args, kwargs):
    """``L.solve_triangular_(B)``: B becomes X with X @ L^T = B, L lower-triangular (its upper part is not read).
    Each lane solves its row of B forwards: x[c] = (b[c] - sum_{j<c} x[j] * L[c][j]) / L[c][c], summed in j order."""
    b, lower = _params(ctx, node, "solve_triangular_", args, kwargs, ("B", "lower"), {"lower": True})
    st = _stype(tile)
    if not isinstance(lower, bool):
        raise QuadrantsTypeError("solve_triangular_(B, lower=...): lower must be a compile-time bool", ctx.loc(node))
    if not lower:
        raise QuadrantsTypeError(f"{st.name}.solve_triangular_: only lower=True is supported", ctx.loc(node))
    if not is_tile(b):
        raise QuadrantsTypeError(
            f"{st.name}.solve_triangular_(B): B must be a tile, got {type(b).__name__}", ctx.loc(node)
        )
    if b.stype.size != st.size:
        raise QuadrantsTypeError(
            f"{st.name}.solve_triangular_(B): B is a {b.stype.name}; both tiles must have the same size", ctx.loc(node)
        )
    n, dtype = st.size, st.dtype
    check_lanes(ctx, node, n, f"{st.name}.solve_triangular_")
    x = registers(ctx, b, node, f"{st.name}.solve_triangular_")
    rows = [ctx.temp(v, node) if is_runtime(v) else v for v in tile.items["r"].items]

    def solve(read):
        for c in range(n):
            dot = ir.Const(0.0, b.stype.dtype)  # upstream's accumulator has B's type
            for j in range(c):
                step = _bin(ctx, node, Op.ADD, dot, _bin(ctx, node, Op.MUL, x[j], read(c, j)))
                dot = ctx.temp(tr.cast(ctx, step, b.stype.dtype, node), node, "tile_dot")
            set_reg(ctx, x[c], _bin(ctx, node, Op.TRUEDIV, _bin(ctx, node, Op.SUB, x[c], dot), read(c, c)), node)

    _exchange_rows(ctx, node, n, dtype, rows, None, solve)


def _no_args(ctx, node, name, args, kwargs):
    if args or kwargs:
        raise QuadrantsTypeError(f"{name}() takes no arguments", ctx.loc(node))


def _params(ctx, node, name, args, kwargs, names, defaults=None):
    values = dict(defaults or {})
    if len(args) > len(names):
        raise QuadrantsTypeError(f"{name}() takes {len(names)} argument(s), got {len(args)}", ctx.loc(node))
    values.update(zip(names, args))
    for key, v in kwargs.items():
        if key not in names:
            raise QuadrantsTypeError(f"{name}() got an unexpected keyword argument '{key}'", ctx.loc(node))
        values[key] = v
    missing = [k for k in names if k not in values]
    if missing:
        raise QuadrantsTypeError(f"{name}() missing argument '{missing[0]}'", ctx.loc(node))
    return [values[k] for k in names]


class _Method:
    """A tile method lowered at compile time (struct_values.attribute binds it to the tile by reference)."""

    def __init__(self, lower):
        self._qd_struct_lowering = lower
        self.__name__ = lower.__name__.strip("_") + "_"

    def __call__(self, *args, **kwargs):
        raise QuadrantsSyntaxError(f"tile.{self.__name__}() can only be called in kernel code", caller_loc())


_METHODS = {
    "eye_": _Method(_eye_),
    "cholesky_": _Method(_cholesky_),
    "solve_triangular_": _Method(_solve_triangular_),
}


# ---------------------------------------------------------------------------------------------- rank-1 updates


class OuterProduct:
    """``qd.outer(a, b)``: a deferred rank-1 product, only valid as ``tile -= qd.outer(a, b)``."""

    def __init__(self, a, b):
        self.a, self.b = a, b

    def _compose(self, *_):
        raise TypeError(_COMPOSITION)

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __neg__ = _compose

    def __repr__(self) -> str:
        return "<qd.outer(a, b): only valid as tile -= qd.outer(a, b)>"


class _Outer:
    """``qd.outer(a, b)``: in kernel code the deferred product of a tile update (a, b: one value per lane, or a
    column slice ``arr[r0:r1, col]``)."""

    __name__ = "outer"
    __qualname__ = "qd.outer"

    def __call__(self, a, b):
        return OuterProduct(a, b)

    def _qd_constructor(self, ctx, node, args, kwargs):
        (a, b) = _params(ctx, node, "qd.outer", args, kwargs, ("a", "b"))
        return OuterProduct(a, b)


outer = _Outer()


def rank1_update(ctx, node, tile, a, b) -> None:
    """``t -= qd.outer(a, b)`` with ``a``, ``b`` this lane's values: ``t[i][j] -= a_i * b_j``, ``b_j`` read from lane
    j through one subgroup exchange."""
    st = tile.stype
    check_lanes(ctx, node, st.size, f"{st.name} -= qd.outer(...)")
    regs = registers(ctx, tile, node, f"{st.name} -= qd.outer")

    def compute(g):
        for j, ref in enumerate(regs):
            set_reg(ctx, ref, _bin(ctx, node, Op.SUB, ref, _bin(ctx, node, Op.MUL, a, g.read(0, j))), node)

    so.group_exchange(ctx, node, [b], compute)
