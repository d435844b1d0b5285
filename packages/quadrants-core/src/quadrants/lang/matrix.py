"""``qd.Vector`` and ``qd.Matrix``: host values and kernel-code constructors (``runtime/host_matrix.py``), plus the
class-level factories of vector/matrix ndarrays and fields defined here (``qd.Vector.ndarray``, ``qd.Vector.field``,
``qd.Matrix.ndarray``, ``qd.Matrix.field``, ``qd.Vector.tensor``, ``qd.Matrix.tensor``).

The factories are attached here rather than in ``runtime/host_matrix.py`` because the ndarray and field classes read
vector elements back as host vectors: the runtime's containers import the value classes, so the value classes cannot
import the containers.
"""

from __future__ import annotations

from quadrants.errors import user_api
from quadrants.frontend.compound_types import matrix, vector
from quadrants.runtime.field import Field
from quadrants.runtime.host_matrix import Matrix, Vector
from quadrants.runtime.ndarray import Ndarray
from quadrants.runtime.tensor import matrix_tensor, vector_tensor

__all__ = ["Vector", "Matrix"]


def _generate_swizzle_patterns(key_group: str, required_length: int = 4) -> list[str]:
    """Every swizzle name of one to ``required_length`` letters of ``key_group`` (``"xyzw"``, ``"rgba"``, ``"stpq"``),
    shortest first: the names ``qd.Matrix`` has as properties (upstream's tests list them through this helper)."""
    import itertools

    return ["".join(p) for k in range(1, required_length + 1) for p in itertools.product(key_group, repeat=k)]


def _with_grad(array: Ndarray, needs_grad: bool) -> Ndarray:
    if needs_grad:
        array._qd_attach_grad()  # the .grad companion that kernel.grad / qd.ad.Tape accumulate into
    return array


@user_api
def _vector_ndarray(n: int, dtype, shape, needs_grad: bool = False):
    """An ndarray of ``n``-vectors of ``dtype``: ``qd.Vector.ndarray(3, qd.f32, shape=(16, 8))``."""
    return _with_grad(Ndarray(vector(n, dtype), shape), needs_grad)


@user_api
def _vector_field(n: int, dtype, shape=None, order=None, needs_grad=False, needs_dual=False, layout=None, **options):
    """A field of ``n``-vectors of ``dtype``: ``qd.Vector.field(3, qd.f32, shape=(16, 8))``."""
    options.pop("ndim", None)
    return Field(vector(n, dtype), shape, needs_grad=needs_grad, needs_dual=needs_dual, **options)


@user_api
def _matrix_ndarray(n: int, m: int, dtype, shape, needs_grad: bool = False):
    """An ndarray of ``n``×``m`` matrices of ``dtype``."""
    return _with_grad(Ndarray(matrix(n, m, dtype), shape), needs_grad)


@user_api
def _matrix_field(
    n: int, m: int, dtype, shape=None, order=None, needs_grad=False, needs_dual=False, layout=None, **options
):
    """A field of ``n``×``m`` matrices of ``dtype`` (``ndim=1`` makes an ``n``-vector field)."""
    ndim = options.pop("ndim", None)
    element = vector(n, dtype) if ndim == 1 else matrix(n, m, dtype)
    return Field(element, shape, needs_grad=needs_grad, needs_dual=needs_dual, **options)


Matrix.ndarray = staticmethod(_matrix_ndarray)
Matrix.field = staticmethod(_matrix_field)
Matrix.tensor = staticmethod(matrix_tensor)  # upstream's unified tensor API (runtime/tensor.py)
Vector.ndarray = staticmethod(_vector_ndarray)
Vector.field = staticmethod(_vector_field)
Vector.tensor = staticmethod(vector_tensor)
