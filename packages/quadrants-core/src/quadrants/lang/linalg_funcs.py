"""``qd.svd``, ``qd.polar_decompose``, ``qd.eig``, ``qd.sym_eig``, ``qd.make_spd``, ``qd.solve`` (docs/linalg.md).

Each is a :class:`~quadrants.frontend.func_dispatch.FuncDispatch`: in kernel code it picks, from the compile-time
shape of its matrix argument and ``dt`` (default: the session's ``default_fp``), the kernel-language func of
lang/linalg_small.py, lang/linalg_jacobi.py or (the ``f32`` 3×3 SVD and polar decomposition) lang/linalg_svd3.py to
inline. Unsupported sizes raise ``qd.QuadrantsCompilationError`` with upstream's message.
"""

from __future__ import annotations

from quadrants.frontend.func_dispatch import DispatchError, FuncDispatch, static_shape
from quadrants.ir import dtypes
from quadrants.ir.dtypes import to_dtype
from quadrants.lang import linalg_jacobi as jac, linalg_small as small, linalg_svd3 as svd3

__all__ = ["svd", "polar_decompose", "eig", "sym_eig", "make_spd", "solve"]


def _square(name: str, A, sizes, message: str) -> int:
    shape = static_shape(A)
    if shape is None or len(shape) != 2:
        raise DispatchError(f"qd.{name}() takes a square qd.Matrix, got {type(A).__name__}", "type")
    if shape[0] != shape[1] or shape[0] not in sizes:
        raise DispatchError(message)
    return shape[0]


def _float_dtype(name: str, dt, default_fp):
    dtype = default_fp if dt is None else to_dtype(dt)
    if not dtype.is_float or dtype == dtypes.f16:
        raise DispatchError(f"qd.{name}() computes in qd.f32 or qd.f64, got dt={dtype}", "type")
    return dtype


def _sweeps(dtype) -> int:
    return jac.SWEEPS["f64" if dtype == dtypes.f64 else "f32"]


def _choose_svd(default_fp, A, dt=None):
    n = _square("svd", A, (2, 3), "SVD only supports 2×2 and 3×3 matrices.")
    dtype = _float_dtype("svd", dt, default_fp)
    if n == 2:
        return small.svd2, (A, dtype, small.SVD2_SKIP_BELOW["f64" if dtype == dtypes.f64 else "f32"]), {}
    if dtype == dtypes.f32:  # upstream's scheme, bit for bit
        return svd3.svd3_sifakis, (A, dtype, svd3.SIFAKIS_SWEEPS), {}
    return small.svd3, (A, dtype, _sweeps(dtype)), {}


def _choose_polar(default_fp, A, dt=None):
    n = _square("polar_decompose", A, (2, 3), "Polar decomposition only supports 2×2 and 3×3 matrices.")
    dtype = _float_dtype("polar_decompose", dt, default_fp)
    if n == 2:
        return small.polar2, (A, dtype), {}
    if dtype == dtypes.f32:
        return svd3.polar3_sifakis, (A, dtype, svd3.SIFAKIS_SWEEPS), {}
    return small.polar3, (A, dtype, _sweeps(dtype)), {}


def _choose_eig(default_fp, A, dt=None):
    _square("eig", A, (2,), "Eigen solver only supports 2×2 matrices.")
    return small.eig2, (A, _float_dtype("eig", dt, default_fp)), {}


def _choose_sym_eig(default_fp, A, dt=None):
    _square("sym_eig", A, range(2, 7), "Symmetric eigen solver currently supports sizes up to 6×6.")
    dtype = _float_dtype("sym_eig", dt, default_fp)
    return jac.sym_eig_sorted, (A, dtype, _sweeps(dtype), False), {}


def _choose_make_spd(default_fp, A, dt=None):
    _square("make_spd", A, range(2, 7), "Symmetric eigen solver currently supports sizes up to 6×6.")
    dtype = _float_dtype("make_spd", dt, default_fp)
    return jac.spd_projection, (A, dtype, _sweeps(dtype)), {}


def _choose_solve(default_fp, A, b, dt=None):
    n = _square("solve", A, (2, 3), "Only 2×2 and 3×3 matrices are supported")
    b_shape = static_shape(b)
    if b_shape is None or b_shape[0] != n or len(b_shape) not in (1, 2) or (len(b_shape) == 2 and b_shape[1] != 1):
        raise DispatchError(f"Matrix and Vector dimension dismatch: A is {n}×{n}, b has shape {b_shape}")
    return small.solve_gauss, (A, b, _float_dtype("solve", dt, default_fp)), {}


svd = FuncDispatch(
    "svd",
    _choose_svd,
    """``U, S, V = qd.svd(A, dt=None)``: ``A = U @ S @ V.transpose()`` for a 2×2 or 3×3 matrix in kernel code.

    ``S`` is diagonal with the singular values in decreasing order; ``U`` and ``V`` are orthogonal (for 3×3, both are
    rotations and the last singular value carries the sign of ``det A``). ``dt`` (``qd.f32``/``qd.f64``) defaults to
    ``default_fp``.""",
)
polar_decompose = FuncDispatch(
    "polar_decompose",
    _choose_polar,
    """``R, P = qd.polar_decompose(A, dt=None)``: ``A = R @ P`` with ``R`` orthogonal and ``P`` symmetric positive
    semi-definite, for a 2×2 or 3×3 matrix in kernel code.""",
)
eig = FuncDispatch(
    "eig",
    _choose_eig,
    """``values, vectors = qd.eig(A, dt=None)`` for a real 2×2 matrix: ``values`` is 2×2 (one eigenvalue per row,
    ``[real, imag]``), ``vectors`` is 4×2 (one unit eigenvector per column, ``[re0, im0, re1, im1]``).""",
)
sym_eig = FuncDispatch(
    "sym_eig",
    _choose_sym_eig,
    """``values, vectors = qd.sym_eig(A, dt=None)`` for a symmetric n×n matrix, 2 ≤ n ≤ 6: eigenvalues in increasing
    order (an n-vector) and the matching orthonormal eigenvectors as the columns of an n×n matrix (cyclic Jacobi).""",
)
make_spd = FuncDispatch(
    "make_spd",
    _choose_make_spd,
    """``qd.make_spd(A, dt=None)``: the nearest symmetric positive semi-definite matrix to symmetric ``A`` in the
    Frobenius norm (negative eigenvalues clamped to 0), 2 ≤ n ≤ 6.""",
)
solve = FuncDispatch(
    "solve",
    _choose_solve,
    """``x = qd.solve(A, b, dt=None)``: the solution of ``A @ x = b`` for a 2×2 or 3×3 matrix by Gaussian elimination
    with partial pivoting.""",
)
