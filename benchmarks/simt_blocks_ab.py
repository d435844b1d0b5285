"""A/B of ``qd.simt`` blocks on CUDA thread blocks against a block on one thread (issue 24; docs/simt.md, "How it
runs"), in one process.

Two SIMT kernels of the shapes Genesis's rigid solver uses: a batched 16x16 tile Cholesky (``Tile16x16``, block of
16) and a shared-memory block reduction with a block-uniform loop of barriers (block of 128). Each is built twice,
with ``QD_CUDA_SIMT_BLOCKS=1`` (slots on thread blocks) and ``=0`` (the old lowering: a block's lanes one after another
on one thread); a fresh kernel each time, so each compiles for its mode. Both variants must give the same bits; then
the launches are timed back to back. Run on a CUDA machine: ``python3 benchmarks/simt_blocks_ab.py``;
prints one line per kernel and mode and a JSON line (``--arch cpu --scale 64``: a quick run of the script itself).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

import quadrants as qd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import best_batch

BATCH = 4096  # Cholesky problems (one block of 16 lanes each)
ROWS = 1 << 20  # reduction lanes (8192 blocks of 128)


F3 = qd.types.NDArray[qd.f32, 3]


def _make_cholesky():
    @qd.kernel
    def chol(a: F3, out: F3):
        qd.loop_config(block_dim=16)
        for i in range(a.shape[0] * 16):
            b = i // 16
            t = qd.simt.Tile16x16.zeros(dtype=qd.f32)
            t[:] = a[b, 0:16, 0:16]
            t.cholesky_(qd.cast(1e-3, qd.f32))
            out[b, 0:16, 0:16] = t

    return chol


def _make_reduce():
    @qd.kernel
    def reduce(v: qd.types.NDArray[qd.f32, 1], out: qd.types.NDArray[qd.f32, 1]):
        qd.loop_config(block_dim=128)
        for i in range(v.shape[0]):
            sh = qd.simt.block.SharedArray((128,), qd.f32)
            tid = qd.simt.block.thread_idx()
            sh[tid] = v[i]
            qd.simt.block.sync()
            width = 64
            while width > 0:
                if tid < width:
                    sh[tid] = sh[tid] + sh[tid + width]
                qd.simt.block.sync()
                width //= 2
            if tid == 0:
                out[i // 128] = sh[0]

    return reduce


def _inputs(rng, batch: int, rows: int):
    m = rng.random((batch, 16, 16), dtype=np.float32)
    spd = (m @ m.transpose(0, 2, 1) + 16 * np.eye(16, dtype=np.float32)).astype(np.float32)
    return {
        "cholesky": (_make_cholesky, lambda: (qd.ndarray(qd.f32, spd.shape), qd.ndarray(qd.f32, spd.shape)), spd),
        "reduce": (_make_reduce, lambda: (qd.ndarray(qd.f32, (rows,)), qd.ndarray(qd.f32, (rows // 128,))), None),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--arch", default="cuda")
    p.add_argument("--scale", type=int, default=1, help="divide the problem sizes (a quick check on a CPU)")
    args = p.parse_args()
    qd.init(arch=qd.cuda if args.arch == "cuda" else args.arch, offline_cache=False)  # each mode compiles afresh
    rng = np.random.default_rng(0)
    batch, n = BATCH // args.scale, ROWS // args.scale
    values = rng.random(n, dtype=np.float32)
    rows = {}
    for name, (make, alloc, host) in _inputs(rng, batch, n).items():
        results = {}
        for mode in ("1", "0", "1"):
            os.environ["QD_CUDA_SIMT_BLOCKS"] = mode
            kernel = make()
            a, out = alloc()
            a.from_numpy(host if host is not None else values)
            kernel(a, out)
            got = out.to_numpy()
            if mode in results and not np.array_equal(results[mode][0], got):
                raise SystemExit(f"{name}: two runs of mode {mode} differ")
            if results and not np.array_equal(next(iter(results.values()))[0], got):
                raise SystemExit(f"{name}: QD_CUDA_SIMT_BLOCKS={mode} gives other bits")
            seconds = best_batch(lambda k=kernel, a=a, out=out: k(a, out), 10, 5, qd.sync)
            results[mode] = (got, min(seconds, results.get(mode, (None, float("inf")))[1]))
            print(f"{name:9s} blocks={mode}: {seconds * 1e3:8.3f} ms per launch", flush=True)
        rows[name] = {"blocks_ms": results["1"][1] * 1e3, "one_thread_ms": results["0"][1] * 1e3}
        rows[name]["speedup"] = rows[name]["one_thread_ms"] / rows[name]["blocks_ms"]
    os.environ.pop("QD_CUDA_SIMT_BLOCKS", None)
    print(json.dumps({"simt_blocks_ab": rows, "arch": args.arch}))


if __name__ == "__main__":
    main()
