"""Per-kernel timings of ``qd.init(kernel_profiler=True)`` (docs/profiler.md).

Each launch of a kernel is timed on the host from the start of the launch to the end of ``qd.sync()`` (so queued GPU
work is included; compilation is not). Records are kept per session.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["KernelRecords", "records_of", "timed"]


@dataclass
class KernelRecords:
    """Launch times in seconds, by kernel name, in launch order."""

    times: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.times.setdefault(name, []).append(seconds)

    def clear(self) -> None:
        self.times.clear()


def records_of(session) -> KernelRecords:
    """The session's records (made on first use)."""
    if session.profiler is None:
        session.profiler = KernelRecords()
    return session.profiler


def timed(session, name: str, launch):
    """Run ``launch()``, time it (including a sync) and record it under ``name``."""
    from quadrants.runtime.state import sync

    start = time.perf_counter()
    result = launch()
    sync()
    records_of(session).add(name, time.perf_counter() - start)
    return result
