"""The misuse corpus and its classifier (quadrants_conformance.robustness)."""

from __future__ import annotations

import collections

import pytest

from quadrants_conformance.robustness.classify import OUTCOMES, classify, run_program
from quadrants_conformance.robustness.corpus import all_programs
from quadrants_conformance.robustness.program import program

CATEGORIES = {"arguments", "allocation", "language", "host-api", "init", "graph", "fastcache", "threads", "signals",
              "sizes"}  # fmt: skip


def test_the_corpus_has_200_programs_in_every_category_with_unique_ids():
    programs = all_programs()
    assert len(programs) >= 200
    assert {p.category for p in programs} == CATEGORIES
    assert len({p.id for p in programs}) == len(programs)
    assert all(p.expect in ("ok", "error") for p in programs)
    for p in programs:
        compile(p.source, p.id, "exec")  # every program is valid Python


def _exception(classes, message, in_program=False):
    return {"outcome": "exception", "classes": classes, "message": message, "raised_in_program": in_program}


@pytest.mark.parametrize(
    ("expect", "result", "want"),
    [
        ("error", _exception(["TypeError"], 'File "/t/p.py", line 3: bad'), "clean"),
        ("error", _exception(["QuadrantsSyntaxError"], "bad, no line"), "unlocated"),
        ("error", _exception(["AttributeError"], 'File "/t/p.py", line 3: x'), "internal"),
        ("error", _exception(["QuadrantsCompilationError"], "internal compiler error while lowering"), "internal"),
        ("error", {"outcome": "ok"}, "wrong"),
        ("ok", {"outcome": "ok"}, "correct"),
        ("ok", _exception(["AssertionError"], "check failed", in_program=True), "wrong"),
        ("ok", _exception(["QuadrantsRuntimeError"], "rejected"), "wrong"),
        ("ok", None, "crash"),
    ],
)
def test_classify(expect, result, want):
    prog = program("t/p", "arguments", "pass", expect=expect)
    outcome, _, _ = classify(prog, "/t/p.py", result, 0 if result else -11, timed_out=False)
    assert outcome == want and outcome in OUTCOMES


def test_a_timeout_is_a_hang_and_a_real_run_is_classified(tmp_path):
    prog = program("t/hang", "sizes", "pass", expect="ok")
    assert classify(prog, "/t/hang.py", None, -1, timed_out=True)[0] == "hang"
    misuse = program("t/wrong_dtype", "arguments", "@qd.kernel\ndef k(x: qd.types.NDArray[qd.i32, 1]):\n    pass\n"
                     "k(qd.ndarray(qd.f32, 2))", error="TypeError")  # fmt: skip
    outcome = run_program(misuse, "ref", tmp_path)
    assert (outcome.outcome, outcome.class_matches) == ("clean", True), outcome
    crash = program("t/crash", "signals", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", expect="ok")
    assert run_program(crash, "ref", tmp_path).outcome == "crash"
    counts = collections.Counter(p.category for p in all_programs())
    assert counts["language"] >= 50
