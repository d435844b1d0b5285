"""Comparing upstream's run of a case with the reference's: the conformance rules, across two interpreters.

The upstream result is plain data (:mod:`~quadrants_conformance.parity.plain`); the reference observation goes
through the same conversion, then :func:`quadrants_conformance.compare.compare` judges the values with the case's
tolerance row. Exceptions compare by class name (upstream's and this implementation's error classes have the same
names) and, where the case declares ``raises``, by its message fragment too. Observables a case declares as
``stream`` (draws from ``qd.random``, whose stream is each implementation's own) compare by shape and dtype only.

Outcomes:

* ``same`` — upstream agrees with the reference;
* ``not-runnable`` — upstream lacks an API the case uses (its module does not import, or a ``qd`` name or module
  does not exist there), or its CPU backend lacks the capability (it says so: ``qd.block`` features and the
  prefix-sum executors are "not supported for arch Arch.x64", and its subgroup size is 0): the case is outside what
  upstream can run, and is listed, not judged;
* ``reference-fails`` — (set by the runner) the case fails on the reference itself; the conformance run reports it;
* ``fast-math`` — (set by the runner) differs under upstream's default ``fast_math=True`` only;
* ``differs`` — anything else, with a one-line ``what`` (``values``, ``raises``, ``error class``, ``message``,
  ``stdout``, ``warning``, ``hang``, ``crash``) and a detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from quadrants_conformance.case import Case
from quadrants_conformance.compare import compare, summarize
from quadrants_conformance.observation import Observation
from quadrants_conformance.parity.plain import PlainError, describe_error, to_plain
from quadrants_conformance.tolerance import lookup

__all__ = ["Outcome", "judge_parity"]

# errors that mean "upstream has no such API" rather than "upstream behaves differently"
_MISSING_API = ("ModuleNotFoundError", "ImportError")
# attributes of this implementation's objects that cases read for introspection and upstream's objects lack
_INTROSPECTION_ONLY = (
    "'compile_count'",  # Kernel: compiles so far
    "'used_member_paths'",  # Kernel: pruning record
    "'checkpoint_id'",  # GraphDoWhileLevel: the checkpoint a level belongs to
)

# upstream's own words for "the CPU backend cannot do this": these features exist upstream only on GPU backends, so a
# case using them is outside what upstream's qd.cpu can run (as the reference's lane orders are)
_CPU_LACKS = (
    "is not supported for arch Arch.x64",  # qd.block.thread_idx / sync / shared arrays (GPU thread blocks)
    "is not supported for prefix sum",  # the qd.algorithms scan executors (CUDA and Vulkan only)
    "subgroup size 0 is not a power of two",  # the CPU has no subgroups: qd.simt.subgroup sees a size of 0
    "subgroup size must be 32 or 64",  # block radix rank over subgroups, same cause
    "requires a GPU backend",  # the register tiles qd.simt.Tile16x16 / Tile32x32 raise on CPU backends
)


@dataclass(frozen=True)
class Outcome:
    """The parity verdict of one case."""

    category: str  # "same" | "not-runnable" | "differs"
    what: str = ""
    detail: str = ""


def _missing_api(error: PlainError) -> bool:
    if error.name in _MISSING_API:
        return "quadrants" in error.message
    if "module 'quadrants' has no attribute" in error.message:  # also inside upstream's compile errors
        return True
    return error.name == "AttributeError" and any(a in error.message for a in _INTROSPECTION_ONLY)


def _cpu_lacks(error: PlainError) -> bool:
    return any(words in error.message for words in _CPU_LACKS)


def _stream_shape(value: Any) -> Any:
    """What parity compares of an observable made of ``qd.random`` draws: its shape and element types, not values."""
    if isinstance(value, (np.ndarray, np.generic)):
        return ("qd.random draws", np.shape(value), value.dtype.str)
    if isinstance(value, (list, tuple)):
        return ("qd.random draws", len(value), sorted({type(v).__name__ for v in value}))
    return ("qd.random draws", type(value).__name__)


def _without_stream(case: Case, value: Any) -> Any:
    if not case.stream or not isinstance(value, dict):
        return value
    return {k: _stream_shape(v) if k in case.stream else v for k, v in value.items()}


def _short(text: str, limit: int = 600) -> str:
    text = " ".join(_essence(text).split())
    return text if len(text) <= limit else text[:limit] + " …"


def _essence(text: str) -> str:
    """Upstream's compile errors carry its own stack trace first; keep what follows ``Your code:`` (or the last
    ``===`` block), where the user's line and the message are."""
    for marker in ("Your code:", "\n===\n"):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
    if "Traceback (most recent call last)" in text:  # a nested traceback: its last line is the error
        lines = [line for line in text.splitlines() if line.strip()]
        text = lines[-1] if lines else text
    return text


def _error_outcome(case: Case, ours: PlainError | None, theirs: PlainError) -> Outcome:
    if case.raises is not None:
        cls, fragment = case.raises
        if not theirs.is_a(cls.__name__):
            return Outcome("differs", "error class", f"case expects {cls.__name__}; upstream: {_short(theirs.text())}")
        if fragment not in theirs.message:
            return Outcome("differs", "message", f"{fragment!r} not in upstream's {_short(theirs.text())}")
        return Outcome("same")
    if ours is None:
        return Outcome("differs", "raises", f"upstream raises {_short(theirs.text())}; the reference returns")
    if ours.name != theirs.name:
        detail = f"reference {_short(ours.text(), 150)}; upstream {_short(theirs.text())}"
        return Outcome("differs", "error class", detail)
    return Outcome("same")


def judge_parity(case: Case, ref: Observation, upstream: dict) -> Outcome:
    """The outcome of ``case`` given the reference's observation and upstream's result."""
    status = upstream["status"]
    if status in ("hang", "crash"):
        return Outcome("differs", status, upstream.get("why", ""))
    if status == "import-error":
        return Outcome("not-runnable", "import", _short(upstream["error"].text()))
    if status in ("init-error", "harness-error"):
        return Outcome("differs", status, _short(upstream["error"].text()))
    ours = describe_error(ref.error) if ref.error is not None else None
    if status == "error":
        theirs = upstream["error"]
        if _cpu_lacks(theirs):
            return Outcome("not-runnable", "capability", _short(theirs.text()))
        if _missing_api(theirs) and not (ours is not None and ours.name == theirs.name):
            return Outcome("not-runnable", "api", _short(theirs.text()))
        return _error_outcome(case, ours, theirs)
    if ours is not None:
        return Outcome("differs", "raises", f"the reference raises {_short(ours.text())}; upstream returns")
    if case.raises is not None:
        return Outcome("differs", "raises", f"case expects {case.raises[0].__name__}; upstream returns")
    ours_value, theirs_value = _without_stream(case, to_plain(ref.value)), _without_stream(case, upstream["value"])
    mismatch = compare(ours_value, theirs_value, lookup(case.tol))
    if mismatch is not None:
        return Outcome("differs", "values", _short(mismatch.describe(), 500))
    if case.stdout is not None and upstream["stdout"] != ref.stdout:
        return Outcome("differs", "stdout", f"reference {ref.stdout!r}; upstream {summarize(upstream['stdout'], 200)}")
    if case.warns is not None:
        cls, fragment = case.warns
        if not any(name == cls.__name__ and fragment in msg for name, msg in upstream["warnings"]):
            return Outcome("differs", "warning", f"no {cls.__name__}({fragment!r}); upstream: {upstream['warnings']}")
    return Outcome("same")
