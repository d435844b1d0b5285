"""runtime/perf_dispatch.py: trials per geometry, the choice, re-measurement and compatibility filtering."""

from __future__ import annotations

import time

import pytest

import quadrants as qd
from quadrants.runtime.perf_dispatch import perf_dispatch


def _dispatcher(log, **options):
    @perf_dispatch(get_geometry_hash=lambda n, delay: n, **options)
    def proto(n, delay): ...

    @proto.register
    def slow(n, delay):
        log.append("slow")
        time.sleep(delay)

    @proto.register(is_compatible=lambda n, delay: n < 10)
    def fast(n, delay):
        log.append("fast")

    return proto


def test_trials_then_the_fastest_serves_its_geometry():
    log = []
    proto = _dispatcher(log, first_warmup=1, active=2)
    for _ in range(8):
        proto(1, 0.002)
    # one warmup and two timed runs each, alternating, then the fast one only
    assert sorted(log[:6]) == ["fast"] * 3 + ["slow"] * 3
    assert log[6:] == ["fast", "fast"]


def test_incompatible_implementations_are_skipped_per_call():
    log = []
    proto = _dispatcher(log)
    for _ in range(3):
        proto(50, 0.0)
    assert log == ["slow"] * 3


def test_geometries_are_measured_separately():
    log = []
    proto = _dispatcher(log, first_warmup=0, active=1)
    proto(1, 0.002)
    proto(1, 0.002)
    proto(2, 0.002)
    assert sorted(log[:2]) == ["fast", "slow"] and log[2] in ("fast", "slow")


def test_repeat_after_count_measures_again():
    log = []
    proto = _dispatcher(log, first_warmup=0, warmup=0, active=1, repeat_after_count=3)
    for _ in range(2):
        proto(1, 0.002)  # trials
    chosen = len(log)
    for _ in range(3):
        proto(1, 0.002)
    assert log[chosen : chosen + 2] == ["fast", "fast"]
    assert sorted(log[chosen + 2 :]) in (["fast"], ["slow"])  # the third call starts a new measurement


def test_registering_a_function_with_other_parameters_is_an_error():
    proto = _dispatcher([])
    with pytest.raises(qd.QuadrantsSyntaxError, match="Number of function parameters 1"):
        proto.register(lambda n: None)
