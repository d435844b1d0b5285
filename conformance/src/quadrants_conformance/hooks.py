"""Hooks the conformance plugin adds to pytest (registered with ``pytest_addhooks``)."""

from __future__ import annotations

import pytest


@pytest.hookspec(firstresult=True)
def pytest_conformance_driver(config: pytest.Config):
    """Return the :class:`quadrants_conformance.driver.Driver` the harness uses instead of the real Quadrants one.

    Implement it in a ``conftest.py`` to run the harness against a fake (the harness's own tests do) or to wrap the
    real driver. Return ``None`` to keep the default.
    """
