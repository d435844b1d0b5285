"""Running one case on one backend and recording everything it does: return value, stdout, warnings, exception, IR."""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from quadrants_conformance.case import Case
from quadrants_conformance.driver import Driver

__all__ = ["Observation", "observe"]


@dataclass
class Observation:
    """What one run of a case produced on one backend.

    ``stage`` says where an exception came from: ``"init"`` (``qd.init`` failed: an infrastructure problem, not a
    result of the case) or ``"run"`` (the case function raised).
    """

    backend: str
    lane_order: str | None = None
    value: Any = None
    stdout: str = ""
    warnings: list[tuple[type, str]] = field(default_factory=list)
    error: BaseException | None = None
    traceback: str = ""
    stage: str = "run"
    programs: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def init_failed(self) -> bool:
        """True when the backend could not even be initialised."""
        return self.error is not None and self.stage == "init"


def observe(case: Case, driver: Driver, backend: str, lane_order: str | None = None) -> Observation:
    """``qd.init`` the backend and run ``case.fn()``, capturing stdout (Python and native), warnings and errors."""
    obs = Observation(backend=backend, lane_order=lane_order)
    start = time.perf_counter()
    try:
        driver.init(backend, case.debug, lane_order)
    except Exception as exc:
        obs.error, obs.traceback, obs.stage = exc, traceback.format_exc(), "init"
        return obs
    with warnings.catch_warnings(record=True) as caught, _captured_stdout() as out:
        warnings.simplefilter("always")
        try:
            obs.value = case.fn()
            driver.sync()
        except Exception as exc:
            obs.error, obs.traceback = exc, _user_traceback(exc)
    obs.seconds = time.perf_counter() - start
    obs.stdout = out.getvalue()
    obs.warnings = [(w.category, str(w.message)) for w in caught]
    obs.programs = driver.compiled_programs()
    return obs


def _user_traceback(exc: BaseException) -> str:
    """The traceback without the harness's own frame (the first one is always :func:`observe`)."""
    tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
    return "".join(traceback.format_exception(type(exc), exc, tb))


@contextlib.contextmanager
def _captured_stdout() -> Iterator[io.StringIO]:
    """Capture ``sys.stdout`` and file descriptor 1 (native ``printf`` of compiled kernels) into one text."""
    text = io.StringIO()
    saved_fd, native = _redirect_fd1()
    try:
        with contextlib.redirect_stdout(text):
            yield text
    finally:
        if saved_fd is not None and native is not None:
            _flush_c_stdio()
            os.dup2(saved_fd, 1)
            os.close(saved_fd)
            native.seek(0)
            text.write(native.read().decode("utf-8", errors="replace"))
            native.close()


def _redirect_fd1() -> tuple[int | None, Any]:
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):  # no usable fd 1 (embedded interpreters): Python output only
        return None, None
    native = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _captured_stdout)
    os.dup2(native.fileno(), 1)
    return saved, native


def _flush_c_stdio() -> None:
    # No C runtime symbol table (Windows): nothing buffered that we could flush.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).fflush(None)
