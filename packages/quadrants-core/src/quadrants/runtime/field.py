"""Dense fields (SEMANTICS.md §13): global dense tensors bound into the kernels that use them.

A field has the host API of an ndarray; in kernels it is reached as a captured global, through a ``qd.template()``
parameter or as a data_oriented member, and its shape is a compile-time tuple. There are no SNode trees: a field
without ``shape=`` is out of scope.
"""

from __future__ import annotations

from quadrants.runtime.ndarray import Ndarray

__all__ = ["Field", "field"]


class Field(Ndarray):
    """A dense field; ``f[None]`` indexes a 0-d field."""

    _is_quadrants_field = True

    def __init__(self, dtype, shape=None, *, name: str = "", needs_grad: bool = False, **options):
        if shape is None:
            raise NotImplementedError(
                "qd.field without shape= needs SNode trees (qd.root...), which are out of scope; pass shape=..."
            )
        if needs_grad:
            raise NotImplementedError("qd.field(needs_grad=True): autodiff is out of scope")
        super().__init__(dtype, () if shape == () else shape)
        self.name = name

    def __repr__(self) -> str:
        return f"qd.field({self.dtype}, shape={self.shape})"


def field(dtype, shape=None, **options) -> Field:
    """Allocate a zero-initialised dense field of ``dtype`` and ``shape``."""
    return Field(dtype, shape, **options)
