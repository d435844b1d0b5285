"""Observables and exceptions as plain data, so that a run under upstream's interpreter can be compared here.

A value crosses the process boundary pickled, but upstream's objects must not: their classes do not exist on the
other side (or, worse, exist under the same name with a different meaning). :func:`to_plain` keeps what the
conformance comparison rules understand (NumPy arrays and scalars, Python numbers, strings, ``None``, dicts, lists,
tuples), turns array-likes (objects with ``__array__`` or ``to_numpy()``: host vectors and matrices) into NumPy
arrays, and every other object into a tagged tuple: enums by class name and member, objects with fields
(dataclasses, ``GraphStatus``, named tuples) by class name and fields, anything else by class name and ``repr``.
Both sides of a comparison go through the same function. Imports only the standard library and NumPy.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

import numpy as np

__all__ = ["to_plain", "describe_error", "PlainError"]

_SCALARS = (bool, int, float, complex, str, bytes, type(None))


def _fields(value) -> dict[str, Any] | None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if hasattr(value, "_asdict"):
        return dict(value._asdict())
    slots = getattr(type(value), "__slots__", None)
    if slots:
        names = (slots,) if isinstance(slots, str) else slots
        return {n: getattr(value, n) for n in names if hasattr(value, n)}
    return None


def to_plain(value: Any) -> Any:
    """``value`` with every object the comparison rules do not know replaced by a tagged tuple (see module doc)."""
    if isinstance(value, (np.ndarray, np.generic, *_SCALARS)):
        return value
    if isinstance(value, enum.Enum):
        return ("enum", type(value).__name__, value.name)
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if hasattr(type(value), "__array__") and not isinstance(value, tuple):
        # array-likes (a host qd.Vector / qd.Matrix, a qd.ndarray) compare by value, as compare._as_array does
        return np.asarray(value)
    if callable(getattr(type(value), "to_numpy", None)):  # upstream's host qd.Vector / qd.Matrix (no __array__)
        return np.asarray(value.to_numpy())
    fields = _fields(value)
    if fields is not None:
        return ("object", type(value).__name__, {k: to_plain(v) for k, v in fields.items()})
    if isinstance(value, tuple):
        return tuple(to_plain(v) for v in value)
    return ("opaque", type(value).__name__, repr(value))


@dataclasses.dataclass(frozen=True)
class PlainError:
    """An exception as data: its class name, the names of its classes (most derived first) and its message."""

    name: str
    classes: tuple[str, ...]
    message: str

    def is_a(self, class_name: str) -> bool:
        """True when the exception is ``class_name`` or derives from a class of that name."""
        return class_name in self.classes

    def text(self) -> str:
        return f"{self.name}: {self.message}"


def describe_error(exc: BaseException) -> PlainError:
    """The :class:`PlainError` of ``exc``."""
    classes = tuple(c.__name__ for c in type(exc).__mro__ if c not in (object, BaseException))
    return PlainError(type(exc).__name__, classes, str(exc))
