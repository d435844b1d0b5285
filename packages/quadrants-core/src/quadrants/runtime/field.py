"""Fields (docs/semantics.md §13): global dense tensors bound into the kernels that use them.

A field has the host API of an ndarray; in kernels it is reached as a captured global, through a ``qd.template()``
parameter or as a data_oriented member, and its shape is a compile-time tuple. Every field is placed in a dense SNode
tree (runtime/snode.py): ``qd.field(dtype, shape=s)`` places it at once under ``qd.root.dense(axes, s)``, and
``qd.field(dtype)`` leaves it unplaced until ``some_node.place(x)`` gives it that node's shape. Both paths allocate the
same zero-initialised storage, so a placed field behaves exactly like one created with ``shape=``.
"""

from __future__ import annotations

import weakref

import numpy as np

from quadrants.errors import QuadrantsIndexError, QuadrantsRuntimeError, QuadrantsSyntaxError, user_api
from quadrants.frontend.compound_types import HOST_VALUES
from quadrants.runtime.ndarray import Array, Ndarray, normalize_shape
from quadrants.runtime.snode_axes import axes
from quadrants.runtime.state import materialize

__all__ = ["Field", "ScalarField", "MatrixField", "field", "place_with_shape", "GRAD_FIELDS", "DUAL_FIELDS"]

# every gradient / dual field created (qd.ad.clear_all_gradients zeroes the placed ones of the current session)
GRAD_FIELDS: weakref.WeakSet = weakref.WeakSet()
DUAL_FIELDS: weakref.WeakSet = weakref.WeakSet()

_NOT_PLACED = (
    "Field has no allocation: create it with a shape (qd.field(dtype, shape=(2, 3))) or place it with "
    "qd.root.dense(qd.ij, (2, 3)).place(x) before reading, writing or filling it"
)


def place_with_shape(fields: list, shape, offset=None) -> None:
    """Place ``fields`` under ``qd.root.dense(axes(0..n-1), shape)``: what ``qd.field(shape=...)`` does."""
    from quadrants.runtime.snode import session_root

    dims = normalize_shape(shape)
    session_root().dense(axes(*range(len(dims))), dims).place(*fields, offset=offset)


def normalize_offset(offset, ndim: int) -> tuple[int, ...]:
    """``offset=`` of a field or ``place``: an int or a tuple with one int per axis (``None``: all zero)."""
    if offset is None:
        return (0,) * ndim
    if isinstance(offset, (int, np.integer)):
        offset = (int(offset),)
    offset = tuple(offset)
    if len(offset) != ndim or not all(isinstance(o, (int, np.integer)) for o in offset):
        raise QuadrantsSyntaxError(f"The dimensionality of shape and offset must be the same ({ndim} != {len(offset)})")
    return tuple(int(o) for o in offset)


class FieldIndexCountError(QuadrantsIndexError, AssertionError):
    """``f[0, 0]`` on a 3-d field in Python scope (upstream raises ``AssertionError`` here)."""


class Field(Array):
    """A field of scalars, vectors or matrices; ``f[None]`` indexes a 0-d field.

    Its class is :class:`ScalarField` or :class:`MatrixField` (vectors too) by element type; a field is no
    ``qd.Ndarray``, as in upstream.
    """

    _is_quadrants_field = True
    # per-object values (instance attributes in upstream) and the runtime's accessors: not in dir(qd.Field)
    _qd_unlisted = frozenset({"dual", "grad", "ndim", "scalar_dtype", "storage", "element_shape"})
    _qd_materialized = False  # set at the first host access, which runs the materialize hooks (state.materialize)
    _accepts_column_vectors = True  # from_numpy of a vector field also takes shape + (n, 1), as upstream

    def __init__(
        self,
        dtype,
        shape=None,
        *,
        name: str = "",
        needs_grad: bool = False,
        needs_dual: bool = False,
        offset=None,
        **options,
    ):
        if shape is None and offset is not None:
            raise QuadrantsSyntaxError("shape cannot be None when offset is set")
        self._init_element_type(dtype, None)
        if (needs_grad or needs_dual) and not self._dtype.is_float:
            raise QuadrantsRuntimeError(
                f"{self._dtype} is not supported for field with `needs_grad=True` or `needs_dual=True`."
            )
        self.name = name
        self._snode = None
        self._shape = None
        self._storage = None
        self._qd_offset: tuple[int, ...] = ()
        self._qd_needs_grad = bool(needs_grad) and self._dtype.is_float
        self._qd_needs_dual = bool(needs_dual) and self._dtype.is_float
        self._qd_grad_field: Field | None = None
        self._qd_dual_field: Field | None = None
        self._qd_primal: Field | None = None  # set on a gradient field: the field it belongs to
        if shape is not None:
            place_with_shape([self], shape, offset)

    # --------------------------------------------------------------------------------------------- placement
    @property
    def _qd_placed(self) -> bool:
        return self._snode is not None

    def _qd_leaf_fields(self) -> list:
        return [self]

    def _qd_place(self, node, offset=None) -> None:
        """Called by ``SNode.place``: take the node's shape (and index offsets) and allocate zero-initialised
        storage."""
        if node._builder._session.generation != self._generation:
            raise QuadrantsRuntimeError(
                "this field was created before the latest qd.init() / qd.reset(); create it again after qd.init()"
            )
        self._qd_offset = normalize_offset(offset, len(node.shape))
        self._snode = node
        self._allocate(node.shape)
        if self._qd_needs_grad and not self.grad._qd_placed:  # needs_grad=True: the gradient sits beside it
            node._parent.place(self.grad, offset=offset)
        if self._qd_needs_dual and not self.dual._qd_placed:  # needs_dual=True: likewise the dual
            node._parent.place(self.dual, offset=offset)

    # ------------------------------------------------------------------------------------------------ autodiff
    def _companion(self, attr: str, suffix: str, registry):
        if self._qd_primal is not None or not self._dtype.is_float:
            return None
        companion = getattr(self, attr)
        if companion is None:
            companion = Field(self.element_type, name=f"{self.name}.{suffix}" if self.name else "")
            companion._qd_primal = self
            setattr(self, attr, companion)
            registry.add(companion)
        return companion

    @property
    def grad(self):
        """The gradient field (same element type; placed beside this field by ``needs_grad=True``,
        ``place(x, x.grad)`` or ``qd.root.lazy_grad()``); ``None`` for integer fields (docs/autodiff.md)."""
        return self._companion("_qd_grad_field", "grad", GRAD_FIELDS)

    @property
    def dual(self):
        """The dual field of forward-mode autodiff (placed by ``needs_dual=True``, ``place(x, x.dual)`` or
        ``qd.root.lazy_dual()``); ``None`` for integer fields (docs/autodiff.md)."""
        return self._companion("_qd_dual_field", "dual", DUAL_FIELDS)

    def has_dual(self) -> bool:
        """Whether the dual field is placed."""
        return self._qd_dual_field is not None and self._qd_dual_field._qd_placed

    def has_grad(self) -> bool:
        """Whether the gradient field is placed."""
        return self._qd_grad_field is not None and self._qd_grad_field._qd_placed

    def _qd_release(self) -> None:
        from quadrants.runtime.member_memo import storage_released

        self._storage = None
        storage_released()  # launches memoised with this storage must take the checked path again

    def storage(self):
        """The backend storage, after checking that the field is placed, finalized and of the current session."""
        if self._snode is None:
            raise QuadrantsRuntimeError(_NOT_PLACED)
        error = self._snode._builder._access_error()
        if error is not None:
            raise error
        if not self._qd_materialized:  # upstream materializes at a field's first host access (state.materialize)
            self._qd_materialized = True
            materialize()
        return super().storage()

    def _index(self, key) -> tuple[int, ...]:
        if self._snode is None:
            raise QuadrantsRuntimeError(_NOT_PLACED)
        if any(self._qd_offset) and key is not None:  # a field with offset=: x[i] is stored element i - offset
            keys = key if isinstance(key, tuple) else (key,)
            if len(keys) == len(self._qd_offset) and all(isinstance(k, (int, np.integer)) for k in keys):
                key = tuple(int(k) - o for k, o in zip(keys, self._qd_offset))
        return super()._index(key)

    def _index_count_error(self, key: tuple) -> Exception:
        return FieldIndexCountError(
            f"Slicing is not supported on qd.field: a field of shape {tuple(self.shape)} takes {len(self.shape)} "
            f"indices, got {key!r}"
        )

    def __iter__(self):
        raise NotImplementedError(
            "Struct for is only available in Quadrants scope: iterate a field with `for i in f` inside a kernel, or "
            "over f.to_numpy() in Python"
        )

    @user_api
    def from_numpy(self, array) -> None:
        """Copy ``array`` in (see :meth:`Ndarray.from_numpy`)."""
        self.storage()  # placement and access checks first
        super().from_numpy(array)

    def _shape_mismatch(self, expected: tuple, provided: tuple) -> str:
        # docs/semantics.md §14's text, then upstream's wording for fields
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

    # --------------------------------------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple[int, ...]:
        if self._snode is None:
            raise QuadrantsRuntimeError(_NOT_PLACED)
        return self._shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def snode(self):
        """The place SNode of this field (``None`` before it is placed)."""
        return self._snode

    def parent(self, n: int = 1):
        """The ``n``-th ancestor of the field's place SNode: ``x.parent()`` is the node ``x`` was placed in."""
        if self._snode is None:
            raise QuadrantsRuntimeError(_NOT_PLACED)
        return self._snode.parent(n)

    @property
    def _name(self) -> str:
        return self._snode._name if self._snode is not None else self.name

    def __repr__(self) -> str:
        if self._snode is None:
            return f"qd.field({self.element_type}, unplaced)"
        return f"qd.field({self.element_type}, shape={self._shape})"


class ScalarField(Field):
    """A field of scalars (``qd.field(qd.f32, shape)``)."""


class MatrixField(Field):
    """A field of vectors or matrices (``qd.Vector.field``, ``qd.Matrix.field``); elements are ``n``×``m``
    (``m == 1`` for vectors)."""


Field._KIND_CLASSES = {"scalar": ScalarField, "vector": MatrixField, "matrix": MatrixField}


@user_api
def field(dtype, shape=None, **options) -> Field:
    """A zero-initialised field of ``dtype``; without ``shape`` it must be placed in an SNode tree before use."""
    return Field(dtype, shape, **options)


def _field_of(element_type, shape=None, **options) -> Field:
    return Field(element_type, shape, **options)


def _ndarray_of(element_type, shape, **options):
    return Ndarray(element_type, shape)


# vec3.field(shape=...) and vec3.ndarray(shape=...) on the frontend's type objects (frontend/compound_types.py)
HOST_VALUES.update(field=_field_of, ndarray=_ndarray_of)
