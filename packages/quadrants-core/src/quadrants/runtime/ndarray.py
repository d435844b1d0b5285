"""Host-side ndarrays (SEMANTICS.md §14): ``qd.ndarray(dtype, shape)`` backed by a backend's :class:`DeviceArray`."""

from __future__ import annotations

import warnings

import numpy as np

from quadrants.errors import QuadrantsRuntimeError, QuadrantsWarning
from quadrants.frontend.annotations import to_dtype
from quadrants.frontend.compound_types import MatrixType
from quadrants.ir import numerics
from quadrants.ir.dtypes import DataType, from_numpy_dtype
from quadrants.runtime.interop import ArrayInterop
from quadrants.runtime.state import RUNTIME, Session, current_session

__all__ = ["Ndarray", "ndarray", "normalize_shape", "is_lossy"]


def normalize_shape(shape) -> tuple[int, ...]:
    """``4`` → ``(4,)``; tuples/lists of non-negative ints are kept; anything else is a ``TypeError``."""
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if not isinstance(shape, (tuple, list)) or not all(isinstance(s, (int, np.integer)) for s in shape):
        raise TypeError(f"shape must be an int or a tuple of ints, got {shape!r}")
    if any(s < 0 for s in shape):
        raise ValueError(f"shape must not contain negative sizes, got {tuple(shape)}")
    return tuple(int(s) for s in shape)


def is_lossy(src: DataType, dst: DataType) -> bool:
    """True when converting ``src`` to ``dst`` can lose values (float→int, or to a narrower type)."""
    if src == dst or (dst.is_float and not src.is_float):
        return False
    if src.is_float and not dst.is_float:
        return True
    return dst.bits < src.bits


class Ndarray(ArrayInterop):
    """A dense array owned by the backend of the session that created it.

    ``dtype`` is a scalar type or a ``qd.types.vector/matrix`` type; vector/matrix elements are stored as trailing
    axes (``to_numpy()`` has shape ``shape + element_shape``). NumPy, DLPack and torch conversions come from
    :class:`~quadrants.runtime.interop.ArrayInterop` (docs/interop.md).
    """

    _is_quadrants_ndarray = True  # how layers below the runtime recognise it (frontend/host_values.py)

    def __init__(self, dtype, shape, *, session: Session | None = None):
        self._session = session or current_session()
        if isinstance(dtype, MatrixType):
            self.element_type: MatrixType | None = dtype.resolved(self._session.default_fp)
            self._dtype = self.element_type.dtype
            self.element_shape: tuple[int, ...] = self.element_type.shape
        else:
            self.element_type = None
            self._dtype = to_dtype(dtype, self._session.default_ip, self._session.default_fp)
            self.element_shape = ()
        self._shape = normalize_shape(shape)
        self._generation = self._session.generation
        self._storage = self._session.backend.allocate(self._dtype, self._shape + self.element_shape)

    # ------------------------------------------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def dtype(self):
        """The element type: a scalar dtype, or the vector/matrix type of the elements."""
        return self.element_type if self.element_type is not None else self._dtype

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
    def to_numpy(self) -> np.ndarray:
        """A copy of the contents."""
        return np.array(self.storage().to_numpy(), dtype=self._dtype.np, copy=True)

    def from_numpy(self, array) -> None:
        """Copy ``array`` in; its shape must match exactly; values are converted by SEMANTICS.md §5."""
        arr = np.asarray(array)
        full = self._shape + self.element_shape
        if tuple(arr.shape) != full:
            raise ValueError(f"Mismatch shape: {full} expected, but {tuple(arr.shape)} provided")
        src = from_numpy_dtype(arr.dtype)
        if src is None:
            raise TypeError(f"cannot copy a NumPy array of dtype {arr.dtype} into a {self._dtype} ndarray")
        if is_lossy(src, self._dtype):
            warnings.warn(f"Assign may lose precision: {self._dtype} <- {src}", QuadrantsWarning, stacklevel=2)
        self.storage().from_numpy(numerics.convert(arr, self._dtype).reshape(full))

    def fill(self, value) -> None:
        """Set every element to ``value`` (converted to the dtype)."""
        storage = self.storage()
        full = self._shape + self.element_shape
        if self.element_shape and not np.isscalar(value):
            filled = np.broadcast_to(numerics.convert(np.asarray(value), self._dtype), full)
            storage.from_numpy(np.ascontiguousarray(filled))
            return
        storage.from_numpy(np.full(full, numerics.convert_scalar(value, self._dtype), dtype=self._dtype.np))

    # ---------------------------------------------------------------------------------------------- element access
    def _index(self, key) -> tuple[int, ...]:
        if key is None:
            key = ()
        if not isinstance(key, tuple):
            key = (key,)
        if len(key) != len(self._shape):
            raise IndexError(f"expected {len(self._shape)} indices for an ndarray of shape {self._shape}, got {key!r}")
        out = []
        for axis, (k, n) in enumerate(zip(key, self._shape)):
            if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
                raise IndexError(f"ndarray indices must be ints, got {k!r}")
            if not 0 <= k < n:
                raise IndexError(f"index {k} is out of bounds for axis {axis} with size {n} (shape {self._shape})")
            out.append(int(k))
        return tuple(out)

    def __getitem__(self, key):
        index = self._index(key)
        storage = self.storage()
        if self.element_shape:
            return storage.to_numpy()[index].copy()
        getter = getattr(storage, "get_item", None)
        value = getter(index) if getter else storage.to_numpy()[index]
        return _python_scalar(value, self._dtype)

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
        return f"qd.ndarray({self.dtype}, shape={self._shape})"


def _python_scalar(value, dtype: DataType):
    if dtype.is_float:
        return float(value)
    if dtype.is_bool:
        return int(bool(value))
    return int(value)


def ndarray(dtype, shape) -> Ndarray:
    """Allocate a zero-initialised ndarray of ``dtype`` and ``shape`` (``shape=()`` gives a 0-d array)."""
    return Ndarray(dtype, shape)
