"""Run one corpus program on one backend in a subprocess and classify how it ended.

The outcome classes, in the order reports list them:

* ``clean`` — an expected error of a documented class whose message names the program's file and line;
* ``correct`` — a program that should run did, and its own checks passed;
* ``unlocated`` — an expected error of a documented class whose message does not name the user's line;
* ``internal`` — an exception of an undocumented class (``AttributeError``, ``RecursionError``, …) or an
  "internal compiler error";
* ``crash`` — the process died (a signal, or no result line);
* ``hang`` — the program ran past its time limit;
* ``wrong`` — a misuse that was silently accepted, a valid program that was rejected, or a failed check.

A run must have no ``internal``, ``crash``, ``hang`` or ``wrong`` (docs/robustness.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from quadrants_conformance.robustness.child import MARK
from quadrants_conformance.robustness.program import Program

__all__ = ["Outcome", "OUTCOMES", "FAILING", "run_program", "classify"]

OUTCOMES = ("clean", "correct", "unlocated", "internal", "crash", "hang", "wrong")
FAILING = ("internal", "crash", "hang", "wrong")

# Exact classes a user mistake may raise besides the Quadrants* classes (upstream raises the same ones).
DOCUMENTED_BUILTINS = {"TypeError", "ValueError", "IndexError", "KeyError", "RuntimeError", "MemoryError",
                       "NotImplementedError"}  # fmt: skip


@dataclass
class Outcome:
    program: str
    backend: str
    outcome: str
    detail: str = ""
    class_matches: bool = True
    seconds: float = 0.0


def _documented(classes: list[str]) -> bool:
    exact = classes[0] if classes else ""
    return exact.startswith("Quadrants") or exact in DOCUMENTED_BUILTINS


def classify(prog: Program, path: str, result: dict | None, returncode: int, timed_out: bool) -> tuple[str, str, bool]:
    """``(outcome, detail, class_matches)`` of one finished run."""
    if timed_out:
        return "hang", f"no result within {prog.timeout:.0f} s", True
    if result is None:
        return "crash", f"exit status {returncode} without a result line", True
    if result["outcome"] in ("ok", "exit"):
        if prog.expect == "ok" and result["outcome"] == "ok":
            return "correct", "", True
        return "wrong", "the misuse was accepted without an error" if prog.expect == "error" else str(result), True
    classes, message = result["classes"], result["message"]
    head = f"{classes[0]}: {message.splitlines()[-1] if message else ''}"[:300]
    if classes[0] == "AssertionError" and result.get("raised_in_program"):
        return "wrong", head, True  # the program's own check failed
    if "internal compiler error" in message or not _documented(classes):
        return "internal", head, True
    if prog.expect == "ok":
        return "wrong", head, True  # a valid program was rejected
    matches = not prog.error or prog.error in classes
    if os.path.basename(path) in message and "line " in message:
        return "clean", "" if matches else head, matches
    return "unlocated", head, matches


def run_program(prog: Program, backend: str, workdir: Path) -> Outcome:
    """Write ``prog`` to ``workdir`` and run it on ``backend`` in a fresh interpreter."""
    import time

    path = workdir / (prog.id.replace("/", "__") + ".py")
    path.write_text(prog.source)
    env = dict(os.environ, PYTHONFAULTHANDLER="1")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "quadrants_conformance.robustness.child", backend, str(path)],
            capture_output=True,
            text=True,
            timeout=prog.timeout,
            env=env,
            cwd=workdir,
        )
        timed_out, rc, out = False, proc.returncode, proc.stdout
    except subprocess.TimeoutExpired as exc:
        timed_out, rc, out = True, -1, exc.stdout or ""
        out = out if isinstance(out, str) else out.decode(errors="replace")
    result = None
    for line in reversed(out.splitlines()):
        if line.startswith(MARK):
            result = json.loads(line[len(MARK) :])
            break
    outcome, detail, matches = classify(prog, str(path), result, rc, timed_out)
    return Outcome(prog.id, backend, outcome, detail, matches, time.perf_counter() - t0)
