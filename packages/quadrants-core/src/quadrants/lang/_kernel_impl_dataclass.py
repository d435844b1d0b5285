"""Compatibility module: upstream's ``_kernel_impl_dataclass`` helpers over this implementation's flat member names
(``quadrants/compat/dataclass_flattening.py``; docs/upstream-compatibility.md)."""

from quadrants.compat.dataclass_flattening import (
    expand_func_arguments,
    populate_global_vars_from_dataclass,
    unpack_ast_struct_expressions,
)

__all__ = ["expand_func_arguments", "unpack_ast_struct_expressions", "populate_global_vars_from_dataclass"]
