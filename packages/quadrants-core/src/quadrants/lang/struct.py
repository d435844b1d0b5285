"""``qd.Struct``, ``qd.StructField``, ``qd.dataclass``: struct types, values and fields.

Compatibility module (upstream programs import ``quadrants.lang.struct``): each name forwards to its real home,
``quadrants/frontend/struct_types.py`` (types and host values) or ``quadrants/runtime/struct_field.py`` (fields).
"""

from quadrants.frontend.struct_types import Struct, StructType
from quadrants.runtime.struct_field import StructField, StructFieldElement, dataclass, struct

__all__ = ["Struct", "StructType", "StructField", "StructFieldElement", "dataclass", "struct"]
