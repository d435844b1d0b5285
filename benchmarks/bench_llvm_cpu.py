"""llvm-cpu speed (issue 4 §9): kernels on ``qd.cpu`` against Numba ``@njit(parallel=True)`` equivalents, same run.

Throughput rows report ``value`` = Quadrants throughput, ``baseline`` = Numba throughput of the same computation and
``ratio`` = value / baseline (higher is better; targets: saxpy ≥ 0.8, LCG ≥ 0.9, Jacobi ≥ 0.8, histogram ≥ 0.5,
sum ≥ 0.5, n-body ≥ 0.9). Latency rows (empty launch, 3-task launch, cold compile) have no baseline; their targets
are ≤ 3 µs, ≤ 15 µs and ≤ 0.3 s. Without Numba installed the throughput rows carry no baseline.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

import quadrants as qd

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shared kernels module beside this file
import timing
from kernels import I32_1, empty, histogram, jacobi, lcg, nbody, saxpy, total

try:  # the baseline; `nox -s bench` installs it
    import numba
    from numba import njit, prange
except ImportError:  # pragma: no cover - reported as missing baselines
    numba = None


def _best(fn, repeat: int = 7) -> float:
    return timing.best(fn, repeat)


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _pair(f_qd, f_nb, repeat: int = 15) -> tuple[float, float | None]:
    """Best times of both, measured alternately so that machine noise hits both alike."""
    if f_nb is None:
        return _best(f_qd, repeat), None
    f_qd()
    f_nb()
    t_qd = t_nb = float("inf")
    for _ in range(repeat):
        t_qd = min(t_qd, _time(f_qd))
        t_nb = min(t_nb, _time(f_nb))
    return t_qd, t_nb


def _row(name: str, unit: str, work: float, t_qd: float, t_nb: float | None) -> dict:
    value = work / t_qd
    baseline = work / t_nb if t_nb else None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": value / baseline if baseline else None,
    }


# ------------------------------------------------------------------------------------------------------ kernels


def make_three_tasks():
    """A fresh 3-task kernel object (each one compiles on its first call)."""

    @qd.kernel
    def three_tasks(x: I32_1, y: I32_1):
        for i in range(x.shape[0]):
            x[i] += 1
        for i in range(y.shape[0]):
            y[i] = x[i] * 2
        for i in range(x.shape[0]):
            x[i] = y[i] - 1

    return three_tasks


three_tasks = make_three_tasks()


# ------------------------------------------------------------------------------------------------ Numba baselines


def _numba_kernels() -> dict:  # noqa: C901 - a flat list of nested baseline definitions
    if numba is None:
        return {}

    @njit(parallel=True)
    def nb_saxpy(x, y, a):
        for i in prange(x.shape[0]):
            y[i] = a * x[i] + y[i]

    @njit(parallel=True)
    def nb_lcg(state, iters):
        for i in prange(state.shape[0]):
            x = state[i]
            for _ in range(iters):
                x = np.int32((np.int32(1664525) * x + np.int32(1013904223)) % np.int32(2147483647))
            state[i] = x

    @njit(parallel=True)
    def nb_jacobi(a, b):
        for i in prange(1, a.shape[0] - 1):
            for j in range(1, a.shape[1] - 1):
                b[i, j] = np.float32(0.25) * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])

    @njit(parallel=True)
    def nb_hist(x, hist, chunks):
        n = x.shape[0]
        local = np.zeros((chunks, hist.shape[0]), np.int32)
        for c in prange(chunks):
            for i in range(c * n // chunks, (c + 1) * n // chunks):
                local[c, x[i]] += 1
        for c in range(chunks):
            hist += local[c]

    @njit(parallel=True)
    def nb_total(x):
        s = np.float32(0.0)
        for i in prange(x.shape[0]):
            s += x[i]
        return s

    @njit(parallel=True)
    def nb_nbody(px, py, pz, ax, ay, az):
        n = px.shape[0]
        for i in prange(n):
            xi, yi, zi = px[i], py[i], pz[i]
            sx = np.float32(0.0)
            sy = np.float32(0.0)
            sz = np.float32(0.0)
            for j in range(n):
                dx = px[j] - xi
                dy = py[j] - yi
                dz = pz[j] - zi
                r2 = dx * dx + dy * dy + dz * dz + np.float32(0.01)
                inv = np.float32(1.0) / (r2 * np.sqrt(r2))
                sx += dx * inv
                sy += dy * inv
                sz += dz * inv
            ax[i] = sx
            ay[i] = sy
            az[i] = sz

    return {
        "saxpy": nb_saxpy,
        "lcg": nb_lcg,
        "jacobi": nb_jacobi,
        "hist": nb_hist,
        "total": nb_total,
        "nbody": nb_nbody,
    }


# ----------------------------------------------------------------------------------------------------- the rows


def _throughput_rows(nb: dict) -> list[dict]:
    rng = np.random.default_rng(0)
    rows = []
    n = 1 << 24
    x, y = rng.random(n, dtype=np.float32), rng.random(n, dtype=np.float32)
    qx, qy = qd.ndarray(qd.f32, n), qd.ndarray(qd.f32, n)
    qx.from_numpy(x)
    qy.from_numpy(y)
    t_qd, t_nb = _pair(lambda: saxpy(qx, qy, 2.5), nb and (lambda: nb["saxpy"](x, y, np.float32(2.5))))
    rows.append(_row("saxpy f32 2^24", "Melem/s", n / 1e6, t_qd, t_nb))

    lanes, iters = 16000, 1000
    seeds = np.arange(1, lanes + 1, dtype=np.int32)
    qs = qd.ndarray(qd.i32, lanes)
    qs.from_numpy(seeds)
    t_qd, t_nb = _pair(lambda: lcg(qs, iters), nb and (lambda: nb["lcg"](seeds.copy(), iters)), 7)
    rows.append(_row("LCG 16000 lanes x 1000 iters", "Mstep/s", lanes * iters / 1e6, t_qd, t_nb))

    m = 2048
    a = rng.random((m, m), dtype=np.float32)
    b = a.copy()
    qa, qb = qd.ndarray(qd.f32, (m, m)), qd.ndarray(qd.f32, (m, m))
    qa.from_numpy(a)
    qb.from_numpy(b)

    def sweeps(fn, p, q):
        for _ in range(5):
            fn(p, q)
            fn(q, p)

    t_qd, t_nb = _pair(lambda: sweeps(jacobi, qa, qb), nb and (lambda: sweeps(nb["jacobi"], a, b)), 7)
    rows.append(_row("Jacobi 5-point 2048^2 x 10 sweeps", "Mpoint/s", 10 * (m - 2) ** 2 / 1e6, t_qd, t_nb))

    hn = 1 << 22
    hx = rng.integers(0, 256, hn, dtype=np.int32)
    qhx, qh = qd.ndarray(qd.i32, hn), qd.ndarray(qd.i32, 256)
    qhx.from_numpy(hx)
    nh = np.zeros(256, np.int32)
    t_qd, t_nb = _pair(lambda: histogram(qhx, qh), nb and (lambda: nb["hist"](hx, nh, 64)))
    rows.append(_row("atomic histogram 2^22 values, 256 bins", "Melem/s", hn / 1e6, t_qd, t_nb))
    check = np.zeros(256, np.int32)
    histogram(qhx, (qc := qd.ndarray(qd.i32, 256)))
    np.add.at(check, hx, 1)
    assert np.array_equal(qc.to_numpy(), check), "histogram differs"

    qt = qd.ndarray(qd.f32, ())
    t_qd, t_nb = _pair(lambda: total(qx, qt), nb and (lambda: nb["total"](x)))
    rows.append(_row("sum reduction atomic_add 2^24 f32", "Melem/s", n / 1e6, t_qd, t_nb))

    nn = 4096
    p = [rng.random(nn, dtype=np.float32) for _ in range(3)]
    acc = [np.zeros(nn, np.float32) for _ in range(3)]
    nacc = [np.zeros(nn, np.float32) for _ in range(3)]
    t_qd, t_nb = _pair(lambda: nbody(*p, *acc), nb and (lambda: nb["nbody"](*p, *nacc)), 7)
    rows.append(_row("n-body N=4096 f32", "Minteraction/s", nn * nn / 1e6, t_qd, t_nb))
    return rows


def _latency_rows() -> list[dict]:
    rows = []
    for name, call in (
        ("empty kernel launch (median)", lambda: empty()),
        ("3-task kernel launch, 16 elements (median)", None),
    ):
        if call is None:
            x, y = qd.ndarray(qd.i32, 16), qd.ndarray(qd.i32, 16)
            call = lambda x=x, y=y: three_tasks(x, y)  # noqa: E731
        call()
        samples = []
        for _ in range(20):
            t0 = time.perf_counter()
            for _ in range(500):
                call()
            samples.append((time.perf_counter() - t0) / 500)
        rows.append(
            {"name": name, "value": statistics.median(samples) * 1e6, "unit": "us", "baseline": None, "ratio": None}
        )
    cold = []
    for _ in range(3):
        fresh = make_three_tasks()
        x, y = qd.ndarray(qd.i32, 16), qd.ndarray(qd.i32, 16)
        t0 = time.perf_counter()
        fresh(x, y)
        cold.append(time.perf_counter() - t0)
    rows.append(
        {
            "name": "cold compile + first call, 3-task kernel",
            "value": statistics.median(cold),
            "unit": "s",
            "baseline": None,
            "ratio": None,
        }
    )
    return rows


def run() -> list[dict]:
    """Rows for ``benchmarks/run.py``."""
    qd.init(arch=qd.cpu)
    nb = _numba_kernels()
    return _throughput_rows(nb) + _latency_rows()


if __name__ == "__main__":
    for row in run():
        base = f" vs Numba {row['baseline']:.1f} -> ratio {row['ratio']:.2f}" if row["baseline"] else ""
        print(f"{row['name']}: {row['value']:.3g} {row['unit']}{base}")
