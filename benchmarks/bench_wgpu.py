"""wgpu backend speed against llvm-cuda on the same GPU, in one run (issue 22; docs/backends/wgpu.md).

Every case runs the same program text (``kernels.py``) on ``vulkan`` and on the baseline arch (``llvm-cuda`` when it
is available), each in its own process (``wgpu_worker.py``): a crash or a hang of one case is reported as a progress
line and a ``FAILED`` row, and the other cases still run. A row's ``value`` is wgpu's, its ``baseline`` the baseline
arch's, and ``ratio`` wgpu / baseline. Targets (issue 22): saxpy and Jacobi ≥ 0.7 of llvm-cuda's bandwidth, the sum
reduction and the histograms ≥ 0.5 with native atomics.

* saxpy 2^28 f32 (``y = a * x + y``, 12 bytes per element), Jacobi 5-point 8192² f32 (8 bytes per point), the sum
  ``t[()] += x[i]`` of 2^28 f32 (4 bytes per element): GB/s.
* i32 histogram of 2^26 values into 256 bins (``kernels.histogram``), the same with ``atomic_add(h[x[i]], 1.0)`` on an
  f32 histogram: Gelem/s.
* The f32 sum and histogram run twice on wgpu: with the device's native f32 atomics (``shader-float32-atomic``) and
  with them switched off (``QD_WGPU_DISABLE_FEATURES=shader-float32-atomic``: compare-exchange loops); the i32
  histogram also runs without its workgroup-private copy (``QD_BENCH_WGPU_NO_PRIVATE=1``, read by the worker only).
* The driver's device-to-device copy (``copy_buffer_to_buffer`` / ``cuMemcpyDtoD``) of 2^28 f32, GB/s: how fast
  each API moves memory on this GPU, for context.
* Launch cost: µs per call (queued; a sync ends each batch) of a kernel with no tasks and of a one-task kernel.

Sizes are lowered to what one buffer binding of the device holds (the row names the size run). Environment:

* ``QD_BENCH_WGPU_CPU=1``: run on a software adapter too (Mesa's lavapipe) with small sizes, to test this file on a
  machine without a GPU; otherwise a software-only machine gives no rows (and says why).
* ``QD_BENCH_WGPU_BASELINE``: the baseline arch (``cuda``, ``cpu`` or ``none``; default ``cuda`` when llvm-cuda is
  available, else none).
* ``QD_BENCH_WGPU_BUDGET`` (seconds, default 300): the whole module's time; cases left when it is spent are reported
  as skipped. ``QD_BENCH_WGPU_CASE_TIMEOUT`` (default 120): one worker process's limit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

WORKER = Path(__file__).resolve().parent / "wgpu_worker.py"
MIN_CASE_SECONDS = 5  # a worker needs this long at least (import, device); with less budget left a case is skipped
F32_ATOMIC_OFF = {"QD_WGPU_DISABLE_FEATURES": "shader-float32-atomic"}
NO_PRIVATE = {"QD_BENCH_WGPU_NO_PRIVATE": "1"}  # wgpu_worker.py: histograms on device atomics only (A/B)

# (key, worker case, what, unit, GPU size, CPU size, extra env for the wgpu run, issue 22's target or None)
CASES = [
    ("copy", "copy", "device copy {n} f32 (copy_buffer_to_buffer vs cuMemcpyDtoD)", "GB/s", 1 << 28, 1 << 20, {}, None),
    ("saxpy", "saxpy", "saxpy {n} f32", "GB/s", 1 << 28, 1 << 20, {}, 0.7),
    ("jacobi", "jacobi", "Jacobi 5-point {n}^2 f32", "GB/s", 8192, 512, {}, 0.7),
    ("sum", "sum", "sum t[()] += x[i] {n} f32, native f32 atomics", "GB/s", 1 << 28, 1 << 20, {}, 0.5),
    ("sum_cas", "sum", "sum t[()] += x[i] {n} f32, compare-exchange", "GB/s", 1 << 28, 1 << 20, F32_ATOMIC_OFF, None),
    ("ihist", "ihist", "i32 atomic histogram {n} values, 256 bins", "Gelem/s", 1 << 26, 1 << 18, {}, 0.5),
    (
        "ihist_global",
        "ihist",
        "i32 atomic histogram {n} values, no workgroup copy",
        "Gelem/s",
        1 << 26,
        1 << 18,
        NO_PRIVATE,
        None,
    ),
    ("fhist", "fhist", "f32 atomic histogram {n} values, 256 bins, native", "Gelem/s", 1 << 26, 1 << 18, {}, 0.5),
    (
        "fhist_cas",
        "fhist",
        "f32 atomic histogram {n} values, compare-exchange",
        "Gelem/s",
        1 << 24,
        1 << 16,
        F32_ATOMIC_OFF,
        None,
    ),
    ("launch_empty", "launch_empty", "launch of a kernel with no tasks", "us", 2000, 200, {}, None),
    ("launch_one", "launch_one", "launch of a one-task kernel", "us", 2000, 200, {}, None),
]
# value from (n, seconds per call): bytes moved or elements per second
_METRICS = {
    "copy": lambda n, s: 8 * n / s / 1e9,
    "saxpy": lambda n, s: 12 * n / s / 1e9,
    "jacobi": lambda n, s: 8 * n * n / s / 1e9,
    "sum": lambda n, s: 4 * n / s / 1e9,
    "ihist": lambda n, s: n / s / 1e9,
    "fhist": lambda n, s: n / s / 1e9,
    "launch_empty": lambda n, s: s * 1e6,
    "launch_one": lambda n, s: s * 1e6,
}
_ARCH_NAMES = {"vulkan": "wgpu", "cuda": "llvm-cuda", "cpu": "llvm-cpu"}


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _size_text(case: str, n: int) -> str:
    if case.startswith("launch") or case == "jacobi":
        return str(n)
    return f"2^{n.bit_length() - 1}" if n & (n - 1) == 0 else str(n)


class _Runner:
    """Runs worker processes within the module's time budget, printing a progress line for each."""

    def __init__(self, budget: float, case_timeout: float):
        self.deadline = time.monotonic() + budget
        self.case_timeout = case_timeout

    def run(self, arch: str, case: str, n: int, env: dict | None = None) -> tuple[dict | None, str]:
        """The worker's JSON, or None and why (crash with its signal, timeout, budget spent, bad output)."""
        left = self.deadline - time.monotonic()
        label = f"bench_wgpu: {case} n={n} on {_ARCH_NAMES[arch]}{' ' + str(env) if env else ''}"
        if left < MIN_CASE_SECONDS:
            print(f"{label}: skipped (time budget spent)", flush=True)
            return None, "skipped: time budget spent"
        limit = min(self.case_timeout, left)
        cmd = [sys.executable, str(WORKER), "--arch", arch, "--case", case, "--n", str(n)]
        t0 = time.monotonic()
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=limit, env={**os.environ, **(env or {})}, check=False
            )
        except subprocess.TimeoutExpired:
            print(f"{label}: TIMEOUT after {limit:.0f} s (killed)", flush=True)
            return None, f"timeout after {limit:.0f} s"
        took = time.monotonic() - t0
        lines = proc.stdout.strip().splitlines()
        if proc.returncode or not lines:
            why = _exit_text(proc.returncode)
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            print(f"{label}: FAILED ({why}, {took:.1f} s): {tail}", flush=True)
            return None, why
        try:
            out = json.loads(lines[-1])
        except json.JSONDecodeError:
            print(f"{label}: FAILED (no JSON line): {lines[-1][:200]}", flush=True)
            return None, "no JSON line"
        if "seconds" in out:
            print(f"{label}: {out['seconds'] * 1e3:.4g} ms per call, n={out['n']} ({took:.1f} s)", flush=True)
        return out, ""


def _exit_text(rc: int) -> str:
    if rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit status {rc}"


def _baseline_arch(runner: _Runner, cpu_mode: bool) -> str | None:
    wanted = os.environ.get("QD_BENCH_WGPU_BASELINE", "" if cpu_mode else "cuda").strip().lower()
    if wanted in ("", "none"):
        return None
    if wanted not in _ARCH_NAMES or wanted == "vulkan":
        print(f"bench_wgpu: QD_BENCH_WGPU_BASELINE={wanted!r} is not cuda, cpu or none: no baseline", flush=True)
        return None
    probe, why = runner.run(wanted, "probe", 0)
    if probe is None:
        print(f"bench_wgpu: no {_ARCH_NAMES[wanted]} baseline ({why})", flush=True)
        return None
    return wanted


def _row(case: str, what: str, unit: str, ours: dict | None, theirs: dict | None, why: str, target) -> dict:
    metric = _METRICS[case]
    n = (ours or theirs or {}).get("n")
    name = "wgpu " + what.format(n=_size_text(case, n) if n else "?")
    if target is not None:
        name += f" (target >= {target})"
    if ours is None:
        return {"name": f"{name}: FAILED ({why})", "value": 0.0, "unit": "", "baseline": None, "ratio": None}
    value = metric(ours["n"], ours["seconds"])
    base = None
    if theirs is not None:
        if theirs["n"] != ours["n"]:
            name += f" (baseline at n={theirs['n']})"
        base = metric(theirs["n"], theirs["seconds"])
    if max(ours.get("error", 0.0), (theirs or {}).get("error", 0.0)) > 1e-3:
        name += f" WRONG RESULT (relative error {ours.get('error')} / {(theirs or {}).get('error')})"
    return {"name": name, "value": value, "unit": unit, "baseline": base, "ratio": value / base if base else None}


def run() -> list[dict]:
    """The rows (wgpu value, baseline value, ratio), or none (with the reason printed) without a usable adapter."""
    cpu_mode = os.environ.get("QD_BENCH_WGPU_CPU", "") not in ("", "0")
    runner = _Runner(_env_float("QD_BENCH_WGPU_BUDGET", 300.0), _env_float("QD_BENCH_WGPU_CASE_TIMEOUT", 120.0))
    probe, why = runner.run("vulkan", "probe", 0)
    if probe is None:
        print(f"bench_wgpu: skipped: no wgpu device ({why})", flush=True)
        return []
    if probe["software"] and not cpu_mode:
        print(f"bench_wgpu: skipped: only a software adapter ({probe['device']}); QD_BENCH_WGPU_CPU=1 runs it")
        return []
    baseline = _baseline_arch(runner, cpu_mode)
    print(f"bench_wgpu: wgpu on {probe['device']}; baseline {_ARCH_NAMES.get(baseline or '', 'none')}", flush=True)
    rows, baselines = [], {}  # baseline runs by (case, n): the compare-exchange rows reuse the native rows' runs
    for _key, case, what, unit, gpu_n, cpu_n, env, target in CASES:
        n = cpu_n if probe["software"] else gpu_n
        ours, why = runner.run("vulkan", case, n, env)
        theirs = None
        if baseline is not None:
            size = ours["n"] if ours else n
            if (case, size) not in baselines:
                baselines[case, size] = runner.run(baseline, case, size)[0]
            theirs = baselines[case, size]
        rows.append(_row(case, what, unit, ours, theirs, why, target))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
