"""Judging observations: the reference against the case's declarations, the backend against the reference.

A :class:`Verdict` is ``passed``, ``failed`` (the backend under test disagrees with the reference or with the case's
declared ``raises``/``warns``/``stdout``) or ``error`` (the case itself is broken on the reference, or the backend
could not be initialised). On the reference backend itself a reference problem is a plain failure.
"""

from __future__ import annotations

import inspect
import os
import re
from dataclasses import dataclass, field
from typing import Any

from quadrants_conformance.case import Case
from quadrants_conformance.compare import Mismatch, compare, summarize
from quadrants_conformance.observation import Observation
from quadrants_conformance.tolerance import lookup

__all__ = ["Verdict", "judge", "declared_problems", "golden_problem", "case_file", "is_compilation_error"]

REFERENCE = "ref"


@dataclass
class Verdict:
    """The outcome of one case on one backend, with everything a repro block needs."""

    category: str  # "passed" | "failed" | "error"
    problems: list[str] = field(default_factory=list)
    mismatch: Mismatch | None = None
    reference: Observation | None = None
    backend: Observation | None = None

    @property
    def ok(self) -> bool:
        """True when the case passed."""
        return self.category == "passed"


def case_file(case: Case) -> str:
    """Absolute path of the file that defines the case."""
    return inspect.getsourcefile(case.fn) or inspect.getfile(case.fn)


def case_line(case: Case) -> int:
    """1-based line of the case's ``def`` (decorators excluded when Python can tell)."""
    code = getattr(case.fn, "__code__", None)
    return code.co_firstlineno if code is not None else 0


def is_compilation_error(cls: type) -> bool:
    """True for ``QuadrantsCompilationError`` and its subclasses (matched by name: no import of Quadrants needed)."""
    return any(base.__name__ == "QuadrantsCompilationError" for base in getattr(cls, "__mro__", ()))


def declared_problems(case: Case, obs: Observation) -> list[str]:
    """How ``obs`` violates the case's ``raises``, ``warns`` and ``stdout`` (an undeclared exception is one)."""
    problems = _raise_problems(case, obs)
    if case.warns is not None:
        cls, fragment = case.warns
        if not any(issubclass(cat, cls) and fragment in msg for cat, msg in obs.warnings):
            seen = "; ".join(f"{cat.__name__}: {msg}" for cat, msg in obs.warnings) or "no warnings"
            problems.append(f"expected warning {cls.__name__}({fragment!r}), saw {seen}")
    if case.stdout is not None and not _stdout_matches(case.stdout, obs.stdout):
        problems.append(f"stdout differs: expected {case.stdout!r}, got {obs.stdout!r}")
    return problems


def _stdout_matches(expected, text: str) -> bool:
    """Exact text, or a compiled pattern that must match the whole text."""
    return expected.fullmatch(text) is not None if isinstance(expected, re.Pattern) else text == expected


def _raise_problems(case: Case, obs: Observation) -> list[str]:
    if case.raises is None:
        if obs.error is None:
            return []
        return [f"raised {type(obs.error).__name__}: {obs.error}\n{obs.traceback}".rstrip()]
    cls, fragment = case.raises
    if obs.error is None:
        return [f"expected {cls.__name__}({fragment!r}) to be raised; the case returned {summarize(obs.value, 300)}"]
    message, problems = str(obs.error), []
    if not isinstance(obs.error, cls):
        problems.append(f"expected {cls.__name__}({fragment!r}), got {type(obs.error).__name__}: {message}")
    elif fragment not in message:
        problems.append(f"{type(obs.error).__name__} message does not contain {fragment!r}: {message!r}")
    if is_compilation_error(cls) or is_compilation_error(type(obs.error)):
        name = os.path.basename(case_file(case))
        if name not in message:
            problems.append(f"compile error does not point at the user's file {name!r}: {message!r}")
    return problems


def golden_problem(case: Case, obs: Observation) -> str | Mismatch | None:
    """How the reference value violates ``case.golden`` (every golden key must be returned and match)."""
    if case.golden is None or obs.error is not None:
        return None
    if not isinstance(obs.value, dict):
        return f"golden observables given, but the case returned {type(obs.value).__name__}, not a dict"
    missing = [key for key in case.golden if key not in obs.value]
    if missing:
        return f"golden observables {missing} were not returned (returned: {sorted(obs.value)})"
    returned = {key: obs.value[key] for key in case.golden}
    return compare(case.golden, returned, lookup(case.tol))


def judge(case: Case, reference: Observation, backend: Observation | None) -> Verdict:
    """The verdict for the backend under test; ``backend`` is ``None`` when the backend under test is the reference."""
    under_test = backend if backend is not None else reference
    if under_test.init_failed or reference.init_failed:
        failed = under_test if under_test.init_failed else reference
        problem = f"qd.init(arch={failed.backend!r}) failed: {failed.error!r}\n{failed.traceback}"
        return Verdict("error", [problem], reference=reference, backend=backend)
    ref_problems = _reference_problems(case, reference)
    if ref_problems:
        problems, mismatch = ref_problems
        category = "failed" if backend is None else "error"
        labelled = [f"reference ({REFERENCE}) run: {p}" for p in problems]
        return Verdict(category, labelled, mismatch, reference=reference, backend=backend)
    if backend is None:
        return Verdict("passed", reference=reference)
    problems = [f"{backend.backend} run: {p}" for p in declared_problems(case, backend)]
    mismatch = None
    if not problems and reference.error is None:
        mismatch = compare(reference.value, backend.value, lookup(case.tol))
        if mismatch is not None:
            problems.append(f"{backend.backend} differs from the reference: {mismatch.describe()}")
    return Verdict("failed" if problems else "passed", problems, mismatch, reference=reference, backend=backend)


def _reference_problems(case: Case, reference: Observation) -> tuple[list[str], Mismatch | None] | None:
    problems = declared_problems(case, reference)
    golden = golden_problem(case, reference)
    mismatch = golden if isinstance(golden, Mismatch) else None
    if isinstance(golden, Mismatch):
        problems.append(f"does not match golden: {golden.describe()}")
    elif golden:
        problems.append(golden)
    return (problems, mismatch) if problems else None


def observed_text(obs: Observation | None, limit: int = 1500) -> str:
    """A bounded description of an observation for the repro block."""
    if obs is None:
        return "(not run)"
    parts: list[Any] = []
    if obs.error is not None:
        message = str(obs.error)
        cut = message if len(message) <= limit else message[:limit] + f" ... ({len(message) - limit} more chars)"
        parts.append(f"raised {type(obs.error).__name__}: {cut}")
    else:
        parts.append(summarize(obs.value, limit))
    if obs.stdout:
        parts.append(f"stdout: {summarize(obs.stdout, 400)}")
    if obs.warnings:
        parts.append("warnings: " + "; ".join(f"{c.__name__}: {m}" for c, m in obs.warnings[:5]))
    return "\n    ".join(str(p) for p in parts)
