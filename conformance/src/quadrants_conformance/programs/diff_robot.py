"""Differentiable mass-spring robot: learn an open-loop controller that makes a soft 2-D robot walk to the right.

The robot is a 5 x 2 lattice of masses joined by springs (edges and diagonals). Each spring is an actuator: at time
step ``t`` its rest length is scaled by ``1 + 0.5 * tanh(sum_k w[j, k] * sin(omega t dt + 2 pi k / K) + b[j])``, a
sum of sine waves with learned weights. Masses fall under gravity onto the ground, a smooth penalty contact with
friction. One optimisation step simulates the whole trajectory (three launches per time step over time-indexed
fields, so no launch overwrites what it reads) and the loss (minus the mean x of the masses at the final time) under
``qd.ad.Tape``, then moves the weights down the clipped gradient. Every kernel body is one parallel loop, so the
program also runs under upstream Quadrants 1.3.3 (its loss curve is compared in docs/autodiff.md).
"""

import math

import numpy as np

import quadrants as qd

SIZES = {"test": {"steps": 48, "rate": 1.0}, "bench": {"steps": 240, "rate": 0.2}}
TEST_STEPS = 3

N_SIN = 4  # sine waves per actuator
DT = 0.004
GRAVITY = -4.8
STIFFNESS = 600.0
DAMPING = 0.995
GROUND = 0.1
GROUND_STIFFNESS = 3000.0
SHARPNESS = 100.0  # 1 / length scale of the contact's softplus
FRICTION = 50.0
ACTUATION = 0.5
OMEGA = 10.0
CLIP = 0.2  # the gradient's norm is clipped to this before the step


def robot() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of the masses and the (a, b) ends of the springs: a 5 x 2 lattice, edges and diagonals."""
    masses = np.array([[0.1 + 0.05 * i, GROUND + 0.02 + 0.05 * j] for i in range(5) for j in range(2)], np.float32)
    a, b = [], []
    for p in range(len(masses)):
        for q in range(p + 1, len(masses)):
            if np.linalg.norm(masses[p] - masses[q]) < 0.075:
                a.append(p)
                b.append(q)
    return masses, np.array(a, np.int32), np.array(b, np.int32)


@qd.data_oriented
class DiffRobot:
    """A robot simulated for ``steps`` time steps; ``rate`` is the gradient-descent step on the controller."""

    def __init__(self, steps: int, rate: float):
        start, ends_a, ends_b = robot()
        self.steps, self.rate = steps, rate
        self.n, self.m = len(start), len(ends_a)
        self.x = qd.Vector.field(2, qd.f32, shape=(steps + 1, self.n), needs_grad=True)
        self.v = qd.Vector.field(2, qd.f32, shape=(steps + 1, self.n), needs_grad=True)
        self.f = qd.Vector.field(2, qd.f32, shape=(steps, self.n), needs_grad=True)
        self.act = qd.field(qd.f32, shape=(steps, self.m), needs_grad=True)
        self.weights = qd.field(qd.f32, shape=(self.m, N_SIN), needs_grad=True)
        self.bias = qd.field(qd.f32, shape=self.m, needs_grad=True)
        self.ends_a = qd.field(qd.i32, shape=self.m)
        self.ends_b = qd.field(qd.i32, shape=self.m)
        self.rest = qd.field(qd.f32, shape=self.m)
        self.loss = qd.field(qd.f32, shape=(), needs_grad=True)
        self.start = start
        self.ends_a.from_numpy(ends_a)
        self.ends_b.from_numpy(ends_b)
        self.rest.from_numpy(np.linalg.norm(start[ends_a] - start[ends_b], axis=1).astype(np.float32))
        rng = np.random.default_rng(7)
        self.weights.from_numpy((rng.standard_normal((self.m, N_SIN)) * 0.3).astype(np.float32))
        self.losses: list[float] = []

    @qd.kernel
    def actuate(self, t: qd.i32):
        for j in range(self.m):
            s = self.bias[j]
            for k in qd.static(range(N_SIN)):
                s += self.weights[j, k] * qd.sin(OMEGA * t * DT + 2.0 * math.pi / N_SIN * k)
            self.act[t, j] = qd.tanh(s)

    @qd.kernel
    def spring_forces(self, t: qd.i32):
        for j in range(self.m):
            a = self.ends_a[j]
            b = self.ends_b[j]
            d = self.x[t, b] - self.x[t, a]
            length = d.norm() + 1e-4
            target = self.rest[j] * (1.0 + ACTUATION * self.act[t, j])
            force = STIFFNESS * (length / target - 1.0) / length * d
            qd.atomic_add(self.f[t, a], force)
            qd.atomic_add(self.f[t, b], -force)

    @qd.kernel
    def advance(self, t: qd.i32):
        for i in range(self.n):
            x = self.x[t, i]
            v = self.v[t, i]
            # smooth ground contact: a penalty force on a softplus of the penetration depth, with friction
            depth = qd.log(1.0 + qd.exp((GROUND - x[1]) * SHARPNESS)) / SHARPNESS
            contact = qd.Vector([-FRICTION * SHARPNESS * depth * v[0], GROUND_STIFFNESS * depth])
            v = v * DAMPING + DT * (self.f[t, i] + contact + qd.Vector([0.0, GRAVITY]))
            self.v[t + 1, i] = v
            self.x[t + 1, i] = x + DT * v

    @qd.kernel
    def measure(self):
        for i in range(self.n):
            self.loss[None] -= self.x[self.steps, i][0] / self.n

    def forward(self):
        for t in range(self.steps):
            self.actuate(t)
            self.spring_forces(t)
            self.advance(t)
        self.measure()

    def reset(self):
        x0 = np.zeros((self.steps + 1, self.n, 2), np.float32)
        x0[0] = self.start
        self.x.from_numpy(x0)
        self.v.fill(0.0)
        self.f.fill(0.0)

    def descend(self):
        gw, gb = self.weights.grad.to_numpy(), self.bias.grad.to_numpy()
        norm = math.sqrt(float((gw.astype(np.float64) ** 2).sum() + (gb.astype(np.float64) ** 2).sum()))
        scale = self.rate * min(1.0, CLIP / (norm + 1e-6))
        self.weights.from_numpy(self.weights.to_numpy() - np.float32(scale) * gw)
        self.bias.from_numpy(self.bias.to_numpy() - np.float32(scale) * gb)

    def step(self):
        self.reset()
        with qd.ad.Tape(loss=self.loss):
            self.forward()
        self.losses.append(float(self.loss[None]))
        self.descend()

    def observe(self) -> dict:
        losses = np.array(self.losses, np.float32)
        return {
            "losses": losses,
            "decreases": bool(len(losses) > 1 and losses[-1] < losses[0]),
            "weights": self.weights.to_numpy(),
        }


def make(size: str = "test") -> DiffRobot:
    """A fresh robot of the given size (``"test"`` or ``"bench"``)."""
    return DiffRobot(**SIZES[size])
