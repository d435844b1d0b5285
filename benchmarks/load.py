"""A background load for benchmarks: busy processes that keep every core oversubscribed (issue 23).

``with BackgroundLoad(factor=3):`` starts ``factor * os.cpu_count()`` processes that spin in a Python loop, and stops
exactly those processes (by their ids) when the block ends. ``benchmarks/run.py --load`` wraps the whole run in one,
so the same table can be produced quiet and loaded; it is off by default.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

__all__ = ["BackgroundLoad", "load_processes"]

# a pure spin: no memory traffic to speak of, no I/O, never ends by itself
_SPIN = "while True:\n    pass\n"


def load_processes(factor: int = 3) -> int:
    """How many busy processes a load of ``factor`` x the core count starts."""
    return max(1, factor * (os.cpu_count() or 1))


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


class BackgroundLoad:
    """Context manager: ``factor`` busy processes per core while the block runs."""

    def __init__(self, factor: int = 3):
        self.count = load_processes(factor) if factor > 0 else 0
        self._procs: list[subprocess.Popen] = []
        self._saved_handler = None

    def __enter__(self) -> BackgroundLoad:
        if self.count and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            # a terminated benchmark must still stop its load: SIGTERM unwinds through __exit__
            self._saved_handler = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        for _ in range(self.count):
            self._procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", _SPIN],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._saved_handler is not None:
            signal.signal(signal.SIGTERM, self._saved_handler)
            self._saved_handler = None

    def stop(self) -> None:
        """Terminate the processes this object started (and only those)."""
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()

    @property
    def pids(self) -> list[int]:
        """The ids of the running load processes."""
        return [p.pid for p in self._procs if p.poll() is None]
