"""Benchmark driver: runs every ``benchmarks/bench_*.py`` module and reports ratios (``nox -s bench``).

A benchmark module exposes ``run() -> list[dict]``; each row is
``{"name": str, "value": float, "unit": str, "baseline": float | None, "ratio": float | None}`` where ``baseline`` is
the same quantity measured in the same run for a reference (NumPy, Numba, a bandwidth probe: DESIGN.md §5) and
``ratio`` is ``value / baseline``. The driver prints one table and writes ``reports/bench.json``. Usage::

    python benchmarks/run.py [-k SUBSTRING] [--out reports/bench.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
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


def run_module(path: Path) -> tuple[list[dict[str, Any]], str]:
    """Run one benchmark module: its normalised rows, and an error text ('' when it succeeded)."""
    try:
        rows = load_module(path).run()
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


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks; exit status 1 when a module failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="pattern", default="", help="only modules whose name contains this")
    parser.add_argument("--out", type=Path, default=Path("reports/bench.json"), help="JSON report path")
    args = parser.parse_args(argv)

    paths = discover(HERE, args.pattern)
    rows: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    started = time.time()
    for path in paths:
        print(f"bench: {path.stem}", flush=True)
        module_rows, error = run_module(path)
        rows += module_rows
        if error:
            errors[path.stem] = error
            print(error, file=sys.stderr)
    print(format_table(rows) if rows else "no benchmarks")

    report = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "started": started,
        "seconds": time.time() - started,
        "rows": rows,
        "errors": errors,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"bench: wrote {args.out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
