"""Matrix-free Krylov solvers: ``qd.linalg.LinearOperator``, ``MatrixFreeCG`` and ``MatrixFreeBICGSTAB``.

The matrix is a user kernel ``matvec(x, Ax)``; the solvers run their vector updates and dot products as kernels on
the same backend, over the container kind the user passed (fields or ndarrays, docs/linalg.md). The control flow,
the tolerance tests and the ``quiet=False`` log lines are upstream's: the residual norm is absolute.
"""

from __future__ import annotations

from math import sqrt

from quadrants.errors import QuadrantsRuntimeError, QuadrantsTypeError
from quadrants.ir import dtypes
from quadrants.linalg._vector_kernels import kind_of, scratch, vector_kernels

__all__ = ["LinearOperator", "MatrixFreeCG", "MatrixFreeBICGSTAB"]


class LinearOperator:
    """A linear operator given by a kernel ``matvec_kernel(x, Ax)`` that writes ``A @ x`` into ``Ax``."""

    def __init__(self, matvec_kernel):
        self._matvec = matvec_kernel

    def matvec(self, x, Ax):
        """``Ax = A @ x``; ``x`` and ``Ax`` must have the same shape."""
        if x.shape != Ax.shape:
            raise QuadrantsRuntimeError(f"Dimension mismatch x.shape{x.shape} != Ax.shape{Ax.shape}.")
        self._matvec(x, Ax)


def _check(name: str, b, x):
    if b.dtype != x.dtype:
        raise QuadrantsTypeError(f"Dtype mismatch b.dtype({b.dtype}) != x.dtype({x.dtype}).")
    if b.dtype not in (dtypes.f32, dtypes.f64):
        raise QuadrantsTypeError(f"Not supported dtype: {b.dtype}")
    if b.shape != x.shape:
        raise QuadrantsRuntimeError(f"Dimension mismatch b.shape{b.shape} != x.shape{x.shape}.")
    if not 1 <= len(b.shape) <= 3:
        raise QuadrantsRuntimeError(f"{name} only support 1D, 2D, 3D inputs; your inputs is {len(b.shape)}-D.")
    kind = kind_of(b)
    if kind_of(x) != kind:
        raise QuadrantsTypeError(f"{name}: b and x must both be fields or both be ndarrays")
    return kind, vector_kernels(kind, b.dtype)


def _log(quiet: bool, message: str) -> None:
    if not quiet:
        print(message)


def MatrixFreeCG(A, b, x, tol=1e-6, maxiter=5000, quiet=True):
    """Solve ``A x = b`` for a symmetric positive-definite :class:`LinearOperator` ``A`` by conjugate gradients.

    ``x`` holds the initial guess and receives the solution. Stops when ``|r| < tol`` (Euclidean norm of the
    residual) or after ``maxiter`` iterations; returns whether it converged.
    """
    kind, k = _check("MatrixFreeCG", b, x)
    p, r, ap, ax = scratch(kind, b.shape, b.dtype, 4)
    A._matvec(x, ax)
    k.residual(r, b, ax)
    initial = k.dot(r, r)
    _log(quiet, f">>> Initial residual = {initial:e}")
    old_rtr = new_rtr = initial
    k.copy(r, p)
    if sqrt(initial) >= tol:
        for i in range(maxiter):
            A._matvec(p, ap)
            alpha = old_rtr / k.dot(p, ap)
            k.axpy(x, alpha, p)
            k.axpy(r, -alpha, ap)
            new_rtr = k.dot(r, r)
            if sqrt(new_rtr) < tol:
                _log(quiet, f">>> Conjugate Gradient method converged.\n>>> #iterations {i}")
                break
            k.xpay(p, r, new_rtr / old_rtr)
            old_rtr = new_rtr
            _log(quiet, f">>> Iter = {i + 1:4}, Residual = {sqrt(new_rtr):e}")
    if new_rtr >= tol:  # upstream compares the squared norm here
        _log(
            quiet,
            f">>> Conjugate Gradient method failed to converge in {maxiter} iterations: Residual = {sqrt(new_rtr):e}",
        )
        return False
    return True


def MatrixFreeBICGSTAB(A, b, x, tol=1e-6, maxiter=5000, quiet=True):
    """Solve ``A x = b`` for a general :class:`LinearOperator` ``A`` by BiCGSTAB (van der Vorst, 1992).

    ``x`` holds the initial guess and receives the solution; returns whether ``|r| < tol`` was reached.
    """
    kind, k = _check("MatrixFreeBICGSTAB", b, x)
    p, r, r_tld, s, t, ap, ax = scratch(kind, b.shape, b.dtype, 7)
    A._matvec(x, ax)
    k.residual(r, b, ax)
    k.copy(b, r_tld)
    rtr = initial = k.dot(r, r)
    _log(quiet, f">>> Initial residual = {initial:e}")
    succeeded = True
    alpha = omega = rho_1 = 1.0
    if sqrt(initial) >= tol:
        for i in range(maxiter):
            rho = k.dot(r, r_tld)
            if rho == 0.0:
                _log(quiet, ">>> BICGSTAB failed because r@r_tld = 0.")
                succeeded = False
                break
            if i == 0:
                k.copy(r, p)
            else:
                k.bicg_p(p, r, ap, (rho / rho_1) * (alpha / omega), omega)
            A._matvec(p, ap)
            alpha = rho / k.dot(r_tld, ap)
            k.combine(s, r, -alpha, ap)
            A._matvec(s, t)
            omega_upper, omega_lower = k.dot(t, s), k.dot(t, t)
            omega = omega_upper / (omega_lower + 1e-16) if omega_lower == 0.0 else omega_upper / omega_lower
            k.bicg_x(x, alpha, p, omega, s)
            k.combine(r, s, -omega, t)
            rtr = k.dot(r, r)
            _log(quiet, f">>> Iter = {i + 1:4}, Residual = {sqrt(rtr):e}")
            if sqrt(rtr) < tol:
                _log(quiet, f">>> BICGSTAB method converged at #iterations {i}")
                break
            rho_1 = rho
    if rtr >= tol:
        _log(quiet, f">>> BICGSTAB failed to converge in {maxiter} iterations: Residual = {sqrt(rtr):e}")
        succeeded = False
    return succeeded
