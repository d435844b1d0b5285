"""SDF renderer: sphere tracing of a scene of signed distance functions, one jittered sample per pixel per step.

The scene is a union of SDFs (a sphere, a rounded box, a torus and the ground plane) written as ``@qd.func``s over
``qd.math.vec3``; every pixel marches a camera ray until it is close to a surface, estimates the normal from central
differences, shades it with a directional light and a marched shadow ray, and accumulates the colour. Sub-pixel
jitter (different every step) makes the image converge over steps (progressive rendering). The jitter is drawn on
the host from NumPy's generator with a fixed seed, so upstream Quadrants renders the same samples.
"""

import numpy as np

import quadrants as qd
from quadrants.math import vec2, vec3

SIZES = {"test": {"width": 48, "height": 32}, "bench": {"width": 320, "height": 240}}
TEST_STEPS = 2
SEED = 48

MAX_STEPS = 96
MAX_DIST = 20.0
HIT_EPS = 1.0e-3


@qd.func
def sd_sphere(p, centre, radius):
    return (p - centre).norm() - radius


@qd.func
def sd_round_box(p, centre, half, rounding):
    q = qd.abs(p - centre) - half
    return qd.max(q, 0.0).norm() + qd.min(qd.max(q.x, qd.max(q.y, q.z)), 0.0) - rounding


@qd.func
def sd_torus(p, centre, radii):
    q = p - centre
    t = vec2(q.xz.norm() - radii.x, q.y)
    return t.norm() - radii.y


@qd.func
def scene(p):
    d = p.y  # the ground plane y = 0
    d = qd.min(d, sd_sphere(p, vec3(0.0, 0.5, 0.0), 0.5))
    d = qd.min(d, sd_round_box(p, vec3(1.2, 0.35, 0.4), vec3(0.3, 0.3, 0.3), 0.05))
    d = qd.min(d, sd_torus(p, vec3(-1.1, 0.25, 0.3), vec2(0.4, 0.12)))
    return d


@qd.func
def normal_at(p):
    h = 1.0e-3
    dx = scene(p + vec3(h, 0.0, 0.0)) - scene(p - vec3(h, 0.0, 0.0))
    dy = scene(p + vec3(0.0, h, 0.0)) - scene(p - vec3(0.0, h, 0.0))
    dz = scene(p + vec3(0.0, 0.0, h)) - scene(p - vec3(0.0, 0.0, h))
    return vec3(dx, dy, dz).normalized()


@qd.func
def march(origin, direction):
    """Distance along the ray to the first surface, or ``MAX_DIST`` when it escapes."""
    t = 0.0
    hit = False
    for _ in range(MAX_STEPS):
        d = scene(origin + t * direction)
        if d < HIT_EPS:
            hit = True
            break
        t += d
        if t > MAX_DIST:
            break
    if not hit:
        t = MAX_DIST
    return t


@qd.data_oriented
class SdfRenderer:
    """A ``width`` x ``height`` progressive renderer."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.accum = qd.Vector.field(3, qd.f32, shape=(width, height))
        self.samples = qd.field(qd.i32, shape=())
        self.light = qd.Vector([0.5, 0.8, 0.3]).normalized()
        self.rng = np.random.default_rng(SEED)

    @qd.kernel
    def render(self, jitters: qd.types.ndarray(dtype=qd.f32, ndim=3)):
        eye = vec3(0.0, 1.2, 3.5)
        target = vec3(0.0, 0.4, 0.0)
        forward = (target - eye).normalized()
        right = forward.cross(vec3(0.0, 1.0, 0.0)).normalized()
        up = right.cross(forward)
        aspect = self.width / self.height
        for u, v in self.accum:
            jitter = vec2(jitters[u, v, 0], jitters[u, v, 1])
            uv = (vec2(u, v) + jitter) / vec2(self.width, self.height) * 2.0 - 1.0
            direction = (forward * 1.5 + right * uv.x * aspect + up * uv.y).normalized()
            colour = vec3(0.6, 0.75, 1.0) * (0.6 + 0.4 * direction.y)  # sky
            t = march(eye, direction)
            if t < MAX_DIST:
                p = eye + t * direction
                n = normal_at(p)
                diffuse = qd.max(n.dot(self.light), 0.0)
                shadow = 1.0
                if diffuse > 0 and march(p + n * 0.01, self.light) < MAX_DIST:
                    shadow = 0.3
                albedo = vec3(0.9, 0.85, 0.8)
                if p.y < 0.01:  # checkered floor
                    checker = (qd.floor(p.x * 2.0) + qd.floor(p.z * 2.0)) % 2
                    albedo = vec3(0.4, 0.4, 0.4) + checker * 0.4
                colour = albedo * (0.15 + 0.85 * diffuse * shadow)
            self.accum[u, v] += colour
        self.samples[None] += 1

    def step(self):
        self.render(self.rng.random((self.width, self.height, 2), dtype=np.float32))

    def observe(self) -> dict:
        image = self.accum.to_numpy() / max(self.samples[None], 1)
        return {
            "image": image,
            "samples": self.samples[None],
            "mean_colour": image.reshape(-1, 3).astype(np.float64).mean(axis=0).astype(np.float32),
        }


def make(size: str = "test") -> SdfRenderer:
    """A fresh renderer of the given size (``"test"`` or ``"bench"``)."""
    return SdfRenderer(**SIZES[size])
