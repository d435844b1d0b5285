"""Aggregating results into progress lines, summary tables, the final line and the JSON report.

Everything here runs where pytest's terminal lives: in the only process, or on the xdist controller (fed by the
reports workers send through ``pytest_runtest_logreport``), never inside workers.

Outcomes of one case on one backend:

=============  ==========================================================  ===================
outcome        meaning                                                     final-line bucket
=============  ==========================================================  ===================
passed         matches the reference (and its own declarations)            passed
failed         differs from the reference or its declarations              failed
error          the case is broken on the reference, or the harness failed  failed
xpass          listed in the expectation file but passed (strict)          failed
xfail          listed in the expectation file and failed                   skipped
unsupported    the backend lacks a capability the case requires            skipped
skipped        any other skip                                              skipped
=============  ==========================================================  ===================
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["Record", "Results", "classify", "parse_nodeid", "is_case_report", "OUTCOMES", "final_line", "backend_line"]

OUTCOMES = ("passed", "failed", "error", "xpass", "xfail", "unsupported", "skipped")
BUCKETS = {
    "passed": "passed",
    "failed": "failed",
    "error": "failed",
    "xpass": "failed",
    "xfail": "skipped",
    "unsupported": "skipped",
    "skipped": "skipped",
}
TABLE_COLUMNS = ("passed", "failed", "xfail", "unsupported", "skipped", "errors")
_NODEID = re.compile(r"^(?P<path>.*?)(?P<module>[^/\\:]+\.py)::(?P<name>[^\[]+)\[(?P<backend>[^\]]+)\]$")

# user_properties keys the plugin attaches to every case item (they also reach JUnit as <property> elements).
PROP_CASE = "conformance_case"
PROP_SECTION = "conformance_section"
PROP_CATEGORY = "conformance_category"
PROP_MESSAGE = "conformance_message"
# "module.py::case[backend]": the node id with the module's file name, for runs whose node ids carry no path (the
# suite installed as a package outside pytest's rootdir gives "::case[backend]")
PROP_NODE = "conformance_node"


def parse_nodeid(nodeid: str) -> tuple[str, str, str] | None:
    """``(module file name, case name, backend id)`` of a case item's node id, or ``None``."""
    m = _NODEID.match(nodeid)
    return (m["module"], m["name"], m["backend"]) if m else None


def is_case_report(report: Any) -> bool:
    """True for phase reports of conformance case items (they carry the case id as a user property)."""
    return any(prop[0] == PROP_CASE for prop in getattr(report, "user_properties", ()) or ())


@dataclass
class Record:
    """The result of one case on one backend (one row of the JSON report)."""

    id: str
    backend: str
    module: str
    section: str
    outcome: str
    duration: float
    message: str
    nodeid: str


def classify(report: Any) -> str | None:
    """The outcome one phase report decides, or ``None`` when the item goes on (a passed setup, a passed teardown)."""
    props = dict(getattr(report, "user_properties", ()) or ())
    when = report.when
    if when not in ("setup", "call", "teardown"):
        return "error" if report.failed else None  # a crashed xdist worker reports the item with when="???"
    if report.failed:
        longrepr = report.longrepr
        if isinstance(longrepr, str) and longrepr.startswith("[XPASS(strict)]"):
            return "xpass"
        if when != "call":
            return "error"
        return "error" if props.get(PROP_CATEGORY) == "error" else "failed"
    if report.skipped:
        if hasattr(report, "wasxfail"):
            return "xfail"
        return "unsupported" if _skip_reason(report).startswith("unsupported:") else "skipped"
    if when == "call":
        return "xpass" if hasattr(report, "wasxfail") else "passed"
    return None


def _skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr or "")
    return text.removeprefix("Skipped: ")


def _message(report: Any, outcome: str) -> str:
    props = dict(getattr(report, "user_properties", ()) or ())
    if outcome in ("xfail",):
        return str(getattr(report, "wasxfail", ""))
    if outcome in ("unsupported", "skipped"):
        return _skip_reason(report)
    if outcome == "passed":
        return ""
    if outcome in ("failed", "error") and props.get(PROP_MESSAGE):
        return str(props[PROP_MESSAGE])
    text = getattr(report, "longreprtext", "") or ""
    return text[:2000]


class Results:
    """Collects phase reports into one :class:`Record` per item and renders the summaries."""

    def __init__(self, backends: list[str]):
        self.backends = backends
        self.records: dict[str, Record] = {}
        self.totals: Counter[tuple[str, str]] = Counter()  # (backend, module) -> items collected
        self.done: Counter[tuple[str, str]] = Counter()
        self._pending: dict[str, tuple[str | None, float, str]] = {}

    def expect(self, nodeids: list[str]) -> None:
        """Register the collected case items (to know when a module is complete on a backend)."""
        self.totals.clear()
        for nodeid in nodeids:
            parsed = parse_nodeid(nodeid)
            if parsed and parsed[2] in self.backends:
                self.totals[(parsed[2], parsed[0])] += 1

    def is_case(self, report: Any) -> bool:
        """True for reports of conformance case items."""
        if is_case_report(report):
            return True
        parsed = parse_nodeid(report.nodeid)
        return bool(parsed and parsed[2] in self.backends and report.when not in ("setup", "call", "teardown"))

    def add(self, report: Any) -> Record | None:
        """Feed one phase report; returns the finished record when the item is complete (after its teardown)."""
        outcome, duration, message = self._pending.pop(report.nodeid, (None, 0.0, ""))
        duration += float(getattr(report, "duration", 0.0) or 0.0)
        decided = classify(report)
        # The first decisive phase wins; only an error in teardown overrides a pass.
        if decided is not None and (outcome is None or (outcome == "passed" and decided == "error")):
            outcome, message = decided, _message(report, decided)
        if report.when in ("setup", "call"):
            self._pending[report.nodeid] = (outcome, duration, message)
            return None
        return self._finish(report, outcome or "error", duration, message)

    def _finish(self, report: Any, outcome: str, duration: float, message: str) -> Record:
        props = dict(getattr(report, "user_properties", ()) or ())
        parsed = parse_nodeid(report.nodeid) or parse_nodeid(str(props.get(PROP_NODE, "")))
        module, name, backend = parsed or ("?", report.nodeid, "?")
        record = Record(
            id=str(props.get(PROP_CASE, f"{module}::{name}")),
            backend=backend,
            module=module,
            section=str(props.get(PROP_SECTION, "")),
            outcome=outcome,
            duration=round(duration, 6),
            message=message,
            nodeid=report.nodeid,
        )
        self.records[report.nodeid] = record
        self.done[(backend, module)] += 1
        return record

    def group_complete(self, record: Record) -> bool:
        """True when ``record`` was the last case of its module on its backend."""
        key = (record.backend, record.module)
        return self.totals.get(key, 0) > 0 and self.done[key] == self.totals[key]

    def counts(self, backend: str | None = None, module: str | None = None, section: str | None = None) -> Counter:
        """Outcome counts, optionally restricted to a backend, a module and a section."""
        return Counter(
            r.outcome
            for r in self.records.values()
            if (backend is None or r.backend == backend)
            and (module is None or r.module == module)
            and (section is None or r.section == section)
        )

    def progress_line(self, record: Record) -> str:
        """``[backend] module: N passed, ...`` for a completed group."""
        c = self.counts(record.backend, record.module)
        key = (record.backend, record.module)
        seconds = sum(r.duration for r in self.records.values() if (r.backend, r.module) == key)
        parts = [f"{c[o]} {o}" for o in OUTCOMES if c[o]]
        return f"[{record.backend}] {record.module}: {', '.join(parts) or 'nothing run'} ({seconds:.2f}s)"

    def table(self, backend: str, by: str = "module") -> list[str]:
        """The summary table of one backend, one row per module (``by="module"``) or section."""
        keys = sorted({getattr(r, by) for r in self.records.values() if r.backend == backend}, key=_natural)
        rows = []
        for key in keys:
            c = self.counts(backend, **{by: key})
            rows.append([key or "(none)", *[str(_column(c, col)) for col in TABLE_COLUMNS]])
        total = self.counts(backend)
        rows.append(["TOTAL", *[str(_column(total, col)) for col in TABLE_COLUMNS]])
        header = [by, *TABLE_COLUMNS]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def render(row: list[str]) -> str:
            return "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))

        rule = "  ".join("-" * w for w in widths)
        return [render(header), rule, *[render(row) for row in rows[:-1]], rule, render(rows[-1])]

    def buckets(self, backend: str | None = None) -> Counter:
        """Counts for the final line: passed / failed / skipped (see the module docstring), of one backend or all."""
        out: Counter[str] = Counter({"passed": 0, "failed": 0, "skipped": 0})
        for record in self.records.values():
            if backend is None or record.backend == backend:
                out[BUCKETS[record.outcome]] += 1
        return out

    def write_json(self, path: Path, header: dict[str, Any], stale: list[str]) -> None:
        """Write the JSON report (per case: id, backend, outcome, duration, message; plus summaries)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        summary = {b: {o: self.counts(b)[o] for o in OUTCOMES} for b in self.backends}
        doc = {
            "header": header,
            "backends": self.backends,
            "summary": summary,
            "totals": dict(self.buckets()),
            "stale_expectations": stale,
            "cases": [asdict(r) for r in sorted(self.records.values(), key=lambda r: (r.backend, r.nodeid))],
        }
        path.write_text(json.dumps(doc, indent=1, default=str) + "\n", encoding="utf-8")


def _natural(key: str) -> list[tuple[int, int | str]]:
    """Sort key that puts section "4.10" after "4.9" and "13" after "2"."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.]", key)]


def _column(counts: Counter, column: str) -> int:
    if column == "errors":
        return counts["error"]
    if column == "failed":
        return counts["failed"] + counts["xpass"]
    return counts[column]


def final_line(buckets: Counter) -> str:
    """The very last terminal line of a conformance run."""
    return f"conformance: {buckets['passed']} passed, {buckets['failed']} failed, {buckets['skipped']} skipped"


def backend_line(buckets: Counter, backend: str) -> str:
    """One backend's share of the final line (printed just before it when several backends ran)."""
    return f"  {backend}: {buckets['passed']} passed, {buckets['failed']} failed, {buckets['skipped']} skipped"


def sections_present(results: Results, backend: str) -> bool:
    """True when some case of ``backend`` names a docs/semantics.md section."""
    return any(r.section for r in results.records.values() if r.backend == backend)
