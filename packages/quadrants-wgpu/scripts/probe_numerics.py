"""Probe a device's float numerics against NumPy: exactness of + - * / sqrt, subnormals, transcendental ulp errors.

Run on a machine with a GPU (``python packages/quadrants-wgpu/scripts/probe_numerics.py``); it prints one line per
op: how many of N random inputs differ from the correctly rounded result, and the worst ulp distance. This is how
the capability gaps in ``docs/backends/wgpu.md`` were measured.
"""

from __future__ import annotations

import numpy as np

import quadrants as qd

N = 1 << 20


def _ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ia = a.view(np.int32).astype(np.int64)
    ib = b.view(np.int32).astype(np.int64)
    ia = np.where(ia < 0, -(ia & 0x7FFFFFFF), ia)
    ib = np.where(ib < 0, -(ib & 0x7FFFFFFF), ib)
    both_nan = np.isnan(a) & np.isnan(b)
    return np.where(both_nan, 0, np.abs(ia - ib))


def main() -> None:  # noqa: C901 - one flat table of probes
    qd.init(arch=qd.vulkan)

    @qd.kernel
    def binary(
        a: qd.types.NDArray[qd.f32, 1], b: qd.types.NDArray[qd.f32, 1], out: qd.types.NDArray[qd.f32, 1], which: qd.i32
    ):
        for i in range(a.shape[0]):
            x, y = a[i], b[i]
            r = x
            if which == 0:
                r = x / y
            elif which == 1:
                r = qd.sqrt(x)
            elif which == 2:
                r = x * y
            elif which == 3:
                r = x + y
            elif which == 4:
                r = qd.exp(x)
            elif which == 5:
                r = qd.log(x)
            elif which == 6:
                r = qd.sin(x)
            elif which == 7:
                r = qd.cos(x)
            elif which == 8:
                r = qd.tan(x)
            elif which == 9:
                r = qd.atan2(x, y)
            elif which == 10:
                r = qd.tanh(x)
            elif which == 11:
                r = x**y
            out[i] = r

    rng = np.random.default_rng(1)
    wide = (rng.standard_normal(N) * np.exp2(rng.integers(-20, 20, N))).astype(np.float32)
    wide2 = (rng.standard_normal(N) * np.exp2(rng.integers(-20, 20, N))).astype(np.float32)
    small = rng.uniform(-10, 10, N).astype(np.float32)
    pos = np.abs(wide) + np.float32(1e-30)
    sub = (rng.uniform(1, 2, N) * 2.0**-130).astype(np.float32)  # subnormal operands
    cases = [
        ("div", 0, wide, wide2, lambda a, b: a / b),
        ("sqrt", 1, pos, pos, lambda a, b: np.sqrt(a)),
        ("mul", 2, wide, wide2, lambda a, b: a * b),
        ("add", 3, wide, wide2, lambda a, b: a + b),
        ("subnormal add", 3, sub, sub, lambda a, b: a + b),
        ("subnormal mul", 2, sub, np.full(N, 0.5, np.float32), lambda a, b: a * b),
        ("exp", 4, small * 8, small, lambda a, b: np.exp(a)),
        ("log", 5, pos, pos, lambda a, b: np.log(a)),
        ("sin", 6, small * 10, small, lambda a, b: np.sin(a)),
        ("cos", 7, small * 10, small, lambda a, b: np.cos(a)),
        ("tan", 8, small, small, lambda a, b: np.tan(a)),
        ("atan2", 9, wide, wide2, lambda a, b: np.arctan2(a, b)),
        ("tanh", 10, small, small, lambda a, b: np.tanh(a)),
        ("pow", 11, np.abs(small) + 0.5, small, lambda a, b: np.power(a, b)),
    ]
    a, b, out = qd.ndarray(qd.f32, N), qd.ndarray(qd.f32, N), qd.ndarray(qd.f32, N)
    for name, which, x, y, ref in cases:
        a.from_numpy(x)
        b.from_numpy(y)
        binary(a, b, out, which)
        got = out.to_numpy()
        with np.errstate(all="ignore"):
            want = ref(x.astype(np.float64), y.astype(np.float64)).astype(np.float32)
        u = _ulps(want, got)
        print(f"probe {name:14s} differing {int((u > 0).sum()):8d}/{N}  max ulp {int(u.max())}")


if __name__ == "__main__":
    main()
