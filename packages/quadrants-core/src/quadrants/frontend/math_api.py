"""The kernel-language functions of ``qd.math`` that the frontend lowers itself: ``qd.math.clamp``, ``dot``,
``rotation2d``, ``cmul``, … (the public module ``quadrants/math.py`` re-exports them).

Upstream writes these as ``@qd.func`` compositions. Here each is a :class:`KernelFunction`: a Python signature and a
docstring (what users see) plus a lowering in ``frontend/math_scalar.py``, ``math_geometry.py`` or ``math_complex.py``
that builds upstream's expression tree directly, so the results round identically on every backend and nothing is
parsed at compile time. Arguments are bound as a ``@qd.func`` binds them (keywords and errors included) and copied:
numbers become typed constants, Python lists become vectors. Called from Python scope, they raise
``QuadrantsSyntaxError`` as a ``@qd.func`` does (docs/semantics.md §20 #19).
"""

from __future__ import annotations

import functools
import inspect

from quadrants.errors import QuadrantsSyntaxError, caller_loc
from quadrants.frontend import math_complex as mc, math_geometry as mg, math_scalar as ms, typing_rules as tr
from quadrants.frontend.values import MatrixValue, is_runtime
from quadrants.ir import dtypes

__all__ = ["KernelFunction", "KERNEL_FUNCTIONS"]


class KernelFunction:
    """A ``qd.math`` function usable in kernel code; ``lower(ctx, node, *bound_args)`` builds its IR."""

    def __init__(self, fn, lower, static: tuple[str, ...] = ()):
        functools.update_wrapper(self, fn)
        self.lower = lower
        self.signature = inspect.signature(fn)
        self.static = frozenset(static)  # template parameters: passed as they are, never copied

    def __repr__(self) -> str:
        return f"<qd.math.{self.__name__}>"

    def __call__(self, *args, **kwargs):
        raise QuadrantsSyntaxError(
            f"qd.math.{self.__name__}() can only be called from a @qd.kernel or @qd.func", caller_loc()
        )

    def lower_call(self, ctx, node, args: list, kwargs: dict):
        """The call-table row (``frontend/calls.py``): bind, copy, lower."""
        values = _bind(ctx, node, self, args, kwargs)
        names = self.signature.parameters
        copied = [v if name in self.static else _copy(ctx, node, v) for name, v in zip(names, values)]
        return self.lower(ctx, node, *copied)


def _bind(ctx, node, fn: KernelFunction, args: list, kwargs: dict) -> list:
    """Positional values in signature order, with upstream's ``@qd.func`` messages for a bad call."""
    params = list(fn.signature.parameters.values())
    if len(args) > len(params):
        raise QuadrantsSyntaxError(
            f"Too many arguments. Expected ({', '.join(p.name for p in params)}), got {len(args)} arguments in call "
            f"to qd.math.{fn.__name__}",
            ctx.loc(node),
        )
    values = list(args)
    for k, param in enumerate(params):
        if param.name in kwargs:
            if k < len(args):
                raise QuadrantsSyntaxError(f"Multiple values for argument '{param.name}'.", ctx.loc(node))
            values.append(kwargs[param.name])
        elif k >= len(args):
            if param.default is inspect.Parameter.empty:
                raise QuadrantsSyntaxError(f"Missing argument '{param.name}'.", ctx.loc(node))
            values.append(param.default)
    unknown = sorted(set(kwargs) - {p.name for p in params})
    if unknown:
        raise QuadrantsSyntaxError(f"Unexpected argument '{unknown[0]}'.", ctx.loc(node))
    return values


def _copy(ctx, node, value):
    """A parameter copy as upstream's ``@qd.func`` makes it: numbers become typed constants (``1`` is default_ip,
    ``1.0`` default_fp), lists become vectors/matrices, run-time expressions are evaluated once into locals."""
    if isinstance(value, MatrixValue):
        return MatrixValue(tuple(_copy(ctx, node, v) for v in value.items), value.shape)
    if isinstance(value, (list, tuple)) and value:
        return _from_list(ctx, node, value)
    if is_runtime(value):
        return ctx.temp(value, node, "arg")
    if isinstance(value, (bool, int, float)) or _is_numpy_scalar(value):
        return tr.to_expr(ctx, value, node)
    return value  # a compile-time object (a dtype, a size for eye(n)): the lowering checks it


def _is_numpy_scalar(value) -> bool:
    import numpy as np

    return isinstance(value, np.generic)


def _from_list(ctx, node, rows) -> MatrixValue:
    """``[x, y, z]`` as a vector and ``[[a, b], [c, d]]`` as a matrix, components promoted to one type."""
    nested = isinstance(rows[0], (list, tuple, MatrixValue))
    flat = []
    for row in rows if nested else [rows]:
        items = row.items if isinstance(row, MatrixValue) else row
        flat.extend(tr.to_expr(ctx, _copy(ctx, node, v), node) for v in items)
    shape = (len(rows), len(flat) // len(rows)) if nested else (len(flat),)
    if nested and any(len(r.items if isinstance(r, MatrixValue) else r) != shape[1] for r in rows):
        raise QuadrantsSyntaxError("matrix rows must have the same length", ctx.loc(node))
    common = flat[0].dtype
    for v in flat[1:]:
        common = dtypes.promote(common, v.dtype)
    return MatrixValue(tuple(tr.cast(ctx, v, common) for v in flat), shape)


KERNEL_FUNCTIONS: dict[str, KernelFunction] = {}


def _kernel_function(lower, static: tuple[str, ...] = ()):
    def register(fn) -> KernelFunction:
        obj = KernelFunction(fn, lower, static)
        obj.__module__ = "quadrants.math"
        KERNEL_FUNCTIONS[fn.__name__] = obj
        return obj

    return register


# ------------------------------------------------------------------------------------------- component-wise


@_kernel_function(ms.clamp)
def clamp(x, xmin, xmax):
    """``min(max(x, xmin), xmax)`` per component (``min(xmax, max(xmin, x))``); scalars broadcast."""


@_kernel_function(ms.mix)
def mix(x, y, a):
    """Linear interpolation ``x * (1.0 - a) + y * a`` per component (GLSL ``mix``)."""


@_kernel_function(ms.step)
def step(edge, x):
    """``0.0`` where ``x < edge``, else ``1.0``, per component; default_fp whatever the operand types."""


@_kernel_function(ms.fract)
def fract(x):
    """The fractional part ``x - floor(x)`` per component (float operands)."""


@_kernel_function(ms.smoothstep)
def smoothstep(edge0, edge1, x):
    """Hermite interpolation ``t * t * (3.0 - 2.0 * t)``, ``t = clamp((x - edge0) / (edge1 - edge0), 0.0, 1.0)``."""


@_kernel_function(ms.sign)
def sign(x):
    """``-1.0``, ``0.0`` or ``1.0`` per component (``0.0`` for zeros and NaN); default_fp."""


@_kernel_function(ms.mod)
def mod(x, y):
    """GLSL ``mod``: ``x - y * floor(x / y)`` per component (a float result, also for integers)."""


@_kernel_function(ms.log2)
def log2(x):
    """The base-2 logarithm ``log(x) / log(2)`` per component."""


@_kernel_function(ms.degrees)
def degrees(x):
    """Radians to degrees, per component."""


@_kernel_function(ms.radians)
def radians(x):
    """Degrees to radians, per component."""


@_kernel_function(ms.isnan)
def isnan(x):
    """``1`` where ``x`` is NaN, else ``0`` (``u1`` per component; integers are never NaN)."""


@_kernel_function(ms.isinf)
def isinf(x):
    """``1`` where ``x`` is ``+inf`` or ``-inf``, else ``0`` (``u1`` per component)."""


@_kernel_function(ms.fns)
def fns(mask, base, offset):
    """The bit position of the ``|offset|``-th set bit of the u32 ``mask`` counted from bit ``base`` (upward when
    ``offset > 0``, downward when ``offset < 0``; ``offset == 0`` tests bit ``base``), or ``0xFFFFFFFF``. ``u32``."""


# ------------------------------------------------------------------------------------- vectors and matrices


@_kernel_function(mg.dot)
def dot(x, y):
    """The dot product of two vectors (``x.dot(y)``)."""


@_kernel_function(mg.cross)
def cross(x, y):
    """The cross product (``x.cross(y)``): a scalar for 2D vectors, a vector for 3D vectors."""


@_kernel_function(mg.length)
def length(x):
    """The Euclidean length ``x.norm()``."""


@_kernel_function(mg.distance)
def distance(x, y):
    """The distance ``(x - y).norm()`` between two points."""


@_kernel_function(mg.normalize)
def normalize(v):
    """``v / v.norm()``: the unit vector in the direction of ``v``."""


@_kernel_function(mg.reflect)
def reflect(x, n):
    """The reflection ``x - 2.0 * x.dot(n) * n`` of ``x`` at the surface with (unit) normal ``n``."""


@_kernel_function(mg.refract)
def refract(x, n, eta):
    """The refraction of ``x`` at the surface with (unit) normal ``n`` for the ratio of indices ``eta``; a zero
    vector on total internal reflection (GLSL ``refract``)."""


@_kernel_function(mg.determinant)
def determinant(m):
    """``m.determinant()``."""


@_kernel_function(mg.inverse)
def inverse(mat):
    """``mat.inverse()``."""


@_kernel_function(mg.eye, static=("n",))
def eye(n):
    """The ``n``×``n`` identity matrix of default_fp; ``n`` is a compile-time int."""


@_kernel_function(mg.vdir)
def vdir(ang):
    """``vec2(cos(ang), sin(ang))``: the 2D unit vector at angle ``ang`` (radians)."""


@_kernel_function(mg.rotation2d)
def rotation2d(ang):
    """The 2×2 matrix of a counter-clockwise rotation by ``ang`` radians."""


@_kernel_function(mg.rotation3d)
def rotation3d(ang_x, ang_y, ang_z):
    """The 4×4 homogeneous rotation ``rot_yaw_pitch_roll(ang_z, ang_x, ang_y)``."""


@_kernel_function(mg.rot_yaw_pitch_roll)
def rot_yaw_pitch_roll(yaw, pitch, roll):
    """The 4×4 homogeneous rotation by Euler angles (about Y by ``yaw``, then X by ``pitch``, then Z by ``roll``)."""


@_kernel_function(mg.rot_by_axis)
def rot_by_axis(axis, ang):
    """The 4×4 homogeneous rotation by ``ang`` radians about the 3D vector ``axis``."""


@_kernel_function(mg.translate)
def translate(dx, dy, dz):
    """The 4×4 homogeneous translation by ``(dx, dy, dz)``."""


@_kernel_function(mg.scale)
def scale(sx, sy, sz):
    """The 4×4 homogeneous scaling by ``(sx, sy, sz)``."""


# -------------------------------------------------------------------------------------------- complex numbers


@_kernel_function(mc.cmul)
def cmul(z1, z2):
    """The complex product of two 2D vectors ``(re, im)``."""


@_kernel_function(mc.cdiv)
def cdiv(z1, z2):
    """The complex quotient ``z1 / z2``."""


@_kernel_function(mc.cconj)
def cconj(z):
    """The complex conjugate ``(re, -im)``."""


@_kernel_function(mc.cinv)
def cinv(z):
    """The complex reciprocal ``1 / z``."""


@_kernel_function(mc.csqrt)
def csqrt(z):
    """The complex square root with a non-negative real part (``0`` for ``z == 0``)."""


@_kernel_function(mc.cpow)
def cpow(z, n):
    """The complex power ``z ** n`` for a real exponent ``n`` (``0`` for ``z == 0``)."""


@_kernel_function(mc.cexp)
def cexp(z):
    """The complex exponential ``e ** z``."""


@_kernel_function(mc.clog)
def clog(z):
    """The principal complex logarithm (imaginary part in ``(-pi, pi]``)."""
