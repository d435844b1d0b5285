"""The repro block printed for every failing case: enough to understand and rerun the failure without the suite."""

from __future__ import annotations

import inspect
import os
import shlex

from quadrants_conformance.case import Case
from quadrants_conformance.observation import Observation
from quadrants_conformance.verdict import Verdict, case_file, case_line, observed_text

__all__ = ["format_repro", "rerun_command"]

MAX_SOURCE_LINES = 40
MAX_PROGRAMS = 4
MAX_IR_LINES = 60


def rerun_command(case: Case, backend: str, lane_order: str | None = None) -> str:
    """The command that reruns exactly this case on this backend."""
    parts = ["python", "-m", "pytest", "--pyargs", "quadrants_conformance.cases", "--backend", backend]
    if lane_order:
        parts += ["--lane-order", lane_order]
    parts += ["-k", case.id]
    return shlex.join(parts)


def format_repro(
    case: Case, qualified_id: str, backend: str, verdict: Verdict, lane_order: str | None = None, device: str = ""
) -> str:
    """The multi-line repro block of a failed (or broken) case."""
    path = case_file(case)
    headline = verdict.problems[0].splitlines()[0] if verdict.problems else verdict.category
    lines = [
        # The first line is what pytest's short summary (-ra) shows: make it the problem, not a title.
        headline,
        f"conformance {verdict.category}: {qualified_id} on {backend}",
        f"case:        {qualified_id}" + (f"  (docs/semantics.md §{case.section})" if case.section else ""),
        f"backend:     {backend}" + (f"  device: {device}" if device else ""),
        f"lane order:  {lane_order or 'default'}",
        f"source:      {path}:{case_line(case)}",
        f"tolerance:   {case.tol}" + (f"  debug={case.debug}" if case.debug else ""),
        "problems:",
    ]
    for problem in verdict.problems:
        first, *rest = problem.splitlines() or [""]
        lines.append(f"  - {first}")
        lines.extend(f"    {line}" for line in rest)
    lines.append(f"reference ({verdict.reference.backend if verdict.reference else 'ref'}):")
    lines.append(f"    {observed_text(verdict.reference)}")
    if verdict.backend is not None:
        lines.append(f"backend ({verdict.backend.backend}):")
        lines.append(f"    {observed_text(verdict.backend)}")
    lines.append(f"rerun:       {rerun_command(case, backend, lane_order)}")
    lines.extend(_source_lines(case, path))
    lines.extend(_ir_lines(verdict.backend if verdict.backend is not None else verdict.reference))
    return "\n".join(lines)


def _source_lines(case: Case, path: str) -> list[str]:
    try:
        source, _ = inspect.getsourcelines(case.fn)
    except (OSError, TypeError):
        return []
    shown = source[:MAX_SOURCE_LINES]
    out = [f"case source ({os.path.basename(path)}):"] + [f"    {line.rstrip()}" for line in shown]
    if len(source) > len(shown):
        out.append(f"    ... ({len(source) - len(shown)} more lines)")
    return out


def _ir_lines(obs: Observation | None) -> list[str]:
    if obs is None or not obs.programs:
        return []
    out = [f"IR of the kernels compiled in the {obs.backend} run ({len(obs.programs)}):"]
    for name, text in obs.programs[:MAX_PROGRAMS]:
        body = text.splitlines()
        out.append(f"  --- {name} ---")
        out.extend(f"    {line}" for line in body[:MAX_IR_LINES])
        if len(body) > MAX_IR_LINES:
            out.append(f"    ... ({len(body) - MAX_IR_LINES} more lines)")
    if len(obs.programs) > MAX_PROGRAMS:
        out.append(f"  ... ({len(obs.programs) - MAX_PROGRAMS} more kernels)")
    return out
