"""What a Python expression in kernel code evaluates to at compile time.

* Plain Python objects (ints, floats, tuples, modules, functions, dtypes, …) are **compile-time values** (§3).
* IR expressions (:data:`quadrants.ir.nodes.Expr`) are **run-time values** with a dtype.
* :class:`NdarrayValue` stands for an ndarray argument (by reference), :class:`IndexVector` for the index of a
  grouped loop, and the binding records say how a name was bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from quadrants.ir.dtypes import DataType
from quadrants.ir.nodes import ArgRef, Const, LocalRef, OpExpr, Shape, Var

__all__ = [
    "MatrixValue",
    "NdarrayValue",
    "IndexVector",
    "LocalBinding",
    "MatrixBinding",
    "ArgBinding",
    "BoundMethod",
    "BoundFunc",
    "is_runtime",
    "RUNTIME_EXPRS",
]

RUNTIME_EXPRS = (Const, LocalRef, ArgRef, Shape, OpExpr)


def is_runtime(value) -> bool:
    """True for IR expressions (run-time values), False for compile-time Python values."""
    return isinstance(value, RUNTIME_EXPRS)


@dataclass(frozen=True)
class NdarrayValue:
    """An ndarray (or dense field) kernel argument, passed by reference to funcs.

    ``ndim`` counts the user-visible axes; vector/matrix elements add ``element_shape`` as trailing physical axes.
    A field has a compile-time ``static_shape``.
    """

    arg: int
    dtype: DataType
    ndim: int
    name: str
    element_shape: tuple[int, ...] = ()
    static_shape: tuple[int, ...] | None = None
    index_prefix: tuple = ()  # hidden leading indices (a qd.simt.block.SharedArray's slot, frontend/simt.py)
    index_offset: tuple = ()  # a field's index offsets (qd.field(..., offset=...)): x[i] reads element i - offset
    view: tuple | None = None  # (offset, size) of a qd.BufferView: x[i] reads element i + offset (buffer_views.py)
    clamp: bool = False  # qd.types.ndarray(boundary="clamp"): indices are clamped into range (exprs.element_indices)

    @property
    def shape(self) -> tuple:
        if self.view is not None:
            return (self.view[1],)
        if self.static_shape is not None:
            return self.static_shape
        from quadrants.ir import dtypes

        return tuple(Shape(self.arg, k, dtypes.i32) for k in range(self.ndim))


@dataclass(frozen=True)
class IndexVector:
    """The i32 index vector ``I`` of ``for I in qd.grouped(...)``: usable as ``x[I]`` and ``I[k]``."""

    items: tuple

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class LocalBinding:
    """A name bound to a mutable local variable."""

    var: Var


@dataclass(frozen=True)
class MatrixBinding:
    """A name bound to a local vector/matrix: one scalar local per component (row-major)."""

    vars: tuple[Var, ...]
    shape: tuple[int, ...]


@dataclass(frozen=True)
class BoundMethod:
    """``v.dot`` and friends before the call: ``lower(ctx, node, target, args)``."""

    target: object
    lower: object


@dataclass(frozen=True)
class BoundFunc:
    """``obj.helper`` for a ``@qd.func`` method (of a data_oriented object or a struct): inlined with ``target`` as
    its first argument."""

    func: object
    target: object

    def __call__(self, *args, **kwargs):  # from Python scope: the function's own error (kernel-only)
        return self.func(*args, **kwargs)


@dataclass(frozen=True)
class ArgBinding:
    """A name bound to an immutable kernel argument (a scalar ArgRef or an NdarrayValue)."""

    value: object
    name: str


@dataclass(frozen=True)
class MatrixValue:
    """A vector (``shape == (n,)``) or matrix (``shape == (m, n)``) of scalar values, row-major."""

    items: tuple
    shape: tuple[int, ...]
    # the element of a boundary="clamp" ndarray as loaded: a run-time component index is clamped into range, as
    # upstream (on the flat, row-major component index; matrix.dynamic_index). A copy into a local drops it.
    clamp: bool = False

    @property
    def is_vector(self) -> bool:
        return len(self.shape) == 1

    def rows(self) -> list[tuple]:
        if self.is_vector:
            return [self.items]
        m, n = self.shape
        return [self.items[r * n : (r + 1) * n] for r in range(m)]

    def at(self, *index: int):
        if self.is_vector:
            return self.items[index[0]]
        return self.items[index[0] * self.shape[1] + index[1]]

    def __len__(self) -> int:
        return self.shape[0]
