"""``qd.types.primitive_types``: the scalar types, their long aliases and upstream's type sets.

Compatibility module in part: the types themselves live in :mod:`quadrants.ir.dtypes`; the sets (``real_types``,
``integer_types``, ``all_types`` and their ``*_ids``) are upstream's, with the Python types ``float``, ``int`` and
``bool`` included as upstream includes them.
"""

from __future__ import annotations

from quadrants.frontend.annotations import RefType, ref
from quadrants.ir.dtypes import f16, f32, f64, i8, i16, i32, i64, u1, u8, u16, u32, u64

float16, float32, float64 = f16, f32, f64
int8, int16, int32, int64 = i8, i16, i32, i64
uint1, uint8, uint16, uint32, uint64 = u1, u8, u16, u32, u64

real_types = {f16, f32, f64, float}
real_type_ids = {id(t) for t in real_types}
integer_types = {i8, i16, i32, i64, u1, u8, u16, u32, u64, int, bool}
integer_type_ids = {id(t) for t in integer_types}
all_types = real_types | integer_types
type_ids = {id(t) for t in all_types}


__all__ = [
    "f16",
    "f32",
    "f64",
    "i8",
    "i16",
    "i32",
    "i64",
    "u1",
    "u8",
    "u16",
    "u32",
    "u64",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint1",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "real_types",
    "real_type_ids",
    "integer_types",
    "integer_type_ids",
    "all_types",
    "type_ids",
    "RefType",
    "ref",
]
