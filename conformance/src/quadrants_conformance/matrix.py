"""The backend × feature matrix of a conformance run: a compact text table and a self-contained HTML report.

One row per case module (a feature area), one column per backend; a cell reads ``passed/total`` followed by the
non-passing counts: ``F`` failed, ``E`` errors, ``X`` unexpected passes, ``x`` expected failures, ``u``
unsupported, ``s`` skipped. ``python -m quadrants_conformance.matrix REPORT.json`` renders the matrix of a saved JSON
report as Markdown (the docs page ``docs/conformance-matrix.md`` is made this way).
"""

from __future__ import annotations

import html
import json
import sys
from collections import Counter
from pathlib import Path

__all__ = ["cell", "matrix_rows", "render_text", "render_markdown", "render_html"]

# outcome -> the letter a cell shows for it (passed is the leading count)
LETTERS = (("failed", "F"), ("error", "E"), ("xpass", "X"), ("xfail", "x"), ("unsupported", "u"), ("skipped", "s"))


def cell(counts: Counter) -> str:
    """``"25/27 F1 u1"`` for 25 passed of 27, one failed, one unsupported; ``"-"`` when nothing ran."""
    total = sum(counts.values())
    if not total:
        return "-"
    extra = " ".join(f"{letter}{counts[o]}" for o, letter in LETTERS if counts[o])
    return f"{counts['passed']}/{total}" + (f" {extra}" if extra else "")


def matrix_rows(records: list[dict], backends: list[str]) -> list[tuple[str, list[Counter]]]:
    """``[(module, [counts per backend])]`` sorted by module, plus a final ``TOTAL`` row."""
    by_key: dict[tuple[str, str], Counter] = {}
    for r in records:
        by_key.setdefault((r["module"], r["backend"]), Counter())[r["outcome"]] += 1
    modules = sorted({m for m, _ in by_key})
    rows = [(m, [by_key.get((m, b), Counter()) for b in backends]) for m in modules]
    totals = [sum((by_key.get((m, b), Counter()) for m in modules), Counter()) for b in backends]
    return [*rows, ("TOTAL", totals)]


def _table(records: list[dict], backends: list[str]) -> list[list[str]]:
    return [["module", *backends]] + [[m, *[cell(c) for c in cs]] for m, cs in matrix_rows(records, backends)]


def render_text(records: list[dict], backends: list[str]) -> list[str]:
    """The matrix as aligned text lines (the end of a terminal run)."""
    table = _table(records, backends)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip() for row in table]
    rule = "  ".join("-" * w for w in widths)
    return [lines[0], rule, *lines[1:-1], rule, lines[-1]]


def render_markdown(records: list[dict], backends: list[str]) -> str:
    """The matrix as a Markdown table."""
    table = _table(records, backends)
    out = ["| " + " | ".join(table[0]) + " |", "|" + "---|" * len(table[0])]
    out += ["| " + " | ".join(f"`{c}`" if i else c for i, c in enumerate(row)) + " |" for row in table[1:]]
    return "\n".join(out) + "\n"


_CSS = """
body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.25em .6em;font-family:monospace}th{background:#eee}
.ok{background:#dfd}.bad{background:#fbb}.part{background:#ffd}.none{color:#999}
details{margin:.2em 0}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}
"""


def _class(counts: Counter) -> str:
    if not sum(counts.values()):
        return "none"
    if counts["failed"] or counts["error"] or counts["xpass"]:
        return "bad"
    return "ok" if counts["passed"] == sum(counts.values()) else "part"


def render_html(records: list[dict], backends: list[str], header: dict) -> str:
    """A self-contained HTML page: the header, the matrix, and every non-passing case with its message."""
    esc = html.escape
    rows = []
    for module, counts in matrix_rows(records, backends):
        cells = "".join(f'<td class="{_class(c)}">{esc(cell(c))}</td>' for c in counts)
        rows.append(f"<tr><th>{esc(module)}</th>{cells}</tr>")
    head = "".join(f"<th>{esc(b)}</th>" for b in backends)
    problems = [r for r in records if r["outcome"] != "passed"]
    details = "".join(
        f"<details><summary>{esc(r['outcome'])} · {esc(r['backend'])} · {esc(r['id'])}</summary>"
        f"<pre>{esc(r.get('message') or '')}</pre></details>"
        for r in sorted(problems, key=lambda r: (r["outcome"], r["backend"], r["id"]))
    )
    meta = esc(json.dumps(header, indent=1, default=str))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Quadrants conformance</title>"
        f"<style>{_CSS}</style></head><body><h1>Quadrants conformance</h1>"
        f"<table><tr><th>module</th>{head}</tr>{''.join(rows)}</table>"
        f"<p>Cells: passed/total, then F failed, E errors, X unexpected passes, x expected failures, u unsupported,"
        f" s skipped.</p><h2>Not passed ({len(problems)})</h2>{details}"
        f"<h2>Run</h2><pre>{meta}</pre></body></html>\n"
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m quadrants_conformance.matrix REPORT.json``: the Markdown matrix of a saved report."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m quadrants_conformance.matrix REPORT.json", file=sys.stderr)
        return 2
    doc = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    sys.stdout.write(render_markdown(doc["cases"], doc["backends"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
