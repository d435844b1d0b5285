"""Mass-spring cloth: a square sheet of particles joined by structural, shear and bending springs, falling onto a ball.

Springs are a field of ``qd.types.struct`` elements (two particle ids and a rest length) filled from NumPy dicts;
spring forces are scattered to both ends with ``qd.atomic_add``; particles move by semi-implicit Euler with drag,
two corners are pinned, and the sheet collides with a sphere (the velocity's inward normal part is removed).
"""

import math

import numpy as np

import quadrants as qd

SIZES = {"test": {"n": 12, "substeps": 8}, "bench": {"n": 64, "substeps": 30}}
TEST_STEPS = 3

Spring = qd.types.struct(a=qd.i32, b=qd.i32, rest=qd.f32)

# (di, dj) of the springs leaving each particle: structural, shear and bending
SPRING_OFFSETS = ((1, 0), (0, 1), (1, 1), (1, -1), (2, 0), (0, 2))


def spring_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The particle ids at both ends of every spring of an ``n`` x ``n`` sheet."""
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    a_all, b_all = [], []
    for di, dj in SPRING_OFFSETS:
        i2, j2 = i + di, j + dj
        ok = (i2 >= 0) & (i2 < n) & (j2 >= 0) & (j2 < n)
        a_all.append((i * n + j)[ok])
        b_all.append((i2 * n + j2)[ok])
    return np.concatenate(a_all).astype(np.int32), np.concatenate(b_all).astype(np.int32)


@qd.data_oriented
class MassSpring:
    """An ``n`` x ``n`` cloth."""

    def __init__(self, n: int, substeps: int):
        self.n = n
        self.substeps = substeps
        self.dt = 4.0e-2 / n
        self.stiffness = 3.0e3
        self.drag = math.exp(-self.dt * 1.0)
        self.ball_centre = qd.Vector([0.5, 0.0, 0.5])
        self.ball_radius = 0.25
        self.x = qd.Vector.field(3, qd.f32, shape=n * n)
        self.v = qd.Vector.field(3, qd.f32, shape=n * n)
        self.force = qd.Vector.field(3, qd.f32, shape=n * n)
        a, b = spring_pairs(n)
        self.n_springs = len(a)
        self.springs = Spring.field(shape=self.n_springs)
        self.springs.from_numpy({"a": a, "b": b, "rest": np.zeros(len(a), np.float32)})
        self.init()

    @qd.kernel
    def init(self):
        for i, j in qd.ndrange(self.n, self.n):
            k = i * self.n + j
            self.x[k] = qd.Vector([i / (self.n - 1), 0.6, j / (self.n - 1)])
            self.v[k] = qd.Vector([0.0, 0.0, 0.0])
        for s in range(self.n_springs):
            spring = self.springs[s]
            self.springs[s].rest = (self.x[spring.a] - self.x[spring.b]).norm()

    @qd.kernel
    def substep(self):
        for k in self.force:
            self.force[k] = qd.Vector([0.0, -9.8, 0.0]) / (self.n * self.n)
        for s in range(self.n_springs):
            a, b = self.springs[s].a, self.springs[s].b
            d = self.x[b] - self.x[a]
            length = d.norm()
            f = self.stiffness / (self.n * self.n) * (length / self.springs[s].rest - 1.0) * d / length
            qd.atomic_add(self.force[a], f)
            qd.atomic_sub(self.force[b], f)
        for k in self.x:
            pinned = k == 0 or k == self.n - 1
            if not pinned:
                self.v[k] = (self.v[k] + self.dt * self.force[k] * (self.n * self.n)) * self.drag
                offset = self.x[k] - self.ball_centre
                dist = offset.norm()
                if dist < self.ball_radius:
                    normal = offset / dist
                    self.v[k] -= qd.min(self.v[k].dot(normal), 0.0) * normal
                self.x[k] += self.dt * self.v[k]

    def step(self):
        for _ in range(self.substeps):
            self.substep()

    def observe(self) -> dict:
        x = self.x.to_numpy()
        v = self.v.to_numpy().astype(np.float64)
        return {
            "x": x,
            "v": self.v.to_numpy(),
            "rest": self.springs.to_numpy()["rest"],
            "kinetic_energy": np.float32(0.5 * np.sum(v**2)),
            "lowest": np.float32(x[:, 1].min()),
        }


def make(size: str = "test") -> MassSpring:
    """A fresh cloth of the given size (``"test"`` or ``"bench"``)."""
    return MassSpring(**SIZES[size])
