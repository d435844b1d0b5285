"""docs/linalg.md: ``qd.linalg`` sparse matrices built in kernels, the sparse solvers (SciPy on the host) and the
matrix-free Krylov solvers (kernels on the backend under test)."""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

N = 6


def _laplacian(n: int) -> np.ndarray:
    return 3 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)


def _dense(A) -> list:
    """The entries of sparse matrix ``A`` read one by one (``A[i, j]``, upstream's reader)."""
    n, m = A.shape
    return [[float(A[i, j]) for j in range(m)] for i in range(n)]


def _fill_kernel():
    @qd.kernel
    def fill(A: qd.types.sparse_matrix_builder(), scale: qd.f32):
        for i in range(N):
            A[i, i] += 2.0 * scale  # duplicates are summed: 3 on the diagonal
            A[i, i] += scale
            if i > 0:
                A[i, i - 1] -= scale
                A[i - 1, i] -= scale

    return fill


@case(section="linalg", golden={"dense": _laplacian(N).tolist(), "product": (_laplacian(N) @ np.arange(N)).tolist()})
def sparse_matrix_builder_collects_triplets_in_kernels():
    builder = qd.linalg.SparseMatrixBuilder(N, N, max_num_triplets=64)
    _fill_kernel()(builder, 1.0)
    A = builder.build()
    return {
        "dense": _dense(A),
        "product": (A @ np.arange(N, dtype=np.float32)).tolist(),
        "shape": A.shape,
        "text": str(A),
    }


@case(
    section="linalg",
    golden={"sum": (2 * _laplacian(N)).tolist(), "product": (_laplacian(N) @ _laplacian(N)).tolist(), "entry": 3.0},
)
def sparse_matrix_arithmetic():
    builder = qd.linalg.SparseMatrixBuilder(N, N, max_num_triplets=64)
    _fill_kernel()(builder, 1.0)
    A = builder.build()
    return {
        "sum": _dense(A + A),
        "product": _dense(A @ A),
        "entry": A[2, 2],
        "difference": _dense(A - A),
        "scaled": _dense(0.5 * A),
        "transposed": _dense(A.transpose()),
    }


@case(section="linalg", golden={"llt": True, "lu": True, "ndarray": True, "cg": True})
def sparse_solvers_match_numpy():
    builder = qd.linalg.SparseMatrixBuilder(N, N, max_num_triplets=64, dtype=qd.f32)
    _fill_kernel()(builder, 1.0)
    A = builder.build()
    b = np.linspace(1.0, 2.0, N).astype(np.float32)
    expected = np.linalg.solve(_laplacian(N), b)
    llt = qd.linalg.SparseSolver(solver_type="LLT")
    llt.compute(A)
    lu = qd.linalg.SparseSolver(solver_type="LU", ordering="COLAMD")
    lu.analyze_pattern(A)
    lu.factorize(A)
    b_nd = qd.ndarray(qd.f32, (N,))
    b_nd.from_numpy(b)
    x_cg, converged = qd.linalg.SparseCG(A, b, max_iter=100, atol=1e-7).solve()
    return {
        "llt": bool(np.allclose(llt.solve(b), expected, rtol=1e-5, atol=1e-6)) and llt.info(),
        "lu": bool(np.allclose(lu.solve(b), expected, rtol=1e-5, atol=1e-6)) and lu.info(),
        "ndarray": bool(np.allclose(llt.solve(b_nd).to_numpy(), expected, rtol=1e-5, atol=1e-6)),
        "cg": bool(converged) and bool(np.allclose(x_cg, expected, rtol=1e-4, atol=1e-5)),
    }


def _matrix_free(kind: str, solver):
    n = 8
    rng = np.random.default_rng(5)
    rhs = rng.uniform(0.0, 1.0, (n, n)).astype(np.float32)
    Annot = qd.template() if kind == "field" else qd.types.NDArray[qd.f32, 2]

    @qd.kernel
    def matvec(v: Annot, mv: Annot):
        for i, j in qd.ndrange(n, n):
            acc = 5.0 * v[i, j]
            if i > 0:
                acc -= v[i - 1, j]
            if i < n - 1:
                acc -= v[i + 1, j]
            if j > 0:
                acc -= v[i, j - 1]
            if j < n - 1:
                acc -= v[i, j + 1]
            mv[i, j] = acc

    def make():
        return qd.field(qd.f32, shape=(n, n)) if kind == "field" else qd.ndarray(qd.f32, (n, n))

    b, x = make(), make()
    b.from_numpy(rhs)
    op = qd.linalg.LinearOperator(matvec)
    converged = solver(op, b, x, tol=1e-5, maxiter=200, quiet=True)
    check = make()
    op.matvec(x, check)
    return {
        "x": x.to_numpy(),
        "converged": converged,
        "residual_small": bool(np.abs(check.to_numpy() - rhs).max() < 1e-4),
    }


_SOLVED = {"converged": True, "residual_small": True}


@case(section="linalg", tol="reduction", golden=_SOLVED)
def matrix_free_cg_on_fields():
    return _matrix_free("field", qd.linalg.MatrixFreeCG)


@case(section="linalg", tol="reduction", golden=_SOLVED)
def matrix_free_cg_on_ndarrays():
    return _matrix_free("ndarray", qd.linalg.MatrixFreeCG)


@case(section="linalg", tol="reduction", golden=_SOLVED)
def matrix_free_bicgstab_on_fields():
    return _matrix_free("field", qd.linalg.MatrixFreeBICGSTAB)


# ---------------------------------------------------------------------------------------------------- errors


@case(section="linalg", raises=(qd.QuadrantsRuntimeError, "max_num_triplets=4"))
def sparse_builder_overflow_is_reported_at_build():
    builder = qd.linalg.SparseMatrixBuilder(N, N, max_num_triplets=4)
    _fill_kernel()(builder, 1.0)
    builder.build()


@case(section="linalg", raises=(qd.QuadrantsCompilationError, "Only operations '+=' and '-=' are supported"))
def sparse_builder_rejects_other_updates():
    @qd.kernel
    def bad(A: qd.types.sparse_matrix_builder()):
        A[0, 0] *= 2.0

    bad(qd.linalg.SparseMatrixBuilder(N, N, max_num_triplets=4))


@case(section="linalg", raises=(qd.QuadrantsRuntimeError, "Please call compute() before calling solve()"))
def sparse_solver_needs_a_factorisation():
    qd.linalg.SparseSolver().solve(np.ones(3, np.float32))
