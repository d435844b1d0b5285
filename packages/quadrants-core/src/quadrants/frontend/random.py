"""``qd.random`` and ``qd.randn`` in kernel code: a counter-based generator (Philox-4x32-10) lowered to integer ops.

Every draw is ``philox(counter, key)`` of four 32-bit words, computed with ordinary IR operations (32x32->64-bit
products through ``u64`` multiplication, xor, add), so every backend, the reference included, produces the same bits
for the same seed. The stream structure (docs/random.md):

* ``key`` = the 64-bit ``qd.init(random_seed=...)``, as two words;
* ``counter`` = (lane index, draw number within the lane, task-launch number low word, high word).

The task-launch number lives in a small per-session ``u32[4]`` ndarray (``[seed_lo, seed_hi, launch_lo, launch_hi]``,
a hidden kernel argument with source ``("random_state",)``, see runtime/random_state.py). The serial code that runs
before each task that draws reads it into kernel vars and increments it, so every launch of every task (each kernel
call, each ``qd.graph.do_while`` iteration) gets fresh numbers without the host doing any per-launch work.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError, caller_loc
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.conversions import convert_scalar
from quadrants.ir.dtypes import DataType, to_dtype
from quadrants.ir.ops import Op

__all__ = ["random", "randn", "lower_random", "lower_randn", "STATE_SOURCE", "SUPPORTED_DTYPES", "philox4x32"]

STATE_SOURCE = ("random_state",)  # CompileCtx.arg_sources entry of the hidden state argument
SUPPORTED_DTYPES = (dtypes.f16, dtypes.f32, dtypes.f64, dtypes.i32, dtypes.u32, dtypes.i64, dtypes.u64)

# Philox-4x32 constants (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11)
_M0, _M1 = 0xD2511F53, 0xCD9E8D57
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_ROUNDS = 10
_MASK32 = 0xFFFFFFFF
_U32, _U64, _I32 = dtypes.u32, dtypes.u64, dtypes.i32


def random(dtype=float):
    """``qd.random(dtype=float)``: one random value of ``dtype``, drawn in kernel code.

    Floats (``qd.f16``/``qd.f32``/``qd.f64``; ``float`` is ``default_fp``) are uniform in ``[0, 1)`` with the
    type's full mantissa precision; ``qd.i32``/``qd.u32`` take all 32 random bits, ``qd.i64``/``qd.u64`` all 64
    (``int`` is ``default_ip``). The stream is fixed by ``qd.init(random_seed=...)`` and equal on every backend
    (docs/random.md).
    """
    raise QuadrantsSyntaxError("qd.random() can only be called from a @qd.kernel or @qd.func", caller_loc())


def randn(dt=None):
    """``qd.randn(dt=None)``: a standard normal float (mean 0, variance 1) by the Box-Muller transform of two
    ``qd.random(dt)`` draws; ``dt`` is ``qd.f32`` or ``qd.f64`` (``None``: ``default_fp``)."""
    raise QuadrantsSyntaxError("qd.randn() can only be called from a @qd.kernel or @qd.func", caller_loc())


def philox4x32(counter: tuple[int, int, int, int], key: tuple[int, int]) -> tuple[int, int, int, int]:
    """The generator on host integers: the definition the kernel lowering follows (tests and docs use it)."""
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for r in range(_ROUNDS):
        p0, p1 = _M0 * c0, _M1 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0) & _MASK32, p1 & _MASK32, ((p0 >> 32) ^ c3 ^ k1) & _MASK32, p0 & _MASK32
        if r + 1 < _ROUNDS:
            k0, k1 = (k0 + _W0) & _MASK32, (k1 + _W1) & _MASK32
    return c0, c1, c2, c3


# ------------------------------------------------------------------------------------------------------ IR helpers


def _u32(value: int) -> ir.Const:
    return ir.Const(value & _MASK32, _U32)


def _op(op: Op, *args) -> ir.OpExpr:
    return ir.OpExpr(op, tuple(args), args[0].dtype)


def _cast(x, dtype: DataType) -> ir.Expr:
    return x if x.dtype == dtype else ir.OpExpr(Op.CAST, (x,), dtype)


@contextlib.contextmanager
def _kernel_level(ctx):
    """Emit into the kernel's current run of serial statements, as kernel vars (whatever block is being built)."""
    saved_blocks, saved_top = ctx.blocks, ctx.top_level
    ctx.blocks, ctx.top_level = [ctx.blocks[0]], True
    try:
        yield
    finally:
        ctx.blocks, ctx.top_level = saved_blocks, saved_top


@dataclass
class _Stream:
    """What one task's draws use: the key words, the launch words, the lane index and the per-lane draw counter."""

    key: tuple
    launch: tuple
    lane: ir.Expr
    counter: ir.Var


def _state_arg(ctx) -> int:
    index = ctx.features.get("random_state")
    if index is None:
        index = ctx.add_arg(ir.NdarrayArg("qd_random_state", _U32, 1), STATE_SOURCE)
        ctx.features["random_state"] = index
    return index


def _read_state(ctx, node) -> tuple[list, list]:
    """Serial statements before the task: read key and launch words into kernel vars, advance the launch number."""
    arg, loc = _state_arg(ctx), ctx.loc(node)
    words = []
    with _kernel_level(ctx):
        for k, name in enumerate(("rng_key0", "rng_key1", "rng_launch0", "rng_launch1")):
            var = ctx.new_var(name, _U32)
            ctx.define(ir.Load(var, arg, (ir.Const(k, _I32),), loc))
            words.append(ir.LocalRef(var))
        lo = _op(Op.ADD, words[2], _u32(1))
        carry = ir.OpExpr(Op.SELECT, (_op_cmp(Op.EQ, lo, _u32(0)), _u32(1), _u32(0)), _U32)
        ctx.emit(ir.Store(arg, (ir.Const(2, _I32),), lo, loc))
        ctx.emit(ir.Store(arg, (ir.Const(3, _I32),), _op(Op.ADD, words[3], carry), loc))
    return words[:2], words[2:]


def _op_cmp(op: Op, a, b) -> ir.OpExpr:
    return ir.OpExpr(op, (a, b), dtypes.u1)


def _lane_index(lanes) -> ir.Expr:
    """The row-major linear index of the lane in its task's iteration space, as u32 (wrapping past 2**32)."""
    refs, begins, ends = lanes
    index = None
    for ref, begin, end in zip(refs, begins, ends):
        offset = _cast(_op(Op.SUB, ref, begin), _U32)
        if index is None:
            index = offset
        else:
            extent = _cast(_op(Op.SUB, end, begin), _U32)
            index = _op(Op.ADD, _op(Op.MUL, index, extent), offset)
    return index if index is not None else _u32(0)


def _stream(ctx, node) -> _Stream:
    """The stream of the task being lowered (its first draw emits the state reads and the counter)."""
    loop = ctx.parallel_loop  # ctx.loops restarts in every inlined func; this one does not
    slot = id(loop) if loop is not None else "serial"
    stream = ctx.task_state.get(("random", slot))
    if stream is not None:
        return stream
    key, launch = _read_state(ctx, node)
    counter = ctx.new_var("rng_counter", _U32)
    if loop is None:
        with _kernel_level(ctx):
            ctx.define(ir.Decl(counter, _u32(0), ctx.loc(node)))
        lane = _u32(0)
    else:
        lane_var = ctx.new_var("rng_lane", _U32)
        loop.prologue.append(ir.Decl(lane_var, _lane_index(loop.lanes), ctx.loc(node)))
        loop.prologue.append(ir.Decl(counter, _u32(0), ctx.loc(node)))
        lane = ir.LocalRef(lane_var)
    stream = _Stream(tuple(key), tuple(launch), lane, counter)
    ctx.task_state[("random", slot)] = stream
    return stream


def _mulhilo(ctx, a, m: int, node) -> tuple[ir.Expr, ir.Expr]:
    """(high, low) words of the 64-bit product ``a * m``: exact on every backend through u64 wraparound."""
    product = ir.LocalRef(ctx.declare("rng_p", _op(Op.MUL, _cast(a, _U64), ir.Const(m, _U64)), node))
    high = _cast(_op(Op.SHR, product, ir.Const(32, _U64)), _U32)
    return high, _cast(product, _U32)


def _draw(ctx, node) -> list[ir.Expr]:
    """Emit one Philox-4x32-10 evaluation for the next counter of this lane; returns its four u32 words."""
    stream = _stream(ctx, node)
    with ctx.nested():  # the temporaries are plain locals, never kernel vars
        draw_index = ctx.declare("rng_draw", ir.LocalRef(stream.counter), node)
        ctx.emit(ir.Assign(stream.counter, _op(Op.ADD, ir.LocalRef(stream.counter), _u32(1)), ctx.loc(node)))
        c = [stream.lane, ir.LocalRef(draw_index), *stream.launch]
        k0, k1 = stream.key
        for r in range(_ROUNDS):
            rk0 = k0 if r == 0 else _op(Op.ADD, k0, _u32(r * _W0))
            rk1 = k1 if r == 0 else _op(Op.ADD, k1, _u32(r * _W1))
            hi0, lo0 = _mulhilo(ctx, c[0], _M0, node)
            hi1, lo1 = _mulhilo(ctx, c[2], _M1, node)
            new = (
                _op(Op.BIT_XOR, _op(Op.BIT_XOR, hi1, c[1]), rk0),
                lo1,
                _op(Op.BIT_XOR, _op(Op.BIT_XOR, hi0, c[3]), rk1),
                lo0,
            )
            c = [ir.LocalRef(ctx.declare(f"rng_x{k}", w, node)) for k, w in enumerate(new)]
    return c


# ---------------------------------------------------------------------------------------------- words -> values


def _uniform(words, dtype: DataType) -> ir.Expr:
    """Floats in [0, 1): the top mantissa-width bits of the first word(s), scaled exactly by a power of two."""
    if dtype == dtypes.f64:
        high = _cast(_op(Op.SHR, words[0], _u32(11)), dtype)  # 21 bits
        value = _op(Op.ADD, _op(Op.MUL, high, ir.Const(2.0**32, dtype)), _cast(words[1], dtype))  # 53 bits, exact
        return _op(Op.MUL, value, ir.Const(2.0**-53, dtype))
    bits = 24 if dtype == dtypes.f32 else 11
    top = _cast(_op(Op.SHR, words[0], _u32(32 - bits)), dtype)
    return _op(Op.MUL, top, ir.Const(2.0**-bits, dtype))


def _integer(words, dtype: DataType) -> ir.Expr:
    if dtype.bits == 32:
        return words[0] if dtype == _U32 else ir.OpExpr(Op.BITCAST, (words[0],), dtype)
    value = _op(Op.BIT_OR, _cast(words[0], _U64), _op(Op.SHL, _cast(words[1], _U64), ir.Const(32, _U64)))
    return value if dtype == _U64 else ir.OpExpr(Op.BITCAST, (value,), dtype)


def _dtype_arg(ctx, node, value, what: str) -> DataType:
    try:
        dtype = to_dtype(value, ctx.default_ip, ctx.default_fp)
    except TypeError as exc:
        raise QuadrantsTypeError(f"{what}: {exc}", ctx.loc(node)) from None
    return dtype


def _random_value(ctx, node, dtype: DataType) -> ir.Expr:
    if ctx.function_depth:  # the stream's counter is the task's; a function body cannot see it
        raise QuadrantsSyntaxError(
            "qd.random() / qd.randn() cannot be called inside a recursive @qd.real_func (it is compiled as a "
            "function of its own, outside the task's random stream); draw the numbers in the caller and pass them "
            "in as arguments",
            ctx.loc(node),
        )
    words = _draw(ctx, node)
    value = _uniform(words, dtype) if dtype.is_float else _integer(words, dtype)
    return ir.LocalRef(ctx.declare("rng_value", value, node))


def lower_random(ctx, node, args, kwargs):
    """``qd.random(dtype=float)`` in kernel code."""
    if len(args) + len(kwargs) > 1 or set(kwargs) - {"dtype"}:
        raise QuadrantsTypeError("qd.random() takes one optional argument, the dtype", ctx.loc(node))
    dtype = _dtype_arg(ctx, node, args[0] if args else kwargs.get("dtype", float), "qd.random")
    if dtype not in SUPPORTED_DTYPES:
        names = ", ".join(str(d) for d in SUPPORTED_DTYPES)
        raise QuadrantsTypeError(f"qd.random({dtype}) is not supported; use one of {names}", ctx.loc(node))
    return _random_value(ctx, node, dtype)


def lower_randn(ctx, node, args, kwargs):
    """``qd.randn(dt=None)``: Box-Muller, ``sqrt(-2 log(1 - u1)) * cos(2 pi u2)`` as upstream computes it."""
    if len(args) + len(kwargs) > 1 or set(kwargs) - {"dt"}:
        raise QuadrantsTypeError("qd.randn() takes one optional argument, the dtype", ctx.loc(node))
    given = args[0] if args else kwargs.get("dt")
    dtype = ctx.default_fp if given is None else _dtype_arg(ctx, node, given, "qd.randn")
    if dtype not in (dtypes.f32, dtypes.f64):
        raise QuadrantsTypeError(f"qd.randn() draws qd.f32 or qd.f64 values, got {dtype}", ctx.loc(node))
    u1 = _op(Op.SUB, ir.Const(1.0, dtype), _random_value(ctx, node, dtype))  # in (0, 1]: log is finite
    u2 = _random_value(ctx, node, dtype)
    radius = _op(Op.SQRT, _op(Op.MUL, ir.Const(-2.0, dtype), _op(Op.LOG, u1)))
    angle = _op(Op.MUL, ir.Const(convert_scalar(math.tau, dtype), dtype), u2)
    return ir.LocalRef(ctx.declare("rng_normal", _op(Op.MUL, radius, _op(Op.COS, angle)), node))
