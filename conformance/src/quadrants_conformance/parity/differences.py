"""The checked-in lists of differences from upstream: the two tables of docs/parity.md.

Each row names one conformance case (``test_module.py::case_id``, as the conformance reports do), what upstream does,
what this implementation does, and why. Rows under the heading "Deliberate differences" are permanent (only where
upstream crashes, hangs or is silently wrong); rows under "Open differences" are known divergences still to be fixed
here, each naming what is to change. The parity run fails on a difference neither table lists, and on a listed case
that no longer differs, so the tables only ever say what is true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Difference", "load_differences", "DEFAULT_PATH"]

# docs/parity.md of the source checkout this harness runs from (None when installed elsewhere)
_CHECKOUT = Path(__file__).resolve().parents[4]
DEFAULT_PATH = _CHECKOUT / "docs" / "parity.md"

_CELL = r"(?:[^|\\]|\\.)*"  # a table cell: any text, with ``\|`` for a literal pipe
_ROW = re.compile(
    rf"^\|\s*`(?P<case>[^`]+::[^`]+)`\s*\|(?P<upstream>{_CELL})\|(?P<ours>{_CELL})\|(?P<reason>{_CELL})\|\s*$"
)


@dataclass(frozen=True)
class Difference:
    """One row of the table."""

    case: str
    upstream: str
    ours: str
    reason: str
    kind: str = "deliberate"  # or "open"


def load_differences(path: Path = DEFAULT_PATH) -> dict[str, Difference]:
    """The rows of the table in ``path``, by case id; a row without a reason is an error."""
    rows: dict[str, Difference] = {}
    kind = "deliberate"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            kind = "open" if "open" in line.lower() else "deliberate"
        match = _ROW.match(line)
        if match is None:
            continue
        row = Difference(*(match.group(k).strip() for k in ("case", "upstream", "ours", "reason")), kind=kind)
        if not (row.upstream and row.ours and row.reason):
            raise ValueError(f"{path}:{number}: a deliberate difference needs upstream, ours and a reason")
        if row.case in rows:
            raise ValueError(f"{path}:{number}: {row.case} is listed twice")
        rows[row.case] = row
    return rows
