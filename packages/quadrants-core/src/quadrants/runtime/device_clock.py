"""``qd.clock_freq_hz()``: the nominal clock rate of the device that ``qd.clock_counter()`` ticks on
(docs/misc-functions.md).

A backend that knows it has the optional member ``clock_rate_hz()`` (llvm-cuda: the device's ``CLOCK_RATE``
attribute). Every other backend raises ``NotImplementedError``, as upstream does on every architecture but CUDA: a
CPU's timestamp counter and the reference's nanoseconds have no rate upstream reports.
"""

from __future__ import annotations

from quadrants.runtime.state import current_session

__all__ = ["clock_freq_hz"]


def clock_freq_hz() -> float:
    """The device's nominal clock rate in Hz (not its current, boosted or throttled, rate); ``NotImplementedError``
    on backends without one."""
    backend = current_session().backend
    rate = getattr(backend, "clock_rate_hz", None)
    if rate is None:
        raise NotImplementedError(f"clock_freq_hz not implemented for arch {backend.id}")
    return float(rate())
