"""Per-backend expectation files: the known failures of a backend, each with its reason.

``expectations/<backend-id>.txt`` holds one entry per line::

    # comments and blank lines are allowed
    test_math.py::atan2_signed_zero   # WGSL atan2 ignores the sign of zero (gfx-rs/wgpu#1234)
    int_pow_negative                  # bare case ids match that case in any module

An entry marks the case as an expected failure on that backend (strict: an unexpected pass fails the run, so the
files only shrink). A reason after ``#`` is mandatory. An entry that matches no case is *stale* and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Entry", "ExpectationError", "parse", "load", "DEFAULT_DIR", "matches"]

DEFAULT_DIR = Path(__file__).with_name("expectations")


class ExpectationError(ValueError):
    """A malformed expectation file (an entry without a reason, a line with no case id)."""


@dataclass(frozen=True)
class Entry:
    """One known failure: the case id (``module.py::name`` or a bare ``name``), the reason, and where it is written."""

    case_id: str
    reason: str
    file: str
    line: int

    @property
    def where(self) -> str:
        """``file:line`` of the entry."""
        return f"{self.file}:{self.line}"


def parse(text: str, file: str = "<expectations>") -> list[Entry]:
    """Parse the text of one expectation file."""
    entries: list[Entry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        case_id, hash_sign, reason = line.partition("#")
        case_id, reason = case_id.strip(), reason.strip()
        if not hash_sign or not reason:
            raise ExpectationError(f"{file}:{number}: {case_id!r} needs a reason: `<case id>  # <why it fails>`")
        if not case_id or len(case_id.split()) != 1:
            raise ExpectationError(f"{file}:{number}: expected one case id before '#', got {case_id!r}")
        entries.append(Entry(case_id, reason, file, number))
    return entries


def load(directory: Path, backend: str) -> list[Entry]:
    """The entries of ``<directory>/<backend>.txt`` (none when the file does not exist)."""
    path = Path(directory) / f"{backend}.txt"
    if not path.is_file():
        return []
    return parse(path.read_text(encoding="utf-8"), str(path))


def matches(entry: Entry, qualified_id: str) -> bool:
    """True when ``entry`` names the case ``qualified_id`` (``test_x.py::name``), qualified or bare."""
    return entry.case_id == qualified_id or entry.case_id == qualified_id.rpartition("::")[2]
