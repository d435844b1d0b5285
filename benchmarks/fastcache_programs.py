"""Kernel sources for ``bench_fastcache.py``: a small and a medium physics step with the same call signature.

Each entry is Python source that defines ``step(pos, vel, force, mass, density, energy, dt, n_sub)`` (marked
``fastcache=True``) and the funcs it reaches. The benchmark appends them to its timing harness and runs the result in
fresh subprocesses.

* ``small`` (3 funcs, 4 parallel loops, ~45 lines of kernel code): gravity, two springs per particle, a ``qd.static``
  sub-step loop with box collisions, an energy reduction.
* ``medium`` (9 funcs, 7 parallel loops, ~150 lines): a particle-fluid step of the kind a simulator's kernels
  contain: wind rotated by a per-particle angle (3x3 matrices), SPH density and pressure/viscosity over a
  ``qd.static`` neighbour window, first and second-neighbour springs, a sub-stepped integrator with box and plane
  collisions, and two reductions. It lowers to ~9x the IR of ``small``.
"""

from __future__ import annotations

__all__ = ["PROGRAMS"]

_SHARED = """\
@qd.func
def spring_force(p, q, rest: qd.f32, k: qd.f32):
    d = q - p
    length = qd.sqrt(d.dot(d)) + 1e-6
    return d * (k * (length - rest) / length)


@qd.func
def clamp_box(p, v, lo: qd.f32, hi: qd.f32):
    out_p, out_v = p, v
    for c in qd.static(range(3)):
        if out_p[c] < lo:
            out_p[c] = lo
            out_v[c] = -out_v[c] * 0.5
        if out_p[c] > hi:
            out_p[c] = hi
            out_v[c] = -out_v[c] * 0.5
    return out_p, out_v


@qd.func
def kinetic(v, m: qd.f32):
    return 0.5 * m * v.dot(v)
"""

_SMALL_STEP = """\
@qd.kernel(fastcache=True)
def step(pos: V1, vel: V1, force: V1, mass: F1, density: F1, energy: F1, dt: qd.f32, n_sub: qd.template()):
    n = pos.shape[0]
    for i in range(n):
        force[i] = vec3(0.0, -9.8 * mass[i], 0.0)
    for i in range(n):
        left = (i + n - 1) % n
        right = (i + 1) % n
        force[i] += spring_force(pos[i], pos[left], 0.1, 50.0)
        force[i] += spring_force(pos[i], pos[right], 0.1, 50.0)
    for i in range(n):
        h = dt / n_sub
        p, v = pos[i], vel[i]
        for _ in qd.static(range(n_sub)):
            v += h * force[i] / mass[i]
            v *= 0.999
            p += h * v
            p, v = clamp_box(p, v, -1.0, 1.0)
        pos[i], vel[i] = p, v
    for i in range(n):
        e = kinetic(vel[i], mass[i]) + mass[i] * 9.8 * pos[i][1]
        qd.atomic_add(energy[0], e)
"""

_MEDIUM_STEP = """\
@qd.func
def rotation(axis, angle: qd.f32):
    # Rodrigues: R = I + sin(a) K + (1 - cos(a)) K^2 with K the cross-product matrix of the unit axis
    a = axis / (axis.norm() + 1e-9)
    k = mat3([[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]])
    eye = mat3([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    return eye + qd.sin(angle) * k + (1.0 - qd.cos(angle)) * (k @ k)


@qd.func
def poly6(r2: qd.f32, h: qd.f32):
    w = 0.0
    if r2 < h * h:
        x = h * h - r2
        w = 315.0 / (64.0 * 3.14159265 * h ** 9) * x * x * x
    return w


@qd.func
def spiky_grad(d, h: qd.f32):
    r = d.norm() + 1e-6
    g = vec3(0.0, 0.0, 0.0)
    if r < h:
        x = h - r
        g = d * (-45.0 / (3.14159265 * h ** 6) * x * x / r)
    return g


@qd.func
def plane_collide(p, v, normal, offset: qd.f32, restitution: qd.f32):
    out_p, out_v = p, v
    dist = out_p.dot(normal) - offset
    if dist < 0.0:
        out_p = out_p - dist * normal
        vn = out_v.dot(normal)
        if vn < 0.0:
            vt = out_v - vn * normal
            out_v = vt * 0.98 - restitution * vn * normal
    return out_p, out_v


@qd.func
def neighbour(i, k: qd.template(), n):
    return (i + k + n) % n


@qd.func
def smooth_clamp(x: qd.f32, lo: qd.f32, hi: qd.f32):
    t = qd.min(qd.max((x - lo) / (hi - lo), 0.0), 1.0)
    return lo + (hi - lo) * t * t * (3.0 - 2.0 * t)


@qd.kernel(fastcache=True)
def step(pos: V1, vel: V1, force: V1, mass: F1, density: F1, energy: F1, dt: qd.f32, n_sub: qd.template()):
    n = pos.shape[0]
    h = 0.05
    for i in range(n):
        wind = vec3(0.3, 0.0, 0.1)
        r = rotation(vec3(0.0, 1.0, 0.2), 0.01 * i)
        force[i] = vec3(0.0, -9.8 * mass[i], 0.0) + (r @ wind) * mass[i]
    for i in range(n):
        rho = 0.0
        for k in qd.static(range(-4, 5)):
            j = neighbour(i, k, n)
            d = pos[j] - pos[i]
            rho += mass[j] * poly6(d.dot(d), h)
        density[i] = qd.max(rho, 1.0)
    for i in range(n):
        p_i = 0.5 * (density[i] - 1.0)
        f = vec3(0.0, 0.0, 0.0)
        for k in qd.static(range(-4, 5)):
            if qd.static(k != 0):
                j = neighbour(i, k, n)
                d = pos[i] - pos[j]
                p_j = 0.5 * (density[j] - 1.0)
                f -= mass[j] * (p_i + p_j) / (2.0 * density[j]) * spiky_grad(d, h)
                f += 0.02 * mass[j] * (vel[j] - vel[i]) / density[j] * poly6(d.dot(d), h)
        force[i] += f
    for i in range(n):
        f = vec3(0.0, 0.0, 0.0)
        for k in qd.static((-2, -1, 1, 2)):
            j = neighbour(i, k, n)
            rest = qd.static(0.1 * abs(k))
            f += spring_force(pos[i], pos[j], rest, qd.static(50.0 / abs(k)))
        force[i] += f
    for i in range(n):
        sub = dt / n_sub
        p, v = pos[i], vel[i]
        for _ in qd.static(range(n_sub)):
            v += sub * force[i] / mass[i]
            v *= 0.999
            speed = v.norm()
            if speed > 20.0:
                v *= smooth_clamp(speed, 0.0, 20.0) / speed
            p += sub * v
            p, v = clamp_box(p, v, -1.0, 1.0)
            p, v = plane_collide(p, v, vec3(0.0, 1.0, 0.0), -0.9, 0.3)
            p, v = plane_collide(p, v, vec3(0.7071, 0.7071, 0.0), -1.2, 0.3)
            p, v = plane_collide(p, v, vec3(-0.7071, 0.7071, 0.0), -1.2, 0.3)
            p, v = plane_collide(p, v, vec3(0.0, 0.7071, 0.7071), -1.2, 0.3)
        pos[i], vel[i] = p, v
    for i in range(n):
        e = kinetic(vel[i], mass[i]) + mass[i] * 9.8 * pos[i][1]
        qd.atomic_add(energy[0], e)
    for i in range(n):
        qd.atomic_max(energy[1], vel[i].norm())
"""

# the funcs both programs share come first; the medium one adds its own before its kernel
PROGRAMS = {"small": _SHARED + "\n\n" + _SMALL_STEP, "medium": _SHARED + "\n\n" + _MEDIUM_STEP}
