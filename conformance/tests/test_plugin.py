"""The plugin end to end on a fake Quadrants (see ``FAKE_CONFTEST``): items, outcomes, summaries, reports."""

from __future__ import annotations

import json
import textwrap

import pytest

HEADER = textwrap.dedent(
    """
    import warnings
    import numpy as np
    from conftest import STATE
    from quadrants_conformance import case
    """
)


def cases(body: str) -> str:
    return HEADER + textwrap.dedent(body)


SIMPLE = cases(
    """
    @case(golden={"x": [1, 2, 3]})
    def same_everywhere():
        return {"x": np.array([1, 2, 3], dtype=np.int32)}

    @case(section="4.2")
    def differs_on_fake():
        v = 5 if STATE["backend"] == "fake" else 4
        return {"x": np.array([1, 2, v, 7], dtype=np.int32)}
    """
)


def has_lines(result: pytest.RunResult, *patterns: str) -> None:
    """Every pattern matches some line of stdout, in any order."""
    for pattern in patterns:
        result.stdout.fnmatch_lines([pattern])


def last_line(result: pytest.RunResult) -> str:
    return [line for line in result.outlines if line.strip()][-1]


def read_json(pytester: pytest.Pytester, name: str) -> dict:
    return json.loads((pytester.path / "reports" / name).read_text())


def test_items_per_backend_and_final_line(fake):
    fake.makepyfile(test_cases=SIMPLE)
    result = fake.runpytest("--backend", "ref,fake", "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "test_cases.py::same_everywhere[[]ref[]]",
            "test_cases.py::same_everywhere[[]fake[]]",
            "test_cases.py::differs_on_fake[[]ref[]]",
            "test_cases.py::differs_on_fake[[]fake[]]",
        ]
    )
    result = fake.runpytest("--backend", "ref,fake")
    result.assert_outcomes(passed=3, failed=1)
    assert last_line(result) == "conformance: 3 passed, 1 failed, 0 skipped"
    has_lines(result, "[[]ref[]] test_cases.py: 2 passed (*s)", "[[]fake[]] test_cases.py: 1 passed, 1 failed (*s)")
    has_lines(result, "*conformance summary: fake*")
    has_lines(result, "module*passed*failed*xfail*unsupported*skipped*errors")
    result.stdout.re_match_lines([r"test_cases.py\s+1\s+1\s+0\s+0\s+0\s+0"])


def test_default_backend_is_ref(fake):
    fake.makepyfile(test_cases=SIMPLE)
    result = fake.runpytest()
    result.assert_outcomes(passed=2)
    assert last_line(result) == "conformance: 2 passed, 0 failed, 0 skipped"


def test_repro_block(fake):
    fake.makepyfile(test_cases=SIMPLE)
    result = fake.runpytest("--backend", "fake", "-k", "differs_on_fake")
    result.stdout.fnmatch_lines(
        [
            "fake differs from the reference: x: 1 of 4 elements differ",
            "conformance failed: test_cases.py::differs_on_fake on fake",
            "case:        test_cases.py::differs_on_fake  (docs/semantics.md §4.2)",
            "backend:     fake  device: fake device 0",
            "source:      *test_cases.py:10",
            "*first difference at index (2,): expected 4, got 5",
            "reference (ref):",
            "    {'x': array(shape=(4,), dtype=int32) [[]1 2 4 7[]]}",
            "backend (fake):",
            "    {'x': array(shape=(4,), dtype=int32) [[]1 2 5 7[]]}",
            "rerun:       python -m pytest --pyargs quadrants_conformance.cases --backend fake -k differs_on_fake",
            "case source (test_cases.py):",
            "    def differs_on_fake():",
            "IR of the kernels compiled in the fake run (1):",
            "    kernel add_one  # compiled for fake",
        ]
    )
    result.stdout.fnmatch_lines(["FAILED test_cases.py::differs_on_fake[[]fake[]] - fake differs from the reference*"])


def test_expected_failure_and_strict_xpass(fake):
    fake.makepyfile(test_cases=SIMPLE)
    exp = fake.mkdir("exp")
    (exp / "fake.txt").write_text(
        "# known failures of fake\n\ndiffers_on_fake  # fake adds one\ntest_cases.py::same_everywhere  # not really\n"
    )
    result = fake.runpytest("--backend", "fake", "--expectations", str(exp), "-rxX")
    result.assert_outcomes(xfailed=1, failed=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*fake.txt:4: not really*"])
    assert last_line(result) == "conformance: 0 passed, 1 failed, 1 skipped"
    result.stdout.re_match_lines([r"test_cases.py\s+0\s+1\s+1\s+0\s+0\s+0"])
    data = read_json(fake, "conformance-fake.json")
    outcomes = {c["id"]: c["outcome"] for c in data["cases"]}
    assert outcomes == {"test_cases.py::differs_on_fake": "xfail", "test_cases.py::same_everywhere": "xpass"}


def test_expectation_without_reason_is_a_usage_error(fake):
    fake.makepyfile(test_cases=SIMPLE)
    exp = fake.mkdir("exp")
    (exp / "fake.txt").write_text("differs_on_fake\n")
    result = fake.runpytest("--backend", "fake", "--expectations", str(exp))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*fake.txt:1: 'differs_on_fake' needs a reason*"])


def test_stale_expectation_warns(fake):
    fake.makepyfile(test_cases=SIMPLE)
    exp = fake.mkdir("exp")
    (exp / "fake.txt").write_text("no_such_case  # removed long ago\ndiffers_on_fake  # known\n")
    result = fake.runpytest("--backend", "fake", "--expectations", str(exp))
    result.stdout.fnmatch_lines(["conformance: stale expectation *fake.txt:1: 'no_such_case' matches no case"])
    assert "'differs_on_fake' matches no case" not in result.stdout.str()
    assert read_json(fake, "conformance-fake.json")["stale_expectations"] == [f"{exp / 'fake.txt'}:1: no_such_case"]
    # -k deselects the listed case: it is still known, so not stale
    result = fake.runpytest("--backend", "fake", "--expectations", str(exp), "-k", "same_everywhere")
    assert "'differs_on_fake' matches no case" not in result.stdout.str()


def test_unsupported_capability_is_skipped(fake):
    fake.makepyfile(
        test_cases=cases(
            """
            @case(requires=("f64",))
            def needs_f64():
                return {"x": np.array([1.5])}

            @case(requires=("print", "atomic:f32"))
            def needs_atomics():
                return {}
            """
        )
    )
    result = fake.runpytest("--backend", "ref,fake", "-rs")
    result.stdout.fnmatch_lines(["SKIPPED*unsupported: f64", "SKIPPED*unsupported: atomic:f32"])
    assert last_line(result) == "conformance: 1 passed, 0 failed, 3 skipped"  # the fake ref lacks atomic:f32 too
    result.stdout.re_match_lines([r"TOTAL\s+0\s+0\s+0\s+2\s+0\s+0"])


def test_raises_checks_type_fragment_and_file(fake):
    fake.makepyfile(
        test_cases=cases(
            """
            class QuadrantsCompilationError(Exception):
                pass

            class QuadrantsTypeError(QuadrantsCompilationError, TypeError):
                pass

            @case(raises=(ZeroDivisionError, "division"))
            def raises_ok():
                1 / 0

            @case(raises=(TypeError, "bad operand"))
            def compile_error_points_at_file():
                raise QuadrantsTypeError("test_cases.py:3: bad operand types")

            @case(raises=(TypeError, "bad operand"))
            def compile_error_without_file():
                raise QuadrantsTypeError("bad operand types")

            @case(raises=(KeyError, "k"))
            def wrong_type():
                raise ValueError("k")

            @case(raises=(ValueError, "expected text"))
            def wrong_message():
                raise ValueError("other text")

            @case(raises=(ValueError, "x"))
            def does_not_raise():
                return {"x": 1}

            @case
            def raises_on_fake_only():
                if STATE["backend"] == "fake":
                    raise RuntimeError("fake backend crashed")
                return {"x": 1}
            """
        )
    )
    result = fake.runpytest("--backend", "fake", "-rA")
    has_lines(
        result,
        "PASSED test_cases.py::raises_ok[[]fake[]]",
        "PASSED test_cases.py::compile_error_points_at_file[[]fake[]]",
        "reference (ref) run: compile error does not point at the user's file 'test_cases.py': 'bad operand types'",
        "reference (ref) run: expected KeyError('k'), got ValueError: k",
        "reference (ref) run: ValueError message does not contain 'expected text': 'other text'",
        "reference (ref) run: expected ValueError('x') to be raised; the case returned {'x': 1}",
        "fake run: raised RuntimeError: fake backend crashed",
    )
    data = read_json(fake, "conformance-fake.json")
    outcomes = {c["id"].partition("::")[2]: c["outcome"] for c in data["cases"]}
    assert outcomes == {
        "raises_ok": "passed",
        "compile_error_points_at_file": "passed",
        "compile_error_without_file": "error",
        "wrong_type": "error",
        "wrong_message": "error",
        "does_not_raise": "error",
        "raises_on_fake_only": "failed",
    }


def test_reference_failure_is_failed_on_ref_and_error_elsewhere(fake):
    fake.makepyfile(
        test_cases=cases(
            """
            @case(golden={"x": [1, 2], "y": 3})
            def golden_wrong():
                return {"x": np.array([1, 3], np.int32), "y": 3}
            """
        )
    )
    result = fake.runpytest("--backend", "ref,fake", "-rA")
    result.stdout.fnmatch_lines(
        [
            "*reference (ref) run: does not match golden: x: 1 of 2 elements differ",
        ]
    )
    data = read_json(fake, "conformance-ref+fake.json")
    assert {c["backend"]: c["outcome"] for c in data["cases"]} == {"ref": "failed", "fake": "error"}
    assert data["summary"]["fake"]["error"] == 1
    result.stdout.re_match_lines([r"TOTAL\s+0\s+0\s+0\s+0\s+0\s+1"])
    assert last_line(result) == "conformance: 0 passed, 2 failed, 0 skipped"


def test_golden_key_missing(fake):
    fake.makepyfile(
        test_cases=cases(
            """
            @case(golden={"x": [1], "r": 2})
            def forgot_r():
                return {"x": np.array([1], np.int32)}
            """
        )
    )
    result = fake.runpytest("-rA")
    result.stdout.fnmatch_lines(["*golden observables [[]'r'[]] were not returned*"])


def test_warns_and_stdout(fake):
    fake.makepyfile(
        test_cases=cases(
            """
            import os

            @case(warns=(UserWarning, "lossy"), stdout="a = 3\\nnative 7\\n")
            def prints_and_warns():
                warnings.warn("lossy conversion")
                print("a =", 3)
                os.write(1, b"native 7\\n")  # what a compiled kernel's printf does
                return {}

            @case(warns=(UserWarning, "lossy"))
            def warns_only_on_ref():
                if STATE["backend"] == "ref":
                    warnings.warn("lossy conversion")
                return {}

            @case(stdout="1\\n")
            def prints_differently():
                print(1 if STATE["backend"] == "ref" else 2)
                return {}
            """
        )
    )
    result = fake.runpytest("--backend", "fake", "-rA", "-W", "error:lossy conversion:UserWarning")
    has_lines(
        result,
        "PASSED*prints_and_warns*",
        "*fake run: stdout differs: expected '1\\n', got '2\\n'",
        "*fake run: expected warning UserWarning('lossy'), saw no warnings",
    )


def test_tolerance_row_applies(fake):
    fake.makepyfile(
        test_cases=cases(
            """
            def value():
                x = np.array([0.5], np.float32)
                return x if STATE["backend"] == "ref" else np.nextafter(x, np.float32(1))

            @case(tol="transcendental")
            def within_budget():
                return {"y": value()}

            @case
            def exact_by_default():
                return {"y": value()}

            @case(tol="no-such-row")
            def unknown_row():
                return {"y": value()}
            """
        )
    )
    result = fake.runpytest("--backend", "fake", "-rA")
    has_lines(
        result,
        "PASSED*within_budget*",
        "*the harness could not judge the case*no-such-row*",
        "FAILED*exact_by_default*",
    )
    has_lines(result, "*1 ulp apart; 0x1.0000000000000p-1 vs 0x1.0000020000000p-1; tolerance exact (exact)*")


def test_debug_and_lane_order_reach_init(fake):
    fake.makepyfile(
        test_cases=cases(
            """
            @case(debug=True)
            def debug_case():
                return {"debug": STATE["debug"]}
            """
        )
    )
    fake.makepyfile(
        test_zz_check=textwrap.dedent(
            """
            from conftest import STATE

            def test_inits():
                assert STATE["inits"] == [("ref", True, None), ("ref", True, "reversed")]
            """
        )
    )
    # --backend ref with a lane order compares ref (default order) with ref (reversed order)
    result = fake.runpytest("--backend", "ref", "--lane-order", "reversed", "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_unknown_and_unavailable_backends_are_usage_errors(fake):
    fake.makepyfile(test_cases=SIMPLE)
    result = fake.runpytest("--backend", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown backend(s) [[]'nope'[]]; registered: fake, fakegpu, gone, ref or 'all'"])
    result = fake.runpytest("--backend", "gone")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*not available on this machine (gone: no such device)"])


def test_all_selects_available_backends(fake):
    fake.makepyfile(test_cases=SIMPLE)
    result = fake.runpytest("--backend", "all")
    result.stdout.fnmatch_lines(
        [
            "conformance: backends ref (numpy), fake (fake device 0), fakegpu (fake gpu); lane order default",
            "conformance: not available here: gone (no such device)",
        ]
    )
    result.assert_outcomes(passed=5, failed=1)
    assert read_json(fake, "conformance-all.json")["backends"] == ["ref", "fake", "fakegpu"]


def test_gpu_backend_header_recommends_one_worker_per_device(fake):
    fake.makepyfile(test_cases=SIMPLE)
    result = fake.runpytest("--backend", "fakegpu", "-n", "2")
    result.stdout.fnmatch_lines(["conformance: GPU backend(s) fakegpu: run one xdist worker per device (-n <devices>)"])
    result = fake.runpytest("--backend", "fake", "-n", "2")
    assert "worker per device" not in result.stdout.str()


def test_init_failure_is_an_error(fake):
    fake.makepyfile(test_cases=SIMPLE)
    fake.makeconftest((fake.path / "conftest.py").read_text() + "\nSTATE['fail_init'] = True\n")
    result = fake.runpytest("--backend", "fakegpu", "-rA")
    result.stdout.fnmatch_lines(["*qd.init(arch='fakegpu') failed: RuntimeError('no context')*"])
    assert last_line(result) == "conformance: 0 passed, 2 failed, 0 skipped"


def test_json_report_contents(fake):
    fake.makepyfile(test_cases=SIMPLE)
    out = fake.path / "custom.json"
    fake.runpytest("--backend", "ref,fake", "--conformance-json", str(out))
    data = json.loads(out.read_text())
    assert data["backends"] == ["ref", "fake"]
    assert data["totals"] == {"passed": 3, "failed": 1, "skipped": 0}
    assert data["header"]["backends"]["fake"] == {"device": "fake device 0"}
    assert data["header"]["versions"] == {"fake-quadrants": "0.0"}
    rows = {(c["id"], c["backend"]): c for c in data["cases"]}
    failed = rows[("test_cases.py::differs_on_fake", "fake")]
    assert failed["outcome"] == "failed"
    assert failed["section"] == "4.2"
    assert failed["message"].startswith("fake differs from the reference: x: 1 of 4 elements differ")
    assert failed["nodeid"] == "test_cases.py::differs_on_fake[fake]"
    assert all(c["duration"] >= 0 for c in data["cases"])
    assert set(failed) == {"id", "backend", "module", "section", "outcome", "duration", "message", "nodeid"}


def test_junitxml(fake):
    fake.makepyfile(test_cases=SIMPLE)
    fake.runpytest("--backend", "ref,fake", "--junitxml", "junit.xml")
    xml = (fake.path / "junit.xml").read_text()
    assert 'tests="4"' in xml and 'failures="1"' in xml
    assert 'name="differs_on_fake[fake]"' in xml
    assert 'name="conformance_case" value="test_cases.py::differs_on_fake"' in xml
    assert "fake differs from the reference" in xml


def test_imported_cases_are_collected_once(fake):
    fake.makepyfile(test_cases=SIMPLE)
    fake.makepyfile(test_more="from test_cases import same_everywhere\nalias = same_everywhere\n")
    result = fake.runpytest("--backend", "ref", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["2 tests collected*"])


def test_plain_test_runs_stay_quiet(fake):
    fake.makepyfile(test_plain="def test_one():\n    assert True\n")
    result = fake.runpytest()
    result.assert_outcomes(passed=1)
    assert "conformance:" not in result.stdout.str()


def test_xdist_aggregates_on_controller_and_isolates_caches(fake):
    fake.makepyfile(test_cases=SIMPLE)
    fake.makepyfile(
        test_cache=cases(
            """
            import os

            @case
            def cache_dir():
                path = os.environ.get("QD_CACHE_DIR", "")
                print("cache dir:", path)
                assert os.path.basename(path).startswith("qd-cache-gw"), path
                assert "runpytest-" in path, path  # under the run's --basetemp, not ./.cache
                return {}
            """
        )
    )
    result = fake.runpytest_subprocess("--backend", "ref,fake", "-n", "2", "-p", "no:randomly")
    result.assert_outcomes(passed=5, failed=1)
    assert last_line(result) == "conformance: 5 passed, 1 failed, 0 skipped"
    result.stdout.fnmatch_lines(["[[]fake[]] test_cases.py: 1 passed, 1 failed (*s)"])
    result.stdout.re_match_lines([r"TOTAL\s+2\s+1\s+0\s+0\s+0\s+0"])
    data = read_json(fake, "conformance-ref+fake.json")
    assert len(data["cases"]) == 6
    assert {c["message"] for c in data["cases"] if c["outcome"] == "passed"} == {""}
    assert data["totals"] == {"passed": 5, "failed": 1, "skipped": 0}


def test_xdist_stale_check_sees_worker_collections(fake):
    fake.makepyfile(test_cases=SIMPLE)
    exp = fake.mkdir("exp")
    (exp / "fake.txt").write_text("differs_on_fake  # known\ngone_case  # old\n")
    result = fake.runpytest_subprocess("--backend", "fake", "-n", "2", "--expectations", str(exp))
    result.stdout.fnmatch_lines(["conformance: stale expectation *fake.txt:2: 'gone_case' matches no case"])
    assert "'differs_on_fake' matches no case" not in result.stdout.str()
    assert last_line(result) == "conformance: 1 passed, 0 failed, 1 skipped"
