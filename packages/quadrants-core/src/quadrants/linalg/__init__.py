"""``qd.linalg``: sparse matrices and solvers, and matrix-free Krylov solvers (docs/linalg.md).

The small dense decompositions used in kernels (``qd.svd``, ``qd.sym_eig``, …) are ``qd.*`` names
(lang/linalg_funcs.py). Sparse matrices need SciPy (``pip install quadrants-core[sparse]``).
"""

from __future__ import annotations

from quadrants.linalg import matrixfree_cg, sparse_cg, sparse_matrix, sparse_solver
from quadrants.linalg.matrixfree_cg import LinearOperator, MatrixFreeBICGSTAB, MatrixFreeCG
from quadrants.linalg.sparse_cg import SparseCG
from quadrants.linalg.sparse_matrix import SparseMatrix, SparseMatrixBuilder
from quadrants.linalg.sparse_solver import SparseSolver

__all__ = [
    "LinearOperator",
    "MatrixFreeCG",
    "MatrixFreeBICGSTAB",
    "SparseMatrix",
    "SparseMatrixBuilder",
    "SparseSolver",
    "SparseCG",
    "matrixfree_cg",
    "sparse_cg",
    "sparse_matrix",
    "sparse_solver",
]
