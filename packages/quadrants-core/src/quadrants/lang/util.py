"""Compatibility module: upstream's ``quadrants.lang.util`` helpers that programs and tests import.

Two one-line helpers with no other home here: ``has_pytorch`` answers whether PyTorch is importable (without
importing it); ``to_numpy_type`` gives the NumPy dtype every :class:`~quadrants.ir.dtypes.DataType` carries.
"""

from __future__ import annotations

import importlib.util

__all__ = ["has_pytorch", "to_numpy_type"]


def has_pytorch() -> bool:
    """Whether ``import torch`` would succeed."""
    return importlib.util.find_spec("torch") is not None


def to_numpy_type(dtype):
    """The NumPy dtype of a Quadrants scalar type (``qd.f32`` -> ``numpy.float32``)."""
    return dtype.np
