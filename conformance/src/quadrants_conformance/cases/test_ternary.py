"""``a if c else b`` with a run-time condition whose branches are tuples or vectors (docs/semantics.md §4.3): one local
per component, only the selected branch evaluated (``x[(j, i) if i > j else (i, j)]``), and ``bool`` kernel
parameters (a ``u1`` scalar). Upstream evaluates both branches of a vector ternary; here only the selected
one runs, as for scalars, so the cases have no side effects in branches. Golden values are upstream 1.3.3's on
``qd.cpu``."""

import quadrants as qd
from quadrants_conformance import case

I32_2 = qd.types.NDArray[qd.i32, 2]


@case(section="4.3", golden={"x": [[1, 2, 2], [0, 1, 2], [12, 0, 1]]})
def ternary_of_index_tuples():
    @qd.kernel
    def k(x: I32_2):
        for a, b in qd.ndrange(3, 3):
            x[(b, a) if a > b else (a, b)] += 1
        t = (1, 2) if x[0, 0] > 0 else (2, 1)
        x[2, 0] = t[0] * 10 + t[1]

    x = qd.ndarray(qd.i32, (3, 3))
    k(x)
    return {"x": x.to_numpy()}


@case(section="4.3", golden={"v": [[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]], "u": [3, 0]})
def ternary_of_vectors_and_mixed_tuples():
    @qd.kernel
    def k(v: qd.types.NDArray[qd.types.vector(3, qd.f32), 1], c: qd.types.NDArray[qd.i32, 1]):
        for i in range(2):
            v[i] = qd.Vector([1.0, 2.0, 3.0]) if i == 0 else qd.Vector([0.5, 0.5, 0.5])
        u = (1, 2.5) if v[0][0] > 5.0 else (3, 0)
        c[0] = u[0]
        c[1] = qd.cast(u[1], qd.i32)

    v = qd.Vector.ndarray(3, qd.f32, (2,))
    c = qd.ndarray(qd.i32, (2,))
    k(v, c)
    return {"v": v.to_numpy(), "u": c.to_numpy()}


@case(section="8", golden={"x": [1, 5, 3, 0], "y": [0, 5, 2, 0]})
def bool_parameter_is_a_u1_scalar():
    @qd.kernel
    def k(b: bool, x: qd.types.NDArray[qd.i32, 1]):
        x[0] = b
        if b:
            x[1] = 5
        x[2] = b + 2

    x = qd.ndarray(qd.i32, (4,))
    k(True, x)
    first = x.to_numpy()
    k(False, x)
    return {"x": first, "y": x.to_numpy()}
