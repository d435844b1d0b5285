"""Stable fluids: a 2-D incompressible flow on a collocated grid (semi-Lagrangian advection, Jacobi pressure solve).

Each step injects velocity and dye from a jet whose direction turns over time (a Gaussian splat, ``qd.exp``),
advects velocity and dye along the flow (RK2 back-trace, bilinear sampling with clamped indices), computes the
divergence, relaxes the pressure Poisson equation with Jacobi iterations, and subtracts the pressure gradient.
Velocity, dye and pressure live in ping-pong pairs of fields swapped on the host, so every kernel takes its fields
as ``qd.template()`` arguments.
"""

import math

import numpy as np

import quadrants as qd

SIZES = {"test": {"res": 48, "jacobi_iters": 20}, "bench": {"res": 256, "jacobi_iters": 50}}
TEST_STEPS = 4


class PingPong:
    """Two fields of the same kind: ``cur`` is read, ``nxt`` written, then :meth:`swap`."""

    def __init__(self, cur, nxt):
        self.cur = cur
        self.nxt = nxt

    def swap(self):
        self.cur, self.nxt = self.nxt, self.cur


@qd.data_oriented
class StableFluid:
    """A ``res`` x ``res`` fluid with a rotating dye jet at the bottom."""

    def __init__(self, res: int, jacobi_iters: int):
        self.res = res
        self.jacobi_iters = jacobi_iters
        self.dt = 0.03
        self.force_radius = res / 6.0
        self.dye_decay = 0.995
        self.frame = 0
        shape = (res, res)
        self.vel = PingPong(qd.Vector.field(2, qd.f32, shape=shape), qd.Vector.field(2, qd.f32, shape=shape))
        self.dye = PingPong(qd.Vector.field(3, qd.f32, shape=shape), qd.Vector.field(3, qd.f32, shape=shape))
        self.pressure = PingPong(qd.field(qd.f32, shape=shape), qd.field(qd.f32, shape=shape))
        self.div = qd.field(qd.f32, shape=shape)

    @qd.func
    def sample(self, qf: qd.template(), u: qd.i32, v: qd.i32):
        i = qd.max(0, qd.min(self.res - 1, u))
        j = qd.max(0, qd.min(self.res - 1, v))
        return qf[i, j]

    @qd.func
    def bilerp(self, qf: qd.template(), p):
        s = p - 0.5
        i, j = int(qd.floor(s.x)), int(qd.floor(s.y))
        fu, fv = s.x - i, s.y - j
        a = self.sample(qf, i, j)
        b = self.sample(qf, i + 1, j)
        c = self.sample(qf, i, j + 1)
        d = self.sample(qf, i + 1, j + 1)
        return (a * (1 - fu) + b * fu) * (1 - fv) + (c * (1 - fu) + d * fu) * fv

    @qd.func
    def back_trace(self, vf: qd.template(), p, dt: qd.f32):
        mid = p - 0.5 * dt * self.bilerp(vf, p)
        return p - dt * self.bilerp(vf, mid)

    @qd.kernel
    def advect(self, vf: qd.template(), qf: qd.template(), new_qf: qd.template()):
        for i, j in vf:
            p = qd.Vector([i, j]) + 0.5
            new_qf[i, j] = self.bilerp(qf, self.back_trace(vf, p, self.dt))

    @qd.kernel
    def splat(self, vf: qd.template(), dyef: qd.template(), angle: qd.f32):
        origin = qd.Vector([self.res * 0.5, self.res * 0.1])
        direction = qd.Vector([qd.sin(angle), qd.cos(angle)])
        colour = qd.Vector([0.5 + 0.5 * qd.cos(angle), 0.5 + 0.5 * qd.sin(angle), 0.8])
        for i, j in vf:
            d = qd.Vector([i + 0.5, j + 0.5]) - origin
            factor = qd.exp(-d.norm_sqr() / self.force_radius**2)
            vf[i, j] += direction * (self.res * 2.0) * factor * self.dt
            dyef[i, j] = dyef[i, j] * self.dye_decay + factor * colour

    @qd.kernel
    def divergence(self, vf: qd.template()):
        for i, j in vf:
            vl = self.sample(vf, i - 1, j).x
            vr = self.sample(vf, i + 1, j).x
            vb = self.sample(vf, i, j - 1).y
            vt = self.sample(vf, i, j + 1).y
            vc = self.sample(vf, i, j)
            # solid walls: the velocity across the boundary is the negative of the cell's
            if i == 0:
                vl = -vc.x
            if i == self.res - 1:
                vr = -vc.x
            if j == 0:
                vb = -vc.y
            if j == self.res - 1:
                vt = -vc.y
            self.div[i, j] = 0.5 * (vr - vl + vt - vb)

    @qd.kernel
    def jacobi(self, pf: qd.template(), new_pf: qd.template()):
        for i, j in pf:
            pl = self.sample(pf, i - 1, j)
            pr = self.sample(pf, i + 1, j)
            pb = self.sample(pf, i, j - 1)
            pt = self.sample(pf, i, j + 1)
            new_pf[i, j] = (pl + pr + pb + pt - self.div[i, j]) * 0.25

    @qd.kernel
    def subtract_gradient(self, vf: qd.template(), pf: qd.template()):
        for i, j in vf:
            pl = self.sample(pf, i - 1, j)
            pr = self.sample(pf, i + 1, j)
            pb = self.sample(pf, i, j - 1)
            pt = self.sample(pf, i, j + 1)
            vf[i, j] -= 0.5 * qd.Vector([pr - pl, pt - pb])

    def step(self):
        self.advect(self.vel.cur, self.vel.cur, self.vel.nxt)
        self.advect(self.vel.cur, self.dye.cur, self.dye.nxt)
        self.vel.swap()
        self.dye.swap()
        self.splat(self.vel.cur, self.dye.cur, math.sin(self.frame * 0.3) * 0.6)
        self.divergence(self.vel.cur)
        for _ in range(self.jacobi_iters):
            self.jacobi(self.pressure.cur, self.pressure.nxt)
            self.pressure.swap()
        self.subtract_gradient(self.vel.cur, self.pressure.cur)
        self.frame += 1

    def observe(self) -> dict:
        vel = self.vel.cur.to_numpy()
        return {
            "velocity": vel,
            "dye": self.dye.cur.to_numpy(),
            "pressure": self.pressure.cur.to_numpy(),
            "kinetic_energy": np.float32(np.sum(vel.astype(np.float64) ** 2)),
        }


def make(size: str = "test") -> StableFluid:
    """A fresh stable-fluid simulation of the given size (``"test"`` or ``"bench"``)."""
    return StableFluid(**SIZES[size])
