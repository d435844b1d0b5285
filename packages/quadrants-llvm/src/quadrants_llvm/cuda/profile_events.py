"""Device time of one task for ``qd.profiler`` (docs/profiler.md): a pair of CUDA events around its launch.

Timing a task to the end of a host sync counts the launch and the sync (13-60 µs a task on an H100), which hides
the device's own time of small tasks. :func:`device_events` returns a timer that records a start event before and an
end event after the task's launch on the same stream, waits for the end event and reads the time between the two, as
upstream's profiler does for its offloaded tasks.
"""

from __future__ import annotations

import logging

from quadrants_llvm.cuda.driver import check

__all__ = ["device_events"]

_LOG = logging.getLogger("quadrants_llvm.cuda")


def device_events(cu) -> _Timer | bool:
    """A :class:`_Timer` (``begin(stream)`` before a launch, ``timer(stream) -> seconds`` after it), or ``False`` when
    the driver refuses timing events (logged; the profiler then times tasks on the host)."""
    try:
        start = check(cu.cuEventCreate(0), "cuEventCreate")
        end = check(cu.cuEventCreate(0), "cuEventCreate")
    except Exception as exc:  # a driver binding without events: the profiler keeps host time
        _LOG.warning("llvm-cuda: no CUDA events for qd.profiler's task times (%s); tasks are timed on the host", exc)
        return False
    elapsed = getattr(cu, "cuEventElapsedTime_v2", None) or cu.cuEventElapsedTime
    return _Timer(cu, start, end, elapsed)


class _Timer:
    """Start and end events: ``begin`` before a task's launch, ``__call__`` after it."""

    def __init__(self, cu, start, end, elapsed):
        self.cu, self.start, self.end, self.elapsed = cu, start, end, elapsed

    def begin(self, stream) -> None:
        check(self.cu.cuEventRecord(self.start, stream), "cuEventRecord")

    def __call__(self, stream) -> float:
        check(self.cu.cuEventRecord(self.end, stream), "cuEventRecord")
        check(self.cu.cuEventSynchronize(self.end), "cuEventSynchronize")
        return float(check(self.elapsed(self.start, self.end), "cuEventElapsedTime")) / 1e3

    def __del__(self):
        try:
            self.cu.cuEventDestroy(self.start)
            self.cu.cuEventDestroy(self.end)
        except Exception:  # interpreter shutdown: the driver may be gone
            pass
