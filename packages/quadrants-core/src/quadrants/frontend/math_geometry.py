"""Lowerings of the vector and matrix functions of ``qd.math``: ``dot``, ``cross``, ``length``, ``distance``,
``normalize``, ``reflect``, ``refract``, ``determinant``, ``inverse``, ``eye``, ``vdir`` and the transform builders
(``rotation2d``, ``rotation3d``, ``rot_yaw_pitch_roll``, ``rot_by_axis``, ``translate``, ``scale``).

The vector operations are the vector methods (``frontend/matrix_methods.py``: ``qd.math.dot(x, y)`` is
``x.dot(y)``), so both spellings lower to one expression tree. The transform builders return default_fp matrices, as
upstream's ``qd.math.mat2``/``mat4`` constructors convert every entry to that type.
"""

from __future__ import annotations

from quadrants.errors import QuadrantsCompilationError, QuadrantsTypeError
from quadrants.frontend import math_values as mv, matrix_arith as a, matrix_methods as mm, typing_rules as tr
from quadrants.frontend.values import MatrixValue, is_runtime
from quadrants.ir import nodes as ir
from quadrants.ir.ops import Op

__all__ = [
    "dot",
    "cross",
    "length",
    "distance",
    "normalize",
    "reflect",
    "refract",
    "determinant",
    "inverse",
    "eye",
    "vdir",
    "rotation2d",
    "rotation3d",
    "rot_yaw_pitch_roll",
    "rot_by_axis",
    "translate",
    "scale",
]


def _cos(ctx, node, x):
    return mv.float_unary(ctx, node, Op.COS, "cos", x, int_to_fp=False)


def _sin(ctx, node, x):
    return mv.float_unary(ctx, node, Op.SIN, "sin", x, int_to_fp=False)


def _matrix(ctx, node, value, fn: str) -> MatrixValue:
    if not isinstance(value, MatrixValue) or value.is_vector:
        raise QuadrantsCompilationError(f"qd.math.{fn}() takes a square matrix, got {value!r}", ctx.loc(node))
    return value


def dot(ctx, node, x, y):
    """``x.dot(y)``."""
    return mm.dot(ctx, node, x, y)


def cross(ctx, node, x, y):
    """``x.cross(y)``: a scalar for 2D vectors, a 3D vector for 3D vectors."""
    return mm.cross(ctx, node, x, y)


def length(ctx, node, x):
    """``x.norm()``."""
    return mm.norm(ctx, node, x)


def distance(ctx, node, x, y):
    """``(x - y).norm()``."""
    return mm.norm(ctx, node, mv.sub(ctx, node, x, y))


def normalize(ctx, node, v):
    """``v / v.norm()`` (each component divided by the length; ``v.normalized()`` multiplies by its inverse)."""
    return mv.div(ctx, node, v, mv.keep(ctx, node, mm.norm(ctx, node, v), "length"))


def reflect(ctx, node, x, n):
    """``x - 2.0 * x.dot(n) * n``."""
    k = mv.keep(ctx, node, mm.dot(ctx, node, x, n), "k")
    return mv.sub(ctx, node, x, mv.mul(ctx, node, mv.mul(ctx, node, 2.0, k), n))


def refract(ctx, node, x, n, eta):
    """``eta * x - (eta * d + sqrt(k)) * n`` where ``d = x.dot(n)`` and ``k = 1 - eta² (1 - d²)``; zero where
    ``k < 0`` (total internal reflection). The result has ``x``'s component type, as upstream's result variable."""
    dxn = mv.keep(ctx, node, mm.dot(ctx, node, x, n), "dxn")
    inner = mv.sub(ctx, node, 1.0, mv.mul(ctx, node, dxn, dxn))
    k = mv.keep(ctx, node, mv.sub(ctx, node, 1.0, mv.mul(ctx, node, mv.mul(ctx, node, eta, eta), inner)), "k")
    root = mv.float_unary(ctx, node, Op.SQRT, "sqrt", k, int_to_fp=True)
    bent = mv.sub(
        ctx, node, mv.mul(ctx, node, eta, x), mv.mul(ctx, node, mv.add(ctx, node, mv.mul(ctx, node, eta, dxn), root), n)
    )
    ok = mv.keep(ctx, node, tr.compare(ctx, Op.GE, k, 0.0, node), "refracts")

    def component(c, nd, original, value):
        dtype = tr.to_expr(c, original, nd).dtype
        value = tr.implicit(c, value, dtype, nd, "Assign")  # upstream assigns into a variable of x's type
        zero = tr.cast(c, a.mul(c, nd, original, 0), dtype)  # upstream's zero(x) is x * 0 (keeps the sign of zero)
        return ir.OpExpr(Op.SELECT, (ok, value, zero), dtype)

    return mv.lift(ctx, node, component, x, bent)


def determinant(ctx, node, m):
    """``m.determinant()``."""
    return mm.determinant(ctx, node, _matrix(ctx, node, m, "determinant"))


def inverse(ctx, node, m):
    """``m.inverse()``."""
    return mm.inverse(ctx, node, _matrix(ctx, node, m, "inverse"))


def eye(ctx, node, n):
    """The ``n``×``n`` identity matrix of default_fp (``qd.Matrix.identity(float, n)``); ``n`` is compile-time."""
    if is_runtime(n) or isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise QuadrantsTypeError(
            f"qd.math.eye(n): {n!r} cannot be interpreted as an integer; n must be a compile-time positive int (a "
            "qd.template() value)",
            ctx.loc(node),
        )
    return mv.build(ctx, node, [[1.0 if r == c else 0.0 for c in range(n)] for r in range(n)])


def vdir(ctx, node, ang):
    """``vec2(cos(ang), sin(ang))``: the unit vector at angle ``ang``."""
    ang = mv.scalar(ctx, node, ang, "vdir", "ang")
    return mv.build(ctx, node, [_cos(ctx, node, ang), _sin(ctx, node, ang)])


def rotation2d(ctx, node, ang):
    """``mat2([[cos, -sin], [sin, cos]])``: counter-clockwise rotation by ``ang`` radians."""
    ang = mv.scalar(ctx, node, ang, "rotation2d", "ang")
    ca = mv.keep(ctx, node, _cos(ctx, node, ang), "ca")
    sa = mv.keep(ctx, node, _sin(ctx, node, ang), "sa")
    return mv.build(ctx, node, [[ca, mv.neg(ctx, node, sa)], [sa, ca]])


def rot_yaw_pitch_roll(ctx, node, yaw, pitch, roll):
    """The 4×4 homogeneous rotation by Euler angles: about Y by ``yaw``, then X by ``pitch``, then Z by ``roll``."""
    angles = [
        mv.scalar(ctx, node, v, "rot_yaw_pitch_roll", p) for v, p in ((yaw, "yaw"), (pitch, "pitch"), (roll, "roll"))
    ]
    (ch, sh), (cp, sp), (cb, sb) = (
        (mv.keep(ctx, node, _cos(ctx, node, t), "c"), mv.keep(ctx, node, _sin(ctx, node, t), "s")) for t in angles
    )

    def m(x, y):
        return mv.mul(ctx, node, x, y)

    def plus(x, y):
        return mv.add(ctx, node, x, y)

    def minus(x):
        return mv.neg(ctx, node, x)

    rows = [
        [plus(m(ch, cb), m(m(sh, sp), sb)), m(sb, cp), plus(m(minus(sh), cb), m(m(ch, sp), sb)), 0.0],
        [plus(m(minus(ch), sb), m(m(sh, sp), cb)), m(cb, cp), plus(m(sb, sh), m(m(ch, sp), cb)), 0.0],
        [m(sh, cp), minus(sp), m(ch, cp), 0.0],
        [0.0, 0.0, 0.0, 1.0],
    ]
    return mv.build(ctx, node, rows)


def rotation3d(ctx, node, ang_x, ang_y, ang_z):
    """``rot_yaw_pitch_roll(ang_z, ang_x, ang_y)``."""
    return rot_yaw_pitch_roll(ctx, node, ang_z, ang_x, ang_y)


def rot_by_axis(ctx, node, axis, ang):
    """The 4×4 homogeneous rotation by ``ang`` radians about ``axis`` (normalized first)."""
    ang = mv.scalar(ctx, node, ang, "rot_by_axis", "ang")
    c = mv.keep(ctx, node, _cos(ctx, node, ang), "c")
    s = mv.keep(ctx, node, _sin(ctx, node, ang), "s")
    if not isinstance(axis, MatrixValue) or axis.shape != (3,):
        raise QuadrantsCompilationError(f"qd.math.rot_by_axis() takes a 3D axis vector, got {axis!r}", ctx.loc(node))
    u = mv.keep(ctx, node, normalize(ctx, node, axis), "axis").items
    t = mv.keep(ctx, node, mv.mul(ctx, node, mv.sub(ctx, node, 1, c), MatrixValue(u, (3,))), "temp").items

    def m(x, y):
        return mv.mul(ctx, node, x, y)

    def plus(x, y):
        return mv.add(ctx, node, x, y)

    def less(x, y):
        return mv.sub(ctx, node, x, y)

    rows = [
        [plus(c, m(t[0], u[0])), plus(m(t[0], u[1]), m(s, u[2])), less(m(t[0], u[2]), m(s, u[1])), 0.0],
        [less(m(t[1], u[0]), m(s, u[2])), plus(c, m(t[1], u[1])), plus(m(t[1], u[2]), m(s, u[0])), 0.0],
        [plus(m(t[2], u[0]), m(s, u[1])), less(m(t[2], u[1]), m(s, u[0])), plus(c, m(t[2], u[2])), 0.0],
        [0.0, 0.0, 0.0, 1.0],
    ]
    return mv.build(ctx, node, rows)


def _scalars(ctx, node, fn: str, **values):
    return [mv.scalar(ctx, node, v, fn, p) for p, v in values.items()]


def translate(ctx, node, dx, dy, dz):
    """The 4×4 homogeneous translation by ``(dx, dy, dz)``."""
    dx, dy, dz = _scalars(ctx, node, "translate", dx=dx, dy=dy, dz=dz)
    rows = [[1.0, 0.0, 0.0, dx], [0.0, 1.0, 0.0, dy], [0.0, 0.0, 1.0, dz], [0.0, 0.0, 0.0, 1.0]]
    return mv.build(ctx, node, rows)


def scale(ctx, node, sx, sy, sz):
    """The 4×4 homogeneous scaling by ``(sx, sy, sz)``."""
    sx, sy, sz = _scalars(ctx, node, "scale", sx=sx, sy=sy, sz=sz)
    rows = [[sx, 0.0, 0.0, 0.0], [0.0, sy, 0.0, 0.0], [0.0, 0.0, sz, 0.0], [0.0, 0.0, 0.0, 1.0]]
    return mv.build(ctx, node, rows)
