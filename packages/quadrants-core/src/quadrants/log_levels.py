"""Log levels of the ``quadrants`` logger: ``qd.set_logging_level``, ``qd.TRACE`` … ``qd.CRITICAL``.

Quadrants logs through the standard :mod:`logging` module, on the logger named ``quadrants`` (fastcache records,
``QD_LOG`` channels). Upstream names its levels with strings (``qd.INFO == "info"``); this module maps them onto
:mod:`logging` levels, adding ``TRACE`` below ``DEBUG``. ``qd.init(log_level=...)`` and ``QD_LOG_LEVEL`` set the
level too. Until a level is set, the logger defers to the application's logging configuration, and
:func:`is_logging_effective` answers as upstream does by default (``info`` and above).

Pure: imports nothing from Quadrants, so every layer may log.
"""

from __future__ import annotations

import inspect
import logging
import os

__all__ = [
    "TRACE",
    "DEBUG",
    "INFO",
    "WARN",
    "ERROR",
    "CRITICAL",
    "LEVELS",
    "supported_log_levels",
    "logger",
    "set_logging_level",
    "is_logging_effective",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "critical",
]

TRACE = "trace"
DEBUG = "debug"
INFO = "info"
WARN = "warn"
ERROR = "error"
CRITICAL = "critical"

_TRACE_LEVEL = 5  # below logging.DEBUG (10)
logging.addLevelName(_TRACE_LEVEL, "TRACE")

# upstream's level name -> logging level, most verbose first
LEVELS: dict[str, int] = {
    TRACE: _TRACE_LEVEL,
    DEBUG: logging.DEBUG,
    INFO: logging.INFO,
    WARN: logging.WARNING,
    ERROR: logging.ERROR,
    CRITICAL: logging.CRITICAL,
}
supported_log_levels = list(LEVELS)

_UPSTREAM_DEFAULT = INFO


def logger() -> logging.Logger:
    """The ``quadrants`` logger."""
    return logging.getLogger("quadrants")


def _level(name: str) -> int:
    key = str(name).lower()
    if key == "warning":
        key = WARN
    if key not in LEVELS:
        raise ValueError(f"unknown logging level {name!r}; use one of {', '.join(LEVELS)} (qd.INFO, qd.WARN, …)")
    return LEVELS[key]


def set_logging_level(level: str) -> None:
    """Show records of ``level`` and above (``qd.set_logging_level(qd.WARN)``); levels: trace … critical."""
    log = logger()
    log.setLevel(_level(level))
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()  # the program configured no logging: records must still be seen
        handler.setFormatter(logging.Formatter("[Quadrants] [%(levelname)s] %(message)s"))
        log.addHandler(handler)


def is_logging_effective(level: str) -> bool:
    """Whether records of ``level`` are shown (upstream's default level is ``info``)."""
    log = logger()
    current = log.level if log.level != logging.NOTSET else LEVELS[_UPSTREAM_DEFAULT]
    return _level(level) >= current


def _make(name: str):
    def emit(msg, *args, **kwargs) -> None:
        if not is_logging_effective(name):
            return
        text = msg.format(*args, **kwargs) if (args or kwargs) else str(msg)
        frame = inspect.currentframe().f_back
        where = f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_code.co_name}@{frame.f_lineno}"
        logger().log(LEVELS[name], "[%s] %s", where, text)

    emit.__name__ = name
    emit.__doc__ = f"Log ``msg.format(*args, **kwargs)`` at level ``{name}``, prefixed with the caller's location."
    return emit


trace = _make(TRACE)
debug = _make(DEBUG)
info = _make(INFO)
warn = _make(WARN)
error = _make(ERROR)
critical = _make(CRITICAL)
