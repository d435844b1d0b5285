"""Parameter annotations: ``qd.types.ndarray(...)``, ``qd.types.NDArray[...]``, ``qd.template()`` / ``qd.Template``.

Each annotation a user can write is normalised by :func:`parse_annotation` into one of three small records
(:class:`NdarrayType`, :class:`ScalarType`, :class:`TemplateType`); the launcher keys its per-parameter converters off
the record type, never off the raw annotation.
"""

from __future__ import annotations

from dataclasses import dataclass

from quadrants.frontend.compound_types import MatrixType
from quadrants.ir import dtypes
from quadrants.ir.dtypes import DataType, to_dtype

__all__ = [
    "NdarrayType",
    "ScalarType",
    "TemplateType",
    "NDArray",
    "ndarray",
    "template",
    "Template",
    "RefType",
    "ref",
    "parse_annotation",
    "to_dtype",
    "sparse_matrix_builder",
]


_BOUNDARIES = ("unsafe", "clamp")


@dataclass(frozen=True)
class NdarrayType:
    """An ndarray parameter; ``dtype``/``ndim`` of ``None`` accept any value (and specialize on the actual one)."""

    dtype: object = None  # DataType, a qd.types.vector/matrix MatrixType, or None (any)
    ndim: int | None = None
    needs_grad: bool | None = None  # False: kernel.grad gives this argument no gradient (docs/autodiff.md)
    # "clamp": every index into the argument is clamped into range, as upstream (frontend/exprs.py, docs/types.md)
    boundary: str = "unsafe"

    def __getitem__(self, params):  # NDArray[dtype] / NDArray[dtype, ndim]
        if not isinstance(params, tuple):
            params = (params,)
        if len(params) not in (1, 2):
            raise TypeError("NDArray[...] takes a dtype and an optional ndim: NDArray[qd.f32, 2]")
        dtype = _element_type(params[0])
        ndim = params[1] if len(params) == 2 else None
        if ndim is not None and (not isinstance(ndim, int) or ndim < 0):
            raise TypeError(f"NDArray ndim must be a non-negative int, got {ndim!r}")
        return NdarrayType(dtype, ndim)

    def __call__(
        self, dtype=None, ndim: int | None = None, needs_grad: bool | None = None, boundary="unsafe", **_ignored
    ):
        boundary = getattr(boundary, "name", boundary)  # qd.types.enums.BoundaryMode or its string
        boundary = str(boundary).lower()
        if boundary not in _BOUNDARIES:
            raise ValueError(f"Invalid boundary argument: {boundary}. Valid options: 'unsafe', 'clamp'")
        return NdarrayType(_element_type(dtype) if dtype is not None else None, ndim, needs_grad, boundary)

    def __repr__(self) -> str:
        return f"NDArray[{self.dtype}, {self.ndim}]"

    def __instancecheck__(self, obj) -> bool:
        # `isinstance(anno, qd.types.ndarray)` / `qd.types.NDArray`: upstream's idiom (its annotations are classes)
        return isinstance(obj, NdarrayType)


@dataclass(frozen=True)
class ScalarType:
    dtype: DataType


@dataclass(frozen=True)
class TemplateType:
    """``qd.template()``: the value is a compile-time constant and part of the specialization key."""

    def __call__(self) -> TemplateType:
        return self

    def __instancecheck__(self, obj) -> bool:
        # `isinstance(anno, qd.Template)`: upstream's idiom (its Template is a class)
        return isinstance(obj, TemplateType)


NDArray = NdarrayType()
ndarray = NdarrayType()
Template = TemplateType()


# ``qd.template``, ``qd.template()`` and ``qd.Template`` are one annotation (as upstream, where they are one class):
# the object is callable and returns itself, so a parameter may be annotated with any of the three spellings.
template = Template


class RefType:
    """``qd.types.ref(dtype)``: upstream's annotation of a by-reference ``qd.real_func`` parameter.

    :func:`parse_annotation` does not know it, so an inlined ``@qd.func`` parameter annotated with it is copied like an
    unannotated one, which is what upstream does for inlined funcs too.
    """

    def __init__(self, tp):
        self.tp = tp

    def __repr__(self) -> str:
        return f"qd.types.ref({self.tp})"


def ref(tp) -> RefType:
    """The annotation of a by-reference parameter of type ``tp``."""
    return RefType(tp)


def sparse_matrix_builder() -> TemplateType:
    """``qd.types.sparse_matrix_builder()``: the annotation of a kernel parameter that receives a
    ``qd.linalg.SparseMatrixBuilder``; it is passed like a ``qd.template()`` data_oriented object (docs/linalg.md)."""
    return template()


def _element_type(obj):
    return obj if isinstance(obj, MatrixType) else to_dtype(obj)


def parse_annotation(anno, default_ip: DataType = dtypes.i32, default_fp: DataType = dtypes.f32):
    """The normalised record for a kernel parameter annotation, or ``None`` when it is not one we know."""
    if isinstance(anno, (NdarrayType, TemplateType)):
        return anno
    if anno is NdarrayType or anno is TemplateType:
        return anno()
    if isinstance(anno, DataType) or anno in (int, float):
        return ScalarType(to_dtype(anno, default_ip, default_fp))
    if anno is bool:  # as upstream: a u1 scalar
        return ScalarType(dtypes.u1)
    return None
