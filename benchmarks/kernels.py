"""Kernels shared by the CPU and GPU benchmarks (``bench_llvm_cpu.py``, ``bench_llvm_cuda.py``).

The same program text runs on every backend, so ratios between backends compare code generation, not kernels.
"""

from __future__ import annotations

import quadrants as qd

F32_1 = qd.types.NDArray[qd.f32, 1]
F32_2 = qd.types.NDArray[qd.f32, 2]
I32_1 = qd.types.NDArray[qd.i32, 1]


@qd.kernel
def saxpy(x: F32_1, y: F32_1, a: qd.f32):
    for i in range(x.shape[0]):
        y[i] = a * x[i] + y[i]


@qd.kernel
def lcg(state: I32_1, iters: qd.i32):
    for i in range(state.shape[0]):
        x = state[i]
        for _ in range(iters):
            x = (1664525 * x + 1013904223) % 2147483647
        state[i] = x


@qd.kernel
def jacobi(a: F32_2, b: F32_2):
    for i, j in qd.ndrange((1, a.shape[0] - 1), (1, a.shape[1] - 1)):
        b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])


@qd.kernel
def histogram(x: I32_1, hist: I32_1):
    for i in range(x.shape[0]):
        qd.atomic_add(hist[x[i]], 1)


@qd.kernel
def total(x: F32_1, t: qd.types.NDArray[qd.f32, 0]):
    for i in range(x.shape[0]):
        t[()] += x[i]


@qd.kernel
def nbody(px: F32_1, py: F32_1, pz: F32_1, ax: F32_1, ay: F32_1, az: F32_1):
    for i in range(px.shape[0]):
        xi, yi, zi = px[i], py[i], pz[i]
        sx = 0.0
        sy = 0.0
        sz = 0.0
        for j in range(px.shape[0]):
            dx = px[j] - xi
            dy = py[j] - yi
            dz = pz[j] - zi
            r2 = dx * dx + dy * dy + dz * dz + 0.01
            inv = 1.0 / (r2 * qd.sqrt(r2))
            sx += dx * inv
            sy += dy * inv
            sz += dz * inv
        ax[i] = sx
        ay[i] = sy
        az[i] = sz


@qd.kernel
def empty():
    pass
