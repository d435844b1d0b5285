"""Questions about a type: ``qd.types.is_integral`` / ``is_signed`` / ``is_real`` / ``is_tensor`` (re-exported by
``quadrants/types/utils.py``, upstream's path).

Each takes a Quadrants type (``qd.i32``, ``qd.f64``, ``qd.types.vector(3, qd.f32)``, …); anything else is a
``TypeError``, as upstream, whose functions accept only its C++ type objects. ``int``/``float`` are not types here
either: write ``qd.i32``/``qd.f32``.
"""

from __future__ import annotations

from quadrants.frontend.compound_types import MatrixType
from quadrants.ir.dtypes import DataType

__all__ = ["is_signed", "is_integral", "is_real", "is_tensor"]


def _primitive(dt, fn: str) -> DataType:
    if not isinstance(dt, DataType):
        raise TypeError(f"qd.types.{fn}() takes a Quadrants primitive type (qd.i32, qd.f32, ...), got {dt!r}")
    return dt


def is_integral(dt) -> bool:
    """Whether ``dt`` is an integer type (``u1`` included)."""
    return _primitive(dt, "is_integral").is_integral


def is_real(dt) -> bool:
    """Whether ``dt`` is a floating-point type (``f16``, ``f32``, ``f64``)."""
    return _primitive(dt, "is_real").is_float


def is_signed(dt) -> bool:
    """Whether the integer type ``dt`` is signed (``u1`` is not). A float type is an error, as upstream."""
    dt = _primitive(dt, "is_signed")
    if not dt.is_integral:
        raise RuntimeError(f"qd.types.is_signed() takes an integral type, got {dt}: is_integral(dt) is false")
    return dt.kind == "int"


def is_tensor(dt) -> bool:
    """Whether ``dt`` is a vector/matrix type (``qd.types.vector(...)``, ``qd.math.vec3``); ``False`` for scalars."""
    if isinstance(dt, MatrixType):
        return True
    _primitive(dt, "is_tensor")
    return False
