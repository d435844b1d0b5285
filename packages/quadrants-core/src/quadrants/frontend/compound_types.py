"""``qd.types.vector(n, dtype)`` and ``qd.types.matrix(m, n, dtype)``: element types of vector/matrix ndarrays and
fields, return annotations, and constructors callable in kernel code (``vec3(1, 2, 3)``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from quadrants.ir import dtypes
from quadrants.ir.dtypes import DataType, to_dtype

__all__ = ["MatrixType", "vector", "matrix"]


@dataclass(frozen=True)
class MatrixType:
    """A vector (``shape == (n,)``) or matrix (``shape == (m, n)``) type; ``dtype=None`` means default_fp.

    ``follows`` marks upstream's ``qd.math.ivec*`` (``"ip"``) and ``uvec*`` (``"up"``) and types built with the
    Python ``int`` / ``float`` (``"ip"`` / ``"fp"``: ``vector(3, float)``): their component type is the session's
    default_ip (or the unsigned type of its width) or default_fp, ``i32``/``u32``/``f32`` by default, which ``dtype``
    holds. It does not take part in equality: ``ivec3`` is ``vector(3, i32)`` under the default options.
    """

    shape: tuple[int | None, ...]
    dtype: DataType | None
    follows: str | None = field(default=None, compare=False)

    @property
    def is_vector(self) -> bool:
        return len(self.shape) == 1

    @property
    def is_wildcard(self) -> bool:
        """``qd.types.vector()`` / ``matrix()`` without sizes: any vector (matrix), of ``dtype`` or of any dtype when
        it is ``None``. Only an ndarray parameter's element type (``NDArray[qd.types.matrix(), 1]``) can be one."""
        return any(n is None for n in self.shape)

    def matches(self, element: MatrixType) -> bool:
        """Whether arrays of ``element`` fit this (wildcard) element type: same rank, the sizes and dtype it fixes."""
        if len(element.shape) != len(self.shape) or (self.dtype is not None and element.dtype != self.dtype):
            return False
        return all(want is None or want == got for want, got in zip(self.shape, element.shape))

    def resolved(self, default_fp: DataType, default_ip: DataType | None = None) -> MatrixType:
        """This type with its component type fixed by the session's defaults (a wildcard stays as it is)."""
        if self.is_wildcard:
            return self
        if self.dtype is None:
            return MatrixType(self.shape, default_fp)
        if self.follows == "fp":
            return self if default_fp == self.dtype else MatrixType(self.shape, default_fp)
        if self.follows is not None and default_ip is not None:
            target = default_ip if self.follows == "ip" else _UNSIGNED[default_ip.bits]
            return self if target == self.dtype else MatrixType(self.shape, target)
        return self

    def __repr__(self) -> str:
        kind = "vector" if self.is_vector else "matrix"
        if self.is_wildcard:
            return f"{kind}(any size, {self.dtype or 'any dtype'})"
        return f"{kind}({', '.join(map(str, self.shape))}, {self.dtype})"

    def _sized(self, what: str) -> None:
        if self.is_wildcard:
            kind = "vector" if self.is_vector else "matrix"
            raise TypeError(
                f"{what} needs the {kind} type's size: qd.types.{kind}() without one is only an ndarray parameter's "
                f"element type (qd.types.NDArray[qd.types.{kind}(), ndim])"
            )

    def __call__(self, *args):
        """``vec3(1, 2, 3)`` in Python scope: a host ``qd.Vector``/``qd.Matrix`` (a NumPy array before the runtime
        has registered the host classes, see :data:`HOST_VALUES`)."""
        import numpy as np

        self._sized("making a value")

        values = args[0] if len(args) == 1 and not np.isscalar(args[0]) else args
        if len(args) > 1 and not all(np.isscalar(a) for a in args):  # vec3(s, vec2): components concatenated
            values = np.concatenate([np.ravel(np.asarray(a)) for a in args])
        arr = np.asarray(values, dtype=(self.dtype.np if self.dtype else np.float32))
        arr = arr.reshape(self.shape) if arr.size == int(np.prod(self.shape)) else np.full(self.shape, arr)
        make = HOST_VALUES.get("make")
        return make(arr) if make is not None else arr

    def field(self, **options):
        """``vec3.field(shape=...)``: a field of these vectors/matrices (without ``shape``, placed later)."""
        self._sized("a field")
        return _allocator("field")(self, **options)

    def ndarray(self, **options):
        """``vec3.ndarray(shape=...)``: an ndarray of these vectors/matrices."""
        self._sized("an ndarray")
        return _allocator("ndarray")(self, **options)


def _allocator(kind: str):
    found = HOST_VALUES.get(kind)
    if found is None:
        raise RuntimeError(f"{kind}s need the quadrants runtime (import quadrants)")
    return found


# The maker of host vector/matrix values ("make", registered by runtime/host_matrix.py) and the allocators behind
# vec3.field() / vec3.ndarray() ("field", "ndarray", registered by runtime/field.py): those modules sit above the
# frontend, which therefore cannot import them (docs/architecture.md), and type objects are used in Python scope.
HOST_VALUES: dict = {}


_UNSIGNED = {8: dtypes.u8, 16: dtypes.u16, 32: dtypes.u32, 64: dtypes.u64}


# the Python number types as component types: the session's default (as upstream, which reads it when the type is
# made; here when an array or parameter of the type meets a session)
_FOLLOWING = {int: (dtypes.i32, "ip"), float: (dtypes.f32, "fp")}


def _typed(shape: tuple[int | None, ...], dtype) -> MatrixType:
    if any(n is None for n in shape):  # a wildcard: any size (as upstream: one specialization per element type)
        return MatrixType((None,) * len(shape), None if dtype is None else to_dtype(dtype))
    if dtype is None:
        return MatrixType(shape, None)
    if isinstance(dtype, type) and dtype in _FOLLOWING:
        return MatrixType(shape, *_FOLLOWING[dtype])
    return MatrixType(shape, to_dtype(dtype))


def _size(n):
    return None if n is None else int(n)


def vector(n: int | None = None, dtype=None) -> MatrixType:
    """The type of an ``n``-vector of ``dtype`` (``int`` / ``float``: the session's default_ip / default_fp).
    Without ``n``, any vector (of ``dtype``, or of any dtype): only as an ndarray parameter's element type."""
    return _typed((_size(n),), dtype)


def matrix(m: int | None = None, n: int | None = None, dtype=None) -> MatrixType:
    """The type of an ``m``×``n`` matrix of ``dtype`` (``int`` / ``float``: the session's default_ip / default_fp).
    Without sizes, any matrix (of ``dtype``, or of any dtype): only as an ndarray parameter's element type."""
    return _typed((_size(m), _size(n)), dtype)
