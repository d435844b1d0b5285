"""N-body: softened gravity between every pair of bodies, integrated with symplectic Euler.

Bodies are a field of ``@qd.dataclass`` structs (position, velocity, mass) with a ``@qd.func`` method; the force on
each body is an O(n) serial loop inside the parallel loop over bodies, and the total energy is a local reduction
(``+=`` into a kernel variable inside a parallel loop, returned by the kernel).
"""

import math

import numpy as np

import quadrants as qd

SIZES = {"test": {"n": 64, "substeps": 2}, "bench": {"n": 1024, "substeps": 2}}
TEST_STEPS = 4
SEED = 64  # the disc: NumPy draws made on the host, the same under upstream Quadrants


@qd.dataclass
class Body:
    pos: qd.math.vec2
    vel: qd.math.vec2
    mass: qd.f32

    @qd.func
    def kinetic(self) -> qd.f32:
        return 0.5 * self.mass * self.vel.norm_sqr()


@qd.data_oriented
class NBody:
    """``n`` bodies on a disc, orbiting their common centre of mass."""

    def __init__(self, n: int, substeps: int):
        self.n = n
        self.substeps = substeps
        self.G = 1.0
        self.softening = 1.0e-2
        self.dt = 1.0e-4
        self.bodies = Body.field(shape=n)
        self.force = qd.Vector.field(2, qd.f32, shape=n)
        self.place(np.random.default_rng(SEED).random((n, 2), dtype=np.float32))

    @qd.kernel
    def place(self, u: qd.types.ndarray(dtype=qd.f32, ndim=2)):
        for i in self.bodies:
            angle = u[i, 0] * 2.0 * math.pi
            radius = qd.sqrt(u[i, 1]) * 0.4 + 0.05
            p = qd.Vector([qd.cos(angle), qd.sin(angle)])
            self.bodies[i].pos = p * radius
            # roughly circular orbits around the origin
            self.bodies[i].vel = qd.Vector([-p.y, p.x]) * qd.sqrt(self.G * 0.5 / radius) * 0.5
            self.bodies[i].mass = 1.0 / self.n

    @qd.kernel
    def compute_force(self):
        for i in range(self.n):
            p = self.bodies[i].pos
            acc = qd.Vector([0.0, 0.0])
            for j in range(self.n):
                if i != j:
                    d = self.bodies[j].pos - p
                    r2 = d.dot(d) + self.softening**2
                    acc += self.bodies[j].mass * d / (r2 * qd.sqrt(r2))
            self.force[i] = self.G * self.bodies[i].mass * acc

    @qd.kernel
    def integrate(self):
        for i in range(self.n):
            self.bodies[i].vel += self.dt * self.force[i] / self.bodies[i].mass
            self.bodies[i].pos += self.dt * self.bodies[i].vel

    @qd.kernel
    def energy(self) -> qd.f32:
        kinetic = 0.0
        for i in range(self.n):
            kinetic += self.bodies[i].kinetic()
        potential = 0.0
        for i, j in qd.ndrange(self.n, self.n):
            if i < j:
                d = self.bodies[i].pos - self.bodies[j].pos
                potential -= (
                    self.G * self.bodies[i].mass * self.bodies[j].mass / qd.sqrt(d.norm_sqr() + self.softening**2)
                )
        return kinetic + potential

    def step(self):
        for _ in range(self.substeps):
            self.compute_force()
            self.integrate()

    def observe(self) -> dict:
        state = self.bodies.to_numpy()
        return {"pos": state["pos"], "vel": state["vel"], "energy": np.float32(self.energy())}


def make(size: str = "test") -> NBody:
    """A fresh n-body system of the given size (``"test"`` or ``"bench"``)."""
    return NBody(**SIZES[size])
