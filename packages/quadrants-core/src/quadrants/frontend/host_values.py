"""How the frontend (and the layers above it) read host objects: arrays and compile-time keys.

The frontend sits below the runtime, so it recognises a ``qd.ndarray`` by its ``_is_quadrants_ndarray`` attribute
(the protocol: ``scalar_dtype``, ``ndim``, ``element_shape``) instead of importing the runtime's class; fields
likewise carry ``_is_quadrants_field``.
"""

from __future__ import annotations

import enum
import functools

import numpy as np

from quadrants.ir.dtypes import DataType, from_numpy_dtype

__all__ = ["is_ndarray", "is_array", "is_user_dataclass", "describe_array", "primitive_key", "template_key"]


def is_ndarray(value) -> bool:
    """True for a ``qd.ndarray`` (of any session)."""
    return getattr(type(value), "_is_quadrants_ndarray", False)


def is_array(value) -> bool:
    """True for a ``qd.ndarray`` or a NumPy array."""
    return is_ndarray(value) or isinstance(value, np.ndarray)


def is_user_dataclass(value) -> bool:
    """True for an instance of a user's dataclass: a struct-like compound argument.

    Quadrants' own values that happen to be frozen dataclasses (a dtype such as ``qd.i32``, a vector type) are
    compile-time values, not structs: ``dt: qd.template()`` given ``qd.i32`` is a dtype inside the kernel.
    """
    import dataclasses

    if isinstance(value, type) or not dataclasses.is_dataclass(value):
        return False
    return not (type(value).__module__ or "").startswith("quadrants.")


def describe_array(value) -> tuple:
    """``(scalar dtype, user ndim, element shape)`` of a qd.ndarray or NumPy array member."""
    if is_ndarray(value):
        return value.scalar_dtype, value.ndim, value.element_shape
    if isinstance(value, np.ndarray):
        dtype = from_numpy_dtype(value.dtype)
        if dtype is None:
            raise TypeError(f"unsupported NumPy dtype {value.dtype}")
        return dtype, value.ndim, ()
    raise TypeError(f"{type(value).__name__} is not an array")


def primitive_key(value):
    """Key of a baked primitive: type and value (enums by name and value)."""
    return template_key(value)


@functools.cache
def binds_by_identity(cls: type) -> bool:
    """Whether :func:`template_key` keys every value of type ``cls`` by its identity and the struct test rejects it
    (a field, a function, a plain object): not a primitive, enum, tuple, dtype, class, dataclass or data-oriented
    object. A function of the type only, so the launch path asks once per type (runtime/args.py)."""
    import dataclasses

    keyed_by_value = (enum.Enum, bool, int, float, str, type(None), np.generic, tuple, DataType, type)
    if issubclass(cls, keyed_by_value) or dataclasses.is_dataclass(cls):
        return False
    return not getattr(cls, "_qd_data_oriented", False)


def template_key(value):
    """Key of a template value: primitives by (type, value), enums by name and value, others by identity."""
    if isinstance(value, enum.Enum):
        return ("enum", type(value).__qualname__, value.name, repr(value.value))
    if isinstance(value, (bool, int, float, str, type(None), np.generic)):
        return (type(value).__name__, value)
    if isinstance(value, tuple):
        return ("tuple", tuple(template_key(v) for v in value))
    if isinstance(value, DataType):
        return ("dtype", value.name)
    return ("id", id(value))
