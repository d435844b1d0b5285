"""PBF2D: position-based fluids in 2-D (a dam break in a box with a moving wall).

Particles are binned into a uniform grid each step (``qd.atomic_add`` returns each particle's slot in its cell; the
cells and the neighbour lists are nested dense SNodes: ``qd.root.dense(qd.ij, ...).dense(qd.k, ...).place(...)``),
neighbour lists are built from the 3x3 surrounding cells, and a few Jacobi-style iterations solve the density
constraints (poly6 density, spiky gradient, artificial pressure against clumping). Velocities follow from the
position change.
"""

import math

import numpy as np

import quadrants as qd

SIZES = {
    "test": {"nx": 20, "ny": 12, "iterations": 3},
    "bench": {"nx": 60, "ny": 36, "iterations": 5},
}
TEST_STEPS = 3


@qd.data_oriented
class PBF2D:
    """``nx * ny`` particles starting as a block in the left half of a box about twice as wide."""

    def __init__(self, nx: int, ny: int, iterations: int):
        self.n = nx * ny
        self.nx, self.ny = nx, ny
        self.iterations = iterations
        self.spacing = 0.9
        self.box = (nx * self.spacing * 2.2, ny * self.spacing * 1.8)
        self.h = 1.1
        self.cell_size = 2.51
        self.grid = (math.ceil(self.box[0] / self.cell_size), math.ceil(self.box[1] / self.cell_size))
        self.max_per_cell = 100
        self.max_neighbors = 100
        self.dt = 1.0 / 20.0
        self.mass = 1.0
        self.rho0 = 1.0
        self.lambda_eps = 100.0
        self.corr_k = 0.001
        self.corr_dq = 0.3 * self.h
        self.epsilon = 1.0e-5
        self.poly6 = 315.0 / 64.0 / math.pi
        self.spiky = -45.0 / math.pi

        self.pos = qd.Vector.field(2, qd.f32)
        self.old_pos = qd.Vector.field(2, qd.f32)
        self.vel = qd.Vector.field(2, qd.f32)
        self.lambdas = qd.field(qd.f32)
        self.delta = qd.Vector.field(2, qd.f32)
        qd.root.dense(qd.i, self.n).place(self.pos, self.old_pos, self.vel, self.lambdas, self.delta)
        self.cell_count = qd.field(qd.i32)
        self.cell_particles = qd.field(qd.i32)
        cells = qd.root.dense(qd.ij, self.grid)
        cells.place(self.cell_count)
        cells.dense(qd.k, self.max_per_cell).place(self.cell_particles)
        self.neighbor_count = qd.field(qd.i32)
        self.neighbors = qd.field(qd.i32)
        per_particle = qd.root.dense(qd.i, self.n)
        per_particle.place(self.neighbor_count)
        per_particle.dense(qd.j, self.max_neighbors).place(self.neighbors)
        self.wall = qd.field(qd.f32, shape=())
        self.frame = 0
        self.init()

    @qd.kernel
    def init(self):
        for i in range(self.n):
            self.pos[i] = qd.Vector([i % self.nx + 1.0, i // self.nx + 1.0]) * self.spacing
            self.vel[i] = qd.Vector([0.0, 0.0])
        self.wall[None] = self.box[0]

    @qd.func
    def w_poly6(self, s):
        result = 0.0
        if 0 < s < self.h:
            x = (self.h * self.h - s * s) / (self.h**3)
            result = self.poly6 * x * x * x
        return result

    @qd.func
    def grad_spiky(self, r):
        result = qd.Vector([0.0, 0.0])
        length = r.norm()
        if 0 < length < self.h:
            x = (self.h - length) / (self.h**3)
            result = r * (self.spiky * x * x / length)
        return result

    @qd.func
    def cell_of(self, p):
        return qd.cast(p / self.cell_size, qd.i32)

    @qd.func
    def in_grid(self, c):
        return 0 <= c[0] < self.grid[0] and 0 <= c[1] < self.grid[1]

    @qd.func
    def confine(self, p):
        lo = 0.3
        hi = qd.Vector([self.wall[None], self.box[1]]) - 0.3
        return qd.max(qd.min(p, hi), lo)

    @qd.kernel
    def predict(self):
        for i in self.pos:
            self.old_pos[i] = self.pos[i]
            v = self.vel[i] + self.dt * qd.Vector([0.0, -9.8])
            self.pos[i] = self.confine(self.pos[i] + self.dt * v)
        for c in qd.grouped(self.cell_count):
            self.cell_count[c] = 0
        for i in self.pos:
            c = self.cell_of(self.pos[i])
            slot = qd.atomic_add(self.cell_count[c], 1)
            if slot < self.max_per_cell:
                self.cell_particles[c, slot] = i
        for i in self.pos:
            p = self.pos[i]
            c = self.cell_of(p)
            found = 0
            for offset in qd.static(qd.grouped(qd.ndrange((-1, 2), (-1, 2)))):
                other_cell = c + offset
                if self.in_grid(other_cell):
                    for k in range(qd.min(self.cell_count[other_cell], self.max_per_cell)):
                        j = self.cell_particles[other_cell, k]
                        if found < self.max_neighbors and j != i and (p - self.pos[j]).norm() < self.h:
                            self.neighbors[i, found] = j
                            found += 1
            self.neighbor_count[i] = found

    @qd.kernel
    def solve(self):
        for i in self.pos:
            p = self.pos[i]
            grad_i = qd.Vector([0.0, 0.0])
            sum_grad_sqr = 0.0
            density = 0.0
            for k in range(self.neighbor_count[i]):
                j = self.neighbors[i, k]
                r = p - self.pos[j]
                g = self.grad_spiky(r)
                grad_i += g
                sum_grad_sqr += g.dot(g)
                density += self.w_poly6(r.norm())
            constraint = self.mass * density / self.rho0 - 1.0
            sum_grad_sqr += grad_i.dot(grad_i)
            self.lambdas[i] = -constraint / (sum_grad_sqr + self.lambda_eps)
        for i in self.pos:
            p = self.pos[i]
            d = qd.Vector([0.0, 0.0])
            for k in range(self.neighbor_count[i]):
                j = self.neighbors[i, k]
                r = p - self.pos[j]
                ratio = self.w_poly6(r.norm()) / self.w_poly6(self.corr_dq)
                s_corr = -self.corr_k * ratio * ratio * ratio * ratio
                d += (self.lambdas[i] + self.lambdas[j] + s_corr) * self.grad_spiky(r)
            self.delta[i] = d / self.rho0
        for i in self.pos:
            self.pos[i] += self.delta[i]

    @qd.kernel
    def finish(self):
        for i in self.pos:
            self.pos[i] = self.confine(self.pos[i])
            self.vel[i] = (self.pos[i] - self.old_pos[i]) / self.dt

    def step(self):
        # the right wall swings in and out
        self.wall[None] = self.box[0] * (1.0 - 0.2 * (0.5 - 0.5 * math.cos(self.frame * 0.05)))
        self.predict()
        for _ in range(self.iterations):
            self.solve()
        self.finish()
        self.frame += 1

    def observe(self) -> dict:
        pos = self.pos.to_numpy().astype(np.float64)
        vel = self.vel.to_numpy().astype(np.float64)
        counts = self.neighbor_count.to_numpy()
        return {
            "pos": self.pos.to_numpy(),
            "vel": self.vel.to_numpy(),
            "neighbor_total": int(counts.sum()),
            "centroid": pos.mean(axis=0).astype(np.float32),
            "kinetic_energy": np.float32(0.5 * np.sum(vel**2)),
        }


def make(size: str = "test") -> PBF2D:
    """A fresh PBF simulation of the given size (``"test"`` or ``"bench"``)."""
    return PBF2D(**SIZES[size])
