"""Compatibility module: upstream's ``quadrants._logging`` (``qd._logging``); every name forwards to
:mod:`quadrants.log_levels`."""

from __future__ import annotations

from quadrants.log_levels import (
    CRITICAL,
    DEBUG,
    ERROR,
    INFO,
    TRACE,
    WARN,
    critical,
    debug,
    error,
    info,
    is_logging_effective,
    set_logging_level,
    supported_log_levels,
    trace,
    warn,
)


def _get_logging(level: str):
    """Upstream's ``qd._logging._get_logging(level)``: the function logging at ``level`` (``qd._logging.warn`` for
    ``qd.WARN``); programs use it to restore the functions after replacing them."""
    return {TRACE: trace, DEBUG: debug, INFO: info, WARN: warn, ERROR: error, CRITICAL: critical}[level]


__all__ = [
    "TRACE",
    "DEBUG",
    "INFO",
    "WARN",
    "ERROR",
    "CRITICAL",
    "supported_log_levels",
    "set_logging_level",
    "is_logging_effective",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "critical",
]
