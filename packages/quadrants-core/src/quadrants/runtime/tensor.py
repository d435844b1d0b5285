"""Upstream's unified tensor API (docs/tensor.md): ``qd.tensor``, ``qd.Backend``, ``qd.Tensor``, ``qd.VectorTensor``,
``qd.MatrixTensor``; ``qd.Vector.tensor`` / ``qd.Matrix.tensor`` call :func:`vector_tensor` / :func:`matrix_tensor`.

A tensor is allocated on one of the two storages by ``backend=``: ``qd.Backend.FIELD`` makes a field (its shape is
part of every kernel's specialization), ``qd.Backend.NDARRAY`` (the default, as upstream) an ndarray (a run-time
argument). Upstream wraps the field or ndarray in a ``Tensor`` object that forwards a fixed surface to it and is
unwrapped at every kernel call. Here the factories return the field or ndarray itself, and ``qd.Tensor`` and its two
subclasses are *virtual* classes: ``isinstance(x, qd.Tensor)`` holds for every field and ndarray, and
``isinstance(x, qd.VectorTensor)`` for those of vector elements. So a tensor goes wherever a field or ndarray goes
(kernel arguments, dataclass and data_oriented members, captured globals) with nothing to unwrap, and every method
of upstream's wrapper (``shape``, ``dtype``, ``layout``, ``element_shape``, ``to_numpy``, ``fill``, ``_unwrap``, …)
is the field's or ndarray's own.

As a kernel parameter annotation, ``x: qd.Tensor`` accepts a field (bound like a ``qd.template()`` argument) or an
ndarray (like ``qd.types.ndarray()``); the frontend recognises the annotation by ``_qd_tensor_annotation``.
"""

from __future__ import annotations

from enum import IntEnum

from quadrants.frontend.compound_types import MatrixType, matrix, vector
from quadrants.runtime.field import Field
from quadrants.runtime.ndarray import Ndarray

__all__ = ["Backend", "Tensor", "VectorTensor", "MatrixTensor", "tensor", "vector_tensor", "matrix_tensor", "wrap"]


class Backend(IntEnum):
    """The storage of a tensor: ``FIELD`` (``qd.field``; kernels specialize on its shape) or ``NDARRAY``
    (``qd.ndarray``; a run-time argument, so a new shape does not recompile)."""

    FIELD = 0
    NDARRAY = 1


def _coerce_backend(backend) -> Backend:
    if isinstance(backend, Backend):
        return backend
    try:
        return Backend(backend)
    except (ValueError, TypeError):
        valid = ", ".join(f"qd.Backend.{m.name}" for m in Backend)
        raise ValueError(f"backend={backend!r} is not a valid qd.Backend; expected one of {valid}") from None


def _is_array(obj) -> bool:
    return getattr(type(obj), "_is_quadrants_ndarray", False)


# element rank a virtual class accepts: None for any
_ELEMENT_RANK = {"Tensor": None, "VectorTensor": 1, "MatrixTensor": 2}


class _TensorMeta(type):
    """``isinstance`` / ``issubclass`` against a tensor class test the field or ndarray by its element rank;
    calling the class (upstream's ``qd.Tensor(impl)``) checks ``impl`` and returns it."""

    def __instancecheck__(cls, obj) -> bool:
        if not _is_array(obj):
            return False
        rank = _ELEMENT_RANK[cls.__name__]
        return rank is None or len(obj.element_shape) == rank

    def __subclasscheck__(cls, sub) -> bool:
        if isinstance(sub, _TensorMeta):
            return cls is Tensor or sub is cls
        return cls is Tensor and isinstance(sub, type) and getattr(sub, "_is_quadrants_ndarray", False)

    def __call__(cls, impl):
        if not isinstance(impl, cls):
            what = {"Tensor": "an Ndarray or Field", "VectorTensor": "a vector-element impl"}.get(
                cls.__name__, "a matrix-element impl"
            )
            raise TypeError(f"{cls.__name__}(impl) requires {what}; got {type(impl).__name__}")
        return impl


class Tensor(metaclass=_TensorMeta):
    """A field or an ndarray (``qd.tensor(...)``); also the kernel parameter annotation accepting either."""

    _qd_tensor_annotation = True


class VectorTensor(Tensor):
    """A field or ndarray of vectors (``qd.Vector.tensor(...)``); ``element_shape`` is ``(n,)``."""


class MatrixTensor(Tensor):
    """A field or ndarray of matrices (``qd.Matrix.tensor(...)``); ``element_shape`` is ``(n, m)``."""


def wrap(impl):
    """Upstream's ``qd._wrap``: the tensor view of a field or ndarray, which here is ``impl`` itself."""
    return Tensor(impl)


# keywords each factory accepts besides dtype and shape (upstream rejects the rest, naming them)
_SCALAR_KWARGS = frozenset({"backend", "needs_grad", "layout"})
_COMPOUND_KWARGS = frozenset({"backend", "needs_grad"})


def _check_kwargs(kwargs: dict, factory: str, accepted: frozenset) -> None:
    if "order" in kwargs:
        if "layout" in accepted:
            raise TypeError(f"{factory}(...) does not accept order=; pass layout=(...) instead")
        raise TypeError(
            f"{factory}(...) does not accept order= (or layout=); use the underlying qd.Vector.field / "
            "qd.Matrix.field for non-default storage order"
        )
    extra = set(kwargs) - accepted
    if extra:
        raise TypeError(
            f"{factory}() got unexpected keyword argument(s) {sorted(extra)!r}; accepted: "
            f"{', '.join(sorted(accepted | {'dtype', 'shape'}))}"
        )


def _check_layout(layout, ndim: int) -> tuple[int, ...] | None:
    """``layout`` as a tuple, ``None`` for the identity; raises for anything that is not a permutation of the axes."""
    layout = tuple(layout)
    if len(layout) != ndim:
        raise ValueError(f"layout has {len(layout)} entries but shape has {ndim} dimensions; they must match")
    if sorted(layout) != list(range(ndim)):
        raise ValueError(f"layout={layout!r} is not a permutation of range({ndim})")
    return None if layout == tuple(range(ndim)) else layout


def _allocate(backend: Backend, element, dims: tuple, needs_grad: bool):
    """The field or ndarray; ``needs_grad=True`` attaches a zero-filled companion of the same kind as ``.grad``
    (docs/autodiff.md)."""
    if backend is Backend.FIELD:
        return Field(element, dims, needs_grad=needs_grad)
    array = Ndarray(element, dims)
    if needs_grad:
        array._qd_attach_grad()
    return array


def tensor(dtype, shape, *, backend=Backend.NDARRAY, layout=None, **kwargs):
    """A zero-initialised tensor of ``dtype`` and ``shape``: a field for ``backend=qd.Backend.FIELD``, an ndarray
    for ``qd.Backend.NDARRAY`` (the default). ``layout=`` (a permutation of the axes, outermost first) is reported by
    ``.layout``; the storage stays in canonical order (see ``docs/tensor.md``)."""
    if _is_array(dtype):
        raise TypeError(
            f"qd.tensor() allocates a new tensor; to wrap an existing {type(dtype).__name__}, use qd.wrap(impl) instead"
        )
    if layout is not None and isinstance(dtype, MatrixType):
        raise TypeError(
            "layout= is not supported with compound dtypes (vector/matrix). Use qd.Vector.tensor(...) or "
            "qd.Matrix.tensor(...) without layout= instead."
        )
    _check_kwargs(kwargs, "qd.tensor", _SCALAR_KWARGS)
    backend = _coerce_backend(backend)
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    order = _check_layout(layout, len(dims)) if layout is not None else None
    array = _allocate(backend, dtype, dims, bool(kwargs.get("needs_grad", False)))
    if order is not None:
        # Upstream stores the axes in this nesting order and permutes every index; each observable (indexing in and
        # outside kernels, shape, to_numpy, DLPack views) is in canonical order either way, so here the storage stays
        # canonical and the layout is only reported (docs/tensor.md).
        array._qd_layout = order
    return array


def _compound(factory: str, element, shape, backend, kwargs):
    _check_kwargs(kwargs, factory, _COMPOUND_KWARGS)
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    return _allocate(_coerce_backend(backend), element, dims, bool(kwargs.get("needs_grad", False)))


def vector_tensor(n: int, dtype, shape, *, backend=Backend.NDARRAY, **kwargs):
    """``qd.Vector.tensor(n, dtype, shape, backend=...)``: a tensor of ``n``-vectors."""
    return _compound("qd.Vector.tensor", vector(n, dtype), shape, backend, kwargs)


def matrix_tensor(n: int, m: int, dtype, shape, *, backend=Backend.NDARRAY, **kwargs):
    """``qd.Matrix.tensor(n, m, dtype, shape, backend=...)``: a tensor of ``n``×``m`` matrices."""
    return _compound("qd.Matrix.tensor", matrix(n, m, dtype), shape, backend, kwargs)
