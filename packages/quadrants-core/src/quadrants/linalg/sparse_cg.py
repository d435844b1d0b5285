"""``qd.linalg.SparseCG``: conjugate gradients for a :class:`~quadrants.linalg.SparseMatrix` (docs/linalg.md).

Runs ``scipy.sparse.linalg.cg`` on the host. As with upstream's CPU solver (Eigen's ConjugateGradient), ``atol`` is
the tolerance on the residual relative to ``b``: it stops when ``|b - A x| <= atol · |b|``.
"""

from __future__ import annotations

import numpy as np

from quadrants.errors import QuadrantsRuntimeError
from quadrants.ir import dtypes
from quadrants.linalg._scipy import scipy_sparse_linalg
from quadrants.runtime.ndarray import Ndarray

__all__ = ["SparseCG"]


def _host(v, dtype):
    if v is None:
        return None
    return np.asarray(v.to_numpy() if isinstance(v, Ndarray) else v, dtype=dtype.np)


class SparseCG:
    """Conjugate-gradient solver of ``A x = b`` for a symmetric positive definite sparse ``A``.

    ``b`` and the initial guess ``x0`` are NumPy arrays or ndarrays; ``solve()`` returns ``(x, converged)``.
    """

    def __init__(self, A, b, x0=None, max_iter=50, atol=1e-6):
        if A.dtype not in (dtypes.f32, dtypes.f64):
            raise QuadrantsRuntimeError(f"Unsupported CG dtype: {A.dtype}")
        self.dtype = A.dtype
        self.matrix = A
        self.b = b
        self._b = _host(b, A.dtype)
        self._x0 = _host(x0, A.dtype)
        self.max_iter = max_iter
        self.atol = atol

    def solve(self):
        """``(x, converged)``: the solution as a NumPy array of the matrix dtype and whether CG converged."""
        x, info = scipy_sparse_linalg().cg(
            self.matrix.matrix, self._b, x0=self._x0, rtol=self.atol, atol=0.0, maxiter=self.max_iter
        )
        return np.asarray(x, dtype=self.dtype.np), info == 0
