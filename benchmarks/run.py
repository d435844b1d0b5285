"""Benchmark driver: runs every ``benchmarks/bench_*.py`` module and reports ratios (``nox -s bench``).

A benchmark module exposes ``run() -> list[dict]``; each row is
``{"name": str, "value": float, "unit": str, "baseline": float | None, "ratio": float | None}`` where ``baseline`` is
the same quantity measured in the same run for a reference (NumPy, Numba, a bandwidth probe: docs/benchmarks.md) and
``ratio`` is ``value / baseline``. The driver prints one table and writes ``reports/bench.json``. Usage::

    python benchmarks/run.py [-k SUBSTRING] [--out reports/bench.json] [--against upstream --upstream-python PATH]
                             [--load] [--threads N]

A module whose ``run`` takes a parameter receives the options as a dict (``against``, ``upstream_python``,
``threads``):
``--against upstream`` makes modules that can (``bench_programs.py``) time upstream Quadrants 1.3.3 under the given
interpreter in the same run. ``--load`` runs everything under a background load of 3x the core count
(``load.py``), so the same table can be produced quiet and loaded.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
LOAD_PY = HERE / "load.py"  # the background-load generator (--load)
ROW_KEYS = ("name", "value", "unit", "baseline", "ratio")


def discover(directory: Path, pattern: str = "") -> list[Path]:
    """The ``bench_*.py`` files in ``directory`` whose name after ``bench_`` contains ``pattern``, sorted."""
    return [p for p in sorted(directory.glob("bench_*.py")) if pattern in p.stem.removeprefix("bench_")]


def load_module(path: Path) -> ModuleType:
    """Import a benchmark file by path, without requiring ``benchmarks/`` to be a package."""
    spec = importlib.util.spec_from_file_location(f"quadrants_bench_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_module(path: Path, options: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], str]:
    """Run one benchmark module: its normalised rows, and an error text ('' when it succeeded)."""
    try:
        run = load_module(path).run
        rows = run(dict(options or {})) if inspect.signature(run).parameters else run()
        return [normalise_row(path.stem, row) for row in rows], ""
    except Exception:
        return [], traceback.format_exc()


def normalise_row(module: str, row: dict[str, Any]) -> dict[str, Any]:
    """Check a row's keys and fill ``ratio`` from ``value / baseline`` when the module left it out."""
    missing = [k for k in ("name", "value", "unit") if k not in row]
    if missing:
        raise ValueError(f"{module}: row {row!r} lacks {', '.join(missing)}")
    out = {key: row.get(key) for key in ROW_KEYS}
    if out["ratio"] is None and out["baseline"]:
        out["ratio"] = out["value"] / out["baseline"]
    return {"module": module, **out}


def format_table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table of the rows."""
    header = ("module", "name", "value", "unit", "baseline", "ratio")
    cells = [header] + [tuple(_cell(row.get(key)) for key in header) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _loadavg() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (None where the OS has none)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks; exit status 1 when a module failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="pattern", default="", help="only modules whose name contains this")
    parser.add_argument("--out", type=Path, default=Path("reports/bench.json"), help="JSON report path")
    parser.add_argument("--against", choices=["upstream"], default=None, help="also time upstream Quadrants 1.3.3")
    parser.add_argument("--upstream-python", default=None, help="interpreter whose quadrants is upstream 1.3.3")
    parser.add_argument("--load", action="store_true", help="run under a background load of 3x the core count")
    parser.add_argument("--threads", type=int, default=None, help="bench_programs: pin to N CPUs and N threads")
    args = parser.parse_args(argv)
    options = {"against": args.against, "upstream_python": args.upstream_python, "threads": args.threads}
    options["load"] = args.load  # bench_programs times each program several times under load

    paths = discover(HERE, args.pattern)
    rows: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    started = time.time()
    loadavg_start = _loadavg()
    background_load = load_module(LOAD_PY).BackgroundLoad
    with background_load(3 if args.load else 0) as load:
        if load.count:
            print(f"bench: background load of {load.count} busy processes", flush=True)
        for path in paths:
            print(f"bench: {path.stem}", flush=True)
            module_rows, error = run_module(path, options)
            rows += module_rows
            if error:
                errors[path.stem] = error
                print(error, file=sys.stderr)
    print(format_table(rows) if rows else "no benchmarks")
    print(f"bench: load average (1, 5, 15 min) at start {loadavg_start}, at end {_loadavg()}")

    report = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "started": started,
        "seconds": time.time() - started,
        "against": args.against,
        "load": args.load,
        "loadavg": {"start": loadavg_start, "end": _loadavg()},  # the machine may be shared: say how busy it was
        "rows": rows,
        "errors": errors,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"bench: wrote {args.out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
