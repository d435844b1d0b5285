"""Mandelbrot zoom: escape-time iteration counts of a window that zooms into the set's boundary, one frame per step.

Each pixel iterates ``z = z*z + c`` with ``qd.math.cmul`` on ``qd.math.vec2`` complex numbers until ``|z| > 2`` or
the iteration budget runs out (a serial ``while`` loop inside the parallel loop over pixels); the frame number, a
kernel argument, sets the zoom. A palette maps counts to colours with ``qd.math`` helpers, and a local reduction
counts the pixels inside the set.
"""

import numpy as np

import quadrants as qd
from quadrants.math import vec2, vec3

SIZES = {"test": {"width": 64, "height": 48, "max_iter": 96}, "bench": {"width": 256, "height": 192, "max_iter": 128}}
TEST_STEPS = 3

CENTRE = (-0.743643887, 0.131825904)


@qd.func
def palette(t):
    """A smooth blue-orange ramp for ``t`` in [0, 1]."""
    return qd.math.mix(vec3(0.0, 0.05, 0.2), vec3(1.0, 0.6, 0.1), qd.math.smoothstep(0.0, 1.0, t))


@qd.data_oriented
class MandelbrotZoom:
    """A ``width`` x ``height`` window zooming 1.15x per frame."""

    def __init__(self, width: int, height: int, max_iter: int):
        self.width, self.height = width, height
        self.max_iter = max_iter
        self.counts = qd.field(qd.i32, shape=(width, height))
        self.image = qd.Vector.field(3, qd.f32, shape=(width, height))
        self.frame = 0
        self.inside = 0

    @qd.kernel
    def render(self, frame: qd.i32) -> qd.i32:
        scale = 3.0 / self.height * 0.87**frame
        centre = vec2(CENTRE[0], CENTRE[1])
        inside = 0
        for i, j in self.counts:
            c = centre + vec2(i - self.width * 0.5, j - self.height * 0.5) * scale
            z = vec2(0.0, 0.0)
            n = 0
            while n < self.max_iter and z.norm_sqr() <= 4.0:
                z = qd.math.cmul(z, z) + c
                n += 1
            self.counts[i, j] = n
            if n == self.max_iter:
                inside += 1
                self.image[i, j] = vec3(0.0, 0.0, 0.0)
            else:
                self.image[i, j] = palette(n / self.max_iter)
        return inside

    def step(self):
        self.inside = self.render(self.frame)
        self.frame += 1

    def observe(self) -> dict:
        counts = self.counts.to_numpy()
        return {
            "counts": counts,
            "image": self.image.to_numpy(),
            "inside": self.inside,
            "histogram": np.bincount(counts.ravel(), minlength=self.max_iter + 1),
        }


def make(size: str = "test") -> MandelbrotZoom:
    """A fresh Mandelbrot zoom of the given size (``"test"`` or ``"bench"``)."""
    return MandelbrotZoom(**SIZES[size])
