"""MPM88: a 2-D weakly compressible fluid with the moving-least-squares material point method (MLS-MPM).

Particles carry position, velocity, an affine velocity matrix ``C`` and a volume ratio ``J``. One substep clears the
grid, scatters particle momentum and mass to the 3x3 grid nodes around each particle with quadratic B-spline weights
(atomic adds), applies gravity and sticky walls on the grid, and gathers the grid velocity back to the particles.
Initial positions are uniform draws from NumPy's generator with a fixed seed, made on the host, so that upstream
Quadrants (whose ``qd.random`` stream is its own) starts from the same state.
"""

import numpy as np

import quadrants as qd

SIZES = {"test": {"n_grid": 32, "substeps": 4}, "bench": {"n_grid": 64, "substeps": 20}}
TEST_STEPS = 3
SEED = 88


@qd.data_oriented
class MPM88:
    """The simulation state; ``step()`` runs ``substeps`` MPM substeps."""

    def __init__(self, n_grid: int, substeps: int):
        self.n_grid = n_grid
        self.n_particles = n_grid * n_grid // 2
        self.substeps = substeps
        self.dx = 1.0 / n_grid
        self.dt = 2.0e-4
        self.p_vol = (self.dx * 0.5) ** 2
        self.p_mass = self.p_vol * 1.0
        self.gravity = 9.8
        self.bulk = 400.0
        self.x = qd.Vector.field(2, dtype=qd.f32, shape=self.n_particles)
        self.v = qd.Vector.field(2, dtype=qd.f32, shape=self.n_particles)
        self.C = qd.Matrix.field(2, 2, dtype=qd.f32, shape=self.n_particles)
        self.J = qd.field(qd.f32, shape=self.n_particles)
        self.grid_v = qd.Vector.field(2, dtype=qd.f32, shape=(n_grid, n_grid))
        self.grid_m = qd.field(qd.f32, shape=(n_grid, n_grid))
        self.seed_particles(np.random.default_rng(SEED).random((self.n_particles, 2), dtype=np.float32))

    @qd.kernel
    def seed_particles(self, u: qd.types.ndarray(dtype=qd.f32, ndim=2)):
        for p in self.x:
            self.x[p] = [u[p, 0] * 0.4 + 0.2, u[p, 1] * 0.4 + 0.2]
            self.v[p] = [0.0, -1.0]
            self.J[p] = 1.0
            self.C[p] = qd.Matrix.zero(qd.f32, 2, 2)

    @qd.kernel
    def substep(self):
        for i, j in self.grid_m:
            self.grid_v[i, j] = [0.0, 0.0]
            self.grid_m[i, j] = 0.0
        inv_dx = 1.0 / self.dx
        for p in self.x:
            xp = self.x[p] * inv_dx
            base = qd.cast(xp - 0.5, qd.i32)
            fx = xp - base
            w = [0.5 * (1.5 - fx) ** 2, 0.75 - (fx - 1.0) ** 2, 0.5 * (fx - 0.5) ** 2]
            pressure_term = -self.dt * 4.0 * self.bulk * self.p_vol * (self.J[p] - 1.0) * inv_dx * inv_dx
            affine = qd.Matrix([[pressure_term, 0.0], [0.0, pressure_term]]) + self.p_mass * self.C[p]
            for i, j in qd.static(qd.ndrange(3, 3)):
                offset = qd.Vector([i, j])
                dpos = (offset - fx) * self.dx
                weight = w[i].x * w[j].y
                qd.atomic_add(self.grid_v[base + offset], weight * (self.p_mass * self.v[p] + affine @ dpos))
                qd.atomic_add(self.grid_m[base + offset], weight * self.p_mass)
        for i, j in self.grid_m:
            m = self.grid_m[i, j]
            if m > 0:
                self.grid_v[i, j] /= m
            self.grid_v[i, j].y -= self.dt * self.gravity
            if i < 3 and self.grid_v[i, j].x < 0:
                self.grid_v[i, j].x = 0.0
            if i > self.n_grid - 3 and self.grid_v[i, j].x > 0:
                self.grid_v[i, j].x = 0.0
            if j < 3 and self.grid_v[i, j].y < 0:
                self.grid_v[i, j].y = 0.0
            if j > self.n_grid - 3 and self.grid_v[i, j].y > 0:
                self.grid_v[i, j].y = 0.0
        for p in self.x:
            xp = self.x[p] * inv_dx
            base = qd.cast(xp - 0.5, qd.i32)
            fx = xp - base
            w = [0.5 * (1.5 - fx) ** 2, 0.75 - (fx - 1.0) ** 2, 0.5 * (fx - 0.5) ** 2]
            new_v = qd.Vector.zero(qd.f32, 2)
            new_c = qd.Matrix.zero(qd.f32, 2, 2)
            for i, j in qd.static(qd.ndrange(3, 3)):
                offset = qd.Vector([i, j])
                dpos = (offset - fx) * self.dx
                weight = w[i].x * w[j].y
                gv = self.grid_v[base + offset]
                new_v += weight * gv
                new_c += 4.0 * weight * gv.outer_product(dpos) * inv_dx * inv_dx
            self.v[p] = new_v
            self.x[p] += self.dt * new_v
            self.J[p] *= 1.0 + self.dt * new_c.trace()
            self.C[p] = new_c

    def step(self):
        for _ in range(self.substeps):
            self.substep()

    def observe(self) -> dict:
        x = self.x.to_numpy()
        v = self.v.to_numpy()
        return {
            "x": x,
            "v": v,
            "J": self.J.to_numpy(),
            "grid_mass": np.float32(np.sum(self.grid_m.to_numpy(), dtype=np.float64)),
        }


def make(size: str = "test") -> MPM88:
    """A fresh MPM88 simulation of the given size (``"test"`` or ``"bench"``)."""
    return MPM88(**SIZES[size])
