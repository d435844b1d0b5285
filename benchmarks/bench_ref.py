"""Reference-backend speed (issue: foundation §9): kernels on ``qd.ref`` against hand-written NumPy, same run.

* saxpy over 2^22 f32: ``y = a * x + y`` — target: within 5x of the NumPy expression.
* LCG: 16000 lanes × 1000 serial iterations of ``x = (1664525 * x + 1013904223) % 2147483647`` — target: within 3x of
  a hand-vectorised NumPy loop over the 1000 iterations (same i32 wrap-around arithmetic).

``ratio`` is time(quadrants) / time(NumPy): lower is better; the targets are ratio ≤ 5 and ratio ≤ 3.
"""

from __future__ import annotations

import time

import numpy as np

import quadrants as qd

SAXPY_N = 1 << 22
LCG_LANES = 16000
LCG_ITERS = 1000


def _best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _saxpy() -> dict:
    @qd.kernel
    def saxpy(x: qd.types.NDArray[qd.f32, 1], y: qd.types.NDArray[qd.f32, 1], a: qd.f32):
        for i in range(x.shape[0]):
            y[i] = a * x[i] + y[i]

    rng = np.random.default_rng(0)
    xh = rng.random(SAXPY_N, dtype=np.float32)
    yh = rng.random(SAXPY_N, dtype=np.float32)
    x = qd.ndarray(qd.f32, SAXPY_N)
    y = qd.ndarray(qd.f32, SAXPY_N)
    x.from_numpy(xh)
    y.from_numpy(yh)
    a = np.float32(2.5)
    saxpy(x, y, 2.5)  # compile
    expected = a * xh + yh
    assert np.array_equal(y.to_numpy(), expected), "saxpy result differs from NumPy"

    def numpy_saxpy():
        np.add(a * xh, yh, out=yh)

    t_qd = _best_of(lambda: saxpy(x, y, 2.5), 7)
    t_np = _best_of(numpy_saxpy, 7)
    return {
        "name": "ref saxpy 2^22 f32 (time vs NumPy)",
        "value": t_qd * 1e3,
        "unit": "ms",
        "baseline": t_np * 1e3,
        "ratio": t_qd / t_np,
    }


def _lcg() -> dict:
    @qd.kernel
    def lcg(state: qd.types.NDArray[qd.i32, 1], iters: qd.i32):
        for i in range(state.shape[0]):
            x = state[i]
            for _ in range(iters):
                x = (1664525 * x + 1013904223) % 2147483647
            state[i] = x

    seeds = np.arange(1, LCG_LANES + 1, dtype=np.int32)
    state = qd.ndarray(qd.i32, LCG_LANES)
    state.from_numpy(seeds)
    lcg(state, 1)  # compile

    def numpy_lcg():
        x = seeds.copy()
        with np.errstate(over="ignore"):
            for _ in range(LCG_ITERS):
                x = (np.int32(1664525) * x + np.int32(1013904223)) % np.int32(2147483647)
        return x

    def run_qd():
        state.from_numpy(seeds)
        lcg(state, LCG_ITERS)

    t_qd = _best_of(run_qd, 3)
    t_np = _best_of(numpy_lcg, 3)
    assert np.array_equal(state.to_numpy(), numpy_lcg()), "LCG result differs from NumPy"
    return {
        "name": "ref LCG 16000 x 1000 (time vs NumPy)",
        "value": t_qd * 1e3,
        "unit": "ms",
        "baseline": t_np * 1e3,
        "ratio": t_qd / t_np,
    }


def run() -> list[dict]:
    """Rows for ``benchmarks/run.py``."""
    qd.init(arch=qd.ref)
    return [_saxpy(), _lcg()]


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']:.2f} {row['unit']} vs {row['baseline']:.2f} -> ratio {row['ratio']:.2f}")
