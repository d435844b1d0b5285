"""Host cost of one kernel launch on llvm-cpu, against upstream 1.3.3 in the same run (issue 24).

The shapes (``launch_shapes.py``: two ndarray parameters; a dataclass of 20 members, mutable and frozen; a
data_oriented object of the same 20 members) run in a worker process per implementation: this project's interpreter
and, with ``--against upstream`` (or ``QD_UPSTREAM_PYTHON``), upstream's. Both workers start and warm every shape
once; then every round times every shape once on each worker in turn (ours, upstream, ours, ...), so machine noise
hits both alike. A sample is ``REPS`` launches then ``qd.sync()``; a row is the median over the rounds of the time
per launch: ``value`` ours, ``baseline`` upstream, ``ratio`` ours / upstream (below 1 is faster), plus a
geometric-mean row. Run alone: ``python benchmarks/bench_launch.py [--against upstream --upstream-python PATH]
[--rounds 15]``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "launch_shapes.py"
ROUNDS, REPS = 15, 200
START_TIMEOUT_S, TIME_TIMEOUT_S = 600.0, 120.0


def _bench_programs():
    sys.path.insert(0, str(HERE))
    import bench_programs

    return bench_programs


def measure(pythons: dict[str, str], rounds: int, reps: int = REPS) -> dict[str, dict[str, list[float]]]:
    """``{shape: {label: [seconds per launch, ...]}}``, interleaved as the module docstring says."""
    bench_programs = _bench_programs()
    workers = {label: bench_programs.Worker(python, SCRIPT) for label, python in pythons.items()}
    try:
        shapes: list[str] = []
        for worker in workers.values():
            shapes = worker.ask({"cmd": "start"}, START_TIMEOUT_S)["shapes"]
        samples = {shape: {label: [] for label in workers} for shape in shapes}
        for _ in range(rounds):
            for shape in shapes:
                for label, worker in workers.items():
                    answer = worker.ask({"cmd": "time", "shape": shape, "reps": reps}, TIME_TIMEOUT_S)
                    samples[shape][label].append(answer["seconds"])
    finally:
        for worker in workers.values():
            worker.close()
    return samples


def rows_of(samples: dict[str, dict[str, list[float]]]) -> list[dict[str, Any]]:
    """One row per shape (median microseconds per launch), then a geometric-mean row when upstream was timed."""
    rows, ratios = [], []
    for shape, by_label in samples.items():
        ours = statistics.median(by_label["ours"]) * 1e6
        theirs = statistics.median(by_label["upstream"]) * 1e6 if by_label.get("upstream") else None
        ratio = ours / theirs if theirs else None
        if ratio:
            ratios.append(ratio)
        rows.append({"name": f"launch {shape}", "value": ours, "unit": "us", "baseline": theirs, "ratio": ratio})
    if ratios:
        mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        rows.append({"name": "launch geomean ratio", "value": mean, "unit": "x", "baseline": None, "ratio": mean})
    return rows


def run(options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows for ``benchmarks/run.py`` (options: ``against``, ``upstream_python``, ``rounds``)."""
    options = dict(options or {})
    bench_programs = _bench_programs()
    upstream = bench_programs.upstream_python(options)
    pythons = {"ours": sys.executable}
    if upstream and bench_programs.upstream_available(upstream, "cpu"):
        pythons["upstream"] = upstream
    return rows_of(measure(pythons, int(options.get("rounds") or ROUNDS)))


def main(argv: list[str] | None = None) -> int:
    """Run this module alone and print its rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", choices=["upstream"], default=None)
    parser.add_argument("--upstream-python", default=None)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    options = {"against": args.against, "upstream_python": args.upstream_python, "rounds": args.rounds}
    from run import format_table, normalise_row

    rows = [normalise_row("bench_launch", row) for row in run(options)]
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
