"""``qd.Vector`` and ``qd.Matrix`` values in Python scope (docs/semantics.md §13, docs/compound-types.md).

A host matrix holds its components in a NumPy array ``entries`` (``ndim`` 1 for a vector, 2 for a matrix) and has
upstream Quadrants' Python-scope API: ``n``/``m``/``get_shape()``, indexing, swizzles (``v.xy``, ``v.rgb``,
``v.stp``), NumPy-backed arithmetic and the methods ``dot``, ``cross``, ``norm``, ``inverse``, ``to_numpy``, ….

The same classes are what kernel code names: ``qd.Vector([...])`` in a kernel reaches the frontend through the
``_qd_constructor`` hook, and a host matrix captured by a kernel becomes a constant vector/matrix there (the frontend
recognises the ``_is_quadrants_matrix`` attribute). An element read from a vector/matrix ndarray or field
(``x[i]``) is a host matrix that writes back to its element when it is modified (``x[i][0] = 1``, ``x[i].y = 2``).
"""

from __future__ import annotations

import copy
import functools
import itertools
import operator

import numpy as np

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import compound_types, matrix_ctors
from quadrants.frontend.compound_calls import construct_matrix, construct_vector
from quadrants.frontend.matrix_cofactors import adjugate_rows, determinant_expr
from quadrants.ir.dtypes import to_dtype

__all__ = ["Matrix", "Vector", "wrap_element"]

_GROUPS = ("xyzw", "rgba", "stpq")
_SWIZZLES = frozenset(
    "".join(p) for g in _GROUPS for k in range(1, 5) for p in itertools.product(g, repeat=k)
)  # every GLSL swizzle name of one to four letters


def _np_dtype(dt):
    return None if dt is None else to_dtype(dt).np


class _DualScope:
    """A class-level constructor usable in both scopes: Python scope calls ``host``; kernel code lowers the call
    with ``lower`` (the frontend's ``_qd_constructor`` hook, ``frontend/calls.py``)."""

    def __init__(self, host, lower):
        self._host = host
        self._qd_constructor = lower
        functools.update_wrapper(self, host)

    def __call__(self, *args, **kwargs):
        return self._host(*args, **kwargs)


def _kernel_only(name: str, instead: str):
    """As upstream: ``qd.Vector.zero`` / ``one`` / ``unit`` and ``qd.Matrix.identity`` exist in kernel code only."""

    def host(*args, **kwargs):
        raise AssertionError(
            f"{name} cannot be called in Python-scope (it is kernel-only, as upstream); write {instead}"
        )

    host.__name__ = host.__qualname__ = name
    return host


def _host_diag(dim, val):
    """A ``dim``×``dim`` matrix with ``val`` on the diagonal and zeros elsewhere."""
    return _wrap(np.array([[val if r == c else 0 for c in range(dim)] for r in range(dim)]))


def _host_rows(rows):
    """The matrix whose rows are the given vectors or lists."""
    return _wrap(np.array([list(r.entries) if isinstance(r, Matrix) else list(r) for r in rows]))


def _host_cols(cols):
    """The matrix whose columns are the given vectors or lists."""
    return _wrap(_host_rows(cols).entries.T.copy())


def _operand(other):
    if isinstance(other, Matrix):
        return other.entries
    if isinstance(other, (list, tuple)):
        return np.asarray(other)
    return other


def _wrap(array, cls=None):
    """A new host matrix around ``array`` (a vector for one axis)."""
    array = np.asarray(array)
    out = object.__new__(cls or Matrix)
    out._set_entries(array)
    return out


def _binary(fn, reflected: bool = False):
    def method(self, other):
        other = _operand(other)
        result = fn(other, self.entries) if reflected else fn(self.entries, other)
        return _wrap(result) if isinstance(result, np.ndarray) and result.ndim else result

    return method


def _unary(fn):
    return lambda self: _wrap(fn(self.entries))


class Matrix:
    """A matrix (``qd.Matrix([[1, 2], [3, 4]])``) or, with one list level, a vector. ``dt`` sets the element type.

    ``n`` is the number of rows (a vector's length) and ``m`` the number of columns (1 for a vector).
    """

    _is_quadrants_matrix = True  # how the frontend recognises a captured host matrix (a constant in kernel code)
    _qd_constructor = staticmethod(construct_matrix)  # how kernel code lowers qd.Matrix(...) (frontend/calls.py)
    __array_priority__ = 1000  # NumPy defers mixed operations to these classes

    def __init__(self, arr, dt=None):
        if isinstance(arr, Matrix):
            arr = arr.entries
        if not isinstance(arr, (list, tuple, np.ndarray)):
            raise QuadrantsTypeError("An Matrix/Vector can only be initialized with an array-like object")
        if len(arr) and isinstance(arr[0], Matrix) and not isinstance(self, Vector):
            arr = [list(r.entries) for r in arr]  # rows given as vectors
        self._set_entries(np.array(arr, dtype=_np_dtype(dt)))
        if self.n * self.m > 144:
            import warnings

            warnings.warn(
                f"Quadrants matrices/vectors with {self.n}x{self.m} > 144 entries are not suggested: kernels unroll "
                "them at compile time; use a field or an ndarray for large matrices",
                UserWarning,
                stacklevel=2,
            )

    def _set_entries(self, array: np.ndarray) -> None:
        self.entries = array
        self.ndim = array.ndim if array.size else 0
        self.n = array.shape[0] if array.ndim else 0
        self.m = array.shape[1] if array.ndim == 2 else (1 if array.size else 0)
        self._owner = None

    def _sync(self) -> None:
        """Write the entries back to the ndarray/field element this value was read from (if any)."""
        if self._owner is not None:
            container, index = self._owner
            container[index] = self.entries

    # -------------------------------------------------------------------------------------------- structure
    def get_shape(self):
        """``(n,)`` for a vector, ``(n, m)`` for a matrix."""
        return tuple(self.entries.shape) if self.ndim else None

    def __len__(self):
        return self.n

    def __iter__(self):
        return iter(self.entries.tolist())  # a vector's components, or a matrix's rows as lists

    def __getitem__(self, index):
        value = self.entries[index]
        return _wrap(value) if isinstance(value, np.ndarray) and value.ndim else value

    def __setitem__(self, index, value):
        self.entries[index] = _operand(value)
        self._sync()

    def to_list(self):
        """The components as (nested) Python lists."""
        return self.entries.tolist()

    def to_numpy(self):
        """The components as a NumPy array (a copy)."""
        return self.entries.copy()

    def __array__(self, dtype=None, copy=None):
        return np.array(self.entries, dtype=dtype, copy=True)

    def __repr__(self):
        return str(self.entries)

    __str__ = __repr__

    def __hash__(self):
        return id(self)

    def __copy__(self):
        return _wrap(self.entries.copy(), type(self))

    def __deepcopy__(self, memo):
        return _wrap(copy.deepcopy(self.entries, memo), type(self))

    # ------------------------------------------------------------------------------------------- swizzles
    def _swizzle(self, name: str) -> list[int]:
        group = next(g for g in _GROUPS if all(c in g for c in name))
        if self.ndim != 1:
            raise QuadrantsSyntaxError(f"swizzle '.{name}' needs a vector; index a matrix with m[i, j]")
        valid = set(group[: self.n])
        if not set(name) <= valid:
            raise QuadrantsSyntaxError(f"vec{self.n} only has attributes={tuple(sorted(valid))}, got={tuple(name)}")
        return [group.index(c) for c in name]

    # ------------------------------------------------------------------------------------------ arithmetic
    __add__, __radd__ = _binary(operator.add), _binary(operator.add, True)
    __sub__, __rsub__ = _binary(operator.sub), _binary(operator.sub, True)
    __mul__, __rmul__ = _binary(operator.mul), _binary(operator.mul, True)
    __truediv__, __rtruediv__ = _binary(operator.truediv), _binary(operator.truediv, True)
    __floordiv__, __rfloordiv__ = _binary(operator.floordiv), _binary(operator.floordiv, True)
    __mod__, __rmod__ = _binary(operator.mod), _binary(operator.mod, True)
    __pow__, __rpow__ = _binary(operator.pow), _binary(operator.pow, True)
    __and__, __rand__ = _binary(operator.and_), _binary(operator.and_, True)
    __or__, __ror__ = _binary(operator.or_), _binary(operator.or_, True)
    __xor__, __rxor__ = _binary(operator.xor), _binary(operator.xor, True)
    __lshift__, __rlshift__ = _binary(operator.lshift), _binary(operator.lshift, True)
    __rshift__, __rrshift__ = _binary(operator.rshift), _binary(operator.rshift, True)
    __eq__, __ne__ = _binary(operator.eq), _binary(operator.ne)
    __lt__, __le__ = _binary(operator.lt), _binary(operator.le)
    __gt__, __ge__ = _binary(operator.gt), _binary(operator.ge)
    __neg__, __pos__ = _unary(operator.neg), _unary(operator.pos)
    __abs__, __invert__ = _unary(abs), _unary(operator.invert)

    def __matmul__(self, other):
        """Matrix·matrix, matrix·vector, vector·matrix (``v @ M`` is ``M.transpose() @ v``), vector·vector (dot)."""
        x, y = self.entries, _operand(other)
        if x.ndim == 1 and np.ndim(y) == 1:
            return np.sum(x * y)
        if x.ndim == 1:
            return _wrap(np.asarray(y).T @ x, Vector)
        result = x @ y
        return _wrap(result, Vector if result.ndim == 1 else Matrix)

    def __rmatmul__(self, other):
        return _wrap(np.asarray(other)).__matmul__(self)

    # ------------------------------------------------------------------------------------------- reductions
    def sum(self):
        """The sum of the components."""
        return np.sum(self.entries)

    def max(self):
        """The largest component."""
        return np.max(self.entries)

    def min(self):
        """The smallest component."""
        return np.min(self.entries)

    def any(self):
        """True when some component is non-zero."""
        return bool(np.any(self.entries != 0))

    def all(self):
        """True when every component is non-zero."""
        return bool(np.all(self.entries != 0))

    def norm_sqr(self):
        """The sum of the squared components."""
        return np.sum(self.entries * self.entries)

    def norm(self, eps=0):
        """``sqrt(norm_sqr() + eps)``."""
        return np.sqrt(self.norm_sqr() + eps)

    def norm_inv(self, eps=0):
        """``1 / sqrt(norm_sqr() + eps)``."""
        return 1.0 / np.sqrt(self.norm_sqr() + eps)

    def normalized(self, eps=0):
        """The vector divided by its norm (``eps`` guards the division)."""
        return _wrap((1 / (self.norm() + eps)) * self.entries)

    def dot(self, other):
        """The dot product with another vector of the same size."""
        return np.sum(self.entries * _operand(other))

    def frobenius_inner(self, other):
        """The sum of the componentwise products with a value of the same shape."""
        other = np.asarray(_operand(other))
        if other.shape != self.entries.shape:
            raise QuadrantsTypeError(f"required shapes to be the same, got shapes {[self.get_shape(), other.shape]}")
        return np.sum(self.entries * other)

    def cross(self, other):
        """A scalar for 2D vectors, a vector for 3D vectors."""
        x, y = self.entries, np.asarray(_operand(other))
        if x.shape == (2,) == y.shape:
            return x[0] * y[1] - x[1] * y[0]
        if x.shape == (3,) == y.shape:
            return _wrap(np.cross(x, y), Vector)
        raise QuadrantsTypeError(f"cross() needs two 2D or two 3D vectors, got shapes {x.shape} and {y.shape}")

    def outer_product(self, other):
        """The matrix of products ``self[i] * other[j]``."""
        return _wrap(np.outer(self.entries, np.asarray(_operand(other))))

    def transpose(self):
        """The transposed matrix (a vector has none: use ``outer_product``)."""
        if self.ndim != 2:
            raise QuadrantsTypeError("`transpose()` cannot apply to a vector; use a.outer_product(b)")
        return _wrap(self.entries.T.copy())

    def trace(self):
        """The sum of the diagonal of a square matrix."""
        return np.trace(self._square())

    def determinant(self):
        """The determinant of a square matrix (upstream's cofactor expansion up to 4×4)."""
        e = self._square()
        if self.n <= 4:
            return determinant_expr(operator, lambda r, c: e[r, c], self.n)
        return np.linalg.det(e)

    def inverse(self):
        """The inverse of a square matrix (adjugate over determinant up to 4×4, as upstream)."""
        e = self._square()
        if self.n == 1:
            return _wrap(np.array([[1.0 / e[0, 0]]]))
        if self.n <= 4:
            inv_det = 1.0 / self.determinant()
            return _wrap(inv_det * np.array(adjugate_rows(operator, lambda r, c: e[r, c], self.n)))
        return _wrap(np.linalg.inv(e))

    def _square(self) -> np.ndarray:
        if self.ndim != 2 or self.n != self.m:
            raise QuadrantsTypeError(f"expected a square matrix, got shape {self.get_shape()}")
        return self.entries

    def cast(self, dtype):
        """A copy with every component converted to ``dtype`` (docs/semantics.md §5)."""
        from quadrants.ir.conversions import convert

        return _wrap(convert(self.entries, to_dtype(dtype)).copy(), type(self))

    def fill(self, val):
        """Set every component to ``val`` (in place)."""
        self.entries[...] = val
        self._sync()

    # ---------------------------------------------------------------------------------------- constructors
    zero = _DualScope(
        _kernel_only("zero", "qd.Vector([0] * n) or qd.Matrix(np.zeros((n, m)))"), matrix_ctors.lower_zero
    )
    one = _DualScope(_kernel_only("one", "qd.Vector([1] * n) or qd.Matrix(np.ones((n, m)))"), matrix_ctors.lower_one)
    unit = _DualScope(_kernel_only("unit", "qd.Vector(np.eye(n)[i])"), matrix_ctors.lower_unit)
    identity = _DualScope(_kernel_only("identity", "qd.Matrix(np.eye(n))"), matrix_ctors.lower_identity)
    diag = _DualScope(_host_diag, matrix_ctors.lower_diag)
    rows = _DualScope(_host_rows, matrix_ctors.lower_rows)
    cols = _DualScope(_host_cols, matrix_ctors.lower_cols)


def _swizzle_property(name: str) -> property:
    def read(self):
        idx = self._swizzle(name)
        return self.entries[idx[0]] if len(idx) == 1 else Vector([self.entries[i] for i in idx])

    def write(self, value):
        idx = self._swizzle(name)
        values = _operand(value)
        values = np.broadcast_to(values, (len(idx),)) if np.ndim(values) == 0 else values
        if len(values) != len(idx):
            raise QuadrantsTypeError(f"value len does not match the swizzle pattern={name}")
        for i, v in zip(idx, values):
            self.entries[i] = v
        self._sync()

    return property(read, write, doc=f"Swizzle ``.{name}``: components {', '.join(name)}.")


# methods that kernel code may also call through the class (qd.Vector.cross(a, b)): frontend/calls.py lowers such a
# call with the method of the same name on its first argument
for _name in (
    "dot", "cross", "outer_product", "frobenius_inner", "norm", "norm_sqr", "norm_inv", "normalized", "sum", "max",
    "min", "any", "all", "trace", "transpose", "determinant", "inverse", "cast", "get_shape",
):  # fmt: skip
    getattr(Matrix, _name)._qd_method = _name

for _name in sorted(_SWIZZLES):  # v.x, v.xy, v.rgb, v.stp, ... as class properties (listed by dir(), as upstream)
    setattr(Matrix, _name, _swizzle_property(_name))


class Vector(Matrix):
    """A vector: ``qd.Vector([x, y, z], dt=None)``."""

    _qd_constructor = staticmethod(construct_vector)

    def __init__(self, arr, dt=None, **kwargs):
        super().__init__(arr, dt=dt)


# qd.types.vector(3, qd.f32)(1, 2, 3) in Python scope builds a host vector, as upstream (frontend/compound_types.py)
compound_types.HOST_VALUES["make"] = lambda array: _wrap(array, Vector if array.ndim == 1 else Matrix)


def wrap_element(values: np.ndarray, owner=None):
    """The host value of one vector/matrix element read from an ndarray or field; ``owner = (container, index)``
    makes component writes (``x[i][0] = 1``) write the element back."""
    value = _wrap(np.array(values, copy=True), Vector if np.ndim(values) == 1 else Matrix)
    value._owner = owner
    return value
