"""``qd.create_stream()``, ``qd.create_event()``, ``qd.Stream``, ``qd.Event`` (docs/streams.md).

Upstream maps them to CUDA streams and events (no-ops on the CPU). Here launches keep **program order** on every
backend, which is what a program that synchronises correctly observes anyway: a stream is a label, ``synchronize``
waits for all queued work (``qd.sync()``), ``record`` / ``wait`` order nothing more than program order already does.
Kernels accept ``qd_stream=`` (not with ``graph=True``, as upstream).
"""

from __future__ import annotations

import itertools

from quadrants.runtime.state import RUNTIME, sync

__all__ = ["Stream", "Event", "create_stream", "create_event"]

_handles = itertools.count(1)


class _Resource:
    def __init__(self, handle: int = 0):
        self._handle = handle
        self._generation = RUNTIME.session.generation if RUNTIME.session is not None else None
        self._destroyed = False

    @property
    def handle(self) -> int:
        """A non-zero integer naming this object (0 for the default stream)."""
        return self._handle

    def _check(self, what: str) -> None:
        session = RUNTIME.session
        if session is None or (self._generation is not None and session.generation != self._generation):
            raise RuntimeError(f"{what}'s owning Program has been destroyed (e.g. after qd.reset())")

    def destroy(self) -> None:
        """Release the object; safe to call more than once."""
        self._destroyed = True

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.destroy()


class Stream(_Resource):
    """An execution stream. Launches on it run in program order with every other launch (docs/streams.md)."""

    def synchronize(self) -> None:
        """Wait until every queued launch has finished."""
        self._check("Stream")
        sync()


class Event(_Resource):
    """A point in a stream's work. Program order makes ``record`` and ``wait`` order nothing more."""

    def record(self, qd_stream: Stream | None = None) -> None:
        """Record this event on ``qd_stream`` (None: the default stream)."""
        self._check("Event")

    def wait(self, qd_stream: Stream | None = None) -> None:
        """Make ``qd_stream`` wait for this event (already true in program order)."""
        self._check("Event")

    def synchronize(self) -> None:
        """Wait on the host until the work recorded before this event has finished."""
        self._check("Event")
        sync()


def create_stream() -> Stream:
    """A new stream of the current session."""
    from quadrants.runtime.state import current_session

    current_session()
    return Stream(next(_handles))


def create_event() -> Event:
    """A new event of the current session."""
    from quadrants.runtime.state import current_session

    current_session()
    return Event(next(_handles))
