"""``qd.types``: the types of the kernel language.

* primitive types: ``qd.types.i8`` … ``f64`` and upstream's long names (``int32``, ``float32``, ``uint8``, …), the
  submodule ``primitive_types`` with upstream's type sets, and ``is_integral``/``is_signed``/``is_real``/``is_tensor``;
* compound types: ``vector(n, dtype)``, ``matrix(n, m, dtype)``;
* parameter annotations: ``ndarray(...)``/``NDArray[...]``, ``template()``/``Template``, ``ref(dtype)``;
* the enumerations of ``enums``.

Quantized types (``qd.types.quant``) are out of scope (docs/semantics.md §1): reaching them raises
``NotImplementedError``.
This module only assembles names; docs/types.md describes them.
"""

from quadrants.frontend.annotations import NDArray, Template, ndarray, sparse_matrix_builder, template
from quadrants.frontend.compound_types import matrix, vector
from quadrants.runtime.struct_field import struct
from quadrants.types import annotations, buffer_view_type, compound_types, enums, ndarray_type, primitive_types, utils
from quadrants.types.buffer_view_type import BufferViewType
from quadrants.types.primitive_types import (
    f16,
    f32,
    f64,
    float16,
    float32,
    float64,
    i8,
    i16,
    i32,
    i64,
    int8,
    int16,
    int32,
    int64,
    ref,
    u1,
    u8,
    u16,
    u32,
    u64,
    uint1,
    uint8,
    uint16,
    uint32,
    uint64,
)
from quadrants.types.utils import is_integral, is_real, is_signed, is_tensor

__all__ = [
    "BufferViewType",
    "buffer_view_type",
    "NDArray",
    "ndarray",
    "template",
    "Template",
    "vector",
    "matrix",
    "struct",
    "ref",
    "is_integral",
    "is_signed",
    "is_real",
    "is_tensor",
    "sparse_matrix_builder",
    "primitive_types",
    "annotations",
    "compound_types",
    "ndarray_type",
    "enums",
    "utils",
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
]

# upstream names that are out of scope here (docs/semantics.md §1) -> what the NotImplementedError names
_OUT_OF_SCOPE = {"quant": "quantized types (qd.types.quant)"}


def __getattr__(name: str):
    if name in _OUT_OF_SCOPE:
        raise NotImplementedError(f"qd.types.{name}: {_OUT_OF_SCOPE[name]} are out of scope for this implementation")
    raise AttributeError(f"module 'quadrants.types' has no attribute '{name}'")
