"""Primitive data types and the promotion rules of docs/semantics.md §3–§4.1.

A :class:`DataType` is an immutable descriptor (name, kind, bit width) with the matching NumPy dtype. The module-level
instances (``i32``, ``f32``, ``u1``, …) are the objects users see as ``qd.i32`` and friends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quadrants.ir.conversions import convert_scalar

__all__ = [
    "DataType",
    "ALL_DTYPES",
    "DTYPES_BY_NAME",
    "promote",
    "from_numpy_dtype",
    "to_dtype",
    "i8",
    "i16",
    "i32",
    "i64",
    "u1",
    "u8",
    "u16",
    "u32",
    "u64",
    "f16",
    "f32",
    "f64",
]


@dataclass(frozen=True, eq=True)
class DataType:
    """A primitive scalar type: ``kind`` is ``"int"``, ``"uint"``, ``"float"`` or ``"bool"`` (``u1``)."""

    name: str
    kind: str
    bits: int

    def __hash__(self) -> int:  # the name alone (equal types have equal names): cheaper than the generated one
        return hash(self.name)

    @property
    def is_float(self) -> bool:
        return self.kind == "float"

    @property
    def is_integral(self) -> bool:
        """True for signed, unsigned and ``u1`` types."""
        return self.kind != "float"

    @property
    def is_signed(self) -> bool:
        return self.kind in ("int", "float")

    @property
    def is_bool(self) -> bool:
        return self.kind == "bool"

    @property
    def np(self) -> np.dtype:
        """The NumPy dtype that stores values of this type (``u1`` is stored as ``bool``)."""
        return _NP[self.name]

    @property
    def min(self) -> int | float:
        if self.is_float:
            return -float("inf")
        if self.kind == "int":
            return -(1 << (self.bits - 1))
        return 0

    @property
    def max(self) -> int | float:
        if self.is_float:
            return float("inf")
        if self.kind == "int":
            return (1 << (self.bits - 1)) - 1
        return (1 << self.bits) - 1

    def __repr__(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name

    def __call__(self, value):
        """Convert a host value to this type by the rules of docs/semantics.md §5 (Python scope only).

        Inside kernels the frontend handles ``qd.i32(x)`` as a cast; this method is what host code gets.
        """
        return convert_scalar(value, self)


i8 = DataType("i8", "int", 8)
i16 = DataType("i16", "int", 16)
i32 = DataType("i32", "int", 32)
i64 = DataType("i64", "int", 64)
u1 = DataType("u1", "bool", 1)
u8 = DataType("u8", "uint", 8)
u16 = DataType("u16", "uint", 16)
u32 = DataType("u32", "uint", 32)
u64 = DataType("u64", "uint", 64)
f16 = DataType("f16", "float", 16)
f32 = DataType("f32", "float", 32)
f64 = DataType("f64", "float", 64)

ALL_DTYPES: tuple[DataType, ...] = (i8, i16, i32, i64, u1, u8, u16, u32, u64, f16, f32, f64)
DTYPES_BY_NAME: dict[str, DataType] = {t.name: t for t in ALL_DTYPES}

_NP: dict[str, np.dtype] = {
    "i8": np.dtype(np.int8),
    "i16": np.dtype(np.int16),
    "i32": np.dtype(np.int32),
    "i64": np.dtype(np.int64),
    "u1": np.dtype(np.bool_),
    "u8": np.dtype(np.uint8),
    "u16": np.dtype(np.uint16),
    "u32": np.dtype(np.uint32),
    "u64": np.dtype(np.uint64),
    "f16": np.dtype(np.float16),
    "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64),
}
_FROM_NP: dict[np.dtype, DataType] = {v: DTYPES_BY_NAME[k] for k, v in _NP.items()}


def from_numpy_dtype(dtype) -> DataType | None:
    """The :class:`DataType` stored by NumPy ``dtype``, or ``None`` when there is none (complex, object, …)."""
    try:
        return _FROM_NP.get(np.dtype(dtype))
    except TypeError:
        return None


def _unsigned(bits: int) -> DataType:
    return {1: u1, 8: u8, 16: u16, 32: u32, 64: u64}[bits]


def promote(a: DataType, b: DataType) -> DataType:
    """The common type of a binary operation (docs/semantics.md §4.1, rules 1–5)."""
    if a == b:
        return a
    if a.is_float and b.is_float:
        return a if a.bits >= b.bits else b
    if a.is_float:
        return a
    if b.is_float:
        return b
    if a.bits != b.bits:
        return a if a.bits > b.bits else b
    # same width, different signedness: the unsigned type wins
    return _unsigned(a.bits)


def to_dtype(obj, default_ip: DataType = i32, default_fp: DataType = f32) -> DataType:
    """Normalise ``qd.f32``, ``int``, ``float``, ``bool`` or a NumPy dtype into a :class:`DataType`."""
    if isinstance(obj, DataType):
        return obj
    if obj is int:
        return default_ip
    if obj is float:
        return default_fp
    if obj is bool:
        return u1
    found = from_numpy_dtype(obj) if obj is not None else None
    if found is None:
        raise TypeError(f"{obj!r} is not a Quadrants dtype (use qd.i32, qd.f32, ...)")
    return found
