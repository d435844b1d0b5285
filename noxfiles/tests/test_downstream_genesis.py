"""``nox -s downstream-genesis``'s comparison and report (downstream/genesis/), which run without Genesis, and the
rule that nothing outside that session imports Genesis."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "downstream" / "genesis"))

import compare  # noqa: E402
import report  # noqa: E402
import scenes  # noqa: E402


def test_states_within_the_tolerance_match():
    ours = {"a": np.array([1.0, 2.0]), "b": np.zeros((2, 3))}
    theirs = {"a": np.array([1.0, 2.0 + 5e-5]), "b": np.zeros((2, 3))}
    result = compare.compare_states("rigid_primitives", ours, theirs)
    assert result["ok"] and result["arrays"]["a"] == pytest.approx(5e-5)


def test_differences_shapes_missing_arrays_and_nans_are_reported():
    ours = {"a": np.array([1.0]), "b": np.zeros(2), "c": np.array([np.nan]), "only_ours": np.zeros(1)}
    theirs = {"a": np.array([1.1]), "b": np.zeros(3), "c": np.array([0.0])}
    result = compare.compare_states("rigid_primitives", ours, theirs)
    assert not result["ok"]
    text = "\n".join(result["problems"])
    assert "a: max |difference| 0.1" in text and "b: shape" in text and "c: non-finite" in text
    assert "only_ours: only on ours" in text


def test_every_scene_has_a_tolerance_and_a_step_count():
    assert set(scenes.SCENES) == set(compare.TOLERANCE) == set(scenes.STEPS)


def test_timing_rows_and_table():
    runs = {
        ("s", "ours", "cold"): {"build_s": 10.0, "step_ms": 1.0},
        ("s", "ours", "warm"): {"build_s": 2.0, "step_ms": 0.5},
        ("s", "upstream", "cold"): {"build_s": 20.0, "step_ms": 1.0},
        ("s", "upstream", "warm"): {"build_s": 4.0, "step_ms": 0.25},
    }
    (row,) = report.timing_rows(runs)
    assert row["speedup_cold_build_s"] == 2.0 and row["speedup_warm_build_s"] == 2.0 and row["speedup_step_ms"] == 0.5
    table = report.markdown_table([row])
    assert "| s | 10.0 / 20.0 (×2.0 faster) | 2.0 / 4.0 (×2.0 faster) | 0.500 / 0.250 |" in table


def test_nothing_outside_the_downstream_session_imports_genesis():
    pattern = re.compile(r"^\s*(import genesis|from genesis)", re.MULTILINE)
    offenders = []
    for folder in ("packages", "conformance", "benchmarks", "examples", "noxfiles"):
        for path in (ROOT / folder).rglob("*.py"):
            if pattern.search(path.read_text(encoding="utf-8", errors="replace")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_session_is_not_part_of_ci_or_the_default_sessions():
    # it installs two Genesis venvs and compiles every scene four times: far too long for CI's budget
    assert "downstream-genesis" not in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    defaults = re.search(r"^nox\.options\.sessions = (\[.*\])$", (ROOT / "noxfile.py").read_text(), re.MULTILINE)
    assert defaults and "downstream" not in defaults.group(1)


def test_step_times_are_medians_over_runs_with_the_ratio():
    import step_times

    rows = step_times.summarise({"sph_liquid": {"ours": [0.5, 0.3, 0.4], "upstream": [0.8, 1.0, 0.9]}})
    assert rows[0]["ours_ms"] == pytest.approx(0.4) and rows[0]["upstream_ms"] == pytest.approx(0.9)
    assert rows[0]["faster"] == pytest.approx(2.25) and rows[0]["runs"] == 3
    table = step_times.markdown(rows)
    assert "| `sph_liquid` | 3 | 0.400 | 0.900 | ×2.25 |" in table
