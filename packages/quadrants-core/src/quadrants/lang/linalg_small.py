"""Small dense decompositions in the kernel language: polar, SVD, eigen (2×2 general), linear solve (docs/linalg.md).

Every function here is a ``@qd.func`` that ``qd.polar_decompose``, ``qd.svd``, ``qd.eig`` and ``qd.solve``
(lang/linalg_funcs.py) inline into kernels; all arithmetic is in the requested ``dt``.

* 2×2 polar decomposition: the closed form ``R = B / sqrt(|det B|)``, ``P = (AᵀA + |det A| I) / sqrt(|det B|)``
  with ``B = A + sign(det A) · cof(A)`` (the square root of a 2×2 matrix), as upstream computes it.
* 2×2 SVD: the polar decomposition, then one Jacobi rotation diagonalises ``P``, skipped as upstream skips it when
  ``|P₀₁| < 1e-5`` in ``f32`` (the same factors as upstream, and half the cost of an MPM particle's stress: the
  rotation is a chain of two square roots and two divisions), and only when ``P₀₁ = 0`` in ``f64``
  (:data:`SVD2_SKIP_BELOW`).
* 3×3 SVD in ``f64`` (the outline of McAdams, Selle, Tamstorf, Teran and Sifakis, "Computing the singular value
  decomposition of 3×3 matrices with minimal branching and elementary floating point operations", 2011, with exact
  rotations): Jacobi eigenvectors ``V`` of ``AᵀA``, sorted by decreasing eigenvalue with ``det V = 1``, then a Givens
  QR of ``A V`` gives ``U`` (a rotation) and the singular values on the diagonal of ``R``; the last one carries the
  sign of ``det A``. The ``f32`` one is upstream's own operation sequence, in lang/linalg_svd3.py.
* 3×3 polar decomposition in ``f64``: ``R = U Vᵀ`` and ``P = V Σ Vᵀ`` from the SVD.
"""

from __future__ import annotations

from quadrants.frontend.annotations import template
from quadrants.frontend.intrinsics import MATH_FUNCTIONS as _MATH, cast, static
from quadrants.lang.linalg_jacobi import jacobi_eigen
from quadrants.lang.matrix import Matrix, Vector
from quadrants.runtime.kernel import func

__all__ = ["polar2", "polar3", "svd2", "svd3", "eig2", "solve_gauss"]

sqrt = _MATH["sqrt"]

# |P01| below which svd2 leaves the symmetric factor as it is (an exact 0 is always left): upstream's threshold in
# f32, where it is below the accuracy the conformance goldens ask for (2e-5); in f64 it would be the whole error
SVD2_SKIP_BELOW = {"f32": 1e-5, "f64": 0.0}


@func
def polar2(A, dt: template()):
    """``(R, P)`` with ``A = R P``, ``R`` orthogonal (a reflection when ``det A < 0``), ``P`` symmetric PSD."""
    zero, one = cast(0.0, dt), cast(1.0, dt)
    a, b, c, d = cast(A[0, 0], dt), cast(A[0, 1], dt), cast(A[1, 0], dt), cast(A[1, 1], dt)
    R = Matrix.identity(dt, 2)
    P = Matrix([[a, b], [c, d]], dt=dt)
    if a != zero or b != zero or c != zero or d != zero:  # the zero matrix keeps (I, A)
        det = a * d - b * c
        sign = one
        if det < zero:
            sign = -one
        B = Matrix([[a + sign * d, b - sign * c], [c - sign * b, d + sign * a]], dt=dt)
        k = one / sqrt(abs(B[0, 0] * B[1, 1] - B[1, 0] * B[0, 1]))
        R = B * k
        P = (P.transpose() @ P + abs(det) * Matrix.identity(dt, 2)) * k
    return R, P


@func
def svd2(A, dt: template(), skip_below: template()):
    """``(U, Σ, V)`` with ``A = U Σ Vᵀ``, singular values in decreasing order on the diagonal of ``Σ``; no rotation
    when ``|P₀₁| < skip_below`` or ``P₀₁ = 0`` (``SVD2_SKIP_BELOW``)."""
    zero, one, half, two = cast(0.0, dt), cast(1.0, dt), cast(0.5, dt), cast(2.0, dt)
    R, S = polar2(A, dt)
    c, s = one, zero
    s1, s2 = S[0, 0], S[1, 1]
    # a NaN P01 rotates (and spreads), as upstream's test ``|P01| < 1e-5`` does
    if not (abs(S[0, 1]) < cast(skip_below, dt) or S[0, 1] == zero):  # one Jacobi rotation diagonalises P
        tau = half * (S[0, 0] - S[1, 1])
        w = sqrt(tau * tau + S[0, 1] * S[0, 1])
        denom = tau - w
        if tau > zero:
            denom = tau + w
        t = S[0, 1] / denom
        c = one / sqrt(t * t + one)
        s = -t * c
        s1 = c * c * S[0, 0] - two * c * s * S[0, 1] + s * s * S[1, 1]
        s2 = s * s * S[0, 0] + two * c * s * S[0, 1] + c * c * S[1, 1]
    V = Matrix([[c, s], [-s, c]], dt=dt)
    if s1 < s2:
        s1, s2 = s2, s1
        V = Matrix([[-s, c], [-c, -s]], dt=dt)
    return R @ V, Matrix([[s1, zero], [zero, s2]], dt=dt), V


@func
def _givens_rows(B, Q, i: template(), j: template(), dt: template()):
    """Rotate rows ``i`` and ``j`` of ``B`` (and of the accumulated ``Q``) so that ``B[j, i]`` becomes 0."""
    zero, one = cast(0.0, dt), cast(1.0, dt)
    rho = sqrt(B[i, i] * B[i, i] + B[j, i] * B[j, i])
    c, s = one, zero
    if rho != zero:
        c, s = B[i, i] / rho, B[j, i] / rho
    for k in static(range(3)):
        bi, bj = B[i, k], B[j, k]
        B[i, k] = c * bi + s * bj
        B[j, k] = c * bj - s * bi
        qi, qj = Q[i, k], Q[j, k]
        Q[i, k] = c * qi + s * qj
        Q[j, k] = c * qj - s * qi
    return B, Q


@func
def svd3(A, dt: template(), sweeps: template()):
    """``(U, Σ, V)`` with ``A = U Σ Vᵀ``, ``det U = det V = 1``, ``Σ`` diagonal in decreasing order."""
    zero = cast(0.0, dt)
    M = Matrix.zero(dt, 3, 3)
    for i in static(range(3)):
        for j in static(range(3)):
            M[i, j] = cast(A[i, j], dt)
    S, V = jacobi_eigen(M.transpose() @ M, dt, sweeps)
    w = Vector([S[0, 0], S[1, 1], S[2, 2]], dt=dt)
    for i in static(range(3)):
        for j in static(range(i + 1, 3)):
            if w[j] > w[i]:
                w[i], w[j] = w[j], w[i]
                for r in static(range(3)):
                    V[r, i], V[r, j] = V[r, j], V[r, i]
    if V.determinant() < zero:  # a rotation: flip the direction of the smallest one
        for r in static(range(3)):
            V[r, 2] = -V[r, 2]
    B = M @ V
    Q = Matrix.identity(dt, 3)
    B, Q = _givens_rows(B, Q, 0, 1, dt)
    B, Q = _givens_rows(B, Q, 0, 2, dt)
    B, Q = _givens_rows(B, Q, 1, 2, dt)
    U = Q.transpose()
    # rounding can leave the (signed) last values out of order: sort by value, keeping det U = det V = 1 (every
    # swap flips both determinants; an odd number of swaps is undone by negating column 0 of both)
    sv = Vector([B[0, 0], B[1, 1], B[2, 2]], dt=dt)
    flips = 0
    for i in static(range(3)):
        for j in static(range(i + 1, 3)):
            if sv[j] > sv[i]:
                sv[i], sv[j] = sv[j], sv[i]
                flips = 1 - flips
                for r in static(range(3)):
                    U[r, i], U[r, j] = U[r, j], U[r, i]
                    V[r, i], V[r, j] = V[r, j], V[r, i]
    if flips == 1:
        for r in static(range(3)):
            U[r, 0] = -U[r, 0]
            V[r, 0] = -V[r, 0]
    sigma = Matrix([[sv[0], zero, zero], [zero, sv[1], zero], [zero, zero, sv[2]]], dt=dt)
    return U, sigma, V


@func
def polar3(A, dt: template(), sweeps: template()):
    """``(R, P)`` with ``A = R P`` from the SVD: ``R = U Vᵀ`` (a rotation), ``P = V Σ Vᵀ``."""
    U, sigma, V = svd3(A, dt, sweeps)
    return U @ V.transpose(), V @ sigma @ V.transpose()


@func
def _eigvec_column(M, dt: template()):
    """A unit vector spanning the columns of the rank-one 2×2 matrix ``M`` (complex: 4 numbers re/im per row)."""
    zero = cast(0.0, dt)
    v = Vector([M[0, 0], zero, M[1, 0], zero], dt=dt)
    if M[0, 0] == zero and M[1, 0] == zero:  # the first column vanishes: the second spans the same line
        v = Vector([M[0, 1], zero, M[1, 1], zero], dt=dt)
    return v.normalized()


@func
def eig2(A, dt: template()):
    """Eigenvalues (rows ``[re, im]`` of a 2×2 matrix) and eigenvectors (columns of a 4×2 matrix, each
    ``[re0, im0, re1, im1]``) of a real 2×2 matrix, as upstream returns them."""
    zero, one, half, four = cast(0.0, dt), cast(1.0, dt), cast(0.5, dt), cast(4.0, dt)
    M = Matrix([[cast(A[0, 0], dt), cast(A[0, 1], dt)], [cast(A[1, 0], dt), cast(A[1, 1], dt)]], dt=dt)
    tr = M[0, 0] + M[1, 1]
    det = M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0]
    gap = tr * tr - four * det
    values = Matrix.zero(dt, 2, 2)
    vectors = Matrix.zero(dt, 4, 2)
    eye = Matrix.identity(dt, 2)
    if gap > zero:
        root = sqrt(gap)
        l1, l2 = half * (tr + root), half * (tr - root)
        values = Matrix([[l1, zero], [l2, zero]], dt=dt)
        # Cayley-Hamilton: (A - l1 I)(A - l2 I) = 0, so the columns of A - l2 I are eigenvectors of l1
        v1 = _eigvec_column(M - l2 * eye, dt)
        v2 = _eigvec_column(M - l1 * eye, dt)
        vectors = Matrix([[v1[0], v2[0]], [v1[1], v2[1]], [v1[2], v2[2]], [v1[3], v2[3]]], dt=dt)
    else:
        re, im = half * tr, half * sqrt(-gap)
        values = Matrix([[re, im], [re, -im]], dt=dt)
        if M[0, 1] == zero and M[1, 0] == zero and M[0, 0] == M[1, 1]:  # a multiple of I: every vector
            vectors = Matrix([[one, zero], [zero, zero], [zero, one], [zero, zero]], dt=dt)
        else:
            # eigenvector of re + i im: the first column of A - conj(lambda) I; of re - i im: its conjugate
            v1 = Vector([M[0, 0] - re, im, M[1, 0], zero], dt=dt)
            if M[0, 0] - re == zero and im == zero and M[1, 0] == zero:
                v1 = Vector([M[0, 1], zero, M[1, 1] - re, zero], dt=dt)
            v1 = v1.normalized()
            vectors = Matrix([[v1[0], v1[0]], [v1[1], -v1[1]], [v1[2], v1[2]], [v1[3], -v1[3]]], dt=dt)
    return values, vectors


@func
def solve_gauss(A, b, dt: template()):
    """``x`` with ``A x = b`` by Gaussian elimination with partial pivoting (n = 2 or 3)."""
    n = static(A.n)
    M = Matrix.zero(dt, n, n + 1)
    for i in static(range(n)):
        for j in static(range(n)):
            M[i, j] = cast(A[i, j], dt)
        M[i, n] = cast(b[i], dt)
    for i in static(range(n)):
        for j in static(range(i + 1, n)):  # partial pivoting by compile-time row pairs
            if abs(M[j, i]) > abs(M[i, i]):
                for k in static(range(n + 1)):
                    M[i, k], M[j, k] = M[j, k], M[i, k]
        for j in static(range(i + 1, n)):
            scale = M[j, i] / M[i, i]
            for k in static(range(i, n + 1)):
                M[j, k] -= scale * M[i, k]
    x = Vector.zero(dt, n)
    for i in static(range(n - 1, -1, -1)):
        acc = M[i, n]
        for k in static(range(i + 1, n)):
            acc -= M[i, k] * x[k]
        x[i] = acc / M[i, i]
    return x
