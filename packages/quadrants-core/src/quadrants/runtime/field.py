"""Dense fields (SEMANTICS.md §13): global dense tensors bound into the kernels that use them.

A field has the host API of an ndarray; in kernels it is reached as a captured global, through a ``qd.template()``
parameter or as a data_oriented member, and its shape is a compile-time tuple. There are no SNode trees: a field
without ``shape=`` is out of scope.
"""

from __future__ import annotations

from quadrants.runtime.ndarray import Array

__all__ = ["Field", "ScalarField", "MatrixField", "field"]


class Field(Array):
    """A dense field; ``f[None]`` indexes a 0-d field.

    Its class is :class:`ScalarField` or :class:`MatrixField` (vectors too) by element type; a field is no
    ``qd.Ndarray``, as in upstream.
    """

    _is_quadrants_field = True
    _accepts_column_vectors = True  # from_numpy of a vector field also takes shape + (n, 1), as upstream

    def __init__(self, dtype, shape=None, *, name: str = "", needs_grad: bool = False, **options):
        if shape is None:
            raise NotImplementedError(
                "qd.field without shape= needs SNode trees (qd.root...), which are out of scope; pass shape=..."
            )
        if needs_grad:
            raise NotImplementedError("qd.field(needs_grad=True): autodiff is out of scope")
        super().__init__(dtype, () if shape == () else shape)
        self.name = name

    def _shape_mismatch(self, expected: tuple, provided: tuple) -> str:
        # SEMANTICS.md §14's text, then upstream's wording for fields
        return (
            f"Mismatch shape: {expected} expected, but {provided} provided (qd.field shape {tuple(self.shape)} does "
            f"not match the numpy array shape {provided})"
        )

    def _check_copy_source(self, other) -> None:
        if not getattr(other, "_is_quadrants_field", False):
            raise TypeError(f"Cannot copy from a non-field object ({type(other).__name__}); copy_from takes a qd.field")
        if tuple(self.shape) != tuple(other.shape) or self.element_shape != other.element_shape:
            raise ValueError(
                f"qd.field shape {tuple(self.shape)} does not match the source field shape {tuple(other.shape)}"
            )

    def __repr__(self) -> str:
        return f"qd.field({self.element_type}, shape={self.shape})"


class ScalarField(Field):
    """A field of scalars (``qd.field(qd.f32, shape)``)."""


class MatrixField(Field):
    """A field of vectors or matrices (``qd.Vector.field``, ``qd.Matrix.field``); elements are ``n``×``m``
    (``m == 1`` for vectors)."""


Field._KIND_CLASSES = {"scalar": ScalarField, "vector": MatrixField, "matrix": MatrixField}


def field(dtype, shape=None, **options) -> Field:
    """Allocate a zero-initialised dense field of ``dtype`` and ``shape``."""
    return Field(dtype, shape, **options)
