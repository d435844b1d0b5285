"""Lowerings of the complex-number functions of ``qd.math`` (``cmul``, ``cdiv``, ``cconj``, ``cinv``, ``csqrt``,
``cpow``, ``cexp``, ``clog``): a complex number is a 2D vector ``(re, im)``.

As upstream, results are built with ``qd.math.vec2`` and so have default_fp components (``cdiv`` and ``cinv`` then
divide by ``dot(z, z)``, which promotes to the operand's type), and ``csqrt``/``cpow`` return zero for ``z == 0``.
"""

from __future__ import annotations

from quadrants.errors import QuadrantsCompilationError
from quadrants.frontend import math_values as mv, matrix_methods as mm, typing_rules as tr
from quadrants.frontend.values import MatrixValue
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = ["cmul", "cdiv", "cconj", "cinv", "csqrt", "cpow", "cexp", "clog"]


def _parts(ctx, node, z, fn: str):
    """``(z[0], z[1])`` of a complex argument (a vector of at least two components)."""
    if not isinstance(z, MatrixValue) or not z.is_vector or z.shape[0] < 2:
        raise QuadrantsCompilationError(
            f"qd.math.{fn}() takes complex numbers as 2D vectors (qd.math.vec2(re, im)), got {z!r}", ctx.loc(node)
        )
    return z.items[0], z.items[1]


def _math(op: Op, name: str, int_to_fp: bool):
    def apply(ctx, node, x):
        return mv.float_unary(ctx, node, op, name, x, int_to_fp=int_to_fp)

    return apply


_cos, _sin = _math(Op.COS, "cos", False), _math(Op.SIN, "sin", False)
_exp, _log, _sqrt = _math(Op.EXP, "exp", True), _math(Op.LOG, "log", True), _math(Op.SQRT, "sqrt", True)


def _nonzero(ctx, node, z: MatrixValue):
    """``any(z)``: some component is non-zero (NaN counts as non-zero)."""
    flags = [tr.compare(ctx, Op.NE, v, 0, node) for v in z.items]
    result = flags[0]
    for flag in flags[1:]:
        result = ir.OpExpr(Op.BIT_OR, (result, flag), dtypes.u1)
    return mv.keep(ctx, node, result, "nonzero")


def _zero_unless(ctx, node, cond, value: MatrixValue) -> MatrixValue:
    """``result = vec2(0.0); if cond: result = value`` with the assignment's conversion to default_fp."""
    fp = ctx.default_fp

    def one(c, n, v):
        v = tr.implicit(c, v, fp, n, "Assign")
        return ir.OpExpr(Op.SELECT, (cond, v, ir.Const(0.0, fp)), fp)

    return mv.lift(ctx, node, one, value)


def cmul(ctx, node, z1, z2):
    """``z1 * z2``: ``vec2(x1*x2 - y1*y2, x1*y2 + x2*y1)``."""
    x1, y1 = _parts(ctx, node, z1, "cmul")
    x2, y2 = _parts(ctx, node, z2, "cmul")
    m, s, p = mv.mul, mv.sub, mv.add
    return mv.build(
        ctx,
        node,
        [
            s(ctx, node, m(ctx, node, x1, x2), m(ctx, node, y1, y2)),
            p(ctx, node, m(ctx, node, x1, y2), m(ctx, node, x2, y1)),
        ],
    )


def cconj(ctx, node, z):
    """``vec2(z[0], -z[1])``."""
    x, y = _parts(ctx, node, z, "cconj")
    return mv.build(ctx, node, [x, mv.neg(ctx, node, y)])


def cdiv(ctx, node, z1, z2):
    """``z1 / z2``: ``vec2(x1*x2 + y1*y2, -x1*y2 + x2*y1) / dot(z2, z2)``."""
    x1, y1 = _parts(ctx, node, z1, "cdiv")
    x2, y2 = _parts(ctx, node, z2, "cdiv")
    m, p = mv.mul, mv.add
    numerator = mv.build(
        ctx,
        node,
        [
            p(ctx, node, m(ctx, node, x1, x2), m(ctx, node, y1, y2)),
            p(ctx, node, m(ctx, node, mv.neg(ctx, node, x1), y2), m(ctx, node, x2, y1)),
        ],
    )
    return mv.div(ctx, node, numerator, mv.keep(ctx, node, mm.dot(ctx, node, z2, z2), "norm2"))


def cinv(ctx, node, z):
    """``1 / z``: ``cconj(z) / dot(z, z)``."""
    return mv.div(ctx, node, cconj(ctx, node, z), mv.keep(ctx, node, mm.dot(ctx, node, z, z), "norm2"))


def csqrt(ctx, node, z):
    """The square root with a non-negative real part: ``sqrt(|z|) * vec2(cos(a/2), sin(a/2))``, ``a = arg(z)``."""
    x, y = _parts(ctx, node, z, "csqrt")
    cond = _nonzero(ctx, node, z)
    r = mv.keep(ctx, node, _sqrt(ctx, node, mm.norm(ctx, node, z)), "r")
    half = mv.keep(ctx, node, mv.div(ctx, node, mv.atan2(ctx, node, y, x), 2.0), "half")
    value = mv.mul(ctx, node, r, mv.build(ctx, node, [_cos(ctx, node, half), _sin(ctx, node, half)]))
    return _zero_unless(ctx, node, cond, value)


def cpow(ctx, node, z, n):
    """``z ** n``: ``pow(dot(z, z), n / 2) * vec2(cos(a), sin(a))`` with ``a = arg(z) * n``."""
    x, y = _parts(ctx, node, z, "cpow")
    n = mv.scalar(ctx, node, n, "cpow", "n")
    cond = _nonzero(ctx, node, z)
    r2 = mm.dot(ctx, node, z, z)
    ang = mv.keep(ctx, node, mv.mul(ctx, node, mv.atan2(ctx, node, y, x), n), "a")
    scale = mv.power(ctx, node, r2, mv.div(ctx, node, n, 2.0))
    value = mv.mul(ctx, node, scale, mv.build(ctx, node, [_cos(ctx, node, ang), _sin(ctx, node, ang)]))
    return _zero_unless(ctx, node, cond, value)


def cexp(ctx, node, z):
    """``e ** z``: ``vec2(r * cos(z[1]), r * sin(z[1]))`` with ``r = exp(z[0])``."""
    x, y = _parts(ctx, node, z, "cexp")
    r = mv.keep(ctx, node, _exp(ctx, node, x), "r")
    return mv.build(ctx, node, [mv.mul(ctx, node, r, _cos(ctx, node, y)), mv.mul(ctx, node, r, _sin(ctx, node, y))])


def clog(ctx, node, z):
    """The principal logarithm: ``vec2(log(dot(z, z)) / 2, atan2(z[1], z[0]))``."""
    x, y = _parts(ctx, node, z, "clog")
    ang = mv.keep(ctx, node, mv.atan2(ctx, node, y, x), "ang")
    r2 = mm.dot(ctx, node, z, z)
    return mv.build(ctx, node, [mv.div(ctx, node, _log(ctx, node, r2), 2.0), ang])
