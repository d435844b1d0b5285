"""Host-side ndarrays (docs/semantics.md §14): ``qd.ndarray(dtype, shape)`` backed by a backend's
:class:`DeviceArray`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from quadrants.errors import (
    QuadrantsAssertionError,
    QuadrantsIndexError,
    QuadrantsRuntimeError,
    QuadrantsWarning,
    at_call_site,
    user_api,
    warn_user,
)
from quadrants.frontend.compound_types import MatrixType
from quadrants.ir import numerics
from quadrants.ir.dtypes import DataType, from_numpy_dtype
from quadrants.runtime.allocation import check_allocation, element_dtype, normalize_shape
from quadrants.runtime.enums import Layout
from quadrants.runtime.host_matrix import wrap_element
from quadrants.runtime.interop import ArrayInterop
from quadrants.runtime.listed_api import ListedApi
from quadrants.runtime.state import RUNTIME, Session, current_session

__all__ = [
    "Array",
    "Ndarray",
    "ScalarNdarray",
    "VectorNdarray",
    "MatrixNdarray",
    "ndarray",
    "NdarrayTypeMetadata",
    "normalize_shape",
    "is_lossy",
]


def is_lossy(src: DataType, dst: DataType) -> bool:
    """True when converting ``src`` to ``dst`` can lose values (float→int, or to a narrower type)."""
    if src == dst or (dst.is_float and not src.is_float):
        return False
    if src.is_float and not dst.is_float:
        return True
    return dst.bits < src.bits


class Array(ArrayInterop, metaclass=ListedApi):
    """The storage and host API shared by ndarrays (:class:`Ndarray`) and fields (``runtime/field.py``).

    Created with a scalar type or a ``qd.types.vector/matrix`` type; vector/matrix elements are stored as trailing
    axes (``to_numpy()`` has shape ``shape + element_shape``). ``dtype`` is the scalar type of the components and
    ``element_type`` the vector/matrix type (or the scalar type). NumPy, DLPack and torch conversions come from
    :class:`~quadrants.runtime.interop.ArrayInterop` (docs/interop.md). Created through a base class (``Ndarray``,
    ``Field``), an object takes the class of its element kind listed in ``_KIND_CLASSES`` (``ScalarNdarray``,
    ``VectorNdarray``, ``MatrixNdarray``, …), so ``isinstance`` checks work as in upstream.
    """

    _is_quadrants_ndarray = True  # how layers below the runtime recognise it (frontend/host_values.py)
    _KIND_CLASSES: ClassVar[dict] = {}  # element kind ("scalar" / "vector" / "matrix") -> class, per base class

    def __init__(self, dtype, shape, *, session: Session | None = None):
        self._init_element_type(dtype, session)
        self._allocate(normalize_shape(shape))

    def _init_element_type(self, dtype, session: Session | None) -> None:
        self._session = session or current_session()
        if isinstance(dtype, MatrixType):
            self.element_type = dtype.resolved(self._session.default_fp, self._session.default_ip)
            self._dtype = self.element_type.dtype
            self._element_shape: tuple[int, ...] = self.element_type.shape
            # upstream's n (rows, a vector's length) and, for a matrix only, m (columns): as upstream, a vector
            # ndarray has no m (a vector field's m is 1)
            self.n = self._element_shape[0]
            if len(self._element_shape) == 2 or getattr(self, "_is_quadrants_field", False):
                self.m = self._element_shape[1] if len(self._element_shape) == 2 else 1
        else:
            self._dtype = element_dtype(dtype, self._session.default_ip, self._session.default_fp)
            self.element_type = self._dtype
            self._element_shape = ()
        kind = "scalar" if not self._element_shape else ("vector" if len(self._element_shape) == 1 else "matrix")
        special = type(self)._KIND_CLASSES.get(kind)
        if special is not None and special is not type(self) and issubclass(special, type(self)):
            self.__class__ = special
        self._generation = self._session.generation

    def _allocate(self, shape: tuple[int, ...]) -> None:
        """Zero-initialised backend storage for ``shape`` (fields placed later call this at placement)."""
        check_allocation(self._session.backend, self._dtype, shape, self.element_shape)
        self._shape = shape
        self._storage = self._session.backend.allocate(self._dtype, self._shape + self.element_shape)

    # ------------------------------------------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def element_shape(self) -> tuple[int, ...]:
        """``()`` for scalar elements, ``(n,)`` for vectors, ``(n, m)`` for matrices."""
        return self._element_shape

    @property
    def dtype(self):
        """The scalar type of the components (``qd.f32`` also for an ndarray of ``vec3``); ``element_type`` is the
        vector/matrix type."""
        return self._dtype

    _qd_layout = None  # qd.tensor(..., layout=...) records a non-identity permutation here (runtime/tensor.py)

    @property
    def layout(self):
        """The axis permutation given to ``qd.tensor(..., layout=...)``, ``None`` for row-major (canonical) order.
        The storage itself is always in canonical order here (docs/tensor.md)."""
        return self._qd_layout

    def _unwrap(self):
        """Upstream's ``qd.Tensor._unwrap()``: the field or ndarray under a tensor, which is this object itself
        (runtime/tensor.py)."""
        return self

    # the zero-filled gradient companion of an array allocated with needs_grad=True (docs/autodiff.md): kernel.grad
    # and qd.ad.Tape accumulate into it
    _qd_grad = None

    @property
    def grad(self):
        """The gradient companion (same shape and element type) of an array allocated with ``needs_grad=True``,
        ``None`` otherwise."""
        return self._qd_grad

    def has_grad(self) -> bool:
        """Whether a gradient companion is attached (``needs_grad=True``)."""
        return self._qd_grad is not None

    def _qd_attach_grad(self) -> None:
        """Allocate the gradient companion (``needs_grad=True``); only float arrays have one."""
        if not self._dtype.is_float:
            raise QuadrantsRuntimeError(
                f"{self._dtype} is not supported for ndarray with `needs_grad=True` or `needs_dual=True`."
            )
        self._qd_grad = type(self)(self.element_type, self._shape)

    def has_dual(self) -> bool:
        """Whether a dual array is attached: never for an ndarray (forward mode differentiates fields)."""
        return False

    @property
    def scalar_dtype(self) -> DataType:
        return self._dtype

    @property
    def ndim(self) -> int:
        return len(self._shape)

    def storage(self):
        """The backend storage, after checking that the array belongs to the current session."""
        if RUNTIME.session is None or RUNTIME.session.generation != self._generation:
            raise QuadrantsRuntimeError(
                "this ndarray was created before the latest qd.init() / qd.reset(); create it again after qd.init()"
            )
        return self._storage

    # ------------------------------------------------------------------------------------------------ host copies
    @user_api
    def to_numpy(self, dtype=None, *, keep_dims: bool = False, copy: bool = True) -> np.ndarray:
        """A copy of the contents (shape ``shape + element_shape``), converted to NumPy ``dtype`` when given.

        ``keep_dims=True`` gives a vector field's elements as ``n``×1 columns (upstream's matrix-field layout).
        """
        if isinstance(dtype, DataType):  # as upstream, whose NumPy conversion cannot read a Quadrants type
            raise TypeError(
                f"Cannot interpret '{dtype}' as a data type: to_numpy(dtype=...) takes a NumPy dtype, e.g. "
                f"dtype=np.{np.dtype(dtype.np).name}"
            )
        out = np.array(self.storage().to_numpy(), dtype=self._dtype.np, copy=True)
        if keep_dims and len(self.element_shape) == 1:
            out = out.reshape((*out.shape, 1))
        if dtype is not None:
            out = out.astype(dtype)
        return out

    def _shape_mismatch(self, expected: tuple, provided: tuple) -> str:
        return f"Mismatch shape: {expected} expected, but {provided} provided"

    @user_api
    def copy_from(self, other) -> None:
        """Copy every element of ``other`` (same shape and element shape) into this array, converting values."""
        self._check_copy_source(other)
        values = np.asarray(other.storage().to_numpy())
        # np.array, not np.ascontiguousarray: the latter turns a 0-d array into shape (1,)
        self.storage().from_numpy(np.array(numerics.convert(values, self._dtype), order="C"))

    def _check_copy_source(self, other) -> None:
        # upstream checks these with `assert`: an AssertionError (a located QuadrantsAssertionError here)
        if not isinstance(other, Ndarray):
            raise QuadrantsAssertionError(f"copy_from needs a qd.ndarray source, got {type(other).__name__}")
        if tuple(self.shape) != tuple(other.shape) or self.element_shape != other.element_shape:
            raise QuadrantsAssertionError(
                f"copy_from shape mismatch: destination {tuple(self.shape)} vs source {tuple(other.shape)}"
            )

    def __deepcopy__(self, memo):
        clone = type(self)(self.element_type, self.shape)
        clone.copy_from(self)
        return clone

    @user_api
    def from_numpy(self, array) -> None:
        """Copy ``array`` in; its shape must match exactly; values are converted by docs/semantics.md §5."""
        if array is None or isinstance(array, (str, bytes)):
            raise TypeError(f"{np.ndarray} expected, but {type(array)} provided")
        arr = np.asarray(array)
        full = self._shape + self.element_shape
        if len(self.element_shape) == 1 and self._accepts_column_vectors:
            n = self.element_shape[0]
            if tuple(arr.shape) in ((*self._shape, n, 1), (*self._shape, 1, n)):
                arr = arr.reshape(
                    full
                )  # a vector field also takes n x 1 columns (to_numpy(keep_dims=True)) and 1 x n rows
        if tuple(arr.shape) != full:
            raise ValueError(self._shape_mismatch(full, tuple(arr.shape)))
        src = from_numpy_dtype(arr.dtype)
        if src is None:
            raise TypeError(f"cannot copy a NumPy array of dtype {arr.dtype} into a {self._dtype} ndarray")
        if is_lossy(src, self._dtype):
            warn_user(f"Assign may lose precision: {self._dtype} <- {src}", QuadrantsWarning)
        self.storage().from_numpy(numerics.convert(arr, self._dtype).reshape(full))

    @user_api
    def fill(self, value) -> None:
        """Set every element to ``value`` (converted to the dtype)."""
        storage = self.storage()
        full = self._shape + self.element_shape
        if self.element_shape and not np.isscalar(value):
            filled = np.broadcast_to(numerics.convert(np.asarray(value), self._dtype), full)
            storage.from_numpy(np.ascontiguousarray(filled))
            return
        scalar = self._dtype.np.type(numerics.convert_scalar(value, self._dtype))
        fill = getattr(storage, "fill", None)  # optional DeviceArray member (quadrants.backend): no host copy
        if fill is not None:
            fill(scalar)
            return
        storage.from_numpy(np.full(full, scalar, dtype=self._dtype.np))

    # ---------------------------------------------------------------------------------------------- element access
    def _index(self, key) -> tuple[int, ...]:
        if key is None:
            key = ()
        if not isinstance(key, tuple):
            key = (key,)
        if len(key) != len(self._shape):
            raise at_call_site(self._index_count_error(key))  # the message points at the user's line
        out = []
        for axis, (k, n) in enumerate(zip(key, self._shape)):
            if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
                raise at_call_site(
                    HostIndexTypeError(
                        f"Detected illegal element of type: {type(k)}. Please be aware that slicing a qd.field is "
                        f"not supported so far (indices of ndarrays and fields are ints, got {k!r})"
                    )
                )
            if not 0 <= k < n:
                raise IndexError(f"index {k} is out of bounds for axis {axis} with size {n} (shape {self._shape})")
            out.append(int(k))
        return tuple(out)

    def _index_count_error(self, key: tuple) -> Exception:
        ndim = len(self._shape)
        return QuadrantsIndexError(
            f"{ndim}d ndarray indexed with {len(key)}d indices: expected {ndim} indices for an ndarray of shape "
            f"{self._shape}, got {key!r}"
        )

    _accepts_column_vectors = False  # from_numpy of shape + (n, 1) for vector elements (fields, as upstream)

    @user_api
    def __getitem__(self, key):
        if isinstance(key, slice) and not getattr(self, "_is_quadrants_field", False):  # data[8:24]: a qd.BufferView
            from quadrants.runtime.buffer_view import slice_ndarray

            return slice_ndarray(self, key)
        index = self._index(key)
        storage = self.storage()
        if self.element_shape:
            # a host qd.Vector / qd.Matrix; modifying it (x[i][0] = 1, x[i].y = 2) writes the element back
            return wrap_element(storage.to_numpy()[index], owner=(self, index))
        getter = getattr(storage, "get_item", None)
        value = getter(index) if getter else storage.to_numpy()[index]
        return _python_scalar(value, self._dtype)

    @user_api
    def __setitem__(self, key, value) -> None:
        index = self._index(key)
        storage = self.storage()
        if self.element_shape:
            host = storage.to_numpy()
            host[index] = numerics.convert(np.asarray(value), self._dtype)
            storage.from_numpy(host)
            return
        converted = numerics.convert_scalar(value, self._dtype)
        setter = getattr(storage, "set_item", None)
        if setter:
            setter(index, converted)
        else:
            host = storage.to_numpy()
            host[index] = converted
            storage.from_numpy(host)

    def __repr__(self) -> str:
        return f"qd.ndarray({self.element_type}, shape={self._shape})"


class HostIndexTypeError(QuadrantsIndexError, TypeError):
    """``x[0, :]`` in Python scope: a slice or another non-int index (upstream raises ``TypeError`` here)."""


@dataclass(frozen=True)
class NdarrayTypeMetadata:
    """What :meth:`Ndarray.get_type` reports: the element type, the shape and whether a gradient is attached
    (``layout`` is upstream's element layout, always ``Layout.AOS``: components of an element are adjacent)."""

    element_type: object
    shape: tuple[int, ...]
    needs_grad: bool = False
    layout: Layout = Layout.AOS


class DeviceAllocation:
    """``ndarray.arr``: upstream's handle on an ndarray's device allocation; ``device_allocation_ptr()`` is the
    address of the storage (host or device memory), or a per-allocation identity where the backend shows none."""

    __slots__ = ("_storage",)

    def __init__(self, storage):
        self._storage = storage

    def device_allocation_ptr(self) -> int:
        host_view = getattr(self._storage, "host_view", None)
        if host_view is not None:
            return int(host_view().ctypes.data)
        device_buffer = getattr(self._storage, "device_buffer", None)
        if device_buffer is not None:
            return int(device_buffer()[2])
        return id(self._storage)


# per-object values (instance attributes in upstream) and the runtime's accessors: not in dir(qd.Ndarray)
_NDARRAY_UNLISTED = frozenset({"dtype", "grad", "ndim", "scalar_dtype", "storage", "arr"})


class Ndarray(Array):
    """``qd.ndarray(dtype, shape)``: a dense array passed to kernels by reference (``qd.types.NDArray[...]``).

    Its class is :class:`ScalarNdarray`, :class:`VectorNdarray` or :class:`MatrixNdarray` by element type.
    """

    # upstream's base class has no host copies of its own: every ndarray is one of the element-kind classes below
    _qd_unlisted = _NDARRAY_UNLISTED | {"to_numpy", "from_numpy", "to_torch", "from_torch"}

    @property
    def arr(self) -> DeviceAllocation:
        """Upstream's handle on the device allocation (``x.arr.device_allocation_ptr()``)."""
        return DeviceAllocation(self.storage())

    def get_type(self) -> NdarrayTypeMetadata:
        """The element type, shape and gradient flag of this ndarray."""
        return NdarrayTypeMetadata(self.element_type, self._shape, self._qd_grad is not None)

    def _get_element_size(self) -> int:
        """Bytes of one element (all its components), as upstream's private helper reports it."""
        return (self._dtype.bits + 7) // 8 * int(np.prod(self._element_shape, dtype=np.int64))  # u1: one byte

    def _get_nelement(self) -> int:
        """Number of elements (the product of ``shape``)."""
        return int(np.prod(self._shape, dtype=np.int64))


class ScalarNdarray(Ndarray):
    """An ndarray of scalars (``qd.ndarray(qd.f32, shape)``)."""

    _qd_unlisted = _NDARRAY_UNLISTED


class VectorNdarray(Ndarray):
    """An ndarray of vectors (``qd.Vector.ndarray(n, dtype, shape)``); ``n`` is the vector length."""

    _qd_unlisted = _NDARRAY_UNLISTED


class MatrixNdarray(Ndarray):
    """An ndarray of matrices (``qd.Matrix.ndarray(n, m, dtype, shape)``); ``n``×``m`` is the matrix shape."""

    _qd_unlisted = _NDARRAY_UNLISTED


Ndarray._KIND_CLASSES = {"scalar": ScalarNdarray, "vector": VectorNdarray, "matrix": MatrixNdarray}


def _python_scalar(value, dtype: DataType):
    if dtype.is_float:
        return float(value)
    if dtype.is_bool:
        return int(bool(value))
    return int(value)


@user_api
def ndarray(dtype, shape, needs_grad: bool = False) -> Ndarray:
    """Allocate a zero-initialised ndarray of ``dtype`` and ``shape`` (``shape=()`` gives a 0-d array);
    ``needs_grad=True`` also allocates its gradient companion ``.grad`` (docs/autodiff.md)."""
    array = Ndarray(dtype, shape)
    if needs_grad:
        array._qd_attach_grad()
    return array
