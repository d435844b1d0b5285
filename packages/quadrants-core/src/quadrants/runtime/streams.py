"""``qd.create_stream()``, ``qd.create_event()``, ``qd.Stream``, ``qd.Event`` (docs/streams.md).

A stream or event wraps the backend's own object where the backend has streams (optional backend members
``create_stream()``, ``create_event()``, ``wrap_stream(handle)`` and ``launch_stream(native)``; llvm-cuda has them:
CUDA streams and events). Launches on different streams may then overlap; the default stream and every host-side
operation keep program order with all of them (the backend's contract, docs/streams.md#llvm-cuda). Elsewhere a
stream is a label and launches keep **program order**, which is what a program that synchronises correctly observes
anyway: ``synchronize`` waits for all queued work (``qd.sync()``), ``record`` / ``wait`` order nothing more.
Kernels accept ``qd_stream=`` (not with ``graph=True``, nor under autodiff, as upstream).
"""

from __future__ import annotations

import contextlib
import itertools

from quadrants.runtime.state import RUNTIME, sync

__all__ = ["Stream", "Event", "create_stream", "create_event", "launch_scope", "AUTODIFF_STREAM_ERROR"]

# upstream's RuntimeError for ``qd_stream=`` on a derived launch: ``f.grad(qd_stream=s)`` or a call under qd.ad.FwdMode
AUTODIFF_STREAM_ERROR = (
    "qd_stream is not compatible with autodiff kernels. Streams cannot be used with reverse-mode or forward-mode "
    "differentiation."
)

_handles = itertools.count(1)


class _Resource:
    _kind = "resource"

    def __init__(self, handle: int = 0, _native=None):
        self._handle = handle
        self._native = _native
        self._generation = RUNTIME.session.generation if RUNTIME.session is not None else None
        self._destroyed = False

    @property
    def handle(self) -> int:
        """A non-zero integer naming this object (0 for the default stream); the CUstream / CUevent on llvm-cuda."""
        return self._handle

    def _check(self, what: str) -> None:
        session = RUNTIME.session
        if session is None or (self._generation is not None and session.generation != self._generation):
            raise RuntimeError(f"{what}'s owning Program has been destroyed (e.g. after qd.reset())")

    def destroy(self) -> None:
        """Release the object (a stream after its queued work has finished); safe to call more than once."""
        if not self._destroyed and self._native is not None:
            with contextlib.suppress(RuntimeError):  # a reset session: the backend released it already
                self._check(self._kind)
                self._native.destroy()
        self._destroyed = True
        self._native = None

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.destroy()


class Stream(_Resource):
    """An execution stream. ``qd.Stream(handle)`` wraps a stream another library made (a CUstream on llvm-cuda, e.g.
    ``torch.cuda.Stream().cuda_stream``), which is never destroyed here."""

    _kind = "Stream"
    _foreign = True  # made by the user around another library's handle (create_stream clears it)

    def native(self):
        """The backend's stream (``None``: launches on it run on the default stream, in program order)."""
        self._check("Stream")
        if self._native is None and self._foreign and self._handle and not self._destroyed:
            wrap = getattr(RUNTIME.session.backend, "wrap_stream", None)
            if wrap is not None:
                self._native = wrap(self._handle)
                self._generation = RUNTIME.session.generation
        return self._native

    def synchronize(self) -> None:
        """Wait until every launch queued on this stream has finished."""
        native = self.native()
        if native is None:
            sync()
        else:
            native.synchronize()


class Event(_Resource):
    """A point in a stream's work: ``record`` marks it, ``wait`` makes a stream's later work wait for it."""

    _kind = "Event"

    def record(self, qd_stream: Stream | None = None) -> None:
        """Record this event on ``qd_stream`` (None: the default stream)."""
        self._check("Event")
        if self._native is not None:
            self._native.record(_native_of(qd_stream))

    def wait(self, qd_stream: Stream | None = None) -> None:
        """Make ``qd_stream`` (None: the default stream) wait for the work recorded before this event."""
        self._check("Event")
        if self._native is not None:
            self._native.wait(_native_of(qd_stream))

    def synchronize(self) -> None:
        """Wait on the host until the work recorded before this event has finished."""
        self._check("Event")
        if self._native is None:
            sync()
        else:
            self._native.synchronize()


def _native_of(stream: Stream | None):
    if stream is None:
        return None
    if not isinstance(stream, Stream):
        raise TypeError(f"expected a qd.Stream (qd.create_stream()) or None, got {type(stream).__name__}")
    return stream.native()


def create_stream() -> Stream:
    """A new stream of the current session."""
    from quadrants.runtime.state import current_session

    make = getattr(current_session().backend, "create_stream", None)
    native = make() if make is not None else None
    stream = Stream(int(native) if native is not None else next(_handles), native)
    stream._foreign = False
    return stream


def create_event() -> Event:
    """A new event of the current session."""
    from quadrants.runtime.state import current_session

    make = getattr(current_session().backend, "create_event", None)
    native = make() if make is not None else None
    return Event(int(native.handle) if native is not None else next(_handles), native)


def launch_scope(session, stream):
    """The context the launch of ``kernel(..., qd_stream=stream)`` runs in: the backend's launch stream, or nothing
    where the backend has no streams (program order) or the stream was destroyed (the default stream, as upstream)."""
    native = _native_of(stream)
    if native is None:
        return contextlib.nullcontext()
    return session.backend.launch_stream(native)
