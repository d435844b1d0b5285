"""MPM3D: a dimension-generic MLS-MPM fluid, run in 3-D.

The code is written once for ``dim`` dimensions: the 3**dim stencil is a compile-time
``qd.static(qd.grouped(qd.ndrange(...)))`` loop, weights are products over ``qd.static(range(dim))``, and the grid
loops are ``qd.grouped`` struct-fors. A cube of fluid drops onto the floor of a box with sticky walls.
"""

import numpy as np

import quadrants as qd

SIZES = {"test": {"n_grid": 16, "substeps": 3}, "bench": {"n_grid": 32, "substeps": 10}}
TEST_STEPS = 2
SEED = 3  # initial positions: NumPy draws made on the host, the same under upstream Quadrants


@qd.data_oriented
class MPM3D:
    """Fluid MLS-MPM in ``dim`` = 3 dimensions."""

    def __init__(self, n_grid: int, substeps: int, dim: int = 3):
        self.dim = dim
        self.n_grid = n_grid
        self.n_particles = n_grid**dim // 2 ** (dim - 1)
        self.substeps = substeps
        self.dx = 1.0 / n_grid
        self.dt = 4.0e-4
        self.p_rho = 1.0
        self.p_vol = (self.dx * 0.5) ** 2
        self.p_mass = self.p_vol * self.p_rho
        self.gravity = 9.8
        self.bound = 3
        self.E = 400.0
        self.x = qd.Vector.field(dim, qd.f32, self.n_particles)
        self.v = qd.Vector.field(dim, qd.f32, self.n_particles)
        self.C = qd.Matrix.field(dim, dim, qd.f32, self.n_particles)
        self.J = qd.field(qd.f32, self.n_particles)
        self.grid_v = qd.Vector.field(dim, qd.f32, (n_grid,) * dim)
        self.grid_m = qd.field(qd.f32, (n_grid,) * dim)
        self.init(np.random.default_rng(SEED).random((self.n_particles, dim), dtype=np.float32))

    @qd.kernel
    def init(self, u: qd.types.ndarray(dtype=qd.f32, ndim=2)):
        for i in range(self.n_particles):
            self.x[i] = qd.Vector([u[i, d] for d in qd.static(range(self.dim))]) * 0.4 + 0.15
            self.J[i] = 1

    @qd.kernel
    def substep(self):
        for cell in qd.grouped(self.grid_m):
            self.grid_v[cell] = self.grid_v[cell] * 0
            self.grid_m[cell] = 0
        qd.loop_config(block_dim=64)
        for p in self.x:
            Xp = self.x[p] / self.dx
            base = int(Xp - 0.5)
            fx = Xp - base
            w = [0.5 * (1.5 - fx) ** 2, 0.75 - (fx - 1) ** 2, 0.5 * (fx - 0.5) ** 2]
            stress = -self.dt * 4 * self.E * self.p_vol * (self.J[p] - 1) / self.dx**2
            affine = qd.Matrix.identity(qd.f32, self.dim) * stress + self.p_mass * self.C[p]
            for offset in qd.static(qd.grouped(qd.ndrange(*((3,) * self.dim)))):
                dpos = (offset - fx) * self.dx
                weight = 1.0
                for d in qd.static(range(self.dim)):
                    weight *= w[offset[d]][d]
                qd.atomic_add(self.grid_v[base + offset], weight * (self.p_mass * self.v[p] + affine @ dpos))
                qd.atomic_add(self.grid_m[base + offset], weight * self.p_mass)
        for cell in qd.grouped(self.grid_m):
            if self.grid_m[cell] > 0:
                self.grid_v[cell] /= self.grid_m[cell]
            self.grid_v[cell][1] -= self.dt * self.gravity
            cond = (cell < self.bound) & (self.grid_v[cell] < 0) | (cell > self.n_grid - self.bound) & (
                self.grid_v[cell] > 0
            )
            self.grid_v[cell] = qd.select(cond, 0, self.grid_v[cell])
        qd.loop_config(block_dim=64)
        for p in self.x:
            Xp = self.x[p] / self.dx
            base = int(Xp - 0.5)
            fx = Xp - base
            w = [0.5 * (1.5 - fx) ** 2, 0.75 - (fx - 1) ** 2, 0.5 * (fx - 0.5) ** 2]
            new_v = qd.Vector.zero(qd.f32, self.dim)
            new_C = qd.Matrix.zero(qd.f32, self.dim, self.dim)
            for offset in qd.static(qd.grouped(qd.ndrange(*((3,) * self.dim)))):
                dpos = (offset - fx) * self.dx
                weight = 1.0
                for d in qd.static(range(self.dim)):
                    weight *= w[offset[d]][d]
                g_v = self.grid_v[base + offset]
                new_v += weight * g_v
                new_C += 4 * weight * g_v.outer_product(dpos) / self.dx**2
            self.v[p] = new_v
            self.x[p] += self.dt * self.v[p]
            self.J[p] *= 1 + self.dt * new_C.trace()
            self.C[p] = new_C

    def step(self):
        for _ in range(self.substeps):
            self.substep()

    def observe(self) -> dict:
        x = self.x.to_numpy()
        return {
            "x": x,
            "v": self.v.to_numpy(),
            "J": self.J.to_numpy(),
            "centroid": x.mean(axis=0, dtype=np.float64).astype(np.float32),
        }


def make(size: str = "test") -> MPM3D:
    """A fresh 3-D MPM simulation of the given size (``"test"`` or ``"bench"``)."""
    return MPM3D(**SIZES[size])
