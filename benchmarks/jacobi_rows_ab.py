"""A/B of GPU row-blocked lanes on Jacobi (issue 18; docs/backends/gpu.md#row-blocked-lanes), in one process.

Times ``kernels.jacobi``'s loop at 16384² (f32) against ``cuMemcpyDtoD``: with row-blocked lanes of 4 rows (the
default; each variant patches ``row_blocks.plan``), with them off (the plain unrolled loop; a fresh kernel each
time, so it compiles again), with 8 and with 2 rows per lane, and with 4 again; each variant is first checked
against NumPy on grids whose interior row count is not a multiple of 4. Run on a CUDA machine:
``python3 benchmarks/jacobi_rows_ab.py``; prints one line per variant and a JSON line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import quadrants as qd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_llvm_cuda import JACOBI_N, _copy_gbs
from cuda_worker import best_batch

from quadrants_llvm.builder import row_blocks


def _make():
    @qd.kernel
    def jacobi(a: qd.types.NDArray[qd.f32, 2], b: qd.types.NDArray[qd.f32, 2]):
        for i, j in qd.ndrange((1, a.shape[0] - 1), (1, a.shape[1] - 1)):
            b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])

    return jacobi


def _check(kernel) -> None:
    rng = np.random.default_rng(1)
    for shape in [(11, 9), (1027, 333), (4099, 1000)]:
        host = rng.random(shape, dtype=np.float32)
        a, b = qd.ndarray(qd.f32, shape), qd.ndarray(qd.f32, shape)
        a.from_numpy(host)
        kernel(a, b)
        want = np.zeros(shape, np.float32)
        want[1:-1, 1:-1] = np.float32(0.25) * (host[:-2, 1:-1] + host[2:, 1:-1] + host[1:-1, :-2] + host[1:-1, 2:])
        assert np.array_equal(b.to_numpy(), want), f"Jacobi {shape} differs from NumPy"


def main() -> None:
    qd.init(arch=qd.cuda, offline_cache=False)
    copy = _copy_gbs(JACOBI_N * JACOBI_N * 4)
    out = {"copy_gbs": copy}
    original, default = row_blocks.applies, row_blocks.plan
    variants = [("rows4", original), ("plain", lambda item: None), ("rows8", lambda item: original(item) and 8)]
    variants += [("rows2", lambda item: original(item) and 2), ("rows4_again", original)]
    for name, plan in variants:
        row_blocks.plan = plan
        kernel = _make()
        _check(kernel)
        a, b = qd.ndarray(qd.f32, (JACOBI_N, JACOBI_N)), qd.ndarray(qd.f32, (JACOBI_N, JACOBI_N))
        a.fill(1.0)
        t = best_batch(lambda k=kernel, a=a, b=b: k(a, b))
        gbs = 8 * JACOBI_N**2 / t / 1e9
        out[name] = {"ms": t * 1e3, "gbs": gbs, "of_copy": gbs / copy}
        print(f"{name:10s} {t * 1e3:8.3f} ms  {gbs:7.1f} GB/s  {gbs / copy:.3f} of copy ({copy:.0f} GB/s)", flush=True)
        a = b = None
    row_blocks.plan = default
    print(json.dumps(out))


if __name__ == "__main__":
    main()
