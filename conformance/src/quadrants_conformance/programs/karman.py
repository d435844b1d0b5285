"""Kármán vortex street: lattice Boltzmann (D2Q9, BGK collision) flow past a cylinder in a channel.

The nine distributions of a cell are one ``qd.Vector.field(9, ...)`` element; the lattice weights and directions are
host ``qd.Vector``/``qd.Matrix`` constants baked into the kernels, and the direction offsets used as indices are
compile-time (``qd.static``). Boundaries use non-equilibrium extrapolation: a fixed inflow velocity on the left, zero
gradient on the right, free slip top and bottom, and a no-slip cylinder marked in a mask field.
"""

import numpy as np

import quadrants as qd

SIZES = {
    "test": {"nx": 96, "ny": 24, "substeps": 10},
    "bench": {"nx": 400, "ny": 100, "substeps": 20},
}
TEST_STEPS = 2

# D2Q9 directions (rest, 4 axis-aligned, 4 diagonal)
DIRS = ((0, 0), (1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, 1), (-1, -1), (1, -1))
WEIGHTS = (4.0 / 9.0,) + (1.0 / 9.0,) * 4 + (1.0 / 36.0,) * 4


@qd.data_oriented
class Karman:
    """A ``nx`` x ``ny`` channel with a cylinder a quarter of the way along."""

    def __init__(self, nx: int, ny: int, substeps: int, viscosity: float = 0.01, inflow: float = 0.1):
        self.nx, self.ny = nx, ny
        self.substeps = substeps
        self.inv_tau = 1.0 / (3.0 * viscosity + 0.5)
        self.inflow = inflow
        self.cx, self.cy, self.r = nx / 4.0, ny / 2.0, ny / 9.0
        self.rho = qd.field(qd.f32, shape=(nx, ny))
        self.vel = qd.Vector.field(2, qd.f32, shape=(nx, ny))
        self.mask = qd.field(qd.i32, shape=(nx, ny))
        self.f_old = qd.Vector.field(9, qd.f32, shape=(nx, ny))
        self.f_new = qd.Vector.field(9, qd.f32, shape=(nx, ny))
        self.w = qd.Vector(list(WEIGHTS))
        self.e = qd.Matrix([[float(a), float(b)] for a, b in DIRS])
        self.init()

    @qd.func
    def f_eq(self, i, j):
        u = self.vel[i, j]
        eu = self.e @ u
        uu = u.dot(u)
        return self.w * self.rho[i, j] * (1.0 + 3.0 * eu + 4.5 * eu * eu - 1.5 * uu)

    @qd.kernel
    def init(self):
        for i, j in self.rho:
            self.vel[i, j] = qd.Vector([0.0, 0.0])
            self.rho[i, j] = 1.0
            self.mask[i, j] = 0
            if (i - self.cx) ** 2 + (j - self.cy) ** 2 <= self.r**2:
                self.mask[i, j] = 1
            self.f_old[i, j] = self.f_eq(i, j)
            self.f_new[i, j] = self.f_old[i, j]

    @qd.kernel
    def collide_and_stream(self):
        for i, j in qd.ndrange((1, self.nx - 1), (1, self.ny - 1)):
            for k in qd.static(range(9)):
                si = i - qd.static(DIRS[k][0])
                sj = j - qd.static(DIRS[k][1])
                f_src = self.f_old[si, sj]
                self.f_new[i, j][k] = (1.0 - self.inv_tau) * f_src[k] + self.inv_tau * self.f_eq(si, sj)[k]

    @qd.kernel
    def update_macro(self):
        for i, j in qd.ndrange((1, self.nx - 1), (1, self.ny - 1)):
            f = self.f_new[i, j]
            density = f.sum()
            self.rho[i, j] = density
            self.vel[i, j] = (self.e.transpose() @ f) / density
            self.f_old[i, j] = f

    @qd.func
    def extrapolate(self, ib, jb, inb, jnb, fixed: qd.template(), value):
        """Boundary cell (ib, jb) from its inner neighbour (inb, jnb): fixed velocity ``value`` or zero gradient."""
        if qd.static(fixed):
            self.vel[ib, jb] = value
        else:
            self.vel[ib, jb] = self.vel[inb, jnb]
        self.rho[ib, jb] = self.rho[inb, jnb]
        self.f_old[ib, jb] = self.f_eq(ib, jb) - self.f_eq(inb, jnb) + self.f_old[inb, jnb]

    @qd.kernel
    def boundaries(self):
        for j in range(1, self.ny - 1):
            self.extrapolate(0, j, 1, j, True, qd.Vector([self.inflow, 0.0]))
            self.extrapolate(self.nx - 1, j, self.nx - 2, j, False, qd.Vector([0.0, 0.0]))
        for i in range(self.nx):
            self.extrapolate(i, self.ny - 1, i, self.ny - 2, False, qd.Vector([0.0, 0.0]))
            self.extrapolate(i, 0, i, 1, False, qd.Vector([0.0, 0.0]))
        for i, j in qd.ndrange(self.nx, self.ny):
            if self.mask[i, j] == 1:
                # the fluid neighbour away from the cylinder's centre
                inb = i + 1 if i >= self.cx else i - 1
                jnb = j + 1 if j >= self.cy else j - 1
                if self.mask[inb, jnb] == 0:
                    self.extrapolate(i, j, inb, jnb, True, qd.Vector([0.0, 0.0]))
                else:  # inside the cylinder: fluid at rest (reads no cell this loop writes)
                    self.vel[i, j] = qd.Vector([0.0, 0.0])
                    self.rho[i, j] = 1.0
                    self.f_old[i, j] = self.w

    def step(self):
        for _ in range(self.substeps):
            self.collide_and_stream()
            self.update_macro()
            self.boundaries()

    def observe(self) -> dict:
        vel = self.vel.to_numpy()
        speed = np.sqrt(np.sum(vel.astype(np.float64) ** 2, axis=-1))
        return {
            "vel": vel,
            "rho": self.rho.to_numpy(),
            "mean_speed": np.float32(speed.mean()),
            "obstacle_cells": int(self.mask.to_numpy().sum()),
        }


def make(size: str = "test") -> Karman:
    """A fresh vortex-street simulation of the given size (``"test"`` or ``"bench"``)."""
    return Karman(**SIZES[size])
