"""Parallel-loop shapes on llvm-cpu, quiet and under load, against upstream 1.3.3 in the same run (issue 23).

The shapes (``loop_shapes.py``: 1-4-D ``ndrange`` with constant and run-time bounds, struct-for over a field and an
ndarray, ``qd.grouped``, a template-field kernel; each at 4096 lanes and at about 2^20 lanes) run in a worker process
per implementation: this project's interpreter and, with ``--against upstream`` (or ``QD_UPSTREAM_PYTHON``),
upstream's. Both workers are started and warmed once; then, for each condition (``quiet``: the machine as it is;
``load 3x``: a background load of 3x the core count, ``load.py``), every round times every shape once on each
worker in turn (ours, upstream, ours, ...), so machine noise hits both alike. A row is the median time of one launch
(a sample is ``REPS`` launches then ``qd.sync()``): ``value`` ours, ``baseline`` upstream, ``ratio`` the median of
the per-round ratios ours / upstream (below 1 is faster; not exactly ``value / baseline``), plus a geometric-mean
row per condition. Without an upstream interpreter the rows carry no
baseline. Run alone: ``python benchmarks/bench_loops.py [--against upstream --upstream-python PATH] [--rounds 9]
[--shapes small] [--threads N] [--conditions quiet,load]``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "loop_shapes.py"
ROUNDS = 9
CONDITIONS = {"quiet": 0, "load": 3}  # condition -> background load factor (busy processes per core)
START_TIMEOUT_S, TIME_TIMEOUT_S = 600.0, 120.0


def _modules():
    sys.path.insert(0, str(HERE))
    import bench_programs
    from load import BackgroundLoad

    return bench_programs, BackgroundLoad


def _reps(shape: str) -> int:
    return {"small": 100, "large": 4}[shape.rsplit(" ", 1)[1]]


def measure(pythons: dict[str, str], conditions: list[str], rounds: int, pattern: str, threads: int | None):
    """``{condition: {shape: {label: [seconds per launch, ...]}}}``, interleaved as the module docstring says."""
    bench_programs, background_load = _modules()
    workers = {label: bench_programs.Worker(python, SCRIPT) for label, python in pythons.items()}
    out: dict[str, dict[str, dict[str, list[float]]]] = {}
    try:
        shapes = None
        for worker in workers.values():
            start = {"cmd": "start", "threads": threads} if threads else {"cmd": "start"}
            shapes = worker.ask(start, START_TIMEOUT_S)["shapes"]
        shapes = [s for s in shapes if pattern in s]
        for condition in conditions:
            samples = out.setdefault(condition, {s: {label: [] for label in workers} for s in shapes})
            with background_load(CONDITIONS[condition]) as load:
                if load.count:
                    print(f"bench_loops: {condition}: {load.count} busy processes", file=sys.stderr, flush=True)
                for _ in range(rounds):
                    for shape in shapes:
                        for label, worker in workers.items():
                            command = {"cmd": "time", "shape": shape, "reps": _reps(shape)}
                            samples[shape][label].append(worker.ask(command, TIME_TIMEOUT_S)["seconds"])
    finally:
        for worker in workers.values():
            worker.close()
    return out


def rows_of(results) -> list[dict[str, Any]]:
    """One row per shape and condition (median microseconds per launch), then a geometric-mean row per condition."""
    rows = []
    for condition, shapes in results.items():
        ratios = []
        for shape, samples in shapes.items():
            ours = statistics.median(samples["ours"]) * 1e6
            theirs = statistics.median(samples["upstream"]) * 1e6 if samples.get("upstream") else None
            # the median of the per-round ratios (a round times the shape once on each worker, one right after the
            # other), as bench_programs.py: a load that drifts between rounds does not tilt it (session 10)
            paired = [a / b for a, b in zip(samples["ours"], samples.get("upstream") or (), strict=False) if b > 0]
            ratio = statistics.median(paired) if theirs and paired else None
            if ratio:
                ratios.append(ratio)
            rows.append(
                {"name": f"{shape} [{condition}]", "value": ours, "unit": "us", "baseline": theirs, "ratio": ratio}
            )
        if ratios:
            mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
            rows.append(
                {"name": f"geomean ratio [{condition}]", "value": mean, "unit": "x", "baseline": None, "ratio": mean}
            )
    return rows


def run(options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows for ``benchmarks/run.py`` (options: ``against``, ``upstream_python``, ``threads``; see the docstring)."""
    options = dict(options or {})
    bench_programs, _ = _modules()
    upstream = bench_programs.upstream_python(options)
    pythons = {"ours": sys.executable}
    if upstream and bench_programs.upstream_available(upstream, "cpu"):
        pythons["upstream"] = upstream
    conditions = options.get("conditions") or list(CONDITIONS)
    results = measure(
        pythons, conditions, int(options.get("rounds") or ROUNDS), options.get("shapes") or "", options.get("threads")
    )
    return rows_of(results)


def main(argv: list[str] | None = None) -> int:
    """Run this module alone and print its rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", choices=["upstream"], default=None)
    parser.add_argument("--upstream-python", default=None)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--shapes", default="", help="only shapes whose name contains this (e.g. 'small')")
    parser.add_argument("--threads", type=int, default=None, help="pin both implementations to N CPUs and threads")
    parser.add_argument("--conditions", default=",".join(CONDITIONS), help="comma-separated: quiet,load")
    args = parser.parse_args(argv)
    options = {
        "against": args.against,
        "upstream_python": args.upstream_python,
        "rounds": args.rounds,
        "shapes": args.shapes,
        "threads": args.threads,
        "conditions": [c for c in args.conditions.split(",") if c],
    }
    from run import format_table, normalise_row

    rows = [normalise_row("bench_loops", row) for row in run(options)]
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
