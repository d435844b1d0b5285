"""Matrix-free conjugate gradients for the 2-D Poisson equation, written by hand.

``-Laplace(u) = f`` on the unit square with ``u = 0`` on the boundary, five-point stencil, no matrix stored: the
operator is a kernel. The vectors of the iteration live on one dense SNode (``qd.root.dense(qd.ij, ...).place(...)``)
with a halo of zeros around the interior. Dot products are kernels returning local reductions; the scalars alpha and
beta stay on the host and are passed as kernel arguments, as the classic example does. Each step runs a fixed number
of iterations and records the residual norm.
"""

import numpy as np

import quadrants as qd

SIZES = {"test": {"n": 32, "iters_per_step": 8}, "bench": {"n": 128, "iters_per_step": 20}}
TEST_STEPS = 2


@qd.data_oriented
class CGPoisson:
    """An ``n`` x ``n`` interior grid (``n + 2`` with the boundary)."""

    def __init__(self, n: int, iters_per_step: int):
        self.n = n
        self.iters_per_step = iters_per_step
        self.x = qd.field(qd.f32)
        self.b = qd.field(qd.f32)
        self.r = qd.field(qd.f32)
        self.p = qd.field(qd.f32)
        self.Ap = qd.field(qd.f32)
        qd.root.dense(qd.ij, (n + 2, n + 2)).place(self.x, self.b, self.r, self.p, self.Ap)
        self.history = []
        self.init()
        self.rr = self.dot(self.r, self.r)

    @qd.kernel
    def init(self):
        h = 1.0 / (self.n + 1)
        for i, j in qd.ndrange((1, self.n + 1), (1, self.n + 1)):
            # two opposite point-like sources
            p = qd.Vector([i, j]) * h
            d1 = (p - qd.Vector([0.3, 0.3])).norm_sqr()
            d2 = (p - qd.Vector([0.7, 0.6])).norm_sqr()
            f = 0.0
            if d1 < 0.01:
                f += 1.0
            if d2 < 0.02:
                f -= 0.5
            self.b[i, j] = f * h * h
            self.x[i, j] = 0.0
            self.r[i, j] = self.b[i, j]
            self.p[i, j] = self.b[i, j]

    @qd.kernel
    def apply_operator(self):
        for i, j in qd.ndrange((1, self.n + 1), (1, self.n + 1)):
            self.Ap[i, j] = (
                4.0 * self.p[i, j] - self.p[i - 1, j] - self.p[i + 1, j] - self.p[i, j - 1] - self.p[i, j + 1]
            )

    @qd.kernel
    def dot(self, a: qd.template(), b: qd.template()) -> qd.f32:
        total = 0.0
        for i, j in qd.ndrange((1, self.n + 1), (1, self.n + 1)):
            total += a[i, j] * b[i, j]
        return total

    @qd.kernel
    def update_solution(self, alpha: qd.f32):
        for i, j in qd.ndrange((1, self.n + 1), (1, self.n + 1)):
            self.x[i, j] += alpha * self.p[i, j]
            self.r[i, j] -= alpha * self.Ap[i, j]

    @qd.kernel
    def update_direction(self, beta: qd.f32):
        for i, j in qd.ndrange((1, self.n + 1), (1, self.n + 1)):
            self.p[i, j] = self.r[i, j] + beta * self.p[i, j]

    def step(self):
        for _ in range(self.iters_per_step):
            self.apply_operator()
            alpha = self.rr / self.dot(self.p, self.Ap)
            self.update_solution(alpha)
            new_rr = self.dot(self.r, self.r)
            self.update_direction(new_rr / self.rr)
            self.rr = new_rr
        self.history.append(float(np.sqrt(self.rr)))

    def observe(self) -> dict:
        x = self.x.to_numpy()
        return {
            "x": x,
            "residual_history": np.array(self.history, dtype=np.float32),
            "solution_sum": np.float32(np.sum(x, dtype=np.float64)),
        }


def make(size: str = "test") -> CGPoisson:
    """A fresh Poisson solve of the given size (``"test"`` or ``"bench"``)."""
    return CGPoisson(**SIZES[size])
