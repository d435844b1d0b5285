"""qd.svd / polar_decompose / eig / sym_eig / make_spd / solve in kernels (lang/linalg_*.py, docs/linalg.md).

The conformance module ``test_linalg`` checks batches against NumPy on every backend; these tests pin upstream's
conventions on ref (values printed by upstream 1.3.3 for the same inputs), dtype handling and the errors.
"""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd

M2 = qd.types.matrix(2, 2, qd.f32)


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch="ref")
    yield
    qd.reset()


def _run_2x2(fn_body):
    out = qd.ndarray(qd.types.matrix(2, 2, qd.f32), (3,))
    fn_body(out)
    return out.to_numpy()


def test_svd_2x2_matches_upstream_conventions():
    @qd.kernel
    def k(out: qd.types.NDArray[M2, 1]):
        U, S, V = qd.svd(qd.Matrix([[1.0, 2.0], [3.0, 4.0]]))
        out[0], out[1], out[2] = U, S, V

    U, S, V = _run_2x2(k)
    # upstream 1.3.3 on CPU prints these (6 decimals)
    np.testing.assert_allclose(U, [[-0.404554, -0.914514], [-0.914514, 0.404554]], atol=2e-6)
    np.testing.assert_allclose(S, [[5.464985, 0.0], [0.0, 0.365966]], atol=2e-6)
    np.testing.assert_allclose(V, [[-0.576048, 0.817415], [-0.817415, -0.576048]], atol=2e-6)


@pytest.mark.parametrize(
    "dt, off, rotates",
    [(qd.f32, 4e-6, False), (qd.f32, 2e-5, True), (qd.f64, 4e-6, True), (qd.f64, 0.0, False)],
)
def test_svd_2x2_rotates_unless_the_off_diagonal_is_negligible(dt, off, rotates):
    # upstream skips the Jacobi rotation of the symmetric factor when |P01| < 1e-5; so does f32 here, while f64
    # skips only an exact 0 (lang/linalg_small.SVD2_SKIP_BELOW)
    out = qd.ndarray(qd.types.matrix(2, 2, qd.f64), (1,))

    @qd.kernel
    def k(out: qd.types.NDArray[qd.types.matrix(2, 2, qd.f64), 1], off: qd.f64):
        _U, _S, V = qd.svd(qd.Matrix([[1.0, off], [off, 1.001]], dt), dt)
        out[0] = V.cast(qd.f64)

    k(out, off)
    V = out.to_numpy()[0]
    # 1.0 < 1.001: the values are swapped, so the first column of V is (close to) the second axis
    if rotates:
        assert 0.0 < abs(V[0, 0]) < 0.1 and abs(V[1, 0]) > 0.99
    else:
        assert V[0, 0] == 0.0 and abs(V[1, 0]) == 1.0


def test_polar_2x2_with_negative_determinant_is_a_reflection_times_spd():
    @qd.kernel
    def k(out: qd.types.NDArray[M2, 1]):
        R, P = qd.polar_decompose(qd.Matrix([[1.0, 2.0], [3.0, 4.0]]))
        out[0], out[1] = R, P

    R, P, _ = _run_2x2(k)
    np.testing.assert_allclose(R, [[-0.514496, 0.857493], [0.857493, 0.514496]], atol=2e-6)
    np.testing.assert_allclose(P, [[2.057983, 2.400980], [2.400980, 3.772969]], atol=5e-6)
    assert np.linalg.det(R) == pytest.approx(-1.0, abs=1e-6)


def test_polar_of_zero_matrix_is_identity_and_zero():
    @qd.kernel
    def k(out: qd.types.NDArray[M2, 1]):
        R, P = qd.polar_decompose(qd.Matrix([[0.0, 0.0], [0.0, 0.0]]))
        out[0], out[1] = R, P

    R, P, _ = _run_2x2(k)
    assert R.tolist() == [[1, 0], [0, 1]] and P.tolist() == [[0, 0], [0, 0]]


def test_sym_eig_is_ascending_with_column_eigenvectors():
    @qd.kernel
    def k(w: qd.types.NDArray[qd.types.vector(2, qd.f32), 1], out: qd.types.NDArray[M2, 1]):
        values, vectors = qd.sym_eig(qd.Matrix([[2.0, 1.0], [1.0, 2.0]]))
        w[0], out[0] = values, vectors

    w = qd.ndarray(qd.types.vector(2, qd.f32), (1,))
    out = qd.ndarray(M2, (1,))
    k(w, out)
    np.testing.assert_allclose(w.to_numpy()[0], [1.0, 3.0], atol=1e-6)
    np.testing.assert_allclose(out.to_numpy()[0], [[0.707107, 0.707107], [-0.707107, 0.707107]], atol=1e-6)


def test_eig_2x2_layout_is_upstreams():
    @qd.kernel
    def k(w: qd.types.NDArray[M2, 1], v: qd.types.NDArray[qd.types.matrix(4, 2, qd.f32), 1]):
        values, vectors = qd.eig(qd.Matrix([[1.0, 2.0], [3.0, 4.0]]))
        w[0], v[0] = values, vectors

    w, v = qd.ndarray(M2, (1,)), qd.ndarray(qd.types.matrix(4, 2, qd.f32), (1,))
    k(w, v)
    np.testing.assert_allclose(w.to_numpy()[0], [[5.372281, 0.0], [-0.372281, 0.0]], atol=1e-5)
    np.testing.assert_allclose(
        v.to_numpy()[0], [[0.415974, -0.824565], [0, 0], [0.909377, 0.565767], [0, 0]], atol=1e-5
    )


def test_eig_of_defective_matrix_still_gives_an_eigenvector():
    # [[1, 1], [0, 1]]: the first column of A - lambda I vanishes (upstream returns NaN here)
    @qd.kernel
    def k(v: qd.types.NDArray[qd.types.matrix(4, 2, qd.f32), 1]):
        _values, vectors = qd.eig(qd.Matrix([[1.0, 1.0], [0.0, 1.0]]))
        v[0] = vectors

    v = qd.ndarray(qd.types.matrix(4, 2, qd.f32), (1,))
    k(v)
    got = v.to_numpy()[0]
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got[:, 0], [1, 0, 0, 0], atol=1e-7)


def test_solve_and_make_spd_values():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.types.vector(2, qd.f32), 1], out: qd.types.NDArray[M2, 1]):
        x[0] = qd.solve(qd.Matrix([[1.0, 2.0], [3.0, 4.0]]), qd.Vector([1.0, 2.0]))
        out[0] = qd.make_spd(qd.Matrix([[1.0, 2.0], [2.0, 1.0]]))

    x, out = qd.ndarray(qd.types.vector(2, qd.f32), (1,)), qd.ndarray(M2, (1,))
    k(x, out)
    np.testing.assert_allclose(x.to_numpy()[0], [0.0, 0.5], atol=1e-6)
    np.testing.assert_allclose(out.to_numpy()[0], [[1.5, 1.5], [1.5, 1.5]], atol=1e-6)


def test_dt_selects_the_computation_type():
    @qd.kernel
    def k(out: qd.types.NDArray[qd.types.matrix(3, 3, qd.f64), 1]):
        U, S, V = qd.svd(qd.Matrix([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]]), qd.f64)
        out[0] = U @ S @ V.transpose()

    out = qd.ndarray(qd.types.matrix(3, 3, qd.f64), (1,))
    k(out)
    np.testing.assert_allclose(out.to_numpy()[0], [[1, 2, 3], [4, 5, 6], [7, 8, 10]], atol=1e-12)


def test_sym_eig_at_kernel_top_level_runs_its_sweeps_serially():
    @qd.kernel
    def k(w: qd.types.NDArray[qd.types.vector(3, qd.f32), 1]):
        values, _vectors = qd.sym_eig(qd.Matrix([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]]))
        w[0] = values

    w = qd.ndarray(qd.types.vector(3, qd.f32), (1,))
    k(w)
    np.testing.assert_allclose(w.to_numpy()[0], np.linalg.eigvalsh([[4, 1, 0], [1, 3, 1], [0, 1, 2]]), atol=1e-5)


@pytest.mark.parametrize(
    ("expr", "error", "fragment"),
    [
        ("qd.svd(qd.Matrix([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))", qd.QuadrantsCompilationError, "SVD only supports"),
        ("qd.polar_decompose(qd.Matrix.identity(qd.f32, 4))", qd.QuadrantsCompilationError, "Polar decomposition only"),
        ("qd.eig(qd.Matrix.identity(qd.f32, 3))", qd.QuadrantsCompilationError, "Eigen solver only supports 2×2"),
        (
            "qd.solve(qd.Matrix.identity(qd.f32, 2), qd.Vector([1.0, 2.0, 3.0]))",
            qd.QuadrantsCompilationError,
            "dismatch",
        ),
        ("qd.svd(1.0)", qd.QuadrantsTypeError, "takes a square qd.Matrix"),
        ("qd.svd(qd.Matrix.identity(qd.f32, 2), qd.i32)", qd.QuadrantsTypeError, "computes in qd.f32 or qd.f64"),
    ],
)
def test_unsupported_arguments_are_compile_errors(tmp_path, expr, error, fragment):
    source = tmp_path / "kernel_mod.py"
    source.write_text("import quadrants as qd\n\n\n@qd.kernel\ndef k():\n    r = " + expr + "\n")
    import importlib.util

    spec = importlib.util.spec_from_file_location("kernel_mod", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(error, match=fragment) as info:
        module.k()
    assert info.value.loc is not None and info.value.loc.line == 6


def test_python_scope_call_points_at_the_caller():
    with pytest.raises(qd.QuadrantsSyntaxError, match="can only be called") as info:
        qd.sym_eig(qd.Matrix([[1.0, 0.0], [0.0, 1.0]]))
    assert info.value.loc.file == __file__
