"""Compatibility module: upstream's ``quadrants.lang.util`` helpers that programs and tests import.

The scope decorators, class predicates and diagnostics forward to :mod:`quadrants.lang.host_helpers`, the dtype
conversions and upstream's ``all_types`` / ``MAP_TYPE_IDS`` to :mod:`quadrants.lang.dtype_conversions`. Two
one-line helpers have no other home: ``has_pytorch`` answers whether PyTorch is importable (without importing it);
``to_numpy_type`` gives the NumPy dtype every :class:`~quadrants.ir.dtypes.DataType` carries.
"""

from __future__ import annotations

import importlib.util

from quadrants.lang.dtype_conversions import (
    MAP_TYPE_IDS,
    all_types,
    cook_dtype,
    dtype_to_torch_dtype,
    to_pytorch_type,
    to_quadrants_type,
)
from quadrants.lang.host_helpers import (
    get_clangpp,
    get_traceback,
    has_clangpp,
    in_python_scope,
    in_quadrants_scope,
    is_data_oriented,
    is_dataclass_instance,
    is_from_quadrants_module,
    is_matrix_class,
    is_qd_template,
    is_quadrants_class,
    is_quadrants_internal_file,
    python_scope,
    quadrants_scope,
    wants_runtime_primitives,
    warning,
)

__all__ = [
    "has_pytorch",
    "to_numpy_type",
    "in_python_scope",
    "in_quadrants_scope",
    "python_scope",
    "quadrants_scope",
    "is_quadrants_class",
    "is_matrix_class",
    "is_data_oriented",
    "is_dataclass_instance",
    "wants_runtime_primitives",
    "is_qd_template",
    "is_from_quadrants_module",
    "is_quadrants_internal_file",
    "get_traceback",
    "warning",
    "get_clangpp",
    "has_clangpp",
    "cook_dtype",
    "to_quadrants_type",
    "to_pytorch_type",
    "dtype_to_torch_dtype",
    "MAP_TYPE_IDS",
    "all_types",
]


def has_pytorch() -> bool:
    """Whether ``import torch`` would succeed."""
    return importlib.util.find_spec("torch") is not None


def to_numpy_type(dtype):
    """The NumPy dtype of a Quadrants scalar type (``qd.f32`` -> ``numpy.float32``)."""
    return dtype.np
