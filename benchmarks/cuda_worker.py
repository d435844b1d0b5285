"""GPU timings of one interpreter's Quadrants on ``qd.cuda``, printed as one JSON line (the last line of stdout).

``bench_llvm_cuda.py`` runs this file under the project's interpreter and, with ``--against upstream``, under one
whose ``quadrants`` is upstream 1.3.3: the same program text, timed the same way, so the ratios compare the two
implementations. Only public API that both accept is used. Every timing ends with ``qd.sync()``; bulk kernels report
the best of a few repeats (bandwidth-bound ones of batches of back-to-back launches, so the host's launch latency does
not count as device time), per-call latencies the median of five batches.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

import quadrants as qd

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shared kernels module beside this file
import timing
from kernels import jacobi, nbody, saxpy

I1 = qd.types.ndarray(qd.i32, ndim=1)
I0 = qd.types.ndarray(qd.i32, ndim=0)

BIG = 1 << 28
JACOBI = 16384  # 2^28 points (issue 18: saxpy and Jacobi at 2^28)
DO_WHILE_ITERS = 1000


@qd.kernel
def one_lane(x: I1):
    for i in range(1):
        x[i] = 1


@qd.kernel
def chain_step(x: I1, k: qd.i32):
    for i in range(1):
        x[i] = x[i] + k


@qd.kernel(graph=True)
def three_tasks(x: I1, y: I1):
    for i in range(x.shape[0]):
        x[i] += 1
    for i in range(y.shape[0]):
        y[i] = x[i] * 2
    for i in range(x.shape[0]):
        x[i] = y[i] - 1


@qd.kernel(graph=True)
def countdown(x: I1, c: I0):
    while qd.graph.do_while(c):
        for i in range(x.shape[0]):
            x[i] += 1
        for _ in range(1):
            c[()] = c[()] - 1


def best(fn, repeat: int = 5) -> float:
    """:func:`timing.best` ended by ``qd.sync()``."""
    return timing.best(fn, repeat, qd.sync)


def best_batch(fn, batch: int = 10) -> float:
    """:func:`timing.best_batch` ended by ``qd.sync()``: seconds per call of back-to-back launches."""
    return timing.best_batch(fn, batch, 5, qd.sync)


def per_call(fn, calls: int = 2000) -> float:
    """:func:`timing.per_call` ended by ``qd.sync()``."""
    return timing.per_call(fn, calls, qd.sync)


def _do_while_per_iteration() -> float:
    x, c = qd.ndarray(qd.i32, (16,)), qd.ndarray(qd.i32, ())
    best = float("inf")
    for _ in range(6):  # the first launch compiles
        c.from_numpy(np.array(DO_WHILE_ITERS, dtype=np.int32))
        qd.sync()
        t0 = time.perf_counter()
        countdown(x, c)
        qd.sync()
        best = min(best, time.perf_counter() - t0)
    if int(x.to_numpy()[0]) != 6 * DO_WHILE_ITERS:
        raise SystemExit(f"do_while ran {int(x.to_numpy()[0])} iterations, expected {6 * DO_WHILE_ITERS}")
    return best / DO_WHILE_ITERS


def _nbody_rows(rng, out: dict) -> None:
    for n in (4096, 16384):
        p = [qd.ndarray(qd.f32, n) for _ in range(6)]
        for q in p[:3]:
            q.from_numpy(rng.random(n, dtype=np.float32))
        out[f"nbody{n}_s"] = best(lambda p=p: nbody(*p), repeat=3)


def chain_per_call(calls: int = 2000) -> float:
    """Seconds per launch of a chain of 1-lane launches, each reading what the previous one wrote and each with a new
    scalar argument, so that every launch copies its argument words (the same arguments twice skip that copy)."""
    x = qd.ndarray(qd.i32, 1)
    scalars = iter(range(1 << 40))
    return per_call(lambda: chain_step(x, next(scalars) & 0xFF), calls)


def _launch_rows(out: dict) -> None:
    z = qd.ndarray(qd.i32, 1)
    out["one_lane_us"] = per_call(lambda: one_lane(z), 2000) * 1e6
    out["chain_us"] = chain_per_call() * 1e6
    g1, g2 = qd.ndarray(qd.i32, 16), qd.ndarray(qd.i32, 16)
    out["three_tasks_us"] = per_call(lambda: three_tasks(g1, g2), 500) * 1e6
    out["do_while_iter_us"] = _do_while_per_iteration() * 1e6


def main() -> None:
    """``cuda_worker.py [--fast-math] [--nbody-only | --launch-only]``: the JSON timings on stdout's last line."""
    fast_math = "--fast-math" in sys.argv
    # fast_math spelled out on both sides: the defaults differ (upstream True, ours strict IEEE, docs/semantics.md),
    # and a ratio compares the two implementations of the same semantics
    qd.init(arch=qd.cuda, fast_math=fast_math)
    rng = np.random.default_rng(0)
    out = {}
    if "--nbody-only" in sys.argv or "--launch-only" in sys.argv:
        if "--nbody-only" in sys.argv:
            _nbody_rows(rng, out)
        else:
            _launch_rows(out)
        print(json.dumps(out))
        return
    x, y = qd.ndarray(qd.f32, BIG), qd.ndarray(qd.f32, BIG)
    x.fill(1.0)
    out["saxpy_s"] = best_batch(lambda: saxpy(x, y, 2.0))
    x = y = None
    a, b = qd.ndarray(qd.f32, (JACOBI, JACOBI)), qd.ndarray(qd.f32, (JACOBI, JACOBI))
    a.fill(1.0)
    out["jacobi_s"] = best_batch(lambda: jacobi(a, b))
    a = b = None
    _nbody_rows(rng, out)
    _launch_rows(out)
    runner = getattr(getattr(countdown, "launch_stats", None), "runner", "")
    out["do_while_runner"] = runner if isinstance(runner, str) else ""
    print(json.dumps(out))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
