"""MGPCG: conjugate gradients preconditioned by a geometric multigrid V-cycle, for the 2-D Poisson equation.

The residual and correction of every level are fields on their own dense SNode (``qd.root.dense(qd.ij, n >> l)``),
kept in Python lists and selected inside kernels by a ``qd.template()`` level argument, so each kernel is compiled
once per level. The V-cycle smooths with red-black Gauss-Seidel, restricts residuals by summing the four children
(atomic adds into the coarse grid) and prolongates by injection; its smoothing order is mirrored on the way up, so
the preconditioner is symmetric and CG converges. Every PCG iteration launches dozens of small kernels: the pattern
of real solvers whose cost is launch overhead as much as arithmetic.

A solve ends, as a real solver's does, when ``r·z`` falls below ``tolerance`` times its starting value (the residual
about 1e-6 of its start); the next iteration then starts the same solve again from ``x = 0``, so a benchmark can run
any number of steps. Iterating on instead is not an option in f32: the recursively updated residual keeps shrinking
geometrically, reaches subnormals after 30-100 iterations and then exactly zero, and ``p·Ap = 0`` divides by zero
(under IEEE arithmetic, on the reference and on llvm-cpu alike; upstream flushes subnormals to zero on the CPU and
stalls near ``r·z = 1e-34`` instead).
"""

import numpy as np

import quadrants as qd

SIZES = {
    "test": {"n": 32, "levels": 3, "iters_per_step": 3},
    "bench": {"n": 256, "levels": 6, "iters_per_step": 4},
}
TEST_STEPS = 2


@qd.data_oriented
class MGPCG:
    """An ``n`` x ``n`` grid (zero Dirichlet boundary outside it), ``levels`` multigrid levels."""

    def __init__(
        self,
        n: int,
        levels: int,
        iters_per_step: int,
        smoothing: int = 2,
        bottom_smoothing: int = 20,
        tolerance: float = 1e-12,
    ):
        self.n = n
        self.levels = levels
        self.iters_per_step = iters_per_step
        self.smoothing = smoothing
        self.bottom_smoothing = bottom_smoothing
        self.tolerance = tolerance
        self.r = [qd.field(qd.f32) for _ in range(levels)]
        self.z = [qd.field(qd.f32) for _ in range(levels)]
        for level in range(levels):
            qd.root.dense(qd.ij, (n >> level, n >> level)).place(self.r[level], self.z[level])
        self.x = qd.field(qd.f32)
        self.p = qd.field(qd.f32)
        self.Ap = qd.field(qd.f32)
        qd.root.dense(qd.ij, (n, n)).place(self.x, self.p, self.Ap)
        self.history = []
        self.solves = 0
        self.start_solve()

    def start_solve(self):
        """``x = 0``, the source in ``r``, the first search direction; counts the solve."""
        self.init()
        self.precondition()
        self.copy_z_to_p()
        self.rz = self.rz_start = self.dot(self.r[0], self.z[0])
        self.solves += 1

    @qd.kernel
    def init(self):
        for i, j in self.x:
            u, v = (i + 0.5) / self.n, (j + 0.5) / self.n
            self.x[i, j] = 0.0
            # a smooth source and a sharp one
            self.r[0][i, j] = qd.sin(3.0 * u) * v + (1.0 if (u - 0.7) ** 2 + (v - 0.3) ** 2 < 0.005 else 0.0)

    @qd.func
    def neighbours(self, f: qd.template(), i, j, size):
        total = 0.0
        if i > 0:
            total += f[i - 1, j]
        if i < size - 1:
            total += f[i + 1, j]
        if j > 0:
            total += f[i, j - 1]
        if j < size - 1:
            total += f[i, j + 1]
        return total

    @qd.kernel
    def smooth(self, level: qd.template(), phase: qd.i32):
        size = self.n >> level
        for i, j in self.r[level]:
            if (i + j) & 1 == phase:
                self.z[level][i, j] = (self.r[level][i, j] + self.neighbours(self.z[level], i, j, size)) * 0.25

    @qd.kernel
    def restrict(self, level: qd.template()):
        size = self.n >> level
        for i, j in self.r[level]:
            Az = 4.0 * self.z[level][i, j] - self.neighbours(self.z[level], i, j, size)
            residual = self.r[level][i, j] - Az
            # the coarse operator of piecewise-constant prolongation is twice the unit stencil
            self.r[level + 1][i // 2, j // 2] += 0.5 * residual

    @qd.kernel
    def prolongate(self, level: qd.template()):
        for i, j in self.z[level]:
            self.z[level][i, j] += self.z[level + 1][i // 2, j // 2]

    @qd.kernel
    def clear_coarse(self, level: qd.template()):
        for i, j in self.r[level]:
            self.r[level][i, j] = 0.0
            self.z[level][i, j] = 0.0

    @qd.kernel
    def clear_correction(self):
        for i, j in self.z[0]:
            self.z[0][i, j] = 0.0

    def precondition(self):
        """``z[0] = M^-1 r[0]``: one V-cycle."""
        self.clear_correction()
        for level in range(1, self.levels):
            self.clear_coarse(level)
        for level in range(self.levels - 1):
            for _ in range(self.smoothing):
                self.smooth(level, 0)
                self.smooth(level, 1)
            self.restrict(level)
        for _ in range(self.bottom_smoothing):
            self.smooth(self.levels - 1, 0)
            self.smooth(self.levels - 1, 1)
        for level in reversed(range(self.levels - 1)):
            self.prolongate(level)
            for _ in range(self.smoothing):
                self.smooth(level, 1)
                self.smooth(level, 0)

    @qd.kernel
    def apply_operator(self):
        for i, j in self.Ap:
            self.Ap[i, j] = 4.0 * self.p[i, j] - self.neighbours(self.p, i, j, self.n)

    @qd.kernel
    def dot(self, a: qd.template(), b: qd.template()) -> qd.f32:
        total = 0.0
        for i, j in a:
            total += a[i, j] * b[i, j]
        return total

    @qd.kernel
    def copy_z_to_p(self):
        for i, j in self.p:
            self.p[i, j] = self.z[0][i, j]

    @qd.kernel
    def update_solution(self, alpha: qd.f32):
        for i, j in self.x:
            self.x[i, j] += alpha * self.p[i, j]
            self.r[0][i, j] -= alpha * self.Ap[i, j]

    @qd.kernel
    def update_direction(self, beta: qd.f32):
        for i, j in self.p:
            self.p[i, j] = self.z[0][i, j] + beta * self.p[i, j]

    def step(self):
        for _ in range(self.iters_per_step):
            if self.rz <= self.tolerance * self.rz_start:
                self.start_solve()
            self.apply_operator()
            alpha = self.rz / self.dot(self.p, self.Ap)
            self.update_solution(alpha)
            self.precondition()
            new_rz = self.dot(self.r[0], self.z[0])
            self.update_direction(new_rz / self.rz)
            self.rz = new_rz
        self.history.append(float(np.sqrt(self.dot(self.r[0], self.r[0]))))

    def observe(self) -> dict:
        x = self.x.to_numpy()
        return {
            "x": x,
            "residual_history": np.array(self.history, dtype=np.float32),
            "solution_sum": np.float32(np.sum(x, dtype=np.float64) / self.n**2),
            "solves": self.solves,
        }


def make(size: str = "test") -> MGPCG:
    """A fresh multigrid-preconditioned solve of the given size (``"test"`` or ``"bench"``)."""
    return MGPCG(**SIZES[size])
