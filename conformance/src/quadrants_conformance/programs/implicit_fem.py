"""Implicit FEM: a 2-D linear-elastic cantilever (triangle mesh) stepped with backward Euler and matrix-free CG.

Each step solves ``(M + dt^2 K) v' = M v + dt (f_ext - K u)`` for the new nodal velocities with
``qd.linalg.MatrixFreeCG`` over a ``qd.linalg.LinearOperator`` whose mat-vec kernel assembles ``K x`` element by
element (constant-strain triangles: deformation gradient from ``Ds @ Dm^-1``, small-strain stress, nodal forces
scattered with atomics). The CG vectors are scalar fields of shape ``(n_verts, 2)`` (upstream's solver works on
scalar fields). The nodes of the left edge are clamped (identity rows). Reference shapes use ``Matrix.inverse`` and
``Matrix.determinant``; triangles are an ``i32`` vector field.
"""

import numpy as np

import quadrants as qd

SIZES = {"test": {"nx": 12, "ny": 4, "cg_iters": 200}, "bench": {"nx": 64, "ny": 16, "cg_iters": 200}}
TEST_STEPS = 2


@qd.data_oriented
class ImplicitFEM:
    """A beam of ``nx`` x ``ny`` vertices (two triangles per quad) clamped on its left edge."""

    def __init__(self, nx: int, ny: int, cg_iters: int):
        self.nx, self.ny = nx, ny
        self.n_verts = nx * ny
        self.n_tris = 2 * (nx - 1) * (ny - 1)
        self.cg_iters = cg_iters
        self.dt = 1.0e-2
        self.spacing = 0.1
        youngs, poisson = 2.0e3, 0.3
        self.mu = youngs / (2.0 * (1.0 + poisson))
        self.la = youngs * poisson / ((1.0 + poisson) * (1.0 - 2.0 * poisson))
        self.density = 1.0
        self.rest = qd.Vector.field(2, qd.f32, shape=self.n_verts)
        self.u = qd.Vector.field(2, qd.f32, shape=self.n_verts)
        self.v = qd.Vector.field(2, qd.f32, shape=self.n_verts)
        self.mass = qd.field(qd.f32, shape=self.n_verts)
        self.tris = qd.Vector.field(3, qd.i32, shape=self.n_tris)
        self.Dm_inv = qd.Matrix.field(2, 2, qd.f32, shape=self.n_tris)
        self.area = qd.field(qd.f32, shape=self.n_tris)
        self.rhs = qd.field(qd.f32, shape=(self.n_verts, 2))
        self.v_new = qd.field(qd.f32, shape=(self.n_verts, 2))
        self.u_flat = qd.field(qd.f32, shape=(self.n_verts, 2))
        self.Ku = qd.field(qd.f32, shape=(self.n_verts, 2))
        self.operator = qd.linalg.LinearOperator(self.apply_system)
        self.build_mesh()

    @qd.kernel
    def build_mesh(self):
        for i, j in qd.ndrange(self.nx, self.ny):
            k = i * self.ny + j
            self.rest[k] = qd.Vector([i, j]) * self.spacing
            self.u[k] = qd.Vector([0.0, 0.0])
            self.v[k] = qd.Vector([0.0, 0.0])
            self.mass[k] = 0.0
        for i, j in qd.ndrange(self.nx - 1, self.ny - 1):
            quad = i * (self.ny - 1) + j
            k = i * self.ny + j
            self.tris[2 * quad] = qd.Vector([k, k + self.ny, k + 1])
            self.tris[2 * quad + 1] = qd.Vector([k + self.ny + 1, k + 1, k + self.ny])
        for t in range(self.n_tris):
            a, b, c = self.tris[t]
            Dm = qd.Matrix.cols([self.rest[b] - self.rest[a], self.rest[c] - self.rest[a]])
            self.Dm_inv[t] = Dm.inverse()
            self.area[t] = 0.5 * qd.abs(Dm.determinant())
            for m in qd.static(range(3)):
                self.mass[self.tris[t][m]] += self.density * self.area[t] / 3.0

    @qd.func
    def fixed(self, k):
        return k < self.ny  # the left edge: i == 0

    @qd.func
    def node(self, x: qd.template(), k):
        return qd.Vector([x[k, 0], x[k, 1]])

    @qd.kernel
    def stiffness_times(self, x: qd.template(), out: qd.template()):
        """``out = K x``: linear elasticity, element by element."""
        for k, d in out:
            out[k, d] = 0.0
        for t in range(self.n_tris):
            a, b, c = self.tris[t]
            xa = self.node(x, a)
            Ds = qd.Matrix.cols([self.node(x, b) - xa, self.node(x, c) - xa])
            grad = Ds @ self.Dm_inv[t]
            strain = 0.5 * (grad + grad.transpose())
            stress = 2.0 * self.mu * strain + self.la * strain.trace() * qd.Matrix.identity(qd.f32, 2)
            H = self.area[t] * stress @ self.Dm_inv[t].transpose()
            for d in qd.static(range(2)):
                out[b, d] += H[d, 0]
                out[c, d] += H[d, 1]
                out[a, d] -= H[d, 0] + H[d, 1]

    @qd.kernel
    def finish_system(self, x: qd.template(), Ax: qd.template()):
        """``Ax = M x + dt^2 (K x)`` on free nodes (``Ax`` holds ``K x``); identity rows on clamped nodes."""
        for k, d in Ax:
            if self.fixed(k):
                Ax[k, d] = x[k, d]
            else:
                Ax[k, d] = self.mass[k] * x[k, d] + self.dt**2 * Ax[k, d]

    def apply_system(self, x, Ax):
        self.stiffness_times(x, Ax)
        self.finish_system(x, Ax)

    @qd.kernel
    def build_rhs(self):
        for k in self.v:
            gravity = qd.Vector([0.0, -9.8]) * self.mass[k]
            rhs = self.mass[k] * self.v[k] + self.dt * (gravity - self.node(self.Ku, k))
            if self.fixed(k):
                rhs = qd.Vector([0.0, 0.0])
            for d in qd.static(range(2)):
                self.rhs[k, d] = rhs[d]
                self.v_new[k, d] = self.v[k][d]

    @qd.kernel
    def advance(self):
        for k in self.u:
            self.v[k] = self.node(self.v_new, k)
            self.u[k] += self.dt * self.v[k]
            for d in qd.static(range(2)):
                self.u_flat[k, d] = self.u[k][d]

    def step(self):
        self.stiffness_times(self.u_flat, self.Ku)
        self.build_rhs()
        qd.linalg.MatrixFreeCG(self.operator, self.rhs, self.v_new, tol=1.0e-7, maxiter=self.cg_iters)
        self.advance()

    def observe(self) -> dict:
        u = self.u.to_numpy()
        return {
            "u": u,
            "v": self.v.to_numpy(),
            "tip_deflection": np.float32(u[-self.ny :, 1].astype(np.float64).mean()),
            "total_mass": np.float32(np.sum(self.mass.to_numpy(), dtype=np.float64)),
        }


def make(size: str = "test") -> ImplicitFEM:
    """A fresh cantilever of the given size (``"test"`` or ``"bench"``)."""
    return ImplicitFEM(**SIZES[size])
