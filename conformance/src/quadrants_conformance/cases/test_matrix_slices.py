"""Slices of local vectors and matrices in kernels (docs/vectors-and-matrices.md): ``v[1:]``, ``m[i, :]``,
``m[:, j]``, ``m[0:2, 1:3]``, with a run-time row or column index beside the slice, and stores through slices
(``m[i, :] = v``), and a matrix indexed by the index vector of ``qd.grouped`` (``m[I]``). Golden values are upstream
1.3.3's on ``qd.cpu``."""

import quadrants as qd
from quadrants_conformance import case

V3 = qd.types.NDArray[qd.types.vector(3, qd.f32), 1]
M22 = qd.types.NDArray[qd.types.matrix(2, 2, qd.f32), 1]


@case(section="13", golden={"rows": [[4.0, 5.0, 6.0], [3.0, 6.0, 9.0], [2.0, 3.0, 4.0], [1.0, 3.0, 0.0]]})
def static_slices_of_vectors_and_matrices():
    @qd.kernel
    def k(out: V3):
        m = qd.Matrix([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
        v = qd.Vector([1.0, 2.0, 3.0, 4.0])
        out[0] = m[1, :]
        out[1] = m[:, 2]
        out[2] = v[1:]
        w = v[::2]
        out[3] = qd.Vector([w[0], w[1], 0.0])

    out = qd.Vector.ndarray(3, qd.f32, (4,))
    k(out)
    return {"rows": out.to_numpy()}


@case(section="13", golden={"rows": [[7.0, 8.0, 9.0], [1.0, 4.0, 7.0]], "sub": [[[2.0, 3.0], [5.0, 6.0]]]})
def slices_beside_a_run_time_index():
    @qd.kernel
    def k(n: qd.i32, out: V3, sub: M22):
        m = qd.Matrix([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
        out[0] = m[n, :]
        out[1] = m[:, n - 2]
        sub[0] = m[0:2, 1:3]

    out = qd.Vector.ndarray(3, qd.f32, (2,))
    sub = qd.Matrix.ndarray(2, 2, qd.f32, (1,))
    k(2, out, sub)
    return {"rows": out.to_numpy(), "sub": sub.to_numpy()}


@case(section="13", golden={"m": [[[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [7.0, 0.0, 7.0]]]})
def stores_through_slices():
    @qd.kernel
    def k(n: qd.i32, out: qd.types.NDArray[qd.types.matrix(3, 3, qd.f32), 1]):
        m = qd.Matrix.zero(qd.f32, 3, 3)
        m[n, :] = qd.Vector([1.0, 2.0, 3.0])
        m[2, ::2] = qd.Vector([7.0, 7.0])
        out[0] = m

    out = qd.Matrix.ndarray(3, 3, qd.f32, (1,))
    k(1, out)
    return {"m": out.to_numpy()}


@case(section="13", golden={"v": [1.0, 5.0, 5.0, 4.0]})
def vector_slice_store_of_a_vector():
    @qd.kernel
    def k(out: qd.types.NDArray[qd.types.vector(4, qd.f32), 1]):
        v = qd.Vector([1.0, 2.0, 3.0, 4.0])
        v[1:3] = qd.Vector([5.0, 5.0])
        out[0] = v

    out = qd.Vector.ndarray(4, qd.f32, (1,))
    k(out)
    return {"v": out.to_numpy()[0]}


@case(section="13", raises=(qd.QuadrantsCompilationError, "does not support variables in slice"))
def slice_bound_must_be_compile_time_error():
    @qd.kernel
    def k(n: qd.i32, out: V3):
        v = qd.Vector([1.0, 2.0, 3.0, 4.0])
        out[0] = v[n:]

    k(1, qd.Vector.ndarray(3, qd.f32, (1,)))


@case(section="13", golden={"m": [[5.0, 15.0, 25.0], [6.0, 16.0, 26.0]], "v": [[1, 21, 41], [103, 123, 143]]})
def matrix_indexed_by_a_grouped_index():
    # m[idx] with the index vector idx of qd.grouped (unrolled by qd.static or a run-time loop), read and written
    x = qd.Matrix.field(2, 3, dtype=qd.f32, shape=(4, 2))
    v = qd.Vector.field(3, dtype=qd.i32, shape=(2,))

    @qd.kernel
    def k():
        for i, j in qd.ndrange(4, 2):
            for idx in qd.static(qd.grouped(qd.ndrange(2, 3))):
                x[i, j][idx] = idx[0] + idx[1] * 10 + i + j * 4
        for i in range(2):
            for idx in qd.grouped(qd.ndrange(2, 3)):
                m = x[i, 0]
                v[i][idx[1]] += qd.cast(m[idx], qd.i32)
        for K in qd.static(qd.grouped(qd.ndrange(3))):
            v[1][K] += 100

    k()
    return {"m": x.to_numpy()[1, 1], "v": v.to_numpy()}
