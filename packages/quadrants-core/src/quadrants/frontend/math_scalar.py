"""Lowerings of the component-wise ``qd.math`` functions: ``clamp``, ``mix``, ``step``, ``smoothstep``, ``fract``,
``sign``, ``mod``, ``log2``, ``degrees``, ``radians``, ``isnan``, ``isinf`` and ``fns``.

Each takes already bound and copied arguments (``frontend/math_api.py``) and builds upstream's expression tree, so
every operation, its operand order and its result type are upstream's (``step`` and ``sign`` are default_fp whatever
the operand type, because upstream casts a comparison to ``float``).
"""

from __future__ import annotations

import math

from quadrants.frontend import math_values as mv, typing_rules as tr
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = [
    "clamp",
    "mix",
    "step",
    "fract",
    "smoothstep",
    "sign",
    "mod",
    "log2",
    "degrees",
    "radians",
    "isnan",
    "isinf",
    "fns",
]


def _floor(ctx, node, x):
    return mv.float_unary(ctx, node, Op.FLOOR, "floor", x, int_to_fp=False)


def clamp(ctx, node, x, xmin, xmax):
    """``min(xmax, max(xmin, x))``."""
    return mv.minimum(ctx, node, xmax, mv.maximum(ctx, node, xmin, x))


def mix(ctx, node, x, y, a):
    """``x * (1.0 - a) + y * a``."""
    return mv.add(ctx, node, mv.mul(ctx, node, x, mv.sub(ctx, node, 1.0, a)), mv.mul(ctx, node, y, a))


def step(ctx, node, edge, x):
    """``float(x >= edge)``: 0.0 below the edge, 1.0 from it on."""
    return mv.to_default_fp(ctx, node, mv.compare(ctx, node, Op.GE, x, edge))


def fract(ctx, node, x):
    """``x - floor(x)`` (floats only, as ``floor``)."""
    return mv.sub(ctx, node, x, _floor(ctx, node, x))


def smoothstep(ctx, node, edge0, edge1, x):
    """``t * t * (3.0 - 2.0 * t)`` with ``t = clamp((x - edge0) / (edge1 - edge0), 0.0, 1.0)``."""
    t = clamp(ctx, node, mv.div(ctx, node, mv.sub(ctx, node, x, edge0), mv.sub(ctx, node, edge1, edge0)), 0.0, 1.0)
    t = mv.keep(ctx, node, t, "t")
    return mv.mul(ctx, node, mv.mul(ctx, node, t, t), mv.sub(ctx, node, 3.0, mv.mul(ctx, node, 2.0, t)))


def sign(ctx, node, x):
    """``float(x >= 0.0) - float(x <= 0.0)``: -1.0, 0.0 or 1.0 (0.0 for zeros and NaN)."""
    upper = mv.to_default_fp(ctx, node, mv.compare(ctx, node, Op.GE, x, 0.0))
    lower = mv.to_default_fp(ctx, node, mv.compare(ctx, node, Op.LE, x, 0.0))
    return mv.sub(ctx, node, upper, lower)


def mod(ctx, node, x, y):
    """``x - y * floor(x / y)`` (GLSL's ``mod``; the quotient is a float, so the result is a float)."""
    return mv.sub(ctx, node, x, mv.mul(ctx, node, y, _floor(ctx, node, mv.div(ctx, node, x, y))))


def log2(ctx, node, x):
    """``log(x) / log(2.0)``; integers become default_fp (as ``qd.log``)."""
    return mv.div(ctx, node, mv.float_unary(ctx, node, Op.LOG, "log", x, int_to_fp=True), mv.LOG_2)


def degrees(ctx, node, x):
    """``x * (180 / pi)``."""
    return mv.mul(ctx, node, x, 180.0 / math.pi)


def radians(ctx, node, x):
    """``x * (pi / 180)``."""
    return mv.mul(ctx, node, x, math.pi / 180.0)


# float type -> (unsigned type of the same width, mask without the sign bit, bits of +inf)
_FLOAT_BITS = {
    dtypes.f32: (dtypes.u32, 0x7FFF_FFFF, 0x7F80_0000),
    dtypes.f64: (dtypes.u64, 0x7FFF_FFFF_FFFF_FFFF, 0x7FF0_0000_0000_0000),
}


def _classify(op: Op):
    """A test on the magnitude bits of a float: ``> inf`` is NaN, ``== inf`` is ±inf.

    The test reads the bits, so it holds under ``fast_math=True`` too, where ``x != x`` may be folded away. f16 values
    are widened to f32 first (exactly); integers are never NaN or infinite.
    """

    def one(ctx, node, x):
        x = tr.to_expr(ctx, x, node)
        if not x.dtype.is_float:
            return ir.Const(False, dtypes.u1)
        if x.dtype not in _FLOAT_BITS:
            x = tr.cast(ctx, x, dtypes.f32)
        bits_type, magnitude, inf_bits = _FLOAT_BITS[x.dtype]
        bits = ir.OpExpr(Op.BITCAST, (x,), bits_type)
        masked = ir.OpExpr(Op.BIT_AND, (bits, ir.Const(magnitude, bits_type)), bits_type)
        return ir.OpExpr(op, (masked, ir.Const(inf_bits, bits_type)), dtypes.u1)

    return one


def isnan(ctx, node, x):
    """1 where ``x`` is a NaN (of either sign), else 0; ``u1`` per component."""
    return mv.lift(ctx, node, _classify(Op.GT), x)


def isinf(ctx, node, x):
    """1 where ``x`` is +inf or -inf, else 0; ``u1`` per component."""
    return mv.lift(ctx, node, _classify(Op.EQ), x)


def fns(ctx, node, mask, base, offset):
    """The position of the ``|offset|``-th set bit of ``mask`` counted from bit ``base`` (upward for ``offset > 0``,
    downward for ``offset < 0``); ``offset == 0`` asks whether bit ``base`` itself is set. ``0xFFFFFFFF`` when there
    is no such bit. ``u32`` (CUDA's ``__nv_fns``).

    Upstream scans the 32 bits one by one; this closed form counts bits instead: the scanned range is masked out,
    the wanted bit becomes the ``k``-th set bit from the bottom of that range, and five halving steps locate it.
    """
    u32, i32 = dtypes.u32, dtypes.i32
    mask = ctx.temp(tr.cast(ctx, mv.scalar(ctx, node, mask, "fns", "mask"), u32, node), node, "mask")
    base = ctx.temp(tr.cast(ctx, mv.scalar(ctx, node, base, "fns", "base"), u32, node), node, "base")
    offset = ctx.temp(tr.cast(ctx, mv.scalar(ctx, node, offset, "fns", "offset"), i32, node), node, "offset")
    op = _ops(ctx, node)
    in_range = op.lt(base, op.u(32))
    # bits >= base (upward scan) and bits <= base (downward scan); shift counts are masked, so guard base >= 32
    up = op.sel(in_range, op.bit_and(mask, op.shl(op.u(0xFFFF_FFFF), base)), op.u(0))
    below = op.sub(op.shl(op.u(2), base), op.u(1))  # bits 0..base; wraps to all ones for base == 31
    down = op.sel(op.lt(base, op.u(31)), op.bit_and(mask, below), mask)
    downward = op.lt(offset, op.i(0))
    scanned = ctx.temp(op.sel(downward, down, up), node, "scanned")
    total = ctx.temp(op.cast(ir.OpExpr(Op.POPCNT, (scanned,), i32), i32), node, "total")
    wanted = op.neg(offset)  # -INT_MIN wraps to INT_MIN: negative, so never found
    # the k-th set bit from the bottom of the scanned range (1-based)
    k = ctx.temp(op.sel(downward, op.add(op.sub(total, wanted), op.i(1)), offset), node, "k")
    found = op.bit_and(op.ge(k, op.i(1)), op.le(k, total))
    position = _select_bit(ctx, node, op, scanned, k)
    searched = op.sel(found, position, op.u(0xFFFF_FFFF))
    bit_at_base = op.bit_and(op.shr(mask, base), op.u(1))
    exact = op.sel(op.bit_and(in_range, op.ne(bit_at_base, op.u(0))), base, op.u(0xFFFF_FFFF))
    return op.sel(op.eq(offset, op.i(0)), exact, searched)


def _select_bit(ctx, node, op, bits, k):
    """The position of the ``k``-th set bit (1-based, ``1 <= k <= popcount(bits)``) of a u32, by halving."""
    position = op.u(0)
    for width in (16, 8, 4, 2, 1):
        low = op.cast(ir.OpExpr(Op.POPCNT, (op.bit_and(bits, op.u((1 << width) - 1)),), dtypes.i32), dtypes.i32)
        low = ctx.temp(low, node, "low")
        higher = op.gt(k, low)
        k = ctx.temp(op.sel(higher, op.sub(k, low), k), node, "k")
        bits = ctx.temp(op.sel(higher, op.shr(bits, op.u(width)), bits), node, "bits")
        position = ctx.temp(op.sel(higher, op.add(position, op.u(width)), position), node, "pos")
    return position


class _ops:
    """Terse typed scalar operations for :func:`fns` (operands are IR expressions of one type)."""

    def __init__(self, ctx, node):
        self.ctx, self.node = ctx, node

    @staticmethod
    def u(value: int) -> ir.Const:
        return ir.Const(value, dtypes.u32)

    @staticmethod
    def i(value: int) -> ir.Const:
        return ir.Const(value, dtypes.i32)

    def _bin(self, op: Op, x, y):
        return ir.OpExpr(op, (x, y), x.dtype)

    def _cmp(self, op: Op, x, y):
        return ir.OpExpr(op, (x, y), dtypes.u1)

    def add(self, x, y):
        return self._bin(Op.ADD, x, y)

    def sub(self, x, y):
        return self._bin(Op.SUB, x, y)

    def neg(self, x):
        return ir.OpExpr(Op.NEG, (x,), x.dtype)

    def bit_and(self, x, y):
        return self._bin(Op.BIT_AND, x, y)

    def shl(self, x, y):
        return self._bin(Op.SHL, x, y)

    def shr(self, x, y):
        return self._bin(Op.SHR, x, y)

    def lt(self, x, y):
        return self._cmp(Op.LT, x, y)

    def le(self, x, y):
        return self._cmp(Op.LE, x, y)

    def gt(self, x, y):
        return self._cmp(Op.GT, x, y)

    def ge(self, x, y):
        return self._cmp(Op.GE, x, y)

    def eq(self, x, y):
        return self._cmp(Op.EQ, x, y)

    def ne(self, x, y):
        return self._cmp(Op.NE, x, y)

    def sel(self, cond, x, y):
        return ir.OpExpr(Op.SELECT, (cond, x, y), x.dtype)

    def cast(self, x, dtype):
        return x if x.dtype == dtype else ir.OpExpr(Op.CAST, (x,), dtype)
