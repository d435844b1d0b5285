"""qd.linalg sparse matrices, solvers and the matrix-free solvers (quadrants/linalg, docs/linalg.md).

Printed forms are upstream 1.3.3's (Eigen's dense print, 4 significant digits, aligned columns). No ``from __future__
import annotations``: kernels here are annotated with local variables.
"""

import numpy as np
import pytest

import quadrants as qd
from quadrants.linalg import (
    LinearOperator,
    MatrixFreeBICGSTAB,
    MatrixFreeCG,
    SparseCG,
    SparseMatrix,
    SparseMatrixBuilder,
    SparseSolver,
)

pytest.importorskip("scipy", reason="qd.linalg sparse matrices need the optional dependency scipy")


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch="ref")
    yield
    qd.reset()


def _tridiagonal(n=4, max_triplets=100):
    builder = SparseMatrixBuilder(n, n, max_num_triplets=max_triplets)

    @qd.kernel
    def fill(A: qd.types.sparse_matrix_builder()):
        for i in range(n):
            A[i, i] += 3.0
            if i > 0:
                A[i, i - 1] -= 1.0
                A[i - 1, i] -= 1.0

    fill(builder)
    return builder


def test_print_matches_upstream():
    A = _tridiagonal().build()
    assert str(A) == "[ 3, -1,  0,  0]\n[-1,  3, -1,  0]\n[ 0, -1,  3, -1]\n[ 0,  0, -1,  3]"
    M = SparseMatrix(n=2, m=3, dtype=qd.f32)
    M[0, 0] = 1 / 3
    M[1, 1] = -12345.678
    M[1, 2] = 100000
    M[0, 2] = 1234567
    assert repr(M) == "[    0.3333,          0,  1.235e+06]\n[         0, -1.235e+04,      1e+05]"


def test_builder_is_emptied_by_build_and_prints_triplets(capsys):
    builder = _tridiagonal(3)
    builder.print_triplets()
    first = capsys.readouterr().out.splitlines()
    assert first[0] == "n=3, m=3, num_triplets=7 (max=100)"
    assert sorted(first[1:]) == sorted(
        ["[0, 0] = 3", "[1, 1] = 3", "[2, 2] = 3", "[1, 0] = -1", "[0, 1] = -1", "[2, 1] = -1", "[1, 2] = -1"]
    )
    builder.build()
    builder.print_triplets()
    assert capsys.readouterr().out == "n=3, m=3, num_triplets=0 (max=100)\n"
    assert not builder.build().to_numpy().any()


def test_builder_overflow_raises_at_build():
    with pytest.raises(qd.QuadrantsRuntimeError, match="max_num_triplets=3"):
        _tridiagonal(4, max_triplets=3).build()


def test_products_with_numpy_field_and_ndarray():
    A = _tridiagonal().build()
    v = np.array([1, 2, 3, 4], np.float32)
    assert (A @ v).tolist() == [1, 2, 3, 9]
    f = qd.field(qd.f32, shape=4)
    f.from_numpy(v)
    assert isinstance(A @ f, np.ndarray) and (A @ f).tolist() == [1, 2, 3, 9]
    nd = qd.ndarray(qd.f32, 4)
    nd.from_numpy(v)
    out = A @ nd
    assert isinstance(out, qd.Ndarray) and out.to_numpy().tolist() == [1, 2, 3, 9]
    with pytest.raises(qd.QuadrantsRuntimeError, match="Dimension mismatch"):
        A @ np.ones(3, np.float32)
    with pytest.raises(qd.QuadrantsRuntimeError, match="does not support"):
        A @ [1, 2, 3, 4]
    with pytest.raises(TypeError):
        A * "x"


def test_arithmetic_keeps_the_dtype():
    A = SparseMatrix(3, 3, dtype=qd.f64)
    A[0, 1] = 2.5
    for result in (A + A, A - A, A * 2.0, 3 * A, A * A, A @ A, A.transpose()):
        assert isinstance(result, SparseMatrix) and result.dtype == qd.f64
    assert (A.transpose())[1, 0] == 2.5
    B = SparseMatrix(2, 2)
    with pytest.raises(AssertionError, match="Dimension mismatch"):
        A + B
    A += A
    assert A[0, 1] == 5.0


def test_build_from_ndarray_sums_duplicates():
    t = qd.Vector.ndarray(3, qd.f32, shape=4)
    t.from_numpy(np.array([[0, 1, 1.5], [2, 2, 3.0], [0, 1, 1.0], [1, 0, -2]], np.float32))
    S = SparseMatrix(n=3, m=3, dtype=qd.f32)
    S.build_from_ndarray(t)
    assert S.to_numpy().tolist() == [[0, 2.5, 0], [-2, 0, 0], [0, 0, 3]]
    bad = qd.ndarray(qd.f32, (4,))
    with pytest.raises(qd.QuadrantsRuntimeError, match="divisible by 3"):
        S.build_from_ndarray(bad)


def test_mmwrite(tmp_path):
    import scipy.io

    A = _tridiagonal().build()
    A.mmwrite(str(tmp_path / "a.mtx"))
    assert np.array_equal(scipy.io.mmread(str(tmp_path / "a.mtx")).toarray(), A.to_numpy())


def test_sparse_solver_types_and_errors():
    A = _tridiagonal().build()
    b = np.array([1, 2, 3, 4], np.float32)
    expected = np.linalg.solve(A.to_numpy().astype(np.float64), b)
    for solver_type, ordering in (("LLT", "AMD"), ("LDLT", "COLAMD"), ("LU", "AMD")):
        solver = SparseSolver(solver_type=solver_type, ordering=ordering)
        solver.compute(A)
        x = solver.solve(b)
        assert x.dtype == np.float32 and solver.info()
        np.testing.assert_allclose(x, expected, rtol=1e-6)
    with pytest.raises(qd.QuadrantsRuntimeError, match="The solver type QR with AMD is not supported"):
        SparseSolver(solver_type="QR")
    with pytest.raises(qd.QuadrantsRuntimeError, match="not consistent"):
        SparseSolver(dtype=qd.f64).analyze_pattern(A)
    with pytest.raises(qd.QuadrantsRuntimeError, match="is not supported in linear solvers"):
        SparseSolver().compute(np.eye(3))


def test_singular_matrix_reports_failure():
    S = SparseMatrix(2, 2)
    S[0, 0] = 1.0
    solver = SparseSolver(solver_type="LU")
    solver.compute(S)
    assert not solver.info()
    assert np.isnan(solver.solve(np.ones(2, np.float32))).all()


def test_sparse_cg_relative_tolerance_and_iterations():
    A = _tridiagonal(8).build()
    b = np.linspace(1, 2, 8).astype(np.float32)
    x, ok = SparseCG(A, b, max_iter=50, atol=1e-6).solve()
    assert ok and x.dtype == np.float32
    np.testing.assert_allclose(A.to_numpy() @ x, b, rtol=1e-5)
    _, ok = SparseCG(A, b, max_iter=1, atol=1e-12).solve()
    assert not ok


def _laplace_operator(n, kind):
    annotation = qd.template() if kind == "field" else qd.types.NDArray[qd.f32, 1]

    @qd.kernel
    def matvec(v: annotation, mv: annotation):
        for i in range(n):
            acc = 2.5 * v[i]
            if i > 0:
                acc -= v[i - 1]
            if i < n - 1:
                acc -= v[i + 1]
            mv[i] = acc

    return LinearOperator(matvec)


@pytest.mark.parametrize("kind", ["field", "ndarray"])
@pytest.mark.parametrize("solver", [MatrixFreeCG, MatrixFreeBICGSTAB])
def test_matrix_free_solvers(kind, solver):
    n = 16
    make = (lambda: qd.field(qd.f32, shape=n)) if kind == "field" else (lambda: qd.ndarray(qd.f32, (n,)))
    b, x = make(), make()
    rhs = np.linspace(-1, 1, n).astype(np.float32)
    b.from_numpy(rhs)
    assert solver(_laplace_operator(n, kind), b, x, tol=1e-6, maxiter=100)
    dense = 2.5 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)
    np.testing.assert_allclose(x.to_numpy(), np.linalg.solve(dense, rhs), atol=1e-5)


def test_matrix_free_cg_log_and_failure(capsys):
    n = 16
    b, x = qd.field(qd.f32, shape=n), qd.field(qd.f32, shape=n)
    b.fill(1.0)
    assert not MatrixFreeCG(_laplace_operator(n, "field"), b, x, tol=1e-12, maxiter=2, quiet=False)
    out = capsys.readouterr().out
    assert ">>> Initial residual = 1.600000e+01" in out
    assert ">>> Iter =    1, Residual =" in out
    assert "failed to converge in 2 iterations" in out


def test_matrix_free_argument_checks():
    op = _laplace_operator(4, "field")
    b = qd.field(qd.f32, shape=4)
    with pytest.raises(qd.QuadrantsTypeError, match="Dtype mismatch"):
        MatrixFreeCG(op, b, qd.field(qd.f64, shape=4))
    with pytest.raises(qd.QuadrantsRuntimeError, match="Dimension mismatch"):
        MatrixFreeCG(op, b, qd.field(qd.f32, shape=5))
    with pytest.raises(qd.QuadrantsTypeError, match="Not supported dtype"):
        MatrixFreeCG(op, qd.field(qd.i32, shape=4), qd.field(qd.i32, shape=4))
    with pytest.raises(qd.QuadrantsTypeError, match="both be fields or both be ndarrays"):
        MatrixFreeCG(op, b, qd.ndarray(qd.f32, (4,)))
    with pytest.raises(qd.QuadrantsRuntimeError, match=r"x.shape\(4,\) != Ax.shape\(5,\)"):
        op.matvec(b, qd.field(qd.f32, shape=5))
