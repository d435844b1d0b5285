"""The kernel functions of ``qd.simt`` (warp, subgroup, block, grid): one :class:`SimtFunction` each, in
:data:`FUNCTIONS` by qualified name (``"subgroup.shuffle"``). The public modules under ``quadrants/lang/simt`` only
assemble these names. Semantics: docs/simt.md; lowering: frontend/simt_ops.py.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError, caller_loc
from quadrants.frontend import simt, simt_lowering, simt_ops as so, typing_rules as tr
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = ["SimtFunction", "FUNCTIONS", "group_size", "log2_group_size"]

_I32, _U32, _U64, _U1 = dtypes.i32, dtypes.u32, dtypes.u64, dtypes.u1


class SimtFunction:
    """A kernel-only ``qd.simt`` function; kernel code reaches ``lower`` through the ``_qd_constructor`` hook."""

    def __init__(self, qualname: str, lower: Callable, doc: str = ""):
        self.__qualname__ = f"qd.simt.{qualname}"
        self.__name__ = qualname.rsplit(".", 1)[-1]
        self.__doc__ = doc or f"``qd.simt.{qualname}``: see docs/simt.md."
        self._lower = lower

    def __repr__(self) -> str:
        return f"<quadrants function {self.__qualname__}>"

    def __call__(self, *args, **kwargs):
        raise QuadrantsSyntaxError(
            f"{self.__qualname__}() can only be called from a @qd.kernel or @qd.func", caller_loc()
        )

    def _qd_constructor(self, ctx, node, args, kwargs):
        try:
            return self._lower(ctx, node, *args, **kwargs)
        except TypeError as exc:
            if "positional argument" in str(exc) or "keyword argument" in str(exc):
                raise QuadrantsTypeError(f"{self.__qualname__}(): {exc}", ctx.loc(node)) from None
            raise


FUNCTIONS: dict[str, SimtFunction] = {}


def _define(name: str, doc: str = ""):
    def wrap(lower):
        FUNCTIONS[name] = SimtFunction(name, lower, doc)
        return lower

    return wrap


def group_size() -> int:
    """The subgroup size: 32 lanes on every backend (docs/simt.md)."""
    return simt.SUBGROUP_SIZE


def log2_group_size() -> int:
    """``log2(group_size())`` = 5."""
    return simt.SUBGROUP_SIZE.bit_length() - 1


def _c(value, dtype=_I32):
    return ir.Const(value, dtype)


def _int(ctx, node, value, dtype=_I32):
    x = tr.to_expr(ctx, value, node)
    if x.dtype.is_float:
        raise QuadrantsTypeError(f"expected an integer, got {x.dtype}", ctx.loc(node))
    return x if x.dtype == dtype else ir.OpExpr(Op.CAST, (x,), dtype)


def _flag(ctx, node, value):
    x = tr.to_expr(ctx, value, node)
    return ir.OpExpr(Op.CAST, (ir.OpExpr(Op.NE, (x, ir.Const(0, x.dtype)), _U1),), _I32)


def _tile(ctx, node, log2_size) -> int:
    n = so.static_int(ctx, node, log2_size, "log2_size")
    if not 0 <= n <= 5:
        raise QuadrantsTypeError(f"log2_size must be 0..5 (a tile of at most 32 lanes), got {n}", ctx.loc(node))
    return 1 << n


# ------------------------------------------------------------------------------------------- barriers, fences


@_define("block.sync", "Barrier over the iterations of the block (docs/simt.md).")
def _block_sync(ctx, node):
    simt_lowering.emit_barrier(ctx, node)


for _name in ("subgroup.sync", "subgroup.barrier"):
    FUNCTIONS[_name] = SimtFunction(_name, _block_sync, "Barrier over the subgroup (a block barrier here).")


@_define("warp.sync")
def _warp_sync(ctx, node, mask):
    simt_lowering.emit_barrier(ctx, node)


def _fence(ctx, node):
    """Every exchange already orders memory: loads and stores of one lane are in program order, phases of a block in
    sequence, and the backends' atomics are sequentially consistent."""
    return None


for _name in ("block.mem_fence", "block.mem_sync", "grid.mem_fence", "grid.memfence"):
    FUNCTIONS[_name] = SimtFunction(_name, _fence, "A memory fence (nothing to do in the block model; docs/simt.md).")
for _name in ("subgroup.mem_fence", "subgroup.memory_barrier"):
    FUNCTIONS[_name] = SimtFunction(_name, _fence, "A subgroup memory fence (nothing to do here).")


# ---------------------------------------------------------------------------------------------------- indices


@_define("block.thread_idx", "The iteration's lane in its block: linear index % block_dim.")
def _thread_idx(ctx, node):
    return so.thread_idx_expr(ctx, node)


@_define("block.global_thread_idx", "The linear index of the iteration in the loop's iteration space.")
def _global_thread_idx(ctx, node):
    return so.global_thread_idx_expr(ctx, node)


@_define("subgroup.invocation_id", "The lane in the subgroup: thread_idx() % 32.")
def _invocation_id(ctx, node):
    return ir.OpExpr(Op.MOD, (so.thread_idx_expr(ctx, node), _c(simt.SUBGROUP_SIZE)), _I32)


@_define("subgroup.elect", "1 on lane 0 of every subgroup, else 0.")
def _elect(ctx, node):
    lane = _invocation_id(ctx, node)
    return ir.OpExpr(Op.CAST, (ir.OpExpr(Op.EQ, (lane, _c(0)), _U1),), _I32)


@_define("warp.active_mask", "Every lane of the warp is active: 0xFFFFFFFF.")
def _active_mask(ctx, node):
    return _c(0xFFFFFFFF, _U32)


def _lanemask(kind):
    def lower(ctx, node, lane_id):
        one = ir.OpExpr(Op.SHL, (_c(1, _U32), _int(ctx, node, lane_id, _U32)), _U32)
        below = ir.OpExpr(Op.SUB, (one, _c(1, _U32)), _U32)
        at_or_below = ir.OpExpr(Op.BIT_OR, (one, below), _U32)
        return {
            "eq": one,
            "lt": below,
            "le": at_or_below,
            "gt": ir.OpExpr(Op.BIT_NOT, (at_or_below,), _U32),
            "ge": ir.OpExpr(Op.BIT_NOT, (below,), _U32),
        }[kind]

    return lower


for _k in ("eq", "lt", "le", "gt", "ge"):
    FUNCTIONS[f"subgroup.lanemask_{_k}"] = SimtFunction(f"subgroup.lanemask_{_k}", _lanemask(_k))


# ---------------------------------------------------------------------------------------------------- shuffles


def _shuffle(source: Callable):
    """``source(group, lane, arg) -> (src lane expr, in range u1 or None)``; out of range keeps the own value."""

    def lower(ctx, node, value, arg):
        arg = _int(ctx, node, arg)

        def compute(g):
            src, ok = source(g, g.lane, arg)
            got = g.read(0, ir.OpExpr(Op.MOD, (src, _c(g.width)), _I32))
            return got if ok is None else ir.OpExpr(Op.SELECT, (ok, got, g.values[0]), got.dtype)

        return so.group_exchange(ctx, node, [value], compute)

    return lower


def _src_index(g, lane, arg):
    return arg, None


def _src_xor(g, lane, arg):
    return ir.OpExpr(Op.BIT_XOR, (lane, arg), _I32), None


def _src_up(g, lane, arg):
    src = ir.OpExpr(Op.SUB, (lane, arg), _I32)
    return src, ir.OpExpr(Op.GE, (src, _c(0)), _U1)


def _src_down(g, lane, arg):
    src = ir.OpExpr(Op.ADD, (lane, arg), _I32)
    return src, ir.OpExpr(Op.LT, (src, _c(g.width)), _U1)


for _name, _src in (
    ("shuffle", _src_index),
    ("broadcast", _src_index),
    ("shuffle_xor", _src_xor),
    ("shuffle_up", _src_up),
    ("shuffle_down", _src_down),
):
    FUNCTIONS[f"subgroup.{_name}"] = SimtFunction(f"subgroup.{_name}", _shuffle(_src))


@_define("subgroup.broadcast_first", "Lane 0's value in every lane of the subgroup.")
def _broadcast_first(ctx, node, value):
    return so.group_exchange(ctx, node, [value], lambda g: g.read(0, 0))


def _warp_shuffle(source, dtype):
    inner = _shuffle(source)

    def lower(ctx, node, mask, value, offset):
        return inner(ctx, node, tr.cast(ctx, value, dtype, node), offset)

    return lower


for _name, _src in (("shfl_sync", _src_index), ("shfl_up", _src_up), ("shfl_down", _src_down), ("shfl_xor", _src_xor)):
    for _t, _dt in (("i32", _I32), ("f32", dtypes.f32)):
        if _name == "shfl_xor" and _t == "f32":
            continue  # upstream has no shfl_xor_f32
        FUNCTIONS[f"warp.{_name}_{_t}"] = SimtFunction(f"warp.{_name}_{_t}", _warp_shuffle(_src, _dt))


# ----------------------------------------------------------------------------------------------------- ballots


@_define("subgroup.ballot", "u64 mask: bit j set when lane j's predicate is non-zero.")
def _ballot(ctx, node, predicate):
    x = tr.to_expr(ctx, predicate, node)
    if x.dtype != _I32:  # as upstream, whose ballot operation takes an i32 predicate
        raise QuadrantsTypeError(
            f"qd.simt.subgroup.ballot() expected i32 for argument #1, but got {x.dtype}: pass an i32 predicate, "
            "e.g. ballot(qd.i32(v > 0))",
            ctx.loc(node),
        )
    return so.group_exchange(ctx, node, [_flag(ctx, node, x)], lambda g: so.ballot_bits(g, 0, _U64))


@_define("subgroup.ballot_full_subgroup")
def _ballot_full(ctx, node, predicate):
    warnings.warn_explicit(
        "qd.simt.subgroup.ballot_full_subgroup() is deprecated; use qd.simt.subgroup.ballot()",
        DeprecationWarning,
        *(ctx.loc(node).file, ctx.loc(node).line) if ctx.loc(node) else ("<kernel>", 0),
    )
    return _ballot(ctx, node, predicate)


@_define("subgroup.ballot_first_n", "u32 mask of the first n lanes' predicates.")
def _ballot_first_n(ctx, node, predicate, n):
    n = so.static_int(ctx, node, n, "n")
    return so.group_exchange(ctx, node, [_flag(ctx, node, predicate)], lambda g: so.ballot_bits(g, 0, _U32, n))


@_define("warp.ballot", "i32 mask of the warp's predicates.")
def _warp_ballot(ctx, node, predicate):
    bits = so.group_exchange(ctx, node, [_flag(ctx, node, predicate)], lambda g: so.ballot_bits(g, 0, _U32))
    return ir.OpExpr(Op.BITCAST, (bits,), _I32)


def _all_any(kind: str, tiled: bool):
    def lower(ctx, node, predicate, log2_size=None, mask=None):
        width = _tile(ctx, node, log2_size) if tiled else None
        flag = _flag(ctx, node, predicate)

        def compute(g):
            count = so.fold(g, 0, "add")
            total = _c(g.width) if kind == "all" else _c(0)
            test = ir.OpExpr(Op.EQ if kind == "all" else Op.GT, (count, total), _U1)
            return ir.OpExpr(Op.CAST, (test,), _I32)

        return so.group_exchange(ctx, node, [flag], compute, width)

    return lower


FUNCTIONS["subgroup.all_true"] = SimtFunction("subgroup.all_true", _all_any("all", False))
FUNCTIONS["subgroup.any_true"] = SimtFunction("subgroup.any_true", _all_any("any", False))
FUNCTIONS["subgroup.all_true_tiled"] = SimtFunction("subgroup.all_true_tiled", _all_any("all", True))
FUNCTIONS["subgroup.any_true_tiled"] = SimtFunction("subgroup.any_true_tiled", _all_any("any", True))
FUNCTIONS["warp.all_nonzero"] = SimtFunction(
    "warp.all_nonzero", lambda ctx, node, mask, predicate: _all_any("all", False)(ctx, node, predicate)
)
FUNCTIONS["warp.any_nonzero"] = SimtFunction(
    "warp.any_nonzero", lambda ctx, node, mask, predicate: _all_any("any", False)(ctx, node, predicate)
)


def _all_equal(tiled: bool):
    def lower(ctx, node, value, log2_size=None):
        width = _tile(ctx, node, log2_size) if tiled else None

        def compute(g):
            first = g.read(0, 0)
            same = _c(True, _U1)
            for j in range(1, g.width):
                eq = ir.OpExpr(Op.EQ, (g.read(0, j), first), _U1)
                same = g.temp(ir.OpExpr(Op.SELECT, (same, eq, _c(False, _U1)), _U1), "simt_same")
            return ir.OpExpr(Op.CAST, (same,), _I32)

        return so.group_exchange(ctx, node, [value], compute, width)

    return lower


FUNCTIONS["subgroup.all_equal"] = SimtFunction("subgroup.all_equal", _all_equal(False))
FUNCTIONS["subgroup.all_equal_tiled"] = SimtFunction("subgroup.all_equal_tiled", _all_equal(True))
FUNCTIONS["warp.unique"] = SimtFunction(
    "warp.unique", lambda ctx, node, mask, predicate: _all_equal(False)(ctx, node, _flag(ctx, node, predicate))
)


def _match(kind: str):
    def lower(ctx, node, mask, value):
        def compute(g):
            bits = _c(0, _U32)
            for j in range(g.width):
                eq = ir.OpExpr(Op.CAST, (ir.OpExpr(Op.EQ, (g.read(0, j), g.values[0]), _U1),), _U32)
                bits = g.temp(ir.OpExpr(Op.BIT_OR, (bits, ir.OpExpr(Op.SHL, (eq, _c(j, _U32)), _U32)), _U32))
            if kind == "any":
                return bits
            full = _c((1 << g.width) - 1, _U32)
            return ir.OpExpr(Op.SELECT, (ir.OpExpr(Op.EQ, (bits, full), _U1), full, _c(0, _U32)), _U32)

        return so.group_exchange(ctx, node, [value], compute)

    return lower


FUNCTIONS["warp.match_any"] = SimtFunction("warp.match_any", _match("any"))
FUNCTIONS["warp.match_all"] = SimtFunction("warp.match_all", _match("all"))


# -------------------------------------------------------------------------------------- reductions and scans


def _reduce(op: str, tiled: bool):
    def lower(ctx, node, value, log2_size=None):
        width = _tile(ctx, node, log2_size) if tiled else None
        return so.group_exchange(ctx, node, [value], lambda g: so.fold(g, 0, op), width)

    return lower


def _scan(op: str, inclusive: bool, tiled: bool):
    def lower(ctx, node, value, log2_size=None):
        width = _tile(ctx, node, log2_size) if tiled else None
        return so.group_exchange(
            ctx, node, [value], lambda g: so.fold(g, 0, op, upto=g.lane, inclusive=inclusive), width
        )

    return lower


def _segmented(op: str, tiled: bool):
    def lower(ctx, node, value, head_flag, log2_size=None):
        width = _tile(ctx, node, log2_size) if tiled else None
        head = _flag(ctx, node, head_flag)
        return so.group_exchange(ctx, node, [value, head], lambda g: so.segmented(g, op), width)

    return lower


for _op_name in ("add", "min", "max"):
    for _prefix in ("reduce", "reduce_all"):
        FUNCTIONS[f"subgroup.{_prefix}_{_op_name}"] = SimtFunction(
            f"subgroup.{_prefix}_{_op_name}", _reduce(_op_name, False)
        )
        FUNCTIONS[f"subgroup.{_prefix}_{_op_name}_tiled"] = SimtFunction(
            f"subgroup.{_prefix}_{_op_name}_tiled", _reduce(_op_name, True)
        )
    FUNCTIONS[f"subgroup.segmented_reduce_{_op_name}"] = SimtFunction(
        f"subgroup.segmented_reduce_{_op_name}", _segmented(_op_name, False)
    )
    FUNCTIONS[f"subgroup.segmented_reduce_{_op_name}_tiled"] = SimtFunction(
        f"subgroup.segmented_reduce_{_op_name}_tiled", _segmented(_op_name, True)
    )
for _op_name in ("add", "mul", "min", "max", "and", "or", "xor"):
    for _kind, _incl in (("inclusive", True), ("exclusive", False)):
        FUNCTIONS[f"subgroup.{_kind}_{_op_name}"] = SimtFunction(
            f"subgroup.{_kind}_{_op_name}", _scan(_op_name, _incl, False)
        )
        FUNCTIONS[f"subgroup.{_kind}_{_op_name}_tiled"] = SimtFunction(
            f"subgroup.{_kind}_{_op_name}_tiled", _scan(_op_name, _incl, True)
        )


def _bitonic(tiled: bool):
    def lower(ctx, node, key, value, log2_size=None):
        width = _tile(ctx, node, log2_size) if tiled else None
        rank = so.group_exchange(ctx, node, [key, value], so.rank_pairs, width)
        k, v = tr.to_expr(ctx, key, node), tr.to_expr(ctx, value, node)
        return so.group_exchange(ctx, node, [rank, k, v], so.pick_by_rank, width)

    return lower


FUNCTIONS["subgroup.bitonic_sort_kv"] = SimtFunction("subgroup.bitonic_sort_kv", _bitonic(False))
FUNCTIONS["subgroup.bitonic_sort_kv_tiled"] = SimtFunction("subgroup.bitonic_sort_kv_tiled", _bitonic(True))


# -------------------------------------------------------------------------------------------------- block ops


def _block_dim_arg(ctx, node, block_dim):
    task = simt_lowering.simt_task(ctx, node, "a qd.simt.block reduction")
    size = so.static_int(ctx, node, block_dim, "block_dim")
    if task is not None and size != task.block_dim:
        raise QuadrantsTypeError(
            f"block_dim={size} does not match the loop's qd.loop_config(block_dim={task.block_dim})", ctx.loc(node)
        )


def _block_value(ctx, node, value, dtype):
    return tr.cast(ctx, value, tr_dtype(ctx, node, dtype), node) if dtype is not None else value


def tr_dtype(ctx, node, dtype):
    from quadrants.frontend.annotations import to_dtype

    return to_dtype(dtype, ctx.default_ip, ctx.default_fp)


def _block_reduce_generic(ctx, node, value, block_dim, op, dtype=None):
    _block_dim_arg(ctx, node, block_dim)
    value = _block_value(ctx, node, value, dtype)
    return so.group_exchange(ctx, node, [value], lambda g: so.fold_with(g, op), "block")


def _block_reduce(op: str):
    def lower(ctx, node, value, block_dim, dtype=None):
        _block_dim_arg(ctx, node, block_dim)
        value = _block_value(ctx, node, value, dtype)
        return so.group_exchange(ctx, node, [value], lambda g: so.fold(g, 0, op), "block")

    return lower


def _block_inclusive_scan(ctx, node, value, block_dim, op, dtype=None):
    _block_dim_arg(ctx, node, block_dim)
    value = _block_value(ctx, node, value, dtype)
    return so.group_exchange(ctx, node, [value], lambda g: so.fold_with(g, op, upto=g.lane), "block")


def _block_exclusive_scan(ctx, node, value, block_dim, op, identity, dtype=None):
    _block_dim_arg(ctx, node, block_dim)
    value = _block_value(ctx, node, value, dtype)
    return so.group_exchange(
        ctx, node, [value], lambda g: so.fold_with(g, op, upto=g.lane, inclusive=False, identity=identity), "block"
    )


def _block_scan(op: str, inclusive: bool):
    def lower(ctx, node, value, block_dim, dtype=None):
        _block_dim_arg(ctx, node, block_dim)
        value = _block_value(ctx, node, value, dtype)
        return so.group_exchange(
            ctx, node, [value], lambda g: so.fold(g, 0, op, upto=g.lane, inclusive=inclusive), "block"
        )

    return lower


FUNCTIONS["block.reduce"] = SimtFunction("block.reduce", _block_reduce_generic)
FUNCTIONS["block.reduce_all"] = SimtFunction("block.reduce_all", _block_reduce_generic)
FUNCTIONS["block.inclusive_scan"] = SimtFunction("block.inclusive_scan", _block_inclusive_scan)
FUNCTIONS["block.exclusive_scan"] = SimtFunction("block.exclusive_scan", _block_exclusive_scan)
for _op_name in ("add", "min", "max"):
    for _prefix in ("reduce", "reduce_all"):
        FUNCTIONS[f"block.{_prefix}_{_op_name}"] = SimtFunction(f"block.{_prefix}_{_op_name}", _block_reduce(_op_name))
    FUNCTIONS[f"block.inclusive_{_op_name}"] = SimtFunction(f"block.inclusive_{_op_name}", _block_scan(_op_name, True))
    FUNCTIONS[f"block.exclusive_{_op_name}"] = SimtFunction(f"block.exclusive_{_op_name}", _block_scan(_op_name, False))


def _block_sync_predicate(kind: str):
    def lower(ctx, node, predicate):
        flag = _flag(ctx, node, predicate)

        def compute(g):
            count = so.fold(g, 0, "add")
            if kind == "count":
                return count
            total = _c(g.width) if kind == "all" else _c(0)
            return ir.OpExpr(Op.CAST, (ir.OpExpr(Op.EQ if kind == "all" else Op.GT, (count, total), _U1),), _I32)

        return so.group_exchange(ctx, node, [flag], compute, "block")

    return lower


for _kind in ("all", "any", "count"):
    FUNCTIONS[f"block.sync_{_kind}_nonzero"] = SimtFunction(f"block.sync_{_kind}_nonzero", _block_sync_predicate(_kind))


@_define(
    "block.radix_rank_match_atomic_or",
    "The stable rank of the lane's key digit in the block; fills the digit counts and their exclusive prefix sums.",
)
def _radix_rank(ctx, node, key, block_dim, radix_bits, bit_start, num_bits, bins, excl_prefix):
    _block_dim_arg(ctx, node, block_dim)
    radix, start, width = (
        so.static_int(ctx, node, v, n)
        for v, n in ((radix_bits, "radix_bits"), (bit_start, "bit_start"), (num_bits, "num_bits"))
    )
    if so.static_int(ctx, node, block_dim, "block_dim") != 1 << radix:
        raise QuadrantsTypeError(
            "block.radix_rank_match_atomic_or: block_dim must equal 1 << radix_bits", ctx.loc(node)
        )
    k = _int(ctx, node, key, _U32)
    digit = ir.OpExpr(
        Op.CAST,
        (ir.OpExpr(Op.BIT_AND, (ir.OpExpr(Op.SHR, (k, _c(start, _U32)), _U32), _c((1 << width) - 1, _U32)), _U32),),
        _I32,
    )

    def compute(g):
        mine = g.values[0]
        rank, count, below = _c(0), _c(0), _c(0)
        for j in range(g.width):
            d = g.read(0, j)
            before = ir.OpExpr(
                Op.SELECT,
                (
                    ir.OpExpr(Op.LT, (d, mine), _U1),
                    _c(True, _U1),
                    ir.OpExpr(
                        Op.SELECT,
                        (ir.OpExpr(Op.EQ, (d, mine), _U1), ir.OpExpr(Op.LT, (_c(j), g.lane), _U1), _c(False, _U1)),
                        _U1,
                    ),
                ),
                _U1,
            )
            rank = g.temp(ir.OpExpr(Op.ADD, (rank, ir.OpExpr(Op.CAST, (before,), _I32)), _I32))
            count = g.temp(
                ir.OpExpr(Op.ADD, (count, ir.OpExpr(Op.CAST, (ir.OpExpr(Op.EQ, (d, g.lane), _U1),), _I32)), _I32)
            )
            below = g.temp(
                ir.OpExpr(Op.ADD, (below, ir.OpExpr(Op.CAST, (ir.OpExpr(Op.LT, (d, g.lane), _U1),), _I32)), _I32)
            )
        return rank, count, below

    rank, count, below = so.group_exchange(ctx, node, [digit], compute, "block")
    tid = so.thread_idx_expr(ctx, node)
    for array, value in ((bins, count), (excl_prefix, below)):
        if not hasattr(array, "index_prefix"):
            raise QuadrantsTypeError(
                "bins and excl_prefix must be qd.simt.block.SharedArray((1 << radix_bits,), qd.i32)", ctx.loc(node)
            )
        ctx.emit(ir.Store(array.arg, (*array.index_prefix, tid), tr.cast(ctx, value, array.dtype), ctx.loc(node)))
    simt_lowering.emit_barrier(ctx, node)
    return rank


# --------------------------------------------------------------------------------------- qd.* building blocks


def _block_local(ctx, node, *fields):
    """``qd.block_local(f, ...)``: upstream's hint to cache fields in block memory for the next loop; the fields'
    values never change, so it only checks its arguments."""
    from quadrants.frontend.values import NdarrayValue

    for f in fields:
        if not isinstance(f, NdarrayValue):
            raise QuadrantsTypeError(f"qd.block_local() takes fields, got {type(f).__name__}", ctx.loc(node))


block_local = SimtFunction("block_local", _block_local, _block_local.__doc__)
block_local.__qualname__ = "qd.block_local"
global_thread_idx = FUNCTIONS["block.global_thread_idx"]
