"""docs/types.md: ``qd.types.ndarray(boundary="clamp")``, upstream's clamped ndarray parameter.

Every index into such an argument is clamped into ``0..shape[axis] - 1`` (reads, stores and atomic updates), and a
run-time component index into one of its vector/matrix elements is clamped on the flat, row-major component index
(``m[2, 0]`` of a 2x2 element reads ``m[1, 1]``). The goldens were checked against upstream Quadrants 1.3.3 on
``qd.cpu``.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

CLAMP = qd.types.ndarray(boundary="clamp")


@case(section="8", golden={"one": [0.0, 0.0, 0.0, 1.0, 2.0, 2.0], "two": [0.0, 9.0, 7.0, 11.0]})
def clamped_ndarray_reads_clamp_every_axis():
    @qd.kernel
    def one(x: CLAMP, at: qd.types.NDArray[qd.i32, 1], out: qd.types.NDArray[qd.f32, 1]):
        for k in range(6):
            out[k] = x[at[k]]

    @qd.kernel
    def two(x: CLAMP, at: qd.types.NDArray[qd.i32, 2], out: qd.types.NDArray[qd.f32, 1]):
        for k in range(4):
            out[k] = x[at[k, 0], at[k, 1]]

    x = qd.ndarray(qd.f32, (3,))
    x.from_numpy(np.arange(3, dtype=np.float32))
    at = qd.ndarray(qd.i32, (6,))
    at.from_numpy(np.array([-1, -2, 0, 1, 3, 4], np.int32))
    out = qd.ndarray(qd.f32, (6,))
    one(x, at, out)
    x2 = qd.ndarray(qd.f32, (3, 4))
    x2.from_numpy(np.arange(12, dtype=np.float32).reshape(3, 4))
    at2 = qd.ndarray(qd.i32, (4, 2))
    at2.from_numpy(np.array([[-1, -1], [5, 1], [1, 9], [2, 3]], np.int32))
    out2 = qd.ndarray(qd.f32, (4,))
    two(x2, at2, out2)
    return {"one": out.to_numpy(), "two": out2.to_numpy()}


@case(section="8", golden={"vec": [1.0, 1.0, 2.0, 2.0], "mat": [1.0, 2.0, 3.0, 3.0, 2.0]})
def clamped_ndarray_element_components_clamp_the_flat_index():
    @qd.kernel
    def vec(x: CLAMP, at: qd.types.NDArray[qd.i32, 1], out: qd.types.NDArray[qd.f32, 1]):
        for k in range(4):
            out[k] = x[1, 2][at[k]]

    @qd.kernel
    def mat(x: CLAMP, at: qd.types.NDArray[qd.i32, 2], out: qd.types.NDArray[qd.f32, 1]):
        for k in range(5):
            out[k] = x[1, 2][at[k, 0], at[k, 1]]

    xv = qd.ndarray(qd.math.vec2, (3, 3))
    xv.from_numpy(np.stack(np.meshgrid(np.arange(3), np.arange(3), indexing="ij"), -1).astype(np.float32))
    at = qd.ndarray(qd.i32, (4,))
    at.from_numpy(np.array([-1, 0, 1, 2], np.int32))
    out = qd.ndarray(qd.f32, (4,))
    vec(xv, at, out)
    xm = qd.ndarray(qd.math.mat2, (3, 3))
    m = np.zeros((3, 3, 2, 2), np.float32)
    for i in range(3):
        for j in range(3):
            m[i, j] = [[i, j], [i + 1, j + 1]]
    xm.from_numpy(m)
    at2 = qd.ndarray(qd.i32, (5, 2))
    at2.from_numpy(np.array([[-1, 0], [1, -1], [2, 0], [1, 2], [0, 1]], np.int32))
    out2 = qd.ndarray(qd.f32, (5,))
    mat(xm, at2, out2)
    return {"vec": out.to_numpy(), "mat": out2.to_numpy()}


@case(section="8", golden={"x": [10.0, 1.0, 10.0]})
def clamped_ndarray_stores_and_atomics_clamp():
    @qd.kernel
    def k(x: CLAMP, y: qd.i32, v: qd.f32):
        x[y] = v
        x[y - 10] += v

    x = qd.ndarray(qd.f32, (3,))
    x.from_numpy(np.arange(3, dtype=np.float32))
    k(x, 7, 10.0)
    return {"x": x.to_numpy()}


@case(section="8", raises=(ValueError, "Invalid boundary argument"))
def unknown_ndarray_boundary_is_a_value_error():
    qd.types.ndarray(boundary="wrap")
