"""SciPy, the optional dependency behind ``qd.linalg``'s sparse matrices (``pip install quadrants-core[sparse]``).

Sparse storage, products, factorisations and the sparse CG run on the host through ``scipy.sparse``: a well-kept
library that every platform has wheels for, where upstream links Eigen (CPU) and cuSPARSE (CUDA) into its C++ core.
"""

from __future__ import annotations

import importlib

__all__ = ["scipy_sparse", "scipy_sparse_linalg"]

_MISSING = "qd.linalg sparse matrices need SciPy: `pip install quadrants-core[sparse]` (or `pip install scipy`)"


def _load(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(_MISSING) from exc


def scipy_sparse():
    """The ``scipy.sparse`` module, or an ImportError that says how to install it."""
    return _load("scipy.sparse")


def scipy_sparse_linalg():
    """The ``scipy.sparse.linalg`` module, or an ImportError that says how to install it."""
    return _load("scipy.sparse.linalg")
