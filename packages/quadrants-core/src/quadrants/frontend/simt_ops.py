"""The lowering of ``qd.simt`` operations (docs/simt.md): block and subgroup primitives over the block model of
frontend/simt.py.

Every group operation (shuffles, broadcasts, ballots, reductions, scans, sorts, over a subgroup of 32 lanes, a tile of
``2**log2_size`` lanes or the whole block) is one *exchange*: each lane stores its value in a block array, a barrier,
each lane computes its result from the values of its group read in lane order, a barrier. Folds run in ascending lane
order, so float results are the same on every backend. In serial code a group is the one running lane.
"""

from __future__ import annotations

from collections.abc import Callable

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import simt, simt_lowering, typing_rules as tr
from quadrants.frontend.values import is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.dtypes import DataType
from quadrants.ir.ops import Op

__all__ = ["GroupOp", "group_exchange", "thread_idx_expr", "global_thread_idx_expr", "lower_shared_array", "BINARY"]

_I32, _U32, _U64, _U1 = dtypes.i32, dtypes.u32, dtypes.u64, dtypes.u1


def _c(value, dtype=_I32) -> ir.Const:
    return ir.Const(value, dtype)


def _op(op: Op, a, b, dtype=None):
    return ir.OpExpr(op, (a, b), dtype or a.dtype)


def _cmp(op: Op, a, b):
    return ir.OpExpr(op, (a, b), _U1)


def _select(cond, a, b):
    return ir.OpExpr(Op.SELECT, (cond, a, b), a.dtype)


def _cast(x, dtype):
    return x if x.dtype == dtype else ir.OpExpr(Op.CAST, (x,), dtype)


def _and(a, b):
    return ir.OpExpr(Op.SELECT, (a, b, _c(False, _U1)), _U1)


def _or(a, b):
    return ir.OpExpr(Op.SELECT, (a, _c(True, _U1), b), _U1)


# binary operators of the folds, with their identities (None: the fold starts from the first element)
BINARY: dict[str, tuple[Op, Callable[[DataType], object] | None]] = {
    "add": (Op.ADD, lambda d: 0.0 if d.is_float else 0),
    "mul": (Op.MUL, lambda d: 1.0 if d.is_float else 1),
    "min": (Op.MIN, lambda d: float("inf") if d.is_float else d.max),
    "max": (Op.MAX, lambda d: float("-inf") if d.is_float else d.min),
    "and": (Op.BIT_AND, lambda d: -1 if d.kind == "int" else d.max),
    "or": (Op.BIT_OR, lambda d: 0),
    "xor": (Op.BIT_XOR, lambda d: 0),
}


# ------------------------------------------------------------------------------------------------ indices


def _linear(ctx):
    loop = ctx.parallel_loop
    return None if loop is None else simt.lane_linear_index(loop.lanes)


def thread_idx_expr(ctx, node) -> ir.Expr:
    """``block.thread_idx()``: the lane within its block (0 in serial code)."""
    loop = ctx.parallel_loop
    if loop is None:
        return _c(0)
    block_dim = loop.config.get("block_dim", simt.DEFAULT_BLOCK_DIM)
    return _op(Op.MOD, simt.lane_linear_index(loop.lanes), _c(int(block_dim)))


def global_thread_idx_expr(ctx, node) -> ir.Expr:
    """``qd.global_thread_idx()``: the linear index of the iteration (0 in serial code)."""
    linear = _linear(ctx)
    return _c(0) if linear is None else linear


# ------------------------------------------------------------------------------------------------- arrays


def lower_shared_array(ctx, node, shape, dtype) -> object:
    """``qd.simt.block.SharedArray(shape, dtype)``: a block-private array (one per block in flight)."""
    from quadrants.frontend.annotations import to_dtype
    from quadrants.frontend.compound_types import MatrixType

    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(isinstance(s, int) and s > 0 for s in shape):
        raise QuadrantsTypeError(
            f"qd.simt.block.SharedArray shape must be an integer or a tuple of integers, but got {shape}", ctx.loc(node)
        )
    element = ()
    if isinstance(dtype, MatrixType):
        element = tuple(dtype.resolved(ctx.default_fp).shape)
        dtype = dtype.resolved(ctx.default_fp).dtype
    else:
        dtype = to_dtype(dtype, ctx.default_ip, ctx.default_fp)
    task = simt_lowering.simt_task(ctx, node, "qd.simt.block.SharedArray")
    if task is None:  # serial code: one block of one lane; slot row 0
        return _serial_array(ctx, dtype, tuple(shape), element)
    return simt.scratch_array(ctx, task, dtype, tuple(shape), "shared", element)


def _serial_array(ctx, dtype, shape, element):
    import dataclasses
    import uuid

    from quadrants.frontend.values import NdarrayValue

    full = (1, *shape, *element)
    spec = ir.NdarrayArg(f"{ir.SIMT_SCRATCH_PREFIX}serial{len(ctx.args)}", dtype, len(full))
    index = ctx.add_arg(spec, (simt.SCRATCH_SOURCE, full, uuid.uuid4().hex))
    value = NdarrayValue(index, dtype, len(shape), spec.name, element, shape)
    return dataclasses.replace(value, index_prefix=(_c(0),))


def _exchange_array(ctx, task, dtype):
    found = task.exchange.get(dtype)
    if found is None:
        found = simt.scratch_array(ctx, task, dtype, (task.block_dim,), f"exchange_{dtype}")
        task.exchange[dtype] = found
    return found


# ------------------------------------------------------------------------------------------------ exchange


class GroupOp:
    """What a lane can compute during an exchange: ``read(k, j)`` is value ``k`` of lane ``j`` of its group (``j``
    an i32 expression or int), ``lane`` the lane's index in the group (i32), ``width`` the group size (int)."""

    def __init__(self, ctx, node, readers, lane, width: int, values):
        self.ctx, self.node, self._readers, self.lane, self.width, self.values = ctx, node, readers, lane, width, values

    def read(self, k: int, j) -> ir.Expr:
        j = _c(j) if isinstance(j, int) else j
        return self._readers[k](j)

    def temp(self, value, name="simt"):
        return self.ctx.temp(value, self.node, name)


def _width(ctx, node, task, width) -> int:
    if width is None:
        width = min(simt.SUBGROUP_SIZE, task.block_dim)
    if task.block_dim % width:
        raise QuadrantsSyntaxError(
            f"a group of {width} lanes needs block_dim to be a multiple of {width}, got block_dim={task.block_dim}",
            ctx.loc(node),
        )
    return width


def group_exchange(ctx, node, values: list, compute: Callable[[GroupOp], object], width: int | None = None):
    """Exchange ``values`` (run-time scalars) within groups of ``width`` lanes (default: the subgroup; the block when
    ``width`` is ``"block"``) and return ``compute(group)``."""
    values = [tr.to_expr(ctx, v, node) for v in values]
    task = simt_lowering.simt_task(ctx, node, "qd.simt group operation")
    if task is None:  # serial code: a group of one lane
        group = GroupOp(ctx, node, [lambda j, v=v: v for v in values], _c(0), 1, values)
        return compute(group)
    width = task.block_dim if width == "block" else _width(ctx, node, task, width)
    tid = simt.thread_index(task)  # re-derived in each phase: a local here would live in a scratch array
    arrays = [
        _exchange_array(ctx, task, v.dtype) if k == 0 else _extra_array(ctx, task, v.dtype, k)
        for k, v in enumerate(values)
    ]
    slot = ir.LocalRef(task.slot)
    for array, value in zip(arrays, values):
        ctx.emit(ir.Store(array.arg, (slot, tid), value, ctx.loc(node)))
    simt_lowering.emit_barrier(ctx, node)
    lane = ctx.temp(_op(Op.MOD, tid, _c(width)), node, "simt_lane")
    base = ctx.temp(_op(Op.SUB, tid, lane), node, "simt_base")

    def reader(array):
        def read(j):
            var = ctx.new_var("simt_read", array.dtype)
            ctx.define(ir.Load(var, array.arg, (slot, _op(Op.ADD, base, _cast(j, _I32))), ctx.loc(node)))
            return ir.LocalRef(var)

        return read

    result = compute(GroupOp(ctx, node, [reader(a) for a in arrays], lane, width, values))
    result = (
        tuple(_materialize(ctx, node, r) for r in result)
        if isinstance(result, tuple)
        else _materialize(ctx, node, result)
    )
    simt_lowering.emit_barrier(ctx, node)  # nobody overwrites the exchange array before every lane has read it
    return result


def _materialize(ctx, node, value):
    return ctx.temp(value, node, "simt_result") if is_runtime(value) else value


def _extra_array(ctx, task, dtype, k):
    key = (dtype, k)
    found = task.exchange.get(key)
    if found is None:
        found = simt.scratch_array(ctx, task, dtype, (task.block_dim,), f"exchange{k}_{dtype}")
        task.exchange[key] = found
    return found


# ---------------------------------------------------------------------------------------------- computations


def fold(g: GroupOp, k: int, op_name: str, upto=None, start=None, inclusive=True):
    """Fold value ``k`` of lanes ``start..upto`` (``upto``: an i32 expression, None: every lane) in lane order."""
    op, identity = BINARY[op_name]
    dtype = g.values[k].dtype
    acc = None
    for j in range(g.width):
        v = g.read(k, j)
        if upto is None and start is None:
            acc = v if acc is None else _op(op, acc, v)
            acc = g.temp(acc, "simt_acc")
            continue
        if acc is None:
            acc = g.temp(_c(identity(dtype), dtype), "simt_acc")
        take = _cmp(Op.LE if inclusive else Op.LT, _c(j), upto) if upto is not None else _c(True, _U1)
        if start is not None:
            take = _and(take, _cmp(Op.GE, _c(j), start))
        acc = g.temp(_select(take, _op(op, acc, v), acc), "simt_acc")
    return acc


def call_binary(ctx, node, op, a, b):
    """``op(a, b)`` for a user ``@qd.func`` combining two values (block.reduce / block.inclusive_scan)."""
    from quadrants.frontend.funcdef import Func
    from quadrants.frontend.funcs import inline

    if not isinstance(op, Func):
        raise QuadrantsTypeError(f"op must be a @qd.func taking two values, got {op!r}", ctx.loc(node))
    return tr.to_expr(ctx, inline(ctx, op, node, [a, b], {}), node)


def fold_with(g: GroupOp, op, upto=None, inclusive=True, identity=None):
    """Fold with a user func: lanes ``0..upto`` (inclusive or not); an empty exclusive prefix gives ``identity``."""
    acc = None
    for j in range(g.width):
        v = g.read(0, j)
        if upto is None:
            acc = v if acc is None else call_binary(g.ctx, g.node, op, acc, v)
            acc = g.temp(acc, "simt_acc")
            continue
        if acc is None:
            acc = g.temp(tr.cast(g.ctx, identity, v.dtype), "simt_acc")
        take = _cmp(Op.LE if inclusive else Op.LT, _c(j), upto)
        acc = g.temp(_select(take, call_binary(g.ctx, g.node, op, acc, v), acc), "simt_acc")
    return acc


def segmented(g: GroupOp, op_name: str):
    """Inclusive scan that restarts at every lane whose value 1 (the head flag) is non-zero."""
    op, _ = BINARY[op_name]
    acc = None
    for j in range(g.width):
        v, head = g.read(0, j), g.read(1, j)
        if acc is None:
            acc = g.temp(v, "simt_acc")
            continue
        restart = _cmp(Op.NE, head, _c(0, head.dtype))
        take = _cmp(Op.LE, _c(j), g.lane)
        acc = g.temp(_select(take, _select(restart, v, _op(op, acc, v)), acc), "simt_acc")
    return acc


def ballot_bits(g: GroupOp, k: int, dtype: DataType, first: int | None = None):
    """Bit ``j`` set when lane ``j``'s value ``k`` is non-zero (lanes ``>= first`` left out)."""
    bits = _c(0, dtype)
    for j in range(g.width if first is None else min(first, g.width)):
        v = g.read(k, j)
        on = _cast(_cmp(Op.NE, v, _c(0, v.dtype)), dtype)
        bits = g.temp(_op(Op.BIT_OR, bits, _op(Op.SHL, on, _c(j, dtype))), "simt_bits")
    return bits


def source_lane(g: GroupOp, src):
    """Value 0 of lane ``src`` of the group (taken modulo the width, like CUDA's shuffles)."""
    return g.read(0, _op(Op.MOD, _cast(src, _I32), _c(g.width)))


def rank_pairs(g: GroupOp):
    """The rank of this lane's (key, value) pair in its group: lexicographic order, ties broken by lane."""
    key, value = g.values
    rank = _c(0)
    for j in range(g.width):
        kj, vj = g.read(0, j), g.read(1, j)
        tie = _and(_cmp(Op.EQ, vj, value), _cmp(Op.LT, _c(j), g.lane))
        less = _or(_cmp(Op.LT, kj, key), _and(_cmp(Op.EQ, kj, key), _or(_cmp(Op.LT, vj, value), tie)))
        rank = g.temp(_op(Op.ADD, rank, _cast(less, _I32)), "simt_rank")
    return rank


def pick_by_rank(g: GroupOp):
    """Values 1 and 2 of the lane whose value 0 (a rank) equals this lane's index."""
    key, value = g.values[1], g.values[2]
    for j in range(g.width):
        mine = _cmp(Op.EQ, g.read(0, j), g.lane)
        key = g.temp(_select(mine, g.read(1, j), key), "simt_key")
        value = g.temp(_select(mine, g.read(2, j), value), "simt_value")
    return key, value


def static_int(ctx, node, value, what: str) -> int:
    if is_runtime(value) or not isinstance(value, int):
        raise QuadrantsTypeError(f"{what} must be a compile-time int", ctx.loc(node))
    return value
