"""docs/linalg.md: the small dense decompositions in kernels (``qd.svd``, ``qd.polar_decompose``, ``qd.eig``,
``qd.sym_eig``, ``qd.make_spd``, ``qd.solve``).

Each case runs one kernel over a batch of matrices and returns the factors (compared between the reference and the
backend under test: they use only + − × ÷ sqrt and comparisons, so they agree exactly) and booleans that check them
against NumPy on the host within the tolerances stated here (the goldens).
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

# relative tolerances of the NumPy checks: a few hundred units in the last place of the largest entry
TOL = {qd.f32: 2e-5, qd.f64: 1e-12}


def _batch(n: int, count: int, seed: int) -> np.ndarray:
    """Random n×n matrices plus the awkward ones: zero, identity, diagonal with a repeated value, rank one,
    negative determinant, a near-multiple of the identity."""
    rng = np.random.default_rng(seed)
    mats = [rng.uniform(-2.0, 2.0, (n, n)) for _ in range(count)]
    rank_one = np.outer(np.arange(1, n + 1), np.arange(2, n + 2)) / 4.0
    flip = np.eye(n)
    flip[0, 0] = -1.0
    near_eye = np.eye(n) + 1e-3 * rng.uniform(-1, 1, (n, n))
    mats += [np.zeros((n, n)), np.eye(n), np.diag([2.0] * (n - 1) + [0.5]), rank_one, flip @ mats[0], near_eye]
    return np.array(mats)


def _symmetric(n: int, count: int, seed: int) -> np.ndarray:
    mats = _batch(n, count, seed)
    return (mats + mats.transpose(0, 2, 1)) / 2.0


def _close(a, b, dtype, scale=1.0) -> bool:
    return bool(np.all(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)) <= TOL[dtype] * max(scale, 1.0)))


def _mat_nd(n, m, dtype, values):
    arr = qd.ndarray(qd.types.matrix(n, m, dtype), (len(values),))
    arr.from_numpy(np.asarray(values, dtype=dtype.np if hasattr(dtype, "np") else None))
    return arr


def _np(dtype):
    return np.float32 if dtype == qd.f32 else np.float64


def _svd_case(n: int, dtype):
    mats = _batch(n, 12, seed=n).astype(_np(dtype))
    mat = qd.types.matrix(n, n, dtype)

    @qd.kernel
    def k(
        a: qd.types.NDArray[mat, 1],
        u: qd.types.NDArray[mat, 1],
        s: qd.types.NDArray[mat, 1],
        v: qd.types.NDArray[mat, 1],
    ):
        for i in a:
            U, S, V = qd.svd(a[i], dtype)
            u[i], s[i], v[i] = U, S, V

    a, u, s, v = (qd.ndarray(mat, (len(mats),)) for _ in range(4))
    a.from_numpy(mats)
    k(a, u, s, v)
    U, S, V = u.to_numpy(), s.to_numpy(), v.to_numpy()
    sig = np.diagonal(S, axis1=1, axis2=2)
    eye = np.eye(n)
    ok = {
        "reconstructs": all(
            _close(U[b] @ S[b] @ V[b].T, mats[b], dtype, np.abs(mats[b]).max()) for b in range(len(mats))
        ),
        "orthogonal": all(
            _close(U[b].T @ U[b], eye, dtype) and _close(V[b].T @ V[b], eye, dtype) for b in range(len(mats))
        ),
        "diagonal": bool(np.all(S[:, ~np.eye(n, dtype=bool)] == 0)),
        "decreasing": bool(np.all(np.diff(sig, axis=1) <= 0)),
        "singular_values": all(
            _close(
                np.sort(np.abs(sig[b]))[::-1],
                np.linalg.svd(mats[b].astype(np.float64), compute_uv=False),
                dtype,
                sig[b].max(),
            )
            for b in range(len(mats))
        ),
    }
    if n == 3:  # rotations; the sign of det A sits on the last singular value
        ok["rotations"] = all(
            _close(np.linalg.det(U[b]), 1, dtype) and _close(np.linalg.det(V[b]), 1, dtype) for b in range(len(mats))
        )
        ok["sign_last"] = all(
            sig[b, 2] * np.linalg.det(mats[b].astype(np.float64)) >= -TOL[dtype] for b in range(len(mats))
        )
    return {"U": U, "S": S, "V": V, **ok}


_SVD_OK = {"reconstructs": True, "orthogonal": True, "diagonal": True, "decreasing": True, "singular_values": True}


@case(section="linalg", golden=_SVD_OK)
def svd_2x2_f32():
    return _svd_case(2, qd.f32)


@case(section="linalg", golden={**_SVD_OK, "rotations": True, "sign_last": True})
def svd_3x3_f32():
    return _svd_case(3, qd.f32)


@case(section="linalg", requires=("f64",), golden=_SVD_OK)
def svd_2x2_f64():
    return _svd_case(2, qd.f64)


@case(section="linalg", requires=("f64",), golden={**_SVD_OK, "rotations": True, "sign_last": True})
def svd_3x3_f64():
    return _svd_case(3, qd.f64)


def _polar_case(n: int, dtype):
    mats = _batch(n, 10, seed=10 + n).astype(_np(dtype))
    mat = qd.types.matrix(n, n, dtype)

    @qd.kernel
    def k(a: qd.types.NDArray[mat, 1], r: qd.types.NDArray[mat, 1], p: qd.types.NDArray[mat, 1]):
        for i in a:
            R, P = qd.polar_decompose(a[i], dtype)
            r[i], p[i] = R, P

    a, r, p = (qd.ndarray(mat, (len(mats),)) for _ in range(3))
    a.from_numpy(mats)
    k(a, r, p)
    R, P = r.to_numpy(), p.to_numpy()
    count = len(mats)
    return {
        "R": R,
        "P": P,
        "reconstructs": all(_close(R[b] @ P[b], mats[b], dtype, np.abs(mats[b]).max()) for b in range(count)),
        "orthogonal": all(_close(R[b].T @ R[b], np.eye(n), dtype) for b in range(count) if np.any(mats[b])),
        "symmetric": all(_close(P[b], P[b].T, dtype, np.abs(P[b]).max()) for b in range(count)),
    }


_POLAR_OK = {"reconstructs": True, "orthogonal": True, "symmetric": True}


@case(section="linalg", golden=_POLAR_OK)
def polar_decompose_2x2_f32():
    return _polar_case(2, qd.f32)


@case(section="linalg", golden=_POLAR_OK)
def polar_decompose_3x3_f32():
    return _polar_case(3, qd.f32)


@case(section="linalg", requires=("f64",), golden=_POLAR_OK)
def polar_decompose_3x3_f64():
    return _polar_case(3, qd.f64)


def _sym_eig_case(n: int, dtype):
    mats = _symmetric(n, 8, seed=20 + n).astype(_np(dtype))
    mat, vec = qd.types.matrix(n, n, dtype), qd.types.vector(n, dtype)

    @qd.kernel
    def k(a: qd.types.NDArray[mat, 1], w: qd.types.NDArray[vec, 1], v: qd.types.NDArray[mat, 1]):
        for i in a:
            values, vectors = qd.sym_eig(a[i], dtype)
            w[i], v[i] = values, vectors

    a, w, v = qd.ndarray(mat, (len(mats),)), qd.ndarray(vec, (len(mats),)), qd.ndarray(mat, (len(mats),))
    a.from_numpy(mats)
    k(a, w, v)
    W, V = w.to_numpy(), v.to_numpy()
    count = len(mats)
    scale = [max(np.abs(mats[b]).max(), 1.0) for b in range(count)]
    return {
        "w": W,
        "V": V,
        "eigenvalues": all(
            _close(W[b], np.linalg.eigvalsh(mats[b].astype(np.float64)), dtype, scale[b]) for b in range(count)
        ),
        "eigenvectors": all(_close(mats[b] @ V[b], V[b] * W[b], dtype, scale[b]) for b in range(count)),
        "orthonormal": all(_close(V[b].T @ V[b], np.eye(n), dtype) for b in range(count)),
    }


_EIG_OK = {"eigenvalues": True, "eigenvectors": True, "orthonormal": True}


@case(section="linalg", golden=_EIG_OK)
def sym_eig_2x2_f32():
    return _sym_eig_case(2, qd.f32)


@case(section="linalg", golden=_EIG_OK)
def sym_eig_3x3_f32():
    return _sym_eig_case(3, qd.f32)


@case(section="linalg", golden=_EIG_OK)
def sym_eig_6x6_f32():
    return _sym_eig_case(6, qd.f32)


@case(section="linalg", requires=("f64",), golden=_EIG_OK)
def sym_eig_4x4_f64():
    return _sym_eig_case(4, qd.f64)


@case(section="linalg", golden={"spd": True, "projection": True})
def make_spd_clamps_negative_eigenvalues():
    mats = _symmetric(3, 8, seed=31).astype(np.float32)
    mat = qd.types.matrix(3, 3, qd.f32)

    @qd.kernel
    def k(a: qd.types.NDArray[mat, 1], out: qd.types.NDArray[mat, 1]):
        for i in a:
            out[i] = qd.make_spd(a[i])

    a, out = qd.ndarray(mat, (len(mats),)), qd.ndarray(mat, (len(mats),))
    a.from_numpy(mats)
    k(a, out)
    got = out.to_numpy()
    expected = []
    for m in mats.astype(np.float64):
        w, v = np.linalg.eigh(m)
        expected.append(v @ np.diag(np.maximum(w, 0)) @ v.T)
    return {
        "out": got,
        "spd": all(np.linalg.eigvalsh(g.astype(np.float64)).min() >= -1e-5 for g in got),
        "projection": all(_close(g, e, qd.f32, np.abs(e).max()) for g, e in zip(got, expected)),
    }


@case(section="linalg", golden={"real": True, "complex": True})
def eig_2x2_real_and_complex_eigenvalues():
    mats = np.array(
        [[[1, 2], [3, 4]], [[2, 0], [0, 3]], [[0, -1], [1, 0]], [[1, -2], [3, 1]], [[1, 1], [0, 1]]], np.float32
    )
    mat = qd.types.matrix(2, 2, qd.f32)
    m42 = qd.types.matrix(4, 2, qd.f32)

    @qd.kernel
    def k(a: qd.types.NDArray[mat, 1], w: qd.types.NDArray[mat, 1], v: qd.types.NDArray[m42, 1]):
        for i in a:
            values, vectors = qd.eig(a[i])
            w[i], v[i] = values, vectors

    a, w, v = qd.ndarray(mat, (5,)), qd.ndarray(mat, (5,)), qd.ndarray(m42, (5,))
    a.from_numpy(mats)
    k(a, w, v)
    W, V = w.to_numpy(), v.to_numpy()
    lam = W[:, :, 0] + 1j * W[:, :, 1]
    vecs = V[:, 0::2, :] + 1j * V[:, 1::2, :]  # (batch, component, which)
    ok = [
        _close(np.sort_complex(lam[b]), np.sort_complex(np.linalg.eigvals(mats[b].astype(np.float64))), qd.f32, 4)
        and all(_close(np.abs(mats[b] @ vecs[b][:, e] - lam[b][e] * vecs[b][:, e]), 0, qd.f32, 4) for e in range(2))
        for b in range(5)
    ]
    return {"w": W, "v": V, "real": ok[0] and ok[1] and ok[4], "complex": ok[2] and ok[3]}


@case(section="linalg", golden={"x2": True, "x3": True})
def solve_2x2_and_3x3_match_numpy():
    a2 = _batch(2, 6, seed=41)[:6].astype(np.float32) + 3 * np.eye(2, dtype=np.float32)
    a3 = _batch(3, 6, seed=42)[:6].astype(np.float32) + 3 * np.eye(3, dtype=np.float32)
    b2 = np.arange(12, dtype=np.float32).reshape(6, 2) - 5
    b3 = np.arange(18, dtype=np.float32).reshape(6, 3) - 7
    m2, m3 = qd.types.matrix(2, 2, qd.f32), qd.types.matrix(3, 3, qd.f32)
    v2, v3 = qd.types.vector(2, qd.f32), qd.types.vector(3, qd.f32)

    @qd.kernel
    def k(
        a2: qd.types.NDArray[m2, 1],
        b2: qd.types.NDArray[v2, 1],
        x2: qd.types.NDArray[v2, 1],
        a3: qd.types.NDArray[m3, 1],
        b3: qd.types.NDArray[v3, 1],
        x3: qd.types.NDArray[v3, 1],
    ):
        for i in a2:
            x2[i] = qd.solve(a2[i], b2[i])
            x3[i] = qd.solve(a3[i], b3[i])

    arrays = [qd.ndarray(t, (6,)) for t in (m2, v2, v2, m3, v3, v3)]
    for arr, data in zip(arrays[::3] + arrays[1::3], [a2, a3, b2, b3]):
        arr.from_numpy(data)
    k(*arrays)
    x2, x3 = arrays[2].to_numpy(), arrays[5].to_numpy()
    return {
        "out2": x2,
        "out3": x3,
        "x2": all(_close(x2[i], np.linalg.solve(a2[i].astype(np.float64), b2[i]), qd.f32, 10) for i in range(6)),
        "x3": all(_close(x3[i], np.linalg.solve(a3[i].astype(np.float64), b3[i]), qd.f32, 10) for i in range(6)),
    }


# ---------------------------------------------------------------------------------------------------- errors


@case(section="linalg", raises=(qd.QuadrantsCompilationError, "SVD only supports 2×2 and 3×3 matrices."))
def svd_of_4x4_is_a_compile_error():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.f32, 1]):
        _U, S, _V = qd.svd(qd.Matrix([[1.0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]))
        x[0] = S[0, 0]

    k(qd.ndarray(qd.f32, (1,)))


@case(section="linalg", raises=(qd.QuadrantsCompilationError, "supports sizes up to 6×6"))
def sym_eig_of_7x7_is_a_compile_error():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.f32, 1]):
        w, _v = qd.sym_eig(qd.Matrix.identity(qd.f32, 7))
        x[0] = w[0]

    k(qd.ndarray(qd.f32, (1,)))


@case(section="linalg", raises=(qd.QuadrantsSyntaxError, "can only be called from a @qd.kernel"))
def svd_in_python_scope_is_an_error():
    qd.svd(qd.Matrix([[1.0, 2.0], [3.0, 4.0]]))
