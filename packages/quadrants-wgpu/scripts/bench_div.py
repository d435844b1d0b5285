"""What the correctly rounding f32 division and sqrt helpers cost, and what they change, on this machine's adapter.

Run it twice, ``QD_WGPU_EXACT_DIV=0`` (the driver's ``/`` and ``sqrt``) and ``=1`` (the helpers); each run prints the
time of a kernel doing 32 dependent divisions and 32 square roots per element over 2^22 elements (best of 5), and
how many of 2^20 random quotients and roots differ from NumPy's IEEE results.
"""

from __future__ import annotations

import os
import time

import numpy as np

import quadrants as qd

N = 1 << 22
STEPS = 32


def main() -> None:
    qd.init(arch=qd.vulkan)

    @qd.kernel
    def chain(x: qd.types.NDArray[qd.f32, 1], y: qd.types.NDArray[qd.f32, 1]):
        for i in range(x.shape[0]):
            v = x[i]
            for _ in range(STEPS):
                v = qd.sqrt(v / 0.75 + 1.0)
            y[i] = v

    @qd.kernel
    def pair(a: qd.types.NDArray[qd.f32, 1], b: qd.types.NDArray[qd.f32, 1], out: qd.types.NDArray[qd.f32, 2]):
        for i in range(a.shape[0]):
            out[0, i] = a[i] / b[i]
            out[1, i] = qd.sqrt(a[i])

    x = qd.ndarray(qd.f32, N)
    y = qd.ndarray(qd.f32, N)
    x.from_numpy(np.random.default_rng(0).uniform(0, 100, N).astype(np.float32))
    chain(x, y)
    y.to_numpy()
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        chain(x, y)
        y.to_numpy()
        best = min(best, time.perf_counter() - t)
    rng = np.random.default_rng(1)
    a = rng.integers(0, 1 << 32, 1 << 20, dtype=np.uint64).astype(np.uint32).view(np.float32)
    b = rng.integers(0, 1 << 32, 1 << 20, dtype=np.uint64).astype(np.uint32).view(np.float32)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    out = np.zeros((2, a.size), np.float32)
    pair(a, b, out)
    with np.errstate(all="ignore"):
        want = [np.divide(a, b), np.sqrt(a)]
    normal = [(np.abs(w) >= 2.0**-126) | (w == 0) | ~np.isfinite(w) for w in want]  # subnormals may be flushed
    diff = [int(((got != w) & ~(np.isnan(got) & np.isnan(w)) & m).sum()) for got, w, m in zip(out, want, normal)]
    mode = os.environ.get("QD_WGPU_EXACT_DIV", "(table)")
    print(
        f"QD_WGPU_EXACT_DIV={mode}: {STEPS} x (div + sqrt) over 2^22 f32: {best * 1e3:.2f} ms; "
        f"not IEEE (normal results): div {diff[0]}/{a.size}, sqrt {diff[1]}/{a.size}"
    )


if __name__ == "__main__":
    main()
