"""Compatibility module: upstream's ``quadrants.lang.ops`` (``qd.lang.ops.add``, ``qd.lang.ops.abs``, …).

The operator functions forward to :mod:`quadrants.compat.elementwise_ops`; the math functions, atomics, ``select``,
``cast``, ``bit_cast``, ``raw_div`` and ``raw_mod`` are the ``qd.*`` intrinsics of :mod:`quadrants.frontend.intrinsics`.
"""

from __future__ import annotations

from quadrants.compat import elementwise_ops as _elementwise
from quadrants.compat.elementwise_ops import *  # noqa: F403 (add, sub, ..., cmp_ge: the names of its __all__)
from quadrants.frontend.intrinsics import (
    ATOMIC_FUNCTIONS as _ATOMICS,
    MATH_FUNCTIONS as _MATH,
    bit_cast,
    bit_shr,
    cast,
    raw_div,
    raw_mod,
    select,
)
from quadrants.frontend.misc_api import frexp, volatile_load
from quadrants.frontend.random import random

sqrt, rsqrt, exp, log = _MATH["sqrt"], _MATH["rsqrt"], _MATH["exp"], _MATH["log"]
sin, cos, tan, asin, acos = _MATH["sin"], _MATH["cos"], _MATH["tan"], _MATH["asin"], _MATH["acos"]
tanh, atan2, abs, max, min = _MATH["tanh"], _MATH["atan2"], _MATH["abs"], _MATH["max"], _MATH["min"]
floor, ceil, round = _MATH["floor"], _MATH["ceil"], _MATH["round"]
popcnt, clz, ffs = _MATH["popcnt"], _MATH["clz"], _MATH["ffs"]
atomic_add, atomic_sub, atomic_mul = _ATOMICS["add"], _ATOMICS["sub"], _ATOMICS["mul"]
atomic_min, atomic_max = _ATOMICS["min"], _ATOMICS["max"]
atomic_and, atomic_or, atomic_xor = _ATOMICS["and"], _ATOMICS["or"], _ATOMICS["xor"]
atomic_exchange, atomic_cas = _ATOMICS["exchange"], _ATOMICS["cas"]

__all__ = [
    *_elementwise.__all__,
    "cast",
    "bit_cast",
    "bit_shr",
    "select",
    "raw_div",
    "raw_mod",
    "sqrt",
    "rsqrt",
    "exp",
    "log",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "tanh",
    "atan2",
    "abs",
    "max",
    "min",
    "floor",
    "ceil",
    "round",
    "popcnt",
    "clz",
    "ffs",
    "atomic_add",
    "atomic_sub",
    "atomic_mul",
    "atomic_min",
    "atomic_max",
    "atomic_and",
    "atomic_or",
    "atomic_xor",
    "atomic_exchange",
    "atomic_cas",
    "random",
    "frexp",
    "volatile_load",
]
