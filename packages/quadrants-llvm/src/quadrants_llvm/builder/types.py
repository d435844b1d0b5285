"""Quadrants dtypes as LLVM types, typed constants and intrinsic declarations.

Register types: ``u1`` is ``i1``; the other ints are ``iN`` (signedness lives in the dtype, not the LLVM type);
``f16``/``f32``/``f64`` are ``half``/``float``/``double``. Storage types differ only for ``u1``, which NumPy stores as
one byte, so memory holds ``i8`` and loads compare with zero.
"""

from __future__ import annotations

import llvmlite.ir as ll
import numpy as np

from quadrants.ir.dtypes import DataType
from quadrants.ir.numerics import convert_scalar

__all__ = ["I1", "I8", "I32", "I64", "F32", "F64", "PTR", "VOID", "reg_type", "mem_type", "const", "intrinsic"]

I1, I8, I16, I32, I64 = (ll.IntType(n) for n in (1, 8, 16, 32, 64))
F16, F32, F64 = ll.HalfType(), ll.FloatType(), ll.DoubleType()
PTR = ll.PointerType()
VOID = ll.VoidType()

_FLOATS = {16: F16, 32: F32, 64: F64}


def reg_type(dtype: DataType) -> ll.Type:
    """The LLVM type of a value of ``dtype`` in registers."""
    if dtype.is_float:
        return _FLOATS[dtype.bits]
    return ll.IntType(dtype.bits)


def mem_type(dtype: DataType) -> ll.Type:
    """The LLVM type of one ndarray element of ``dtype`` in memory (``u1`` is a byte)."""
    return I8 if dtype.is_bool else reg_type(dtype)


def const(value, dtype: DataType) -> ll.Constant:
    """A constant of ``dtype``; the value is first converted by docs/semantics.md §5 (so it is exactly
    representable)."""
    v = convert_scalar(value, dtype)
    if dtype.is_float:
        return ll.Constant(reg_type(dtype), float(v))
    v = int(v)
    if dtype.bits > 1 and v >= 1 << (dtype.bits - 1):
        v -= 1 << dtype.bits  # the signed spelling of the same bits: always in range for the LLVM parser
    return ll.Constant(reg_type(dtype), v)


def float_bits_const(dtype: DataType, value: float) -> ll.Constant:
    """A float constant built from a Python float through NumPy (for NaN/inf identities)."""
    return ll.Constant(reg_type(dtype), float(dtype.np.type(value)))


def _suffix(t: ll.Type) -> str:
    if isinstance(t, ll.IntType):
        return f"i{t.width}"
    if isinstance(t, ll.HalfType):
        return "f16"
    if isinstance(t, ll.FloatType):
        return "f32"
    if isinstance(t, ll.DoubleType):
        return "f64"
    if isinstance(t, ll.PointerType):
        return "p0"
    if isinstance(t, ll.VectorType):
        return f"v{t.count}{_suffix(t.element)}"
    raise TypeError(f"no intrinsic suffix for {t}")


def intrinsic(module: ll.Module, base: str, ret: ll.Type, args: list[ll.Type], overloads: list[ll.Type]):
    """Declare (once per module) the intrinsic ``base.<suffixes of overloads>`` with the given signature."""
    name = ".".join([base, *(_suffix(t) for t in overloads)])
    fn = module.globals.get(name)
    if fn is None:
        fn = ll.Function(module, ll.FunctionType(ret, args), name=name)
    return fn


def np_value(value, dtype: DataType):
    """``value`` as a NumPy scalar of ``dtype`` (test helper and constant folding aid)."""
    return np.asarray(convert_scalar(value, dtype), dtype=dtype.np)[()]
