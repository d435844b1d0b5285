"""The ``f32`` 3×3 ``qd.svd`` as upstream 1.3.3 computes it, operation for operation (docs/linalg.md).

The scheme is McAdams, Selle, Tamstorf, Teran and Sifakis, "Computing the singular value decomposition of 3×3
matrices with minimal branching and elementary floating point operations" (2011), in the order of operations of
upstream's ``quadrants/math/svd.h`` so that every rounding happens where upstream's does and the factors are the
same bits (with ``fast_math=False``, where upstream neither fuses nor reassociates):

1. ``S = AᵀA``; a fixed number of cyclic sweeps of *approximate* Jacobi conjugations (pairs (1,2), (2,3), (3,1)),
   each a quaternion rotation whose half angle comes from one ``1/sqrt`` (or is π/8 when the exact angle would be
   larger than π/8), accumulated into a quaternion that is normalised afterwards; ``V`` is that quaternion's matrix.
2. ``B = A V``; the columns of ``B`` (and ``V``) are sorted by decreasing norm, one sign flip per exchange so that
   ``det V`` stays 1.
3. Three Givens rotations (rows (1,2), (1,3), (2,3)) make ``B`` upper triangular: ``U`` accumulates them and the
   singular values are the diagonal; the last one carries the sign of ``det A``.
4. The singular values are sorted (selection sort) with their columns of ``U`` and ``V``; an odd number of exchanges
   negates the first columns of both.

Upstream's masks (``and``/``or``/``xor`` of the bits of all-ones or all-zeros floats) are ``select`` here: they pick
one of two values bit for bit. Its ``rsqrt`` on the CPU is ``1 / sqrt(x)``, which is written out so that every
backend rounds it in the same two steps. ``f64`` keeps the Jacobi SVD of lang/linalg_small.py: upstream's ``f64``
variant uses this scheme with ``f32`` thresholds and loses precision (docs/parity.md, deliberate differences).
"""

from __future__ import annotations

from quadrants.frontend.annotations import template
from quadrants.frontend.intrinsics import MATH_FUNCTIONS as _MATH, cast, loop_config, select, static
from quadrants.lang.matrix import Matrix, Vector
from quadrants.runtime.kernel import func

__all__ = ["svd3_sifakis", "polar3_sifakis", "SIFAKIS_SWEEPS"]

sqrt = _MATH["sqrt"]

SIFAKIS_SWEEPS = 5  # upstream's sweeps for f32

# the scheme's constants, as upstream rounds them to f32: (3 + 2√2) bounds tan²(angle) of an exact rotation
# allowed to stand (beyond it the π/8 rotation is used); below TINY a pair is left; below SMALL a Givens is skipped
FOUR_GAMMA_SQUARED = 5.82842712474619
SIN_PI_OVER_8 = 0.3826834323650897
COS_PI_OVER_8 = 0.9238795325112867
TINY = 1.0e-20
SMALL = 1.0e-12


def _low(i: int, j: int) -> tuple[int, int]:
    """The lower-triangle position of the symmetric pair (i, j): upstream keeps only those entries of S."""
    return (i, j) if i >= j else (j, i)


def _axes(r: int) -> tuple[int, int, int]:
    """Quaternion components (w = 0, x, y, z) of the rotation axis ``r`` and of the next two axes, cyclically."""
    return r + 1, (r + 1) % 3 + 1, (r + 2) % 3 + 1


@func
def _refined_rsqrt(x, dt: template()):
    """``1 / sqrt(x)`` improved by one Newton step, rounded in upstream's order."""
    half = cast(0.5, dt)
    r = cast(1.0, dt) / sqrt(x)
    h = r * half
    return (r + h) - x * (r * (r * h))


@func
def _conjugate(S, Q, p: template(), q: template(), r: template(), dt: template()):
    """One approximate Jacobi conjugation of symmetric ``S`` (lower triangle) in the plane (p, q); the rotation is
    appended to the quaternion ``Q = (w, x, y, z)`` about axis ``r``. Entries are scaled by the rotation's squared
    norm, which the final normalisation of ``Q`` removes."""
    zero, one, half = cast(0.0, dt), cast(1.0, dt), cast(0.5, dt)
    pq0, pq1 = static(_low(p, q))
    rp0, rp1 = static(_low(r, p))
    rq0, rq1 = static(_low(r, q))
    k, k1, k2 = static(_axes(r))
    sh = S[pq0, pq1] * half
    diff = S[p, p] - S[q, q]
    big = sh * sh >= cast(TINY, dt)
    sh = select(big, sh, zero)
    ch = select(big, diff, one)
    sh2 = sh * sh
    ch2 = ch * ch
    norm = one / sqrt(sh2 + ch2)
    sh = norm * sh
    ch = norm * ch
    wide = ch2 <= cast(FOUR_GAMMA_SQUARED, dt) * sh2  # the exact angle is past pi/8: rotate by pi/8
    sh = select(wide, cast(SIN_PI_OVER_8, dt), sh)
    ch = select(wide, cast(COS_PI_OVER_8, dt), ch)
    sh2 = sh * sh
    ch2 = ch * ch
    c = ch2 - sh2
    s = ch * sh
    s = s + s
    scale = sh2 + ch2
    S[r, r] = S[r, r] * scale * scale
    srp = S[rp0, rp1] * scale
    srq = S[rq0, rq1] * scale
    S[rp0, rp1] = s * srq + c * srp
    S[rq0, rq1] = c * srq - s * srp
    s2 = s * s
    c2 = c * c
    spp = S[p, p] * c2 + S[q, q] * s2
    sqq = S[q, q] * c2 + S[p, p] * s2
    cs = c * s
    cross = (S[pq0, pq1] + S[pq0, pq1]) * cs
    S[pq0, pq1] = S[pq0, pq1] * (c2 - s2) - diff * cs
    S[p, p] = spp + cross
    S[q, q] = sqq - cross
    tk, tk1, tk2, tw = sh * Q[k], sh * Q[k1], sh * Q[k2], sh * Q[0]
    for i in static(range(4)):
        Q[i] = ch * Q[i]
    Q[k] = Q[k] + tw
    Q[0] = Q[0] - tk
    Q[k1] = Q[k1] + tk2
    Q[k2] = Q[k2] - tk1
    return S, Q


@func
def _rotation_of(Q, dt: template()):
    """The rotation matrix of the quaternion ``Q`` after normalising it (one refined ``1/sqrt``)."""
    n = _refined_rsqrt(((Q[0] * Q[0] + Q[1] * Q[1]) + Q[2] * Q[2]) + Q[3] * Q[3], dt)
    w, x, y, z = Q[0] * n, Q[1] * n, Q[2] * n, Q[3] * n
    w2, x2, y2, z2 = w * w, x * x, y * y, z * z
    tx, ty, tz = x + x, y + y, z + z
    wx, wy, wz = w * tx, w * ty, w * tz
    xy, yz, zx = y * tx, z * ty, x * tz
    return Matrix(
        [
            [((w2 + x2) - y2) - z2, xy - wz, zx + wy],
            [xy + wz, ((w2 - x2) + y2) - z2, yz - wx],
            [zx - wy, yz + wx, ((w2 - x2) - y2) + z2],
        ],
        dt=dt,
    )


@func
def _order_columns(B, V, rho, i: template(), j: template()):
    """Exchange columns ``i`` and ``j`` of ``B`` and ``V`` when column ``j`` of ``B`` is longer (``rho``: squared
    norms), negating the new column ``j`` (``i`` when ``i = 0`` and ``j = 2``, as upstream) to keep ``det V``."""
    if rho[i] < rho[j]:
        rho[i], rho[j] = rho[j], rho[i]
        neg = static(i if (i, j) == (0, 2) else j)
        for r in static(range(3)):
            B[r, i], B[r, j] = B[r, j], B[r, i]
            V[r, i], V[r, j] = V[r, j], V[r, i]
        for r in static(range(3)):
            B[r, neg] = -B[r, neg]
            V[r, neg] = -V[r, neg]
    return B, V, rho


@func
def _givens(B, U, i: template(), j: template(), dt: template()):
    """Rotate rows ``i``, ``j`` of ``B`` (columns of ``U``) so that ``B[j, i]`` becomes (nearly) 0; the half-angle
    cosine and sine come from ``B[i, i]`` and ``B[j, i]`` without a division, as upstream."""
    zero = cast(0.0, dt)
    small = cast(SMALL, dt)
    sh = select(B[j, i] * B[j, i] >= small, B[j, i], zero)
    ch = max(max(zero - B[i, i], B[i, i]), small)
    t = ch * ch + sh * sh
    ch = ch + _refined_rsqrt(t, dt) * t
    if not B[i, i] >= zero:  # upstream's mask keeps (ch, sh) for B[i, i] >= 0 and exchanges them otherwise (NaN)
        ch, sh = sh, ch
    n = _refined_rsqrt(ch * ch + sh * sh, dt)
    ch = ch * n
    sh = sh * n
    c = ch * ch - sh * sh
    s = sh * ch
    s = s + s
    for k in static(range(3)):
        bi, bj = B[i, k], B[j, k]
        B[i, k] = c * bi + s * bj
        B[j, k] = c * bj - s * bi
        ui, uj = U[k, i], U[k, j]
        U[k, i] = c * ui + s * uj
        U[k, j] = c * uj - s * ui
    return B, U


@func
def svd3_sifakis(A, dt: template(), sweeps: template()):
    """``(U, Σ, V)`` with ``A = U Σ Vᵀ``, ``det U = det V = 1``, ``Σ`` diagonal in decreasing order, bit for bit as
    upstream's ``qd.svd`` with ``fast_math=False``."""
    zero = cast(0.0, dt)
    B = Matrix.zero(dt, 3, 3)
    for i in static(range(3)):
        for j in static(range(3)):
            B[i, j] = cast(A[i, j], dt)
    S = Matrix.zero(dt, 3, 3)
    for i in static(range(3)):
        for j in static(range(i + 1)):
            S[i, j] = (B[0, i] * B[0, j] + B[1, i] * B[1, j]) + B[2, i] * B[2, j]
    Q = Vector([cast(1.0, dt), zero, zero, zero], dt=dt)
    loop_config(serialize=True)  # a serial loop even when this func runs at the kernel top level
    for _ in range(sweeps):
        S, Q = _conjugate(S, Q, 0, 1, 2, dt)
        S, Q = _conjugate(S, Q, 1, 2, 0, dt)
        S, Q = _conjugate(S, Q, 2, 0, 1, dt)
    V = _rotation_of(Q, dt)
    B = B @ V
    rho = Vector.zero(dt, 3)
    for j in static(range(3)):
        rho[j] = (B[0, j] * B[0, j] + B[1, j] * B[1, j]) + B[2, j] * B[2, j]
    B, V, rho = _order_columns(B, V, rho, 0, 1)
    B, V, rho = _order_columns(B, V, rho, 0, 2)
    B, V, rho = _order_columns(B, V, rho, 1, 2)
    U = Matrix.identity(dt, 3)
    B, U = _givens(B, U, 0, 1, dt)
    B, U = _givens(B, U, 0, 2, dt)
    B, U = _givens(B, U, 1, 2, dt)
    sv = Vector([B[0, 0], B[1, 1], B[2, 2]], dt=dt)
    U, sv, V = _sort_descending(U, sv, V, dt)
    sigma = Matrix([[sv[0], zero, zero], [zero, sv[1], zero], [zero, zero, sv[2]]], dt=dt)
    return U, sigma, V


@func
def _sort_descending(U, sv, V, dt: template()):
    """Upstream's selection sort of the singular values, carrying the columns of ``U`` and ``V``; an odd number of
    exchanges negates column 0 of both (each exchange flips both determinants)."""
    flips = 0
    for i in static(range(3)):
        best = i
        best_val = sv[i]
        for j in static(range(i + 1, 3)):
            if sv[j] > best_val:
                best_val = sv[j]
                best = j
        for j in static(range(i + 1, 3)):
            if best == j:
                sv[j] = sv[i]
                sv[i] = best_val
                for r in static(range(3)):
                    U[r, i], U[r, j] = U[r, j], U[r, i]
                    V[r, i], V[r, j] = V[r, j], V[r, i]
                flips = 1 - flips
    if flips == 1:
        for r in static(range(3)):
            U[r, 0] = -U[r, 0]
            V[r, 0] = -V[r, 0]
    return U, sv, V


@func
def polar3_sifakis(A, dt: template(), sweeps: template()):
    """``(R, P)`` with ``A = R P`` from :func:`svd3_sifakis`: ``R = U Vᵀ`` (a rotation), ``P = V Σ Vᵀ``."""
    U, sigma, V = svd3_sifakis(A, dt, sweeps)
    Vt = V.transpose()
    return _product(U, Vt, dt), _product(_product(V, sigma, dt), Vt, dt)


@func
def _product(X, Y, dt: template()):
    """``X @ Y`` of 3×3 matrices summed as upstream's ``@``: each entry starts from ``X[0, 0] * Y[0, 0] * 0`` (a zero
    whose sign, or NaN, comes from that product) and adds the three products left to right, so zero entries carry
    upstream's signs."""
    start = X[0, 0] * Y[0, 0] * cast(0.0, dt)
    Z = Matrix.zero(dt, 3, 3)
    for i in static(range(3)):
        for j in static(range(3)):
            Z[i, j] = ((start + X[i, 0] * Y[0, j]) + X[i, 1] * Y[1, j]) + X[i, 2] * Y[2, j]
    return Z
