"""Idioms the example-program ports (``quadrants_conformance.programs``) rely on, each as a minimal case.

Found while porting classic upstream programs: each case is the smallest kernel that shows the idiom, with goldens
from upstream 1.3.3 (``qd.cpu``).
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_2 = qd.types.NDArray[qd.f32, 2]


@case(section="grouped", golden={"g": [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0]], "clamped": [[0, 0, 1], [0, 0, 1]]})
def grouped_index_is_a_full_vector():
    """``for idx in qd.grouped(f)``: ``idx`` is an i32 vector: swizzles, arithmetic, comparisons, ``cast``."""
    g = qd.field(qd.f32, shape=(2, 3))
    c = qd.field(qd.i32, shape=(2, 3))

    @qd.kernel
    def k():
        for idx in qd.grouped(g):
            g[idx] = idx.x + idx.y * 0.5
            far = (idx + 1 > 2).cast(qd.i32)
            c[idx] = far[1]

    k()
    return {"g": g.to_numpy(), "clamped": c.to_numpy()}


@case(section="grouped", golden={"w": [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 6.0, 9.0]]})
def static_grouped_ndrange_stencil():
    """``for offset in qd.static(qd.grouped(qd.ndrange(3, 3)))``: compile-time index vectors; ``offset[d]`` is a
    Python int that can index a Python list (the dimension-generic MPM stencil)."""
    out = qd.field(qd.f32, shape=(3, 3))

    @qd.kernel
    def k():
        weights = [1.0, 2.0, 3.0]
        for _ in range(1):
            for offset in qd.static(qd.grouped(qd.ndrange(3, 3))):
                value = 1.0
                for d in qd.static(range(2)):
                    value *= weights[offset[d]]
                out[offset] = value

    k()
    return {"w": out.to_numpy()}


@case(section="grouped", golden={"x": [[1.0, 2.0], [2.0, 3.0]]})
def grouped_ndrange_over_ndarray_with_vector_arithmetic():
    @qd.kernel
    def k(a: F32_2):
        for idx in qd.grouped(qd.ndrange(2, 2)):
            shifted = idx + qd.Vector([1, 1])
            a[idx] = shifted.sum() - 1

    a = qd.ndarray(qd.f32, shape=(2, 2))
    a.from_numpy(np.zeros((2, 2), np.float32))
    k(a)
    return {"x": a.to_numpy()}


@case(section="19.2", golden={"out": [[3.0, 7.0], [4.0, 9.0]]})
def host_matrix_member_is_a_constant():
    """A host ``qd.Matrix``/``qd.Vector`` member of a ``@qd.data_oriented`` object is a compile-time constant in
    kernels, as a captured global one is (the lattice-Boltzmann weights and directions)."""
    E = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])

    @qd.data_oriented
    class Lattice:
        def __init__(self):
            self.e = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
            self.w = qd.Vector([1.0, 2.0])
            self.out = qd.Vector.field(2, qd.f32, shape=2)

        @qd.kernel
        def k(self):
            for _ in range(1):
                u = qd.Vector([1.0, 1.0])
                self.out[0] = E @ u
                self.out[1] = self.e @ u + self.w

    lattice = Lattice()
    lattice.k()
    return {"out": lattice.out.to_numpy()}
