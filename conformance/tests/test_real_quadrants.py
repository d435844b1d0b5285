"""The harness against the real Quadrants core and reference backend (no fake driver)."""

from __future__ import annotations

import pytest

# The frontend is imported on first compile, not by `import quadrants`. In-process pytester runs restore sys.modules
# afterwards, so a frontend first imported inside one run would be imported again by the next while core modules keep
# references to the first copy; importing it here keeps one copy for the whole session.
import quadrants.frontend.kernel  # noqa: F401
from quadrants_conformance.driver import QuadrantsDriver


def test_real_driver_finds_the_reference():
    backends = QuadrantsDriver().backends()
    assert backends["ref"].available, backends["ref"].reason
    assert "quadrants-core" in QuadrantsDriver().versions()


def test_selfcheck_cases_pass_on_ref(pytester: pytest.Pytester):
    result = pytester.runpytest("--pyargs", "quadrants_conformance.cases.test_harness_selfcheck", "--backend", "ref")
    result.assert_outcomes(passed=8)
    assert result.outlines[-1] == "conformance: 8 passed, 0 failed, 0 skipped"


def test_selfcheck_cases_pass_on_ref_against_shuffled_ref(pytester: pytest.Pytester):
    args = ["--pyargs", "quadrants_conformance.cases.test_harness_selfcheck", "--backend", "ref"]
    result = pytester.runpytest(*args, "--lane-order", "shuffled", "-k", "not print")
    result.assert_outcomes(passed=7, deselected=1)
