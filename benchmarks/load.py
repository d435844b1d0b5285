"""A background load for benchmarks: busy processes that keep every core oversubscribed (issue 23).

``with BackgroundLoad(factor=3):`` starts ``factor * os.cpu_count()`` processes that spin in a Python loop, and stops
exactly those processes (by their ids) when the block ends. ``benchmarks/run.py --load`` wraps the whole run in one,
so the same table can be produced quiet and loaded; it is off by default.
"""

from __future__ import annotations

import os
import subprocess
import sys

__all__ = ["BackgroundLoad", "load_processes"]

# a pure spin: no memory traffic to speak of, no I/O, never ends by itself
_SPIN = "while True:\n    pass\n"


def load_processes(factor: int = 3) -> int:
    """How many busy processes a load of ``factor`` x the core count starts."""
    return max(1, factor * (os.cpu_count() or 1))


class BackgroundLoad:
    """Context manager: ``factor`` busy processes per core while the block runs."""

    def __init__(self, factor: int = 3):
        self.count = load_processes(factor) if factor > 0 else 0
        self._procs: list[subprocess.Popen] = []

    def __enter__(self) -> BackgroundLoad:
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
