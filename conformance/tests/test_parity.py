"""The parity harness: plain data, the differences table, the judge, and the worker (run under this interpreter,
which stands in for upstream's: the worker only needs ``import quadrants`` to work)."""

from __future__ import annotations

import enum
import sys
from collections import namedtuple

import numpy as np
import pytest

import quadrants as qd
from quadrants_conformance.case import Case
from quadrants_conformance.observation import Observation
from quadrants_conformance.parity.differences import DEFAULT_PATH, load_differences
from quadrants_conformance.parity.judge import judge_parity
from quadrants_conformance.parity.plain import PlainError, describe_error, to_plain
from quadrants_conformance.parity.run import collect_cases, main
from quadrants_conformance.parity.upstream import UpstreamWorker


class Color(enum.Enum):
    RED = 1


class Slotted:
    __slots__ = ("checkpoint", "yielded")

    def __init__(self):
        self.yielded, self.checkpoint = True, 3


def test_to_plain_keeps_numbers_and_tags_objects():
    arr = np.arange(3)
    pair = namedtuple("Pair", "a b")(1, 2)
    plain = to_plain({"a": arr, "t": (1, 2.5), "e": Color.RED, "s": Slotted(), "p": pair, "o": object})
    assert plain["a"] is arr and plain["t"] == (1, 2.5)
    assert plain["e"] == ("enum", "Color", "RED")
    assert plain["s"] == ("object", "Slotted", {"yielded": True, "checkpoint": 3})
    assert plain["p"] == ("object", "Pair", {"a": 1, "b": 2})
    assert plain["o"][0] == "opaque"


def test_to_plain_turns_host_vectors_into_arrays():
    class UpstreamVector:  # upstream's host qd.Vector: to_numpy(), no __array__
        def to_numpy(self):
            return np.array([1.0, 2.5], np.float32)

    plain = to_plain({"ours": qd.Vector([1, 2]), "theirs": UpstreamVector()})
    assert isinstance(plain["ours"], np.ndarray) and plain["ours"].tolist() == [1, 2]
    assert plain["theirs"].dtype == np.float32 and plain["theirs"].tolist() == [1.0, 2.5]


def test_describe_error_names_the_class_chain():
    err = describe_error(KeyError("k"))
    assert err.name == "KeyError" and err.is_a("LookupError") and not err.is_a("ValueError")


def test_differences_table_parses_and_rejects_incomplete_rows(tmp_path):
    listed = load_differences(DEFAULT_PATH)
    assert all("::" in cid and row.reason for cid, row in listed.items())
    bad = tmp_path / "p.md"
    bad.write_text("| `test_a.py::x` | crashes |  | |\n")
    with pytest.raises(ValueError, match="needs upstream, ours and a reason"):
        load_differences(bad)
    two = tmp_path / "two.md"
    row = "| `test_a.py::{}` | u | o | why |\n"
    two.write_text("## Deliberate differences\n" + row.format("x") + "## Open differences\n" + row.format("y"))
    kinds = {cid: d.kind for cid, d in load_differences(two).items()}
    assert kinds == {"test_a.py::x": "deliberate", "test_a.py::y": "open"}


def _case(**kw) -> Case:
    return Case(fn=lambda: None, id="c", **kw)


def _ref(value=None, error=None) -> Observation:
    return Observation(backend="ref", value=value, error=error)


def test_judge_values_errors_and_missing_api():
    ok = {"status": "ok", "value": {"x": np.array([1, 2], np.int32)}, "stdout": "", "warnings": []}
    assert judge_parity(_case(), _ref({"x": np.array([1, 2], np.int32)}), ok).category == "same"
    differs = judge_parity(_case(), _ref({"x": np.array([1, 3], np.int32)}), ok)
    assert (differs.category, differs.what) == ("differs", "values")
    missing = {
        "status": "error",
        "error": PlainError("AttributeError", ("AttributeError",), "module 'quadrants' has no attribute 'x'"),
    }
    assert judge_parity(_case(), _ref(1), missing).category == "not-runnable"
    raised = {"status": "error", "error": PlainError("QuadrantsSyntaxError", ("QuadrantsSyntaxError",), "bad thing")}
    declared = _case(raises=(SyntaxError, "bad"))
    assert judge_parity(declared, _ref(error=SyntaxError("bad")), raised).what == "error class"
    assert judge_parity(_case(), _ref(1), raised).what == "raises"
    assert judge_parity(_case(), _ref(1), {"status": "hang", "why": "slow"}).what == "hang"


def test_judge_cpu_lacking_capability_is_not_runnable():
    for message in (
        "qd.block.sync is not supported for arch Arch.x64",
        "Arch.x64 is not supported for prefix sum.",
        "subgroup size 0 is not a power of two",
    ):
        lacks = {"status": "error", "error": PlainError("ValueError", ("ValueError",), message)}
        outcome = judge_parity(_case(raises=(SyntaxError, "x")), _ref(error=SyntaxError("x")), lacks)
        assert (outcome.category, outcome.what) == ("not-runnable", "capability")
    other = {"status": "error", "error": PlainError("ValueError", ("ValueError",), "qd.block.sync takes no argument")}
    assert judge_parity(_case(), _ref(1), other).category == "differs"


def test_judge_compares_random_stream_observables_by_shape_and_dtype():
    theirs = {
        "status": "ok",
        "value": {"x": np.array([0.7, 0.1], np.float32), "c": 0, "u": [2**63, 5]},
        "stdout": "",
        "warnings": [],
    }
    ours = {"x": np.array([0.2, 0.9], np.float32), "c": 0, "u": [1, 2**64 - 1]}
    assert judge_parity(_case(stream=("x", "u")), _ref(ours), theirs).category == "same"
    assert judge_parity(_case(), _ref(ours), theirs).what == "values"  # undeclared: compared by value
    shorter = {**ours, "x": np.array([0.2], np.float32)}
    assert judge_parity(_case(stream=("x", "u")), _ref(shorter), theirs).what == "values"
    wider = {**ours, "x": np.array([0.2, 0.9], np.float64)}
    assert judge_parity(_case(stream=("x", "u")), _ref(wider), theirs).what == "values"
    other = {**ours, "c": 1}  # an observable that is not a draw still compares by value
    assert judge_parity(_case(stream=("x", "u")), _ref(other), theirs).what == "values"


def test_worker_runs_cases_and_survives_a_crash(tmp_path):
    worker = UpstreamWorker(sys.executable, timeout=120)
    try:
        result = worker.run(
            {"kind": "case", "module": "quadrants_conformance.cases.test_int_ops", "case": "u8_wraparound"}
        )
        assert result["status"] == "ok" and isinstance(result["value"], dict)
        missing = worker.run({"kind": "case", "module": "quadrants_conformance.cases.no_such_module", "case": "x"})
        assert missing["status"] == "import-error"
        prog = tmp_path / "crash.py"
        prog.write_text("import os\n\ndef run():\n    os._exit(3)\n")
        assert worker.run({"kind": "file", "path": str(prog)})["status"] == "crash"
        prog.write_text("def run():\n    return {'v': 7}\n")
        assert worker.run({"kind": "file", "path": str(prog)})["value"] == {"v": 7}  # a fresh worker after a crash
    finally:
        worker.close()


def test_collect_cases_filters_by_id():
    found = collect_cases("test_int_ops.py::u8_wraparound")
    assert [cid for _, cid, _ in found] == ["test_int_ops.py::u8_wraparound"]


def test_run_against_this_interpreter_finds_no_difference(tmp_path, capsys):
    table = tmp_path / "parity.md"
    table.write_text("| case | upstream | ours | why |\n|---|---|---|---|\n")
    code = main(
        ["--upstream-python", sys.executable, "-k", "test_int_ops.py::u", "--json", "", "--differences", str(table)]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 differ" in out


def test_raises_at_checks_the_location_only_on_this_implementation(monkeypatch):
    import quadrants as qd
    from quadrants_conformance.cases._graph_common import raises_at

    def fail():
        raise qd.QuadrantsSyntaxError("no line here")

    with pytest.raises(AssertionError, match="does not point at line"):
        raises_at(__file__, "NO-SUCH-LINE-MARKER-USED", fail)  # NO-SUCH-LINE-MARKER-USED
    monkeypatch.setenv("QUADRANTS_CONFORMANCE_UPSTREAM", "1")  # as the parity worker sets it under upstream
    with pytest.raises(qd.QuadrantsSyntaxError, match="no line here"):
        raises_at(__file__, "NO-SUCH-LINE-MARKER-USED", fail)


def test_a_crash_is_judged_again_in_a_fresh_worker(capsys):
    from quadrants_conformance.driver import QuadrantsDriver
    from quadrants_conformance.parity import run as parity_run

    module, _id, case = next(c for c in collect_cases("test_int_ops.py::") if c[2].golden)

    class OnceCrashing:  # upstream's process crashing on a case only after earlier ones
        def __init__(self, outcomes):
            self.outcomes, self.jobs = list(outcomes), 0

        def run(self, job):
            self.jobs += 1
            outcome = self.outcomes.pop(0)
            if outcome == "crash":
                return {"status": "crash", "why": "the upstream worker exited with status -11", "traceback": ""}
            return UpstreamWorker(sys.executable, timeout=120).run(job)

    flaky = OnceCrashing(["crash", "run"])
    assert parity_run._judge(case, module, flaky, QuadrantsDriver()).category == "same"
    assert flaky.jobs == 2 and "judged in a fresh worker" in capsys.readouterr().out
    always = OnceCrashing(["crash", "crash"])
    outcome = parity_run._judge(case, module, always, QuadrantsDriver())
    assert (outcome.category, outcome.what) == ("differs", "crash")
