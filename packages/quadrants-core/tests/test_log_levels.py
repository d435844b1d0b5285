"""Logging levels: qd.set_logging_level / qd.is_logging_effective / qd.TRACE … qd.CRITICAL (upstream's strings)."""

from __future__ import annotations

import logging

import pytest

import quadrants as qd
from quadrants import _logging, log_levels


@pytest.fixture(autouse=True)
def _restore():
    level = logging.getLogger("quadrants").level
    yield
    logging.getLogger("quadrants").setLevel(level)


def test_level_names_are_upstreams_strings():
    assert (qd.TRACE, qd.DEBUG, qd.INFO, qd.WARN, qd.ERROR, qd.CRITICAL) == (
        "trace",
        "debug",
        "info",
        "warn",
        "error",
        "critical",
    )
    assert _logging.supported_log_levels == ["trace", "debug", "info", "warn", "error", "critical"]


def test_levels_below_the_set_one_are_not_effective():
    qd.set_logging_level(qd.WARN)
    assert [qd.is_logging_effective(n) for n in log_levels.LEVELS] == [False, False, False, True, True, True]
    qd.set_logging_level("TRACE")
    assert all(qd.is_logging_effective(n) for n in log_levels.LEVELS)
    assert logging.getLogger("quadrants").level == 5


def test_unset_level_answers_like_upstreams_default():
    logging.getLogger("quadrants").setLevel(logging.NOTSET)
    assert qd.is_logging_effective(qd.INFO) and not qd.is_logging_effective(qd.DEBUG)


def test_unknown_level_raises():
    with pytest.raises(ValueError, match="unknown logging level 'loud'"):
        qd.set_logging_level("loud")


def test_log_functions_format_and_respect_the_level(caplog):
    qd.set_logging_level(qd.INFO)
    with caplog.at_level(logging.INFO, logger="quadrants"):
        _logging.info("value {} of {name}", 3, name="x")
        _logging.debug("hidden")
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and messages[0].endswith("value 3 of x") and "test_log_levels.py" in messages[0]
