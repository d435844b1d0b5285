"""Fixtures for the harness's own tests: a fake Quadrants (driver + backends) that pytester runs can use."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

# A conftest for pytester runs: three fake backends and a driver that records which backend is initialised.
# Case modules read `STATE["backend"]` to behave differently per backend.
FAKE_CONFTEST = textwrap.dedent(
    """
    from quadrants_conformance.driver import BackendInfo

    STATE = {"backend": None, "debug": None, "lane_order": None, "inits": []}


    class FakeDriver:
        def backends(self):
            return {
                "ref": BackendInfo("ref", True, "", "numpy", frozenset({"f64", "print"})),
                "fake": BackendInfo("fake", True, "", "fake device 0", frozenset({"print"})),
                "fakegpu": BackendInfo("fakegpu", True, "", "fake gpu", frozenset({"f64", "gpu"})),
                "gone": BackendInfo("gone", False, "no such device", "", frozenset()),
            }

        def init(self, backend, debug, lane_order):
            if backend == "fakegpu" and STATE.get("fail_init"):
                raise RuntimeError("no context")
            STATE.update(backend=backend, debug=debug, lane_order=lane_order)
            STATE["inits"].append((backend, debug, lane_order))

        def sync(self):
            pass

        def compiled_programs(self):
            return [("add_one", f"kernel add_one  # compiled for {STATE['backend']}\\n  $0 = add %i, 1")]

        def versions(self):
            return {"fake-quadrants": "0.0"}


    def pytest_conformance_driver(config):
        return FakeDriver()
    """
)


@pytest.fixture
def fake(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester directory with the fake driver installed as its conftest."""
    pytester.makeconftest(FAKE_CONFTEST)
    return pytester
