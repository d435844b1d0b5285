"""docs/semantics.md §4.4 and §10: a float sum in a serial loop adds its terms one after the other, in loop order.

With the default ``fast_math=False`` nothing may reassociate such a sum, also where a backend vectorises the loop
(llvm-cpu computes the terms in vector registers and adds them in order; a guarded ``if c: acc += x`` is rewritten to
``acc += (x if c else -0.0)``, which is exact). The inputs span many orders of magnitude, so a sum in any other order
gives other bits: every backend must match the reference exactly.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]
F32_2 = qd.types.NDArray[qd.f32, 2]

N = 97  # bodies: not a multiple of any vector width, so vector loops also run their remainder


def _positions(n: int = N) -> np.ndarray:
    rng = np.random.default_rng(23)
    return (rng.standard_normal((n, 2)) * 10.0 ** rng.integers(-3, 4, (n, 1))).astype(np.float32)


def _masses(n: int = N) -> np.ndarray:
    rng = np.random.default_rng(24)
    return (rng.random(n) * 10.0 ** rng.integers(-4, 5, n)).astype(np.float32)


@case(section="4.4")
def guarded_force_sum_over_fields_is_in_loop_order():
    pos = qd.Vector.field(2, qd.f32, shape=N)
    mass = qd.field(qd.f32, shape=N)
    force = qd.Vector.field(2, qd.f32, shape=N)

    @qd.kernel
    def forces():
        for i in range(N):
            p = pos[i]
            acc = qd.Vector([0.0, 0.0])
            for j in range(N):
                if i != j:
                    d = pos[j] - p
                    r2 = d.dot(d) + 1.0e-4
                    acc += mass[j] * d / (r2 * qd.sqrt(r2))
            force[i] = acc

    pos.from_numpy(_positions())
    mass.from_numpy(_masses())
    forces()
    return {"force": force.to_numpy()}


@case(section="4.4")
def guarded_sum_over_ndarrays_is_in_loop_order():
    @qd.kernel
    def sums(x: F32_2, out: F32_1):
        for i in range(x.shape[0]):
            s = 0.0
            for j in range(x.shape[0]):
                if x[j, 0] > x[i, 0]:
                    s += x[j, 1] * x[j, 0]
            out[i] = s

    x = _positions()
    out = np.zeros(N, np.float32)
    sums(x, out)
    return {"out": out}


@case(section="4.4", golden={"negative_zero": [True, True, False]})
def guarded_sum_that_adds_nothing_keeps_its_sign():
    @qd.kernel
    def sums(x: F32_1, out: F32_1):
        for i in range(out.shape[0]):
            s = -0.0
            for j in range(x.shape[0]):
                if x[j] > 5.0 - 2.5 * i:  # nothing is added for i = 0 and 1; 0.5 + 1.0 + 0.25 for i = 2
                    s += x[j]
            out[i] = s

    x = np.array([0.5, 1.0, -3.0, 0.25], np.float32)
    out = np.ones(3, np.float32)
    sums(x, out)
    return {"negative_zero": np.signbit(out).tolist()}
