"""Differentiable spring chain: learn the rest lengths of a hanging chain so that its free end swings onto a target.

A chain of masses joined by springs hangs from a pinned first mass and starts off sideways. Each time step is two
launches (spring forces ``f[t]`` from ``x[t]``; then ``x[t + 1]``, ``v[t + 1]`` from ``x[t]``, ``v[t]``, ``f[t]``),
so no launch overwrites what it reads, the rule reverse-mode autodiff relies on. One optimisation step runs the whole
trajectory and the loss (squared distance of the last mass to the target at the final time) under ``qd.ad.Tape``,
which replays the adjoints of every launch in reverse, then moves the rest lengths down their gradient. Every kernel
body is a single parallel loop, so the program also runs under upstream Quadrants 1.3.3.
"""

import numpy as np

import quadrants as qd

SIZES = {"test": {"n": 6, "steps": 24, "rate": 0.02}, "bench": {"n": 256, "steps": 160, "rate": 0.02}}
TEST_STEPS = 4


@qd.data_oriented
class DiffChain:
    """``n`` masses over ``steps`` time steps; ``rate`` is the gradient-descent step on the rest lengths."""

    def __init__(self, n: int, steps: int, rate: float):
        self.n, self.steps, self.rate = n, steps, rate
        self.dt = 0.025 / (n - 1) ** 0.5  # stable for the stiffest mode of the chain (stiffness * (n - 1))
        self.stiffness = 400.0
        self.damping = 0.98
        self.x = qd.Vector.field(2, qd.f32, shape=(steps + 1, n), needs_grad=True)
        self.v = qd.Vector.field(2, qd.f32, shape=(steps + 1, n), needs_grad=True)
        self.f = qd.Vector.field(2, qd.f32, shape=(steps, n), needs_grad=True)
        self.rest = qd.field(qd.f32, shape=n - 1, needs_grad=True)
        self.loss = qd.field(qd.f32, shape=(), needs_grad=True)
        self.target = qd.Vector([0.15, -0.55])
        self.losses: list[float] = []
        self.init()

    @qd.kernel
    def init(self):
        for i in range(self.n):
            self.x[0, i] = qd.Vector([0.6 * i / (self.n - 1), 0.0])
            self.v[0, i] = qd.Vector([0.0, 0.0])
            if i < self.n - 1:
                self.rest[i] = 0.6 / (self.n - 1)

    @qd.func
    def spring_force(self, t: qd.i32, i: qd.i32, j: qd.i32, rest: qd.f32):
        d = self.x[t, j] - self.x[t, i]
        length = d.norm() + 1e-6
        return self.stiffness * (length - rest) / length * d

    @qd.kernel
    def forces(self, t: qd.i32):
        for i in range(self.n):
            f = qd.Vector([0.0, -9.8])
            if i > 0:
                f += self.spring_force(t, i, i - 1, self.rest[i - 1]) * (self.n - 1)
            if i < self.n - 1:
                f += self.spring_force(t, i, i + 1, self.rest[i]) * (self.n - 1)
            self.f[t, i] = f

    @qd.kernel
    def integrate(self, t: qd.i32):
        for i in range(self.n):
            v = (self.v[t, i] + self.dt * self.f[t, i]) * self.damping
            if i == 0:
                v = qd.Vector([0.0, 0.0])  # pinned
            self.v[t + 1, i] = v
            self.x[t + 1, i] = self.x[t, i] + self.dt * v

    @qd.kernel
    def measure(self):
        for _ in range(1):
            d = self.x[self.steps, self.n - 1] - self.target
            self.loss[None] += d.dot(d)

    @qd.kernel
    def descend(self):
        for i in self.rest:
            self.rest[i] = qd.max(self.rest[i] - self.rate * self.rest.grad[i], 0.01 / self.n)

    def forward(self):
        for t in range(self.steps):
            self.forces(t)
            self.integrate(t)
        self.measure()

    def step(self):
        with qd.ad.Tape(loss=self.loss):
            self.forward()
        self.losses.append(float(self.loss[None]))
        self.descend()

    def observe(self) -> dict:
        losses = np.array(self.losses, np.float32)
        return {
            "losses": losses,
            "decreases": bool(len(losses) > 1 and losses[-1] < losses[0]),
            "rest": self.rest.to_numpy(),
            "end": self.x.to_numpy()[self.steps, self.n - 1],
        }


def make(size: str = "test") -> DiffChain:
    """A fresh chain of the given size (``"test"`` or ``"bench"``)."""
    return DiffChain(**SIZES[size])
