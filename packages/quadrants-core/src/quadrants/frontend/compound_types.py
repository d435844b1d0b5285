"""``qd.types.vector(n, dtype)`` and ``qd.types.matrix(m, n, dtype)``: element types of vector/matrix ndarrays and
fields, return annotations, and constructors callable in kernel code (``vec3(1, 2, 3)``)."""

from __future__ import annotations

from dataclasses import dataclass

from quadrants.ir.dtypes import DataType, to_dtype

__all__ = ["MatrixType", "vector", "matrix"]


@dataclass(frozen=True)
class MatrixType:
    """A vector (``shape == (n,)``) or matrix (``shape == (m, n)``) type; ``dtype=None`` means default_fp."""

    shape: tuple[int, ...]
    dtype: DataType | None

    @property
    def is_vector(self) -> bool:
        return len(self.shape) == 1

    def resolved(self, default_fp: DataType) -> MatrixType:
        return self if self.dtype is not None else MatrixType(self.shape, default_fp)

    def __repr__(self) -> str:
        kind = "vector" if self.is_vector else "matrix"
        return f"{kind}({', '.join(map(str, self.shape))}, {self.dtype})"

    def __call__(self, *args):
        import numpy as np

        values = args[0] if len(args) == 1 and not np.isscalar(args[0]) else args
        arr = np.asarray(values, dtype=(self.dtype.np if self.dtype else np.float32))
        return arr.reshape(self.shape) if arr.size == int(np.prod(self.shape)) else np.full(self.shape, arr)


def vector(n: int, dtype=None) -> MatrixType:
    """The type of an ``n``-component vector of ``dtype``."""
    return MatrixType((int(n),), to_dtype(dtype) if dtype is not None else None)


def matrix(m: int, n: int, dtype=None) -> MatrixType:
    """The type of an ``m``×``n`` matrix of ``dtype``."""
    return MatrixType((int(m), int(n)), to_dtype(dtype) if dtype is not None else None)
