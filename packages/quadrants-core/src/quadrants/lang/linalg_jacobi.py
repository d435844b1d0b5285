"""Symmetric eigen-decomposition by cyclic Jacobi rotations, written in the kernel language (docs/linalg.md).

Golub & Van Loan, *Matrix Computations*, §8.5 ("the cyclic Jacobi algorithm"): each rotation zeroes one off-diagonal
pair ``(p, q)`` of the working matrix ``S`` and is accumulated into ``V``, so ``S_in = V · S · Vᵀ`` holds throughout.
A sweep visits every pair once; convergence is quadratic, so a fixed number of sweeps reaches working precision for
the sizes supported here (n ≤ 6). These funcs are inlined into kernels by ``qd.sym_eig``, ``qd.make_spd`` and the
3×3 ``qd.svd``.
"""

from __future__ import annotations

from quadrants.frontend.annotations import template
from quadrants.frontend.intrinsics import MATH_FUNCTIONS as _MATH, cast, loop_config, static
from quadrants.lang.matrix import Matrix, Vector
from quadrants.runtime.kernel import func

__all__ = ["jacobi_eigen", "sym_eig_sorted", "spd_projection", "SWEEPS"]

sqrt = _MATH["sqrt"]

# sweeps of the cyclic Jacobi loop per element type: enough for full precision at n <= 6 (quadratic convergence)
SWEEPS = {"f32": 8, "f64": 12}


@func
def jacobi_eigen(A, dt: template(), sweeps: template()):
    """``(S, V)`` with ``S`` (nearly) diagonal and ``A = V S Vᵀ``; ``A`` symmetric, ``V`` orthogonal."""
    n = static(A.n)
    zero, one, two = cast(0.0, dt), cast(1.0, dt), cast(2.0, dt)
    S = Matrix.zero(dt, n, n)
    V = Matrix.identity(dt, n)
    for i in static(range(n)):
        for j in static(range(n)):
            S[i, j] = cast(A[i, j], dt)
    loop_config(serialize=True)  # the sweeps are a serial loop even when this func runs at the kernel top level
    for _ in range(sweeps):
        for p in static(range(n)):
            for q in static(range(p + 1, n)):
                apq = S[p, q]
                if apq != zero:
                    tau = (S[q, q] - S[p, p]) / (two * apq)
                    t = one / (abs(tau) + sqrt(one + tau * tau))
                    if tau < zero:
                        t = -t
                    c = one / sqrt(one + t * t)
                    s = t * c
                    for r in static(range(n)):
                        srp, srq = S[r, p], S[r, q]
                        S[r, p] = c * srp - s * srq
                        S[r, q] = s * srp + c * srq
                    for k in static(range(n)):
                        spk, sqk = S[p, k], S[q, k]
                        S[p, k] = c * spk - s * sqk
                        S[q, k] = s * spk + c * sqk
                    S[p, q] = zero
                    S[q, p] = zero
                    for r in static(range(n)):
                        vrp, vrq = V[r, p], V[r, q]
                        V[r, p] = c * vrp - s * vrq
                        V[r, q] = s * vrp + c * vrq
    return S, V


@func
def sym_eig_sorted(A, dt: template(), sweeps: template(), descending: template()):
    """Eigenvalues (a vector, sorted) and eigenvectors (the matching columns of a matrix) of symmetric ``A``."""
    n = static(A.n)
    S, V = jacobi_eigen(A, dt, sweeps)
    w = Vector.zero(dt, n)
    for i in static(range(n)):
        w[i] = S[i, i]
    # exchange sort over compile-time pairs: every comparison and column swap uses static indices
    for i in static(range(n)):
        for j in static(range(i + 1, n)):
            out_of_order = w[j] < w[i]
            if static(descending):
                out_of_order = w[j] > w[i]
            if out_of_order:
                wi = w[i]
                w[i] = w[j]
                w[j] = wi
                for r in static(range(n)):
                    vri = V[r, i]
                    V[r, i] = V[r, j]
                    V[r, j] = vri
    return w, V


@func
def spd_projection(A, dt: template(), sweeps: template()):
    """``V · diag(max(λ, 0)) · Vᵀ``: the nearest positive semi-definite matrix to symmetric ``A`` (Frobenius)."""
    n = static(A.n)
    zero = cast(0.0, dt)
    w, V = sym_eig_sorted(A, dt, sweeps, False)
    out = Matrix.zero(dt, n, n)
    for i in static(range(n)):
        for j in static(range(n)):
            acc = zero
            for k in static(range(n)):
                acc += V[i, k] * max(w[k], zero) * V[j, k]
            out[i, j] = acc
    return out
