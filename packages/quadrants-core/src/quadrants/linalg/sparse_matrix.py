"""``qd.linalg.SparseMatrix`` and ``qd.linalg.SparseMatrixBuilder`` (docs/linalg.md).

A :class:`SparseMatrix` is a host-side ``scipy.sparse`` CSR matrix of the given dtype. A
:class:`SparseMatrixBuilder` collects ``(row, col, value)`` triplets in device ndarrays: a kernel parameter annotated
``qd.types.sparse_matrix_builder()`` takes one, and ``A[i, j] += v`` / ``A[i, j] -= v`` in the kernel appends a triplet
through one atomic counter (the builder's ``_qd_item_update`` func, inlined by frontend/item_updates.py).
``build()`` sums duplicate triplets in a fixed order, so the result does not depend on the order lanes appended them.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from quadrants.errors import QuadrantsRuntimeError
from quadrants.frontend.annotations import template
from quadrants.frontend.intrinsics import ATOMIC_FUNCTIONS, cast, static
from quadrants.ir import dtypes
from quadrants.ir.dtypes import to_dtype
from quadrants.lang.data_oriented import data_oriented
from quadrants.linalg._scipy import scipy_sparse
from quadrants.runtime.field import Field
from quadrants.runtime.kernel import func
from quadrants.runtime.ndarray import Ndarray

__all__ = ["SparseMatrix", "SparseMatrixBuilder"]

atomic_add = ATOMIC_FUNCTIONS["add"]


def _format(value: float) -> str:
    return f"{value:.4g}"


class SparseMatrix:
    """A sparse ``n × m`` matrix of ``dtype`` (``qd.f32`` or ``qd.f64``), held on the host in CSR form.

    ``sm`` may be a ``scipy.sparse`` matrix (or another SparseMatrix) to wrap; ``storage_format`` is accepted for
    upstream compatibility and does not change anything.
    """

    def __init__(self, n=None, m=None, sm=None, dtype=dtypes.f32, storage_format="col_major"):
        sp = scipy_sparse()
        self.dtype = to_dtype(dtype)
        if sm is None:
            self.n = int(n)
            self.m = int(m) if m else self.n
            self.matrix = sp.csr_matrix((self.n, self.m), dtype=self.dtype.np)
        else:
            source = sm.matrix if isinstance(sm, SparseMatrix) else sm
            self.matrix = sp.csr_matrix(source, dtype=self.dtype.np)
            self.n, self.m = self.matrix.shape

    def _wrap(self, matrix) -> SparseMatrix:
        return SparseMatrix(sm=matrix, dtype=self.dtype)

    def _same_shape(self, other: SparseMatrix) -> None:
        if self.shape != other.shape:
            raise AssertionError(
                f"Dimension mismatch between sparse matrices ({self.n}, {self.m}) and ({other.n}, {other.m})"
            )

    # ---------------------------------------------------------------------------------------- arithmetic
    def __add__(self, other: SparseMatrix) -> SparseMatrix:
        self._same_shape(other)
        return self._wrap(self.matrix + other.matrix)

    def __sub__(self, other: SparseMatrix) -> SparseMatrix:
        self._same_shape(other)
        return self._wrap(self.matrix - other.matrix)

    def __iadd__(self, other: SparseMatrix) -> SparseMatrix:
        self._same_shape(other)
        self.matrix = scipy_sparse().csr_matrix(self.matrix + other.matrix, dtype=self.dtype.np)
        return self

    def __isub__(self, other: SparseMatrix) -> SparseMatrix:
        self._same_shape(other)
        self.matrix = scipy_sparse().csr_matrix(self.matrix - other.matrix, dtype=self.dtype.np)
        return self

    def __mul__(self, other):
        """A scalar multiple, or the element-wise (Hadamard) product with another SparseMatrix."""
        if isinstance(other, SparseMatrix):
            self._same_shape(other)
            return self._wrap(self.matrix.multiply(other.matrix))
        if isinstance(other, numbers.Real):
            return self._wrap(self.matrix * self.dtype.np.type(other))
        return NotImplemented

    def __rmul__(self, other):
        return self.__mul__(other) if isinstance(other, numbers.Real) else NotImplemented

    def transpose(self) -> SparseMatrix:
        """The transposed matrix."""
        return self._wrap(self.matrix.transpose())

    def __matmul__(self, other):
        """``A @ B`` (SparseMatrix), ``A @ v`` for a NumPy vector or a field (a NumPy result) or an ndarray (an
        ndarray result)."""
        if isinstance(other, SparseMatrix):
            if self.m != other.n:
                raise AssertionError(
                    f"Dimension mismatch between sparse matrices ({self.n}, {self.m}) and ({other.n}, {other.m})"
                )
            return self._wrap(self.matrix @ other.matrix)
        if isinstance(other, (Field, np.ndarray, Ndarray)):
            if self.m != other.shape[0]:
                raise QuadrantsRuntimeError(
                    f"Dimension mismatch between sparse matrix ({self.n}, {self.m}) and vector ({other.shape})"
                )
            if isinstance(other, np.ndarray):
                return np.asarray(self.matrix @ other)
            vector = other.to_numpy()
            product = np.asarray(self.matrix @ vector.astype(self.dtype.np))
            if isinstance(other, Field):
                return product
            result = Ndarray(other.dtype, (self.n,))
            result.from_numpy(product.astype(vector.dtype))
            return result
        raise QuadrantsRuntimeError(
            f"Sparse matrix-matrix/vector multiplication does not support {type(other)} for now. Supported types are "
            "SparseMatrix, qd.field, qd.ndarray and numpy ndarray."
        )

    # ----------------------------------------------------------------------------------------- elements
    def __getitem__(self, indices) -> float:
        i, j = indices
        return float(self.matrix[i, j])

    def __setitem__(self, indices, value) -> None:
        i, j = indices
        with warnings.catch_warnings():  # changing the sparsity of a CSR matrix is slow, and fine here
            warnings.simplefilter("ignore")
            self.matrix[i, j] = value

    @property
    def shape(self) -> tuple[int, int]:
        """``(n, m)``."""
        return (self.n, self.m)

    def to_numpy(self) -> np.ndarray:
        """The dense matrix as a NumPy array (not in upstream's API: a convenience for tests and printing)."""
        return self.matrix.toarray()

    def __str__(self) -> str:
        """The dense matrix, one row per line, as upstream (Eigen) prints it: 4 significant digits, aligned."""
        cells = [[_format(v) for v in row] for row in self.to_numpy().tolist()]
        width = max((len(c) for row in cells for c in row), default=0)
        return "\n".join("[" + ", ".join(c.rjust(width) for c in row) + "]" for row in cells)

    __repr__ = __str__

    def build_from_ndarray(self, ndarray) -> None:
        """Replace the contents with the triplets ``(row, col, value)`` of an ndarray (its scalars, in groups of 3;
        ``qd.Vector.ndarray(3, ...)`` holds one triplet per element). Duplicate positions are summed."""
        if not isinstance(ndarray, Ndarray) or isinstance(ndarray, Field):
            raise QuadrantsRuntimeError(
                "Sparse matrix only supports building from [qd.ndarray, qd.Vector.ndarray, qd.Matrix.ndarray]"
            )
        flat = ndarray.to_numpy().reshape(-1)
        if flat.size % 3 != 0:
            raise QuadrantsRuntimeError("The number of ndarray elements must have a length that is divisible by 3.")
        triplets = flat.reshape(-1, 3)
        self.matrix = _from_triplets(
            triplets[:, 0].astype(np.int64), triplets[:, 1].astype(np.int64), triplets[:, 2], self.shape, self.dtype
        )

    def mmwrite(self, filename) -> None:
        """Write the matrix to a Matrix Market file."""
        import scipy.io

        scipy.io.mmwrite(filename, self.matrix)


def _from_triplets(rows, cols, values, shape, dtype) -> object:
    """CSR from triplets; duplicates are summed in (row, col, value) order so the result never depends on the order
    the triplets arrived in."""
    order = np.lexsort((values, cols, rows))
    rows, cols, values = rows[order], cols[order], np.asarray(values, dtype=dtype.np)[order]
    n, m = shape
    if rows.size and (rows.min() < 0 or rows.max() >= n or cols.min() < 0 or cols.max() >= m):
        raise QuadrantsRuntimeError(f"a triplet index is outside the {n}×{m} sparse matrix")
    coo = scipy_sparse().coo_matrix((values, (rows, cols)), shape=shape, dtype=dtype.np)
    return coo.tocsr()  # sums duplicates, in the order above


@data_oriented
class SparseMatrixBuilder:
    """Collects the triplets of a sparse matrix in kernels: ``A[i, j] += v`` (or ``-= v``) on a kernel parameter
    annotated ``qd.types.sparse_matrix_builder()``; ``build()`` makes the :class:`SparseMatrix`.

    At most ``max_num_triplets`` triplets are kept; ``build()`` raises ``qd.QuadrantsRuntimeError`` when kernels
    appended more (upstream writes past its buffer).
    """

    def __init__(self, num_rows=None, num_cols=None, max_num_triplets=0, dtype=dtypes.f32, storage_format="col_major"):
        self.num_rows = num_rows
        self.num_cols = num_cols if num_cols else num_rows
        self.dtype = to_dtype(dtype)
        self.max_num_triplets = int(max_num_triplets)
        if num_rows is not None:
            capacity = max(self.max_num_triplets, 1)  # a zero-size device array is not portable
            self._rows = Ndarray(dtypes.i32, (capacity,))
            self._cols = Ndarray(dtypes.i32, (capacity,))
            self._values = Ndarray(self.dtype, (capacity,))
            self._count = Ndarray(dtypes.i32, (1,))

    # ``A[i, j] += v`` / ``A[i, j] -= v`` in kernel code (frontend/item_updates.py inlines this func)
    _qd_item_update_ops = ("add", "sub")
    _qd_item_update_error = "Only operations '+=' and '-=' are supported on sparse matrices."

    @func
    def _qd_item_update(self, op: template(), i, j, value):
        slot = atomic_add(self._count[0], 1)
        if slot < self._rows.shape[0]:
            self._rows[slot] = i
            self._cols[slot] = j
            v = cast(value, self._values.dtype)
            if static(op == "sub"):
                v = -v
            self._values[slot] = v

    def _triplets(self):
        count = int(self._count.to_numpy()[0])
        if count > self.max_num_triplets:
            raise QuadrantsRuntimeError(
                f"{count} triplets were added to a SparseMatrixBuilder made with max_num_triplets="
                f"{self.max_num_triplets}; create it with a larger max_num_triplets"
            )
        return self._rows.to_numpy()[:count], self._cols.to_numpy()[:count], self._values.to_numpy()[:count]

    def print_triplets(self) -> None:
        """Print the collected triplets, one ``[row, col] = value`` per line."""
        count = int(self._count.to_numpy()[0])
        print(f"n={self.num_rows}, m={self.num_cols}, num_triplets={count} (max={self.max_num_triplets})")
        rows, cols, values = (
            a.to_numpy()[: min(count, self.max_num_triplets)] for a in (self._rows, self._cols, self._values)
        )
        for i, j, v in zip(rows.tolist(), cols.tolist(), values.tolist()):
            print(f"[{i}, {j}] = {v:g}")

    def build(self, dtype=None, _format="CSR") -> SparseMatrix:
        """The sparse matrix of the collected triplets (duplicates summed); the builder is emptied."""
        rows, cols, values = self._triplets()
        shape = (self.num_rows, self.num_cols)
        matrix = SparseMatrix(sm=_from_triplets(rows, cols, values, shape, self.dtype), dtype=self.dtype)
        self._count.fill(0)
        return matrix
