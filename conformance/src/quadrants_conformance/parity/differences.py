"""The checked-in list of deliberate differences from upstream: the table in docs/parity.md.

Each row names one conformance case (``test_module.py::case_id``, as the conformance reports do), what upstream does,
what this implementation does, and why the difference is deliberate (SEMANTICS.md §20: only where upstream crashes,
hangs or is silently wrong). The parity run fails on a difference the table does not list, and on a listed case
that no longer differs, so the table only ever says what is true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Difference", "load_differences", "DEFAULT_PATH"]

# docs/parity.md of the source checkout this harness runs from (None when installed elsewhere)
_CHECKOUT = Path(__file__).resolve().parents[4]
DEFAULT_PATH = _CHECKOUT / "docs" / "parity.md"

_ROW = re.compile(r"^\|\s*`(?P<case>[^`]+::[^`]+)`\s*\|(?P<upstream>[^|]*)\|(?P<ours>[^|]*)\|(?P<reason>[^|]*)\|\s*$")


@dataclass(frozen=True)
class Difference:
    """One row of the table."""

    case: str
    upstream: str
    ours: str
    reason: str


def load_differences(path: Path = DEFAULT_PATH) -> dict[str, Difference]:
    """The rows of the table in ``path``, by case id; a row without a reason is an error."""
    rows: dict[str, Difference] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = _ROW.match(line)
        if match is None:
            continue
        row = Difference(*(match.group(k).strip() for k in ("case", "upstream", "ours", "reason")))
        if not (row.upstream and row.ours and row.reason):
            raise ValueError(f"{path}:{number}: a deliberate difference needs upstream, ours and a reason")
        if row.case in rows:
            raise ValueError(f"{path}:{number}: {row.case} is listed twice")
        rows[row.case] = row
    return rows
