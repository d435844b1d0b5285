"""``qd.types.compound_types``: ``vector(n, dtype)`` and ``matrix(n, m, dtype)`` types, under upstream's path.

The type objects are the frontend's (``frontend/compound_types.py``); this module only names them.
"""

from quadrants.frontend.compound_types import MatrixType, matrix, vector

__all__ = ["matrix", "vector", "MatrixType"]
