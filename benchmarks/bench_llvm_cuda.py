"""llvm-cuda throughput and latency on the local NVIDIA GPU (no rows when the backend is unavailable).

Bandwidth-bound kernels are reported against a device-to-device copy (``cuMemcpyDtoD``) measured in the same run
(docs/benchmarks.md: target ≥ 0.85 of the copy's GB/s); the others report Gelem/s or µs with no baseline. Every timing
is the best of several repeats, each ending with ``qd.sync()``; the copy and the bandwidth-bound kernels time batches
of back-to-back launches (``timing.best_batch``), so the host's launch latency is not counted as device time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

import quadrants as qd

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shared kernels module beside this file
import cuda_streams
from cuda_worker import (
    best as _best,
    best_batch as _batch,
    chain_per_call,
    one_lane,
    per_call as _per_call,
    three_tasks,
)
from kernels import empty, histogram, jacobi, nbody, saxpy, total

SAXPY_N = 1 << 28
REDUCE_N = 1 << 28
HIST_N = 1 << 26
JACOBI_N = 16384  # 2^28 points
NBODY_N = 32768
WORKER = Path(__file__).resolve().parent / "cuda_worker.py"
# cuda_worker.py's timings compared with upstream's: (key, row name, unit, scale to the unit). Times: ratio < 1 is
# faster than upstream (docs/benchmarks.md: do_while <= 0.4, 3-task graph <= 0.5, n-body <= 1/1.2).
VERSUS_UPSTREAM = [
    ("saxpy_s", "saxpy f32 2^28 vs upstream", "ms", 1e3),
    ("jacobi_s", "Jacobi 16384^2 vs upstream", "ms", 1e3),
    ("nbody4096_s", "n-body N=4096 fast_math=False vs upstream", "ms", 1e3),
    ("nbody16384_s", "n-body N=16384 fast_math=False vs upstream", "ms", 1e3),
    ("one_lane_us", "1-lane launch vs upstream", "us", 1.0),
    ("chain_us", "dependent 1-lane launches, new scalar each, vs upstream", "us", 1.0),
    ("three_tasks_us", "3-task graph=True call vs upstream", "us", 1.0),
    ("do_while_iter_us", "do_while per iteration vs upstream", "us", 1.0),
]


def _copy_gbs(nbytes: int) -> float:
    """GB/s (read + write) of cuMemcpyDtoD over ``nbytes``: the bandwidth probe."""
    from cuda.bindings import driver as cu

    from quadrants_llvm.cuda.driver import check, device

    dev = device()
    src, dst = dev.alloc(nbytes), dev.alloc(nbytes)
    try:
        t = _batch(lambda: check(cu.cuMemcpyDtoD(dst, src, nbytes), "cuMemcpyDtoD"))
    finally:
        dev.free(src)
        dev.free(dst)
    return 2 * nbytes / t / 1e9


def _row(name, value, unit, baseline=None):
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": value / baseline if baseline else None,
    }


def _worker(python: str, *flags: str) -> dict:
    """``cuda_worker.py``'s timings under ``python`` (the JSON of its last stdout line)."""
    proc = subprocess.run([python, str(WORKER), *flags], capture_output=True, text=True, timeout=900)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode or not lines:
        raise RuntimeError(f"{python} {WORKER.name} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def _upstream_rows(upstream_python: str) -> list[dict]:
    """The same program text timed by this project and by upstream 1.3.3, each in its own process."""
    ours, theirs = _worker(sys.executable), _worker(upstream_python)
    rows = [_row(name, ours[key] * scale, unit, theirs[key] * scale) for key, name, unit, scale in VERSUS_UPSTREAM]
    # the rows above run fast_math=False on both sides (upstream's default is True, ours strict IEEE,
    # docs/semantics.md); the same n-body with fast_math=True on both sides
    fast = [_worker(python, "--fast-math", "--nbody-only") for python in (sys.executable, upstream_python)]
    for n in (4096, 16384):
        key = f"nbody{n}_s"
        rows.append(_row(f"n-body N={n} fast_math=True vs upstream", fast[0][key] * 1e3, "ms", fast[1][key] * 1e3))
    rows.append(
        {
            "name": f"do_while ran as: {ours.get('do_while_runner', '')}",
            "value": 0,
            "unit": "",
            "baseline": None,
            "ratio": None,
        }
    )
    return rows


def run(options: dict | None = None) -> list[dict]:
    """Rows for ``benchmarks/run.py`` (empty without a CUDA device); ``--against upstream`` adds the ratios to
    upstream 1.3.3 timed by ``cuda_worker.py`` in the same run."""
    from quadrants.backend import discover_backends

    backend = discover_backends().get("llvm-cuda")
    if backend is None or not backend.probe().available:
        return []
    options = options or {}
    if options.get("against") == "upstream" and options.get("upstream_python"):
        return _local_rows() + _upstream_rows(options["upstream_python"])
    return _local_rows()


def _local_rows() -> list[dict]:
    qd.init(arch="llvm-cuda")
    rows = []
    copy = _copy_gbs(SAXPY_N * 4)
    x, y = qd.ndarray(qd.f32, SAXPY_N), qd.ndarray(qd.f32, SAXPY_N)
    x.fill(1.0)
    t = _batch(lambda: saxpy(x, y, 2.0))
    rows.append(_row("saxpy f32 2^28 (GB/s vs cuMemcpyDtoD)", 3 * 4 * SAXPY_N / t / 1e9, "GB/s", copy))
    s = qd.ndarray(qd.f32, ())
    t = _batch(lambda: total(x, s))
    rows.append(_row("sum reduction f32 2^28 (GB/s read vs copy)", 4 * REDUCE_N / t / 1e9, "GB/s", copy))
    x = y = None  # free device memory before the next benchmark
    rng = np.random.default_rng(0)
    hx = qd.ndarray(qd.i32, HIST_N)
    hx.from_numpy(rng.integers(0, 256, HIST_N, dtype=np.int32))
    hist = qd.ndarray(qd.i32, 256)
    t = _best(lambda: histogram(hx, hist))
    rows.append(_row("atomic histogram 2^26 values, 256 bins", HIST_N / t / 1e9, "Gelem/s"))
    a, b = qd.ndarray(qd.f32, (JACOBI_N, JACOBI_N)), qd.ndarray(qd.f32, (JACOBI_N, JACOBI_N))
    a.fill(1.0)
    t = _batch(lambda: jacobi(a, b))
    rows.append(_row("Jacobi 5-point 16384^2 (GB/s, 1 read + 1 write)", 8 * JACOBI_N**2 / t / 1e9, "GB/s", copy))
    a = b = None
    p = [qd.ndarray(qd.f32, NBODY_N) for _ in range(6)]
    for q in p[:3]:
        q.from_numpy(rng.random(NBODY_N, dtype=np.float32))
    t = _best(lambda: nbody(*p), repeat=3)
    rows.append(_row("n-body N=32768 f32", NBODY_N**2 / t / 1e9, "Ginteraction/s"))
    rows.append(_row("empty kernel (no tasks), cached call", _per_call(empty) * 1e6, "us"))
    z = qd.ndarray(qd.i32, 1)
    rows.append(_row("1-lane kernel launch, cached call (async)", _per_call(lambda: one_lane(z)) * 1e6, "us"))
    # each launch with a new scalar (its words copied in) after one that wrote what it reads: a copy that waited for
    # the stream would show here (cuda/arg_ring.py, QD_CUDA_PINNED_ARGS=1)
    rows.append(_row("dependent 1-lane launches, new scalar each (copy a launch)", chain_per_call() * 1e6, "us"))
    g1, g2 = qd.ndarray(qd.i32, 16), qd.ndarray(qd.i32, 16)
    rows.append(_row("3-task graph=True kernel, 16 elements", _per_call(lambda: three_tasks(g1, g2), 500) * 1e6, "us"))
    rows += cuda_streams.rows(_row)  # overlap on qd streams and qd.stream_parallel() blocks (issue 16)
    qd.reset()  # free the device memory before a worker process takes the GPU
    return rows
