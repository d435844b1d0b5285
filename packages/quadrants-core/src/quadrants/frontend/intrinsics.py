"""Kernel-language functions users call as ``qd.sqrt``, ``qd.atomic_add``, ``qd.static``, ``qd.ndrange``, ….

These objects are what user code names; the frontend recognises them by identity (``frontend/calls.py``) and lowers
each call to IR. Called from Python scope, the math functions evaluate on host numbers (so helper code can share
them) and the kernel-only constructs raise a clear error.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError

__all__ = [
    "static",
    "ndrange",
    "grouped",
    "loop_config",
    "select",
    "cast",
    "bit_cast",
    "raw_div",
    "raw_mod",
    "static_print",
    "static_assert",
    "bit_shr",
    "KERNEL_ONLY",
    "MATH_FUNCTIONS",
    "ATOMIC_FUNCTIONS",
    "NdrangeSpec",
    "GroupedSpec",
]


def _kernel_only(name: str):
    def fn(*args, **kwargs):
        raise QuadrantsSyntaxError(f"qd.{name}() can only be called from a @qd.kernel or @qd.func")

    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = f"``qd.{name}``: usable only inside kernel code."
    return fn


def static(value, *more):
    """Mark a compile-time value: ``if qd.static(cond):`` picks a branch at compile time; ``for v in
    qd.static(range(3)):`` unrolls. In Python scope it returns its argument."""
    return value if not more else (value, *more)


@dataclass(frozen=True)
class NdrangeSpec:
    """``qd.ndrange(d0, d1, ...)``: each axis an int ``n`` (``range(0, n)``) or a pair ``(a, b)``."""

    axes: tuple
    order: tuple | None = None

    def __iter__(self):  # host use and qd.static(qd.ndrange(...)) unrolling
        import itertools

        ranges = [range(*_bounds(a)) for a in self.axes]
        yield from (t if len(t) != 1 else t[0] for t in itertools.product(*ranges))


# upstream's wording of a malformed qd.ndrange axis
NDRANGE_AXIS_ERROR = "Every argument of ndrange should be a scalar or a tuple/list like (begin, end)"


def _bounds(axis) -> tuple[Any, Any]:
    if isinstance(axis, (tuple, list)):
        if len(axis) != 2:
            raise QuadrantsSyntaxError(f"{NDRANGE_AXIS_ERROR}, got {axis!r}")
        return axis[0], axis[1]
    return 0, axis


def ndrange(*axes, axes_order=None, **kwargs) -> NdrangeSpec:
    """A multi-dimensional range: ``for i, j in qd.ndrange(4, (1, 3)):``; the last axis varies fastest."""
    order = kwargs.pop("axes", axes_order)
    if kwargs:
        raise TypeError(f"qd.ndrange() got unexpected keyword argument(s) {sorted(kwargs)}")
    for axis in axes:
        _check_axis(axis)
    return NdrangeSpec(tuple(axes), tuple(order) if order is not None else None)


def _check_axis(axis) -> None:
    """Upstream's checks of one ``qd.ndrange`` axis known when it is built (bounds may still be run-time values)."""
    if isinstance(axis, (tuple, list)) and len(axis) != 2:
        raise QuadrantsSyntaxError(NDRANGE_AXIS_ERROR)
    bounds = axis if isinstance(axis, (tuple, list)) else (axis,)
    if any(isinstance(b, numbers.Real) and not isinstance(b, numbers.Integral) for b in bounds):
        # Python and NumPy floats: ndrange bounds are never converted
        raise QuadrantsTypeError("Every argument of ndrange should be an integer scalar or a tuple/list of (int, int)")


@dataclass(frozen=True)
class GroupedSpec:
    """``qd.grouped(x)``: iterate with one index vector instead of separate indices."""

    inner: Any


def grouped(x) -> GroupedSpec:
    """``for I in qd.grouped(qd.ndrange(...))`` or ``qd.grouped(arr)``: ``I`` is an i32 index vector."""
    return GroupedSpec(x)


def loop_config(*, serialize: bool = False, **options) -> None:
    """Configure the next for-loop: ``serialize=True`` runs a top-level loop serially, in ascending order.

    Other options (``block_dim``, …) are accepted and do not change the semantics.
    """
    return None


def select(cond, a, b):
    """``a`` where ``cond`` is non-zero else ``b``; all three operands are evaluated (per component for host
    vectors/matrices)."""
    like = _host_matrix_of((cond, a, b))
    if like is not None:
        return _componentwise(lambda c, x, y: x if c else y, (cond, a, b), like)
    return a if cond else b


def cast(value, dtype):
    """Convert ``value`` to ``dtype`` by docs/semantics.md §5."""
    return dtype(value)


def bit_cast(value, dtype):
    """Reinterpret the bits of ``value`` as ``dtype`` (same width)."""
    raise QuadrantsSyntaxError("qd.bit_cast() can only be called from a @qd.kernel or @qd.func")


def raw_div(a, b):
    """C-style truncating integer division (``raw_div(-7, 2) == -3``); division by zero gives 0."""
    if b == 0:
        return 0
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def raw_mod(a, b):
    """Remainder of :func:`raw_div` (``raw_mod(-7, 2) == -1``); by zero gives 0."""
    return 0 if b == 0 else a - raw_div(a, b) * b


static_print = _kernel_only("static_print")
static_print.__doc__ = (
    "``qd.static_print(*args)``: prints its arguments when the kernel is compiled (once per compilation, nothing at "
    "run time); run-time values print as ``<qd.Expr>``."
)


def static_assert(cond, msg=None):
    """``qd.static_assert(cond, msg)``: a compile-time assertion; ``cond`` must be a compile-time value.

    A false condition fails the compilation (``qd.QuadrantsCompilationError`` naming ``msg``); in Python scope it is
    a plain ``assert``.
    """
    if msg is not None:
        assert cond, msg
    else:
        assert cond


bit_shr = _kernel_only("bit_shr")
bit_shr.__doc__ = (
    "``qd.bit_shr(x, n)``: logical right shift of the integer ``x`` by ``n`` bits (zeros shifted in, also for signed "
    "types; the result has the type of ``x``). Vectors shift per component."
)


def _host_round(x):
    return float(math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5))


def _host_matrix_of(args):
    """The first host ``qd.Vector``/``qd.Matrix`` among ``args`` (recognised by its protocol attribute), or None."""
    return next((a for a in args if getattr(a, "_is_quadrants_matrix", False) and not isinstance(a, type)), None)


def _componentwise(host, args, like):
    """``host`` applied per component to host vectors/matrices (scalars broadcast); the result has ``like``'s class."""
    import numpy as np

    arrays = [np.asarray(a.entries if getattr(a, "_is_quadrants_matrix", False) else a) for a in args]
    result = np.vectorize(host, otypes=[object])(*arrays)
    return type(like)(np.array(result.tolist()))


def _math(name: str, host):
    def fn(*args, **kwargs):
        like = _host_matrix_of(args)
        if like is not None:  # qd.cos(qd.Vector([2, 3])) in Python scope: per component, as upstream
            return _componentwise(lambda *xs: host(*xs, **kwargs), args, like)
        return host(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``qd.{name}``: see docs/semantics.md §6 for operand and result types."
    return fn


# name -> host implementation on Python numbers
_HOST_MATH: dict[str, Any] = {
    "sqrt": math.sqrt,
    "rsqrt": lambda x: 1.0 / math.sqrt(x),
    "exp": math.exp,
    "log": math.log,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "atan2": math.atan2,
    "floor": lambda x, dtype=None: float(math.floor(x)),
    "ceil": lambda x, dtype=None: float(math.ceil(x)),
    "round": lambda x, dtype=None: _host_round(x),
    "trunc": lambda x: float(math.trunc(x)),
    "abs": abs,
    "max": max,
    "min": min,
    "pow": pow,
    "popcnt": lambda x: bin(x & ((1 << 64) - 1)).count("1"),
    "clz": _kernel_only("clz"),
    "ffs": _kernel_only("ffs"),
}

MATH_FUNCTIONS: dict[str, Any] = {name: _math(name, host) for name, host in _HOST_MATH.items()}

ATOMIC_FUNCTIONS: dict[str, Any] = {
    name: _kernel_only(f"atomic_{name}")
    for name in ("add", "sub", "mul", "min", "max", "and", "or", "xor", "exchange", "cas")
}

KERNEL_ONLY = (bit_cast, static_print, bit_shr)
