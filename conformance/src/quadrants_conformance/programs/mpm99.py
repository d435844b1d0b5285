"""MPM99: 2-D MLS-MPM with three materials (water, jelly, snow) and a fixed-corotated elastic model.

Each particle keeps a deformation gradient ``F``; ``qd.svd`` splits it into rotations and singular values, which snow
clamps (plasticity, with ``Jp`` tracking the plastic volume change and hardening the material through ``exp``) and
water replaces by a pure volume change; the corotated stress takes the rotation of ``F`` from
``qd.polar_decompose``. Three blocks of particles, one per material, fall under gravity into a box.
"""

import numpy as np

import quadrants as qd

SIZES = {
    "test": {"n_grid": 32, "per_block": 128, "substeps": 3},
    "bench": {"n_grid": 64, "per_block": 1500, "substeps": 10},
}
TEST_STEPS = 3
SEED = 99  # initial positions: NumPy draws made on the host, the same under upstream Quadrants

WATER, JELLY, SNOW = 0, 1, 2


@qd.data_oriented
class MPM99:
    """Three-material MLS-MPM; ``step()`` runs ``substeps`` substeps."""

    def __init__(self, n_grid: int, per_block: int, substeps: int):
        self.n_grid = n_grid
        self.n_particles = 3 * per_block
        self.per_block = per_block
        self.substeps = substeps
        self.dx = 1.0 / n_grid
        self.inv_dx = float(n_grid)
        self.dt = 1.0e-4
        self.p_vol = (self.dx * 0.5) ** 2
        self.p_mass = self.p_vol * 1.0
        youngs, poisson = 1.0e3, 0.2
        self.mu_0 = youngs / (2 * (1 + poisson))
        self.lambda_0 = youngs * poisson / ((1 + poisson) * (1 - 2 * poisson))
        self.x = qd.Vector.field(2, dtype=qd.f32, shape=self.n_particles)
        self.v = qd.Vector.field(2, dtype=qd.f32, shape=self.n_particles)
        self.C = qd.Matrix.field(2, 2, dtype=qd.f32, shape=self.n_particles)
        self.F = qd.Matrix.field(2, 2, dtype=qd.f32, shape=self.n_particles)
        self.material = qd.field(dtype=qd.i32, shape=self.n_particles)
        self.Jp = qd.field(dtype=qd.f32, shape=self.n_particles)
        self.grid_v = qd.Vector.field(2, dtype=qd.f32, shape=(n_grid, n_grid))
        self.grid_m = qd.field(dtype=qd.f32, shape=(n_grid, n_grid))
        self.reset(np.random.default_rng(SEED).random((self.n_particles, 2), dtype=np.float32))

    @qd.kernel
    def reset(self, u: qd.types.ndarray(dtype=qd.f32, ndim=2)):
        for p in range(self.n_particles):
            block = p // self.per_block
            self.x[p] = [u[p, 0] * 0.2 + 0.3 + 0.1 * block, u[p, 1] * 0.2 + 0.05 + 0.3 * block]
            self.material[p] = block
            self.v[p] = qd.Vector([0.0, 0.0])
            self.F[p] = qd.Matrix([[1.0, 0.0], [0.0, 1.0]])
            self.Jp[p] = 1.0
            self.C[p] = qd.Matrix.zero(qd.f32, 2, 2)

    @qd.func
    def stress(self, p):
        """Update ``F`` and ``Jp`` of particle ``p`` (plasticity) and return its MLS-MPM stress term."""
        self.F[p] = (qd.Matrix.identity(qd.f32, 2) + self.dt * self.C[p]) @ self.F[p]
        hardening = qd.max(0.1, qd.min(5.0, qd.exp(10.0 * (1.0 - self.Jp[p]))))
        if self.material[p] == JELLY:
            hardening = 0.3
        mu, la = self.mu_0 * hardening, self.lambda_0 * hardening
        if self.material[p] == WATER:
            mu = 0.0
        U, sig, V = qd.svd(self.F[p])
        J = 1.0
        for d in qd.static(range(2)):
            clamped = sig[d, d]
            if self.material[p] == SNOW:
                clamped = qd.min(qd.max(sig[d, d], 1.0 - 2.5e-2), 1.0 + 4.5e-3)
            self.Jp[p] *= sig[d, d] / clamped
            sig[d, d] = clamped
            J *= clamped
        if self.material[p] == WATER:
            self.F[p] = qd.Matrix.identity(qd.f32, 2) * qd.sqrt(J)
        elif self.material[p] == SNOW:
            self.F[p] = U @ sig @ V.transpose()
        rotation, _ = qd.polar_decompose(self.F[p])  # the rotation of F (U @ V^T of its SVD)
        s = 2.0 * mu * (self.F[p] - rotation) @ self.F[p].transpose() + qd.Matrix.identity(qd.f32, 2) * la * J * (
            J - 1.0
        )
        return (-self.dt * self.p_vol * 4.0 * self.inv_dx * self.inv_dx) * s

    @qd.kernel
    def substep(self):
        for cell in qd.grouped(self.grid_m):
            self.grid_v[cell] = qd.Vector.zero(qd.f32, 2)
            self.grid_m[cell] = 0.0
        for p in self.x:
            base = (self.x[p] * self.inv_dx - 0.5).cast(int)
            fx = self.x[p] * self.inv_dx - base.cast(float)
            w = [0.5 * (1.5 - fx) ** 2, 0.75 - (fx - 1) ** 2, 0.5 * (fx - 0.5) ** 2]
            affine = self.stress(p) + self.p_mass * self.C[p]
            for i, j in qd.static(qd.ndrange(3, 3)):
                offset = qd.Vector([i, j])
                dpos = (offset.cast(float) - fx) * self.dx
                weight = w[i][0] * w[j][1]
                self.grid_v[base + offset] += weight * (self.p_mass * self.v[p] + affine @ dpos)
                self.grid_m[base + offset] += weight * self.p_mass
        for i, j in self.grid_m:
            if self.grid_m[i, j] > 0:
                self.grid_v[i, j] = (1 / self.grid_m[i, j]) * self.grid_v[i, j]
                self.grid_v[i, j][1] -= self.dt * 50.0
                if i < 3 and self.grid_v[i, j][0] < 0:
                    self.grid_v[i, j][0] = 0
                if i > self.n_grid - 3 and self.grid_v[i, j][0] > 0:
                    self.grid_v[i, j][0] = 0
                if j < 3 and self.grid_v[i, j][1] < 0:
                    self.grid_v[i, j][1] = 0
                if j > self.n_grid - 3 and self.grid_v[i, j][1] > 0:
                    self.grid_v[i, j][1] = 0
        for p in self.x:
            base = (self.x[p] * self.inv_dx - 0.5).cast(int)
            fx = self.x[p] * self.inv_dx - base.cast(float)
            w = [0.5 * (1.5 - fx) ** 2, 0.75 - (fx - 1.0) ** 2, 0.5 * (fx - 0.5) ** 2]
            new_v = qd.Vector.zero(qd.f32, 2)
            new_c = qd.Matrix.zero(qd.f32, 2, 2)
            for i, j in qd.static(qd.ndrange(3, 3)):
                dpos = qd.Vector([i, j]).cast(float) - fx
                g_v = self.grid_v[base + qd.Vector([i, j])]
                weight = w[i][0] * w[j][1]
                new_v += weight * g_v
                new_c += 4 * self.inv_dx * weight * g_v.outer_product(dpos)
            self.v[p], self.C[p] = new_v, new_c
            self.x[p] += self.dt * self.v[p]

    def step(self):
        for _ in range(self.substeps):
            self.substep()

    def observe(self) -> dict:
        material = self.material.to_numpy()
        x = self.x.to_numpy()
        return {
            "x": x,
            "v": self.v.to_numpy(),
            "Jp": self.Jp.to_numpy(),
            "material_counts": np.bincount(material, minlength=3),
            "centroids": np.stack([x[material == m].mean(axis=0, dtype=np.float64) for m in range(3)]).astype(
                np.float32
            ),
        }


def make(size: str = "test") -> MPM99:
    """A fresh MPM99 simulation of the given size (``"test"`` or ``"bench"``)."""
    return MPM99(**SIZES[size])
