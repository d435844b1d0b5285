"""``qd.linalg.SparseSolver``: direct solves of sparse systems, factorised by SciPy's SuperLU (docs/linalg.md).

Upstream factorises with Eigen (LLT/LDLT Cholesky or LU) on the CPU and cuSOLVER on CUDA. Here every solver type is
an LU factorisation by ``scipy.sparse.linalg.splu`` (SuperLU, partial pivoting): for the symmetric positive definite
matrices that LLT and LDLT accept it gives the same solution, and it also covers the matrices they reject. The
ordering maps to SuperLU's column permutations: ``"AMD"`` to minimum degree on ``Aᵀ + A`` (what AMD computes for
symmetric matrices), ``"COLAMD"`` to ``"COLAMD"``.
"""

from __future__ import annotations

import numpy as np

from quadrants.errors import QuadrantsRuntimeError
from quadrants.ir import dtypes
from quadrants.ir.dtypes import to_dtype
from quadrants.linalg._scipy import scipy_sparse_linalg
from quadrants.linalg.sparse_matrix import SparseMatrix
from quadrants.runtime.field import Field
from quadrants.runtime.ndarray import Ndarray

__all__ = ["SparseSolver"]

_TYPES = ["LLT", "LDLT", "LU"]
_ORDERINGS = {"AMD": "MMD_AT_PLUS_A", "COLAMD": "COLAMD"}


class SparseSolver:
    """Solve ``A x = b`` for a :class:`~quadrants.linalg.SparseMatrix` ``A``: ``compute(A)`` (or
    ``analyze_pattern(A)`` then ``factorize(A)``), then ``solve(b)``; ``info()`` says whether it succeeded."""

    def __init__(self, dtype=dtypes.f32, solver_type="LLT", ordering="AMD"):
        if solver_type not in _TYPES or ordering not in _ORDERINGS:
            raise QuadrantsRuntimeError(
                f"The solver type {solver_type} with {ordering} is not supported for now. Only {_TYPES} with "
                f"{list(_ORDERINGS)} are supported."
            )
        self.dtype = to_dtype(dtype)
        self.solver_type = solver_type
        self.ordering = ordering
        self.matrix: SparseMatrix | None = None
        self._lu = None
        self._ok = False

    @staticmethod
    def _type_assert(sparse_matrix):
        raise QuadrantsRuntimeError(
            f"The parameter type: {type(sparse_matrix)} is not supported in linear solvers for now."
        )

    def compute(self, sparse_matrix) -> None:
        """``analyze_pattern`` and ``factorize`` in one call."""
        self.analyze_pattern(sparse_matrix)
        self.factorize(sparse_matrix)

    def analyze_pattern(self, sparse_matrix) -> None:
        """Check the matrix (SuperLU orders the columns as part of the factorisation)."""
        if not isinstance(sparse_matrix, SparseMatrix):
            self._type_assert(sparse_matrix)
        if sparse_matrix.dtype != self.dtype:
            raise QuadrantsRuntimeError(
                f"The SparseSolver's dtype {self.dtype} is not consistent with the SparseMatrix's dtype "
                f"{sparse_matrix.dtype}."
            )
        self.matrix = sparse_matrix

    def factorize(self, sparse_matrix) -> None:
        """Factorise ``sparse_matrix``; a singular (or non-square) matrix makes ``info()`` False."""
        if not isinstance(sparse_matrix, SparseMatrix):
            self._type_assert(sparse_matrix)
        self.matrix = sparse_matrix
        try:
            self._lu = scipy_sparse_linalg().splu(sparse_matrix.matrix.tocsc(), permc_spec=_ORDERINGS[self.ordering])
            self._ok = True
        except (RuntimeError, ValueError):  # "Factor is exactly singular", non-square
            self._lu, self._ok = None, False

    def solve(self, b):
        """The solution for right-hand side ``b``: a NumPy array for a NumPy array or a field, an ndarray for an
        ndarray."""
        if self.matrix is None:
            raise QuadrantsRuntimeError("Please call compute() before calling solve().")
        if not isinstance(b, (np.ndarray, Ndarray)):
            raise QuadrantsRuntimeError(f"The parameter type: {type(b)} is not supported in linear solvers for now.")
        rhs = b if isinstance(b, np.ndarray) else b.to_numpy()
        if self._lu is None:
            x = np.full(self.matrix.m, np.nan, dtype=self.dtype.np)
        else:
            x = np.asarray(self._lu.solve(np.asarray(rhs, dtype=self.dtype.np)), dtype=self.dtype.np)
            self._ok = bool(np.all(np.isfinite(x)))
        if isinstance(b, Ndarray) and not isinstance(b, Field):
            result = Ndarray(b.dtype, (self.matrix.m,))
            result.from_numpy(x.astype(b.scalar_dtype.np))
            return result
        return x

    def info(self) -> bool:
        """Whether the last factorisation and solve succeeded."""
        return self._ok
