"""Real-program benchmarks (issues 14 and 23): the example-program ports timed on every backend, against upstream.

Every program of ``quadrants_conformance.programs`` (MPM, fluids, n-body, rendering, FEM, ...) runs in a worker
process (``program_worker.py``) per backend: on ``ref`` at its small ``"test"`` size, on ``llvm-cpu``, ``wgpu`` and
(when a GPU is present) ``llvm-cuda`` at its ``"bench"`` size. Two numbers per program and backend:

* **step**: the median time of one step (one frame, possibly several kernels, then ``qd.sync()``) after warm-up;
* **first call**: building the program and running its first step in a fresh process with disk caches off (the
  compiles of every kernel the program uses, plus one step);
* **first call warm cache**: the same in a fresh process whose offline cache (``qd.init(offline_cache=True,
  offline_cache_file_path=...)``, a temporary directory) an earlier process of the same implementation filled with
  the same program: what a user sees from the second run of a script on.

Workers keep Python bytecode in a temporary prefix, compiled before the first worker starts (:func:`worker_env`),
as an installed package has it.

With ``--against upstream`` (``nox -s bench -- --against upstream``, or ``QD_UPSTREAM_PYTHON=/path/to/python``
naming an interpreter whose ``quadrants`` is upstream 1.3.3), the same program module also runs under upstream
(``qd.cpu`` against ``llvm-cpu``, ``qd.cuda`` against ``llvm-cuda``), in its own worker, and the two workers take
turns in short rounds (:func:`time_program`): each round times :data:`BATCH` steps on each side (the side that goes
first alternates), so both see the same minutes of a drifting load and both simulations stay at the same frame. The
row's ``value`` and ``baseline`` are the medians of all steps of ours and upstream; its ``ratio`` is the **median of
the per-round ratios** (ours' median step in the round / upstream's in the same round; below 1 is faster), which a
load that moves between rounds does not tilt. A ``geomean`` row per backend summarises the ratios; a line on stderr
per program gives the spread of the per-round ratios and both workers' scheduler counters per step (CPU time,
run-queue wait, context switches). Run alone: ``python benchmarks/bench_programs.py [--against upstream] [--load]
[--programs a,b] [--backends llvm-cpu] [--threads 1] [--repeats N]`` (``--repeats N``: every program timed N times
with fresh workers, rounds pooled; 5 by default with ``--load``; ``--threads N`` pins both
implementations to N CPUs with N threads: the generated code compared without the thread pool).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SRC = ROOT / "conformance" / "src"
WORKER = HERE / "program_worker.py"

# backend id -> (arch name for qd.init, program size)
BACKENDS = {
    "ref": ("ref", "test"),
    "llvm-cpu": ("cpu", "bench"),
    "wgpu": ("vulkan", "bench"),
    "llvm-cuda": ("cuda", "bench"),
}
# our backend -> upstream's arch timed beside it
UPSTREAM_ARCH = {"llvm-cpu": "cpu", "llvm-cuda": "cuda"}
# Rounds of the step timing (issue 23): each round runs BATCH back-to-back steps on each worker (the same number on
# each side: a program's step cost changes with its frame, pbf2d's neighbour lists grow as the dam breaks, so both
# simulations stay at the same frame); at least MIN_ROUNDS rounds, then more until MAX_ROUNDS or BUDGET_S seconds.
# Before session 10: 7 rounds and the ratio of the two sides' pooled medians, which a load that moved 2-6x between
# rounds tilted either way.
BATCH, MIN_ROUNDS, MAX_ROUNDS, WARMUP, BUDGET_S = 3, 3, 21, 2, 20.0
START_TIMEOUT_S, STEP_TIMEOUT_S = 600.0, 300.0
# --load: time each program this many times (fresh workers each, so the same frames): under a background load of 3x
# the cores pbf2d's per-round ratios spread from 0.02 to 20 (quartiles 0.4 and 3.7), and the median of one run's 21
# rounds landed anywhere between 0.8 and 4.1 in five runs of the same code
LOAD_REPEATS = 5


class WorkerError(RuntimeError):
    """A worker failed, timed out or answered with an error."""


_PYCACHE: list[str] = []  # one bytecode directory for every worker of this run (created on first use)
# the packages whose modules a worker imports, compiled to bytecode before the first worker starts
BYTECODE_PACKAGES = ("quadrants", "quadrants_llvm", "quadrants_ref", "quadrants_wgpu", "quadrants_conformance")


def worker_env() -> dict[str, str]:
    """The environment of a worker: bytecode cached in a temporary prefix (never in the source tree), as an installed
    package has it. ``PYTHONDONTWRITEBYTECODE`` would make every worker compile this checkout's modules from source
    (0.2-0.3 s of a first call here, part of it in imports made at the first compile) while upstream's wheel
    ships its bytecode: the first-call rows would compare module compilation rather than kernel compilation."""
    if not _PYCACHE:
        _PYCACHE.append(tempfile.mkdtemp(prefix="qd-bench-pyc-"))
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPYCACHEPREFIX=_PYCACHE[0])
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def prime_bytecode(python: str) -> None:
    """Compile the worker's packages under ``python`` into the bytecode prefix, so that no first call pays for it."""
    code = (
        "import compileall, importlib.util, os\n"
        f"for name in {BYTECODE_PACKAGES!r}:\n"
        "    spec = importlib.util.find_spec(name)\n"
        "    if spec and spec.submodule_search_locations:\n"
        "        for path in spec.submodule_search_locations:\n"
        "            compileall.compile_dir(path, quiet=1)\n"
    )
    env = worker_env()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    subprocess.run([python, "-c", code], env=env, capture_output=True, timeout=600, check=False)


class Worker:
    """One worker process (``script``, by default ``program_worker.py``) under ``python``."""

    def __init__(self, python: str, script: Path = WORKER):
        env = worker_env()
        self.proc = subprocess.Popen(
            [python, str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )

    def ask(self, command: dict, timeout: float) -> dict:
        """Send one command and wait for its answer."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise WorkerError(f"no answer to {command['cmd']} within {timeout:.0f} s")
        line = self.proc.stdout.readline()
        if not line:
            raise WorkerError(f"worker exited with status {self.proc.wait()}")
        answer = json.loads(line)
        if "error" in answer:
            raise WorkerError(answer["error"])
        return answer

    def close(self) -> None:
        """Stop the worker (the process this object started)."""
        if self.proc.poll() is None:
            with contextlib.suppress(WorkerError, OSError, ValueError):
                self.ask({"cmd": "quit"}, 5.0)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def available_backends() -> list[str]:
    """The ids of :data:`BACKENDS` whose probe says they run here."""
    from quadrants.backend import load_by_id

    found = []
    for backend_id in BACKENDS:
        backend = load_by_id(backend_id)
        try:
            if backend is not None and backend.probe().available:
                found.append(backend_id)
        except Exception:  # a probe that crashes means "not here"
            continue
    return found


def upstream_available(python: str, arch: str) -> bool:
    """Whether upstream's ``qd.init(arch=arch)`` starts under ``python`` (CUDA may be missing)."""
    code = f"import quadrants as qd\nqd.init(arch=qd.{arch})\nassert qd.lang.impl.current_cfg().arch == qd.{arch}\n"
    try:
        done = subprocess.run([python, "-c", code], capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def round_order(labels: list[str], round_index: int) -> list[str]:
    """The order the workers run in round ``round_index``: reversed every other round, so neither always goes
    first (the first batch of a round follows the other worker's, the last one precedes it)."""
    return list(labels) if round_index % 2 == 0 else list(reversed(labels))


def time_program(
    program: str, arch: str, size: str, pythons: dict[str, str], threads: int | None = None
) -> dict[str, dict[str, Any]]:
    """Time one program under each interpreter of ``pythons`` (``{"ours": path, "upstream": path}``) in alternating
    rounds (the module docstring); ``threads`` pins both to that many CPUs and threads.

    Returns ``{label: {"first_call": s, "times": [s, ...], "rounds": [median s of each round's batch, ...],
    "sched": {counter: total}}}`` with the warm-up steps dropped; ``rounds`` of every label have the same length and
    line up; ``sched`` sums the worker's scheduler counters over the timed steps (``program_worker.py``).
    """
    workers = {label: Worker(python) for label, python in pythons.items()}
    results: dict[str, dict[str, Any]] = {label: {"times": [], "rounds": [], "sched": {}} for label in workers}
    try:
        for label, worker in workers.items():
            start = {"cmd": "start", "src": str(SRC), "arch": arch, "program": program, "size": size}
            if threads:
                start["threads"] = threads
            results[label]["first_call"] = worker.ask(start, START_TIMEOUT_S)["first_call"]
            worker.ask({"cmd": "steps", "n": WARMUP}, STEP_TIMEOUT_S)
        started = time.perf_counter()
        for round_index in range(MAX_ROUNDS):
            for label in round_order(list(workers), round_index):
                answer = workers[label].ask({"cmd": "steps", "n": BATCH}, STEP_TIMEOUT_S)
                times = answer["times"]
                results[label]["times"] += times
                totals = results[label]["sched"]
                for key, value in answer.get("sched", {}).items():
                    totals[key] = totals.get(key, 0) + value
                results[label]["rounds"].append(statistics.median(times))
            if round_index + 1 >= MIN_ROUNDS and time.perf_counter() - started > BUDGET_S:
                break  # a slow backend (ref, a software GPU) stops early with at least MIN_ROUNDS rounds
    finally:
        for worker in workers.values():
            worker.close()
    return results


def merge_runs(runs: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """One result from several :func:`time_program` runs of the same program (``--repeats``): steps, rounds and
    scheduler counters pooled, the first call of the first run. Each run starts fresh workers, so every run times
    the same frames; more runs give more rounds of the same measurement."""
    merged: dict[str, dict[str, Any]] = {}
    for results in runs:
        for label, result in results.items():
            fresh = {"first_call": result["first_call"], "times": [], "rounds": [], "sched": {}}
            into = merged.setdefault(label, fresh)
            into["times"] += result["times"]
            into["rounds"] += result["rounds"]
            for key, value in result.get("sched", {}).items():
                into["sched"][key] = into["sched"].get(key, 0) + value
    return merged


def round_ratios(ours: dict[str, Any], theirs: dict[str, Any]) -> list[float]:
    """Ours / theirs of each round (:func:`time_program`'s ``rounds``, paired by position)."""
    return [a / b for a, b in zip(ours.get("rounds", ()), theirs.get("rounds", ()), strict=False) if b > 0]


def warm_first_calls(
    program: str, arch: str, size: str, pythons: dict[str, str], threads: int | None = None
) -> dict[str, float]:
    """``{label: s}``: the first call of a fresh process whose offline cache an earlier process of the same
    interpreter filled with the same program (one temporary cache directory per interpreter)."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="qd-bench-cache-") as root:
        caches = {label: os.path.join(root, label) for label in pythons}
        for _run in ("fill", "measure"):
            for label, python in pythons.items():
                worker = Worker(python)
                try:
                    start = {"cmd": "start", "src": str(SRC), "arch": arch, "program": program, "size": size}
                    start["cache"] = caches[label]
                    if threads:
                        start["threads"] = threads
                    out[label] = worker.ask(start, START_TIMEOUT_S)["first_call"]
                finally:
                    worker.close()
    return out


def spread(results: dict[str, dict[str, Any]]) -> str:
    """A line on how the per-round ratios of ours / upstream spread: rounds, steps per batch, quartiles."""
    ratios = sorted(round_ratios(results["ours"], results["upstream"]))
    if not ratios:
        return "no rounds"
    quart = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    steps = {label: len(r["times"]) // max(1, len(r["rounds"])) for label, r in results.items()}
    line = (
        f"{len(ratios)} rounds of {steps.get('ours')} / {steps.get('upstream')} steps, per-round ratio "
        f"min {ratios[0]:.3f} q1 {quart[0]:.3f} median {quart[1]:.3f} q3 {quart[2]:.3f} max {ratios[-1]:.3f}"
    )
    return line + "".join(f"; {label} {sched_line(r)}" for label, r in results.items() if r.get("sched"))


def sched_line(result: dict[str, Any]) -> str:
    """A worker's scheduler counters per step (``time_program``'s ``sched``): CPU time and run-queue wait of all
    its threads, voluntary / involuntary context switches."""
    n = max(1, len(result["times"]))
    counts = result["sched"]
    return (
        f"per step: cpu {counts.get('run_ns', 0) / n / 1e6:.3f} ms, run-queue wait "
        f"{counts.get('wait_ns', 0) / n / 1e6:.3f} ms, switches {counts.get('voluntary', 0) / n:.1f} voluntary "
        f"{counts.get('involuntary', 0) / n:.1f} involuntary"
    )


def rows_for(
    program: str, backend_id: str, results: dict[str, dict[str, Any]], warm: dict[str, float] | None = None
) -> list[dict[str, Any]]:
    """The step and first-call rows of one program on one backend (``warm``: :func:`warm_first_calls`)."""
    ours = results["ours"]
    theirs = results.get("upstream")
    step = statistics.median(ours["times"]) * 1e3
    step_up = statistics.median(theirs["times"]) * 1e3 if theirs else None
    first_up = theirs["first_call"] if theirs else None
    step_row = _row(f"{program} step [{backend_id}]", step, "ms", step_up)
    ratios = round_ratios(ours, theirs) if theirs else []
    if ratios:  # the median of the per-round ratios (module docstring), not the ratio of the two medians
        step_row["ratio"] = statistics.median(ratios)
    rows = [
        step_row,
        _row(f"{program} first call [{backend_id}]", ours["first_call"], "s", first_up),
    ]
    if warm and "ours" in warm:
        rows.append(_row(f"{program} first call warm cache [{backend_id}]", warm["ours"], "s", warm.get("upstream")))
    return rows


def _row(name: str, value: float, unit: str, baseline: float | None) -> dict[str, Any]:
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": value / baseline if baseline else None,
    }


def geomean_rows(rows: list[dict[str, Any]], backend_id: str) -> list[dict[str, Any]]:
    """Geometric means of the step and first-call ratios of one backend (rows with a baseline only)."""
    out = []
    for kind in ("step", "first call", "first call warm cache"):
        ratios = [r["ratio"] for r in rows if r["ratio"] and f" {kind} [{backend_id}]" in r["name"]]
        if ratios:
            mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
            out.append(
                {"name": f"geomean {kind} ratio [{backend_id}]", "value": mean, "unit": "x", "baseline": None}
                | {"ratio": mean}
            )
    return out


def upstream_python(options: dict[str, Any]) -> str | None:
    """The upstream interpreter to time against (the option, else ``QD_UPSTREAM_PYTHON``), or None;
    ``--against upstream`` without one is an error."""
    python = options.get("upstream_python") or os.environ.get("QD_UPSTREAM_PYTHON") or None
    if options.get("against") == "upstream" and not python:
        raise SystemExit("--against upstream needs --upstream-python PATH or QD_UPSTREAM_PYTHON")
    return python


def repeats(options: dict[str, Any]) -> int:
    """How many times each program is timed: ``repeats``, else :data:`LOAD_REPEATS` under ``load``, else 1."""
    return max(1, int(options.get("repeats") or (LOAD_REPEATS if options.get("load") else 1)))


def run(options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every program on every selected backend (see the module docstring); ``options`` come from ``run.py``."""
    from quadrants_conformance.programs import NAMES

    options = dict(options or {})
    upstream = upstream_python(options)
    wanted = options.get("backends") or list(BACKENDS)
    backends = [b for b in available_backends() if b in wanted]
    programs = options.get("programs") or list(NAMES)
    rows: list[dict[str, Any]] = []
    for backend_id in backends:
        arch, size = BACKENDS[backend_id]
        pythons = {"ours": sys.executable}
        if upstream and backend_id in UPSTREAM_ARCH and upstream_available(upstream, UPSTREAM_ARCH[backend_id]):
            pythons["upstream"] = upstream
        for python in set(pythons.values()):
            prime_bytecode(python)
        backend_rows = []
        for program in programs:
            print(f"bench_programs: {program} on {backend_id} ({', '.join(pythons)})", file=sys.stderr, flush=True)
            try:
                threads = options.get("threads")
                results = merge_runs(
                    [time_program(program, arch, size, pythons, threads) for _ in range(repeats(options))]
                )
                warm = None if options.get("no_warm") else warm_first_calls(program, arch, size, pythons, threads)
            except WorkerError as exc:
                print(f"bench_programs: {program} on {backend_id} failed: {exc}", file=sys.stderr, flush=True)
                backend_rows.append(_row(f"{program} step [{backend_id}] FAILED", float("nan"), "ms", None))
                continue
            program_rows = rows_for(program, backend_id, results, warm)
            backend_rows += program_rows
            # each program's rows as they come: a run cut short (a GPU machine's time limit) still tells them
            for row in program_rows:
                ratio = f", ratio {row['ratio']:.3f}" if row.get("ratio") is not None else ""
                line = f"bench_programs: {row['name']} {row['value']:.4g} {row['unit']}{ratio}"
                print(line, file=sys.stderr, flush=True)
            if "upstream" in results:
                print(f"bench_programs: {program}: {spread(results)}", file=sys.stderr, flush=True)
        rows += backend_rows + geomean_rows(backend_rows, backend_id)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run this module alone and print its rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", choices=["upstream"], default=None)
    parser.add_argument("--upstream-python", default=None)
    parser.add_argument("--programs", default="", help="comma-separated program names (default: all)")
    parser.add_argument("--backends", default="", help="comma-separated backend ids (default: all available)")
    parser.add_argument("--load", action="store_true", help="run under a background load of 3x the core count")
    parser.add_argument("--threads", type=int, default=None, help="pin both implementations to N CPUs and threads")
    parser.add_argument("--no-warm", action="store_true", help="skip the warm-cache first calls (two processes each)")
    parser.add_argument(
        "--repeats", type=int, default=None, help="time each program N times, fresh workers (default 1; 5 with --load)"
    )
    args = parser.parse_args(argv)
    options = {
        "no_warm": args.no_warm,
        "repeats": args.repeats,
        "load": args.load,
        "threads": args.threads,
        "against": args.against,
        "upstream_python": args.upstream_python,
        "programs": [p for p in args.programs.split(",") if p],
        "backends": [b for b in args.backends.split(",") if b],
    }
    sys.path.insert(0, str(HERE))
    from load import BackgroundLoad
    from run import format_table, normalise_row

    with BackgroundLoad(3 if args.load else 0):
        rows = [normalise_row("bench_programs", row) for row in run(options)]
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
