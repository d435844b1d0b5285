"""``qd.Vector`` and ``qd.Matrix``: constructors in kernel code, and the factories of vector/matrix ndarrays and
fields in Python scope."""

from __future__ import annotations

import numpy as np

from quadrants.frontend.compound_calls import construct_matrix, construct_vector
from quadrants.frontend.compound_types import matrix, vector
from quadrants.runtime.field import Field
from quadrants.runtime.ndarray import Ndarray

__all__ = ["Vector", "Matrix"]


class Vector:
    """``qd.Vector([x, y, z])`` in kernel code builds a vector (elements promoted to one type).

    In Python scope it returns a NumPy array. ``qd.Vector.ndarray(n, dtype, shape)`` and
    ``qd.Vector.field(n, dtype, shape=...)`` allocate containers of vectors.
    """

    _qd_constructor = staticmethod(construct_vector)  # how kernel code lowers a call (frontend/calls.py)

    def __new__(cls, values, dtype=None):
        return np.asarray(values, dtype=dtype.np if dtype is not None else None)

    @staticmethod
    def ndarray(n: int, dtype, shape):
        """An ndarray of ``n``-vectors."""
        return Ndarray(vector(n, dtype), shape)

    @staticmethod
    def field(n: int, dtype, shape=None, **options):
        """A dense field of ``n``-vectors."""
        return Field(vector(n, dtype), shape, **options)


class Matrix:
    """``qd.Matrix([[a, b], [c, d]])`` in kernel code builds a matrix; see :class:`Vector` for the factories."""

    _qd_constructor = staticmethod(construct_matrix)

    def __new__(cls, values, dtype=None):
        return np.asarray(values, dtype=dtype.np if dtype is not None else None)

    @staticmethod
    def ndarray(m: int, n: int, dtype, shape):
        """An ndarray of ``m``×``n`` matrices."""
        return Ndarray(matrix(m, n, dtype), shape)

    @staticmethod
    def field(m: int, n: int, dtype, shape=None, **options):
        """A dense field of ``m``×``n`` matrices."""
        return Field(matrix(m, n, dtype), shape, **options)
