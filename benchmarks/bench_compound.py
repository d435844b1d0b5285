"""Launch cost of data_oriented methods (issue 3 §6), measured in one run on the best available CPU backend.

* 30 read ndarray members, ``stable_members=True`` vs the same class without it: target ratio ≤ 0.75 (≥ 25 % faster).
* the same kernel on an object with 200 extra, unread members: the per-call cost must not grow (ratio ≈ 1).
"""

from __future__ import annotations

import time

import numpy as np

import quadrants as qd

MEMBERS = 30


def _make_class(stable: bool, extra: int = 0):
    @qd.data_oriented(stable_members=stable)
    class Solver:
        def __init__(self):
            for k in range(MEMBERS):
                setattr(self, f"a{k}", qd.ndarray(qd.f32, 4))
            for k in range(extra):
                setattr(self, f"unused{k}", qd.ndarray(qd.f32, 4) if k % 2 else "not a kernel value")

        @qd.kernel
        def step(self):
            for i in range(1):
                for k in qd.static(range(MEMBERS)):
                    getattr(self, f"a{k}")[i] += 1.0

    return Solver()


def _median_us(fn, n: int = 2000) -> float:
    fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e6


def run() -> list[dict]:
    """Rows for ``benchmarks/run.py``."""
    qd.init(arch=qd.cpu)  # falls back to the reference backend (with a warning) when llvm-cpu is unavailable
    plain = _make_class(stable=False)
    stable = _make_class(stable=True)
    wide = _make_class(stable=False, extra=200)
    t_plain = _median_us(plain.step)
    t_stable = _median_us(stable.step)
    t_wide = _median_us(wide.step)
    from quadrants.runtime.state import RUNTIME

    backend = RUNTIME.session.backend_id
    return [
        {
            "name": f"data_oriented 30 members, stable_members=True vs False ({backend})",
            "value": t_stable,
            "unit": "us",
            "baseline": t_plain,
            "ratio": t_stable / t_plain,
        },
        {
            "name": "data_oriented 30 members + 200 unread members vs none",
            "value": t_wide,
            "unit": "us",
            "baseline": t_plain,
            "ratio": t_wide / t_plain,
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']:.2f} {row['unit']} vs {row['baseline']:.2f} -> ratio {row['ratio']:.2f}")
