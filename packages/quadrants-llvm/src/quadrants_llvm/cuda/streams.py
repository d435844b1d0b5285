"""CUDA streams and events of llvm-cuda: ``qd.create_stream()``, ``qd.create_event()``, ``qd.stream_parallel()``.

The ordering this module keeps (docs/streams.md#llvm-cuda):

* work queued on one stream runs in order;
* the **default stream** is a barrier: its work (launches without ``qd_stream=``, copies, allocations, frees, host
  reads) starts after everything queued earlier on any stream, and work queued later on any stream starts after it;
* two other streams are ordered only by events (``e.record(s1)`` then ``e.wait(s2)``), by host waits
  (``s.synchronize()``, ``e.synchronize()``, ``qd.sync()``) and by the barrier: between those, their launches overlap.

Streams are created ``CU_STREAM_NON_BLOCKING`` (as upstream), so the driver adds no ordering of its own; the barrier is
kept here with events, without waiting on the host. :class:`StreamSet` remembers the streams that have work the
default stream has not waited for yet (``pending``: joined, one ``cuEventRecord`` + ``cuStreamWaitEvent`` each, before
the next default-stream operation) and counts the default stream's asynchronous work (``epoch``: a stream that has
not waited for the latest epoch waits for an event recorded on the default stream before its next work).

Everything here goes through the ``cu`` object it is given (``cuda.bindings.driver`` on a device; a recording fake in
the CPU unit tests, tests/test_cuda_streams.py), and never imports the bindings itself.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import weakref

from quadrants_llvm.cuda.status import raise_for

__all__ = ["StreamSet", "CudaStream", "CudaEvent", "LaunchStream", "current", "poll", "producer_wait", "checked"]

_LAUNCH = threading.local()  # .stream: the CudaStream launches of this thread go to (None: the default stream)
_UIDS = itertools.count(1)
NON_BLOCKING = 0x1  # CU_STREAM_NON_BLOCKING
DISABLE_TIMING = 0x2  # CU_EVENT_DISABLE_TIMING: the cheapest event, enough for ordering


def current():
    """The :class:`CudaStream` the calling thread launches on (``None``: the default stream)."""
    return getattr(_LAUNCH, "stream", None)


class LaunchStream:
    """``with LaunchStream(s):`` launches of this thread go to ``s`` (core's ``kernel(..., qd_stream=s)``)."""

    __slots__ = ("saved", "stream")

    def __init__(self, stream: CudaStream | None):
        self.stream = stream

    def __enter__(self):
        self.saved = getattr(_LAUNCH, "stream", None)
        _LAUNCH.stream = self.stream
        return self.stream

    def __exit__(self, *exc):
        _LAUNCH.stream = self.saved


# What another library's stream (the CUDA array interface's convention; torch's default stream is 0) means for a launch
# on this backend's legacy default stream: that stream already runs after the work queued on itself and on every
# blocking stream, and version 3 of the interface says None needs no wait at all.
_LEGACY = {0, 1}
_PER_THREAD = 2


def producer_wait(stream, streams_live: bool) -> str:
    """What to wait for before a launch reads memory another library wrote on ``stream`` (``-1``: unknown): ``"none"``
    (ordered already), ``"stream"`` (synchronise that stream alone) or ``"context"`` (the whole device). Once a
    ``qd.create_stream()`` stream exists a launch may run on it, which the legacy default stream does not order, so
    the default stream's work is then waited for as well."""
    if stream is None:
        return "none"
    if stream in _LEGACY:
        return "context" if streams_live else "none"
    if isinstance(stream, int) and stream > _PER_THREAD:
        return "stream"
    return "context"  # unknown, the per-thread default stream, or a value this does not understand


def checked(cu, result, call: str):
    """The handle of a driver result ``(err, handle)`` (``None`` for a bare ``(err,)``), or the driver error raised."""
    err = result[0] if isinstance(result, tuple) else result
    if int(err) != 0:
        raise_for(cu, err, call)
    return result[1] if isinstance(result, tuple) and len(result) > 1 else None


def poll(cu, query, handle, call: str) -> None:
    """Wait until ``query(handle)`` stops answering ``CUDA_ERROR_NOT_READY`` (``cuStreamQuery`` / ``cuEventQuery``),
    polling rather than blocking in the driver so that Ctrl-C raises ``KeyboardInterrupt`` at once."""
    not_ready = cu.CUresult.CUDA_ERROR_NOT_READY
    err = query(handle)[0]
    polls = 0
    while err == not_ready:
        polls += 1
        if polls > 100:
            time.sleep(1e-4)
        err = query(handle)[0]
    checked(cu, (err,), call)


class CudaStream:
    """One stream (``cuStreamCreate`` non-blocking, or a foreign handle that is never destroyed here) and the event
    that marks its latest work for joins. ``slots`` holds the launch contexts executables keep for this stream
    (cuda/stream_launch.py): they live as long as both the stream and the executable."""

    def __init__(self, owner: StreamSet, handle=None):
        cu = owner.cu
        self.owner = owner
        self.uid = next(_UIDS)
        self.owned = handle is None
        self.handle = checked(cu, cu.cuStreamCreate(NON_BLOCKING), "cuStreamCreate") if self.owned else handle
        self.marker = checked(cu, cu.cuEventCreate(DISABLE_TIMING), "cuEventCreate")
        self.epoch = -1  # the default-stream epoch this stream last waited for
        self.groups: list[CudaStream] = []  # the streams qd.stream_parallel() blocks launched on it use
        self.slots = weakref.WeakKeyDictionary()
        self.destroyed = False

    def __int__(self) -> int:
        return int(self.handle)

    def synchronize(self) -> None:
        """Wait on the host for everything queued on this stream (``qd.Stream.synchronize``)."""
        self.owner.synchronize_stream(self)

    def destroy(self) -> None:
        """Wait for the stream's work, then release it (``qd.Stream.destroy``); safe to call more than once."""
        if not self.destroyed:
            self.owner.destroy_stream(self)

    def __del__(self):
        try:
            if not self.destroyed:
                self.owner.destroy_stream(self, wait=False)
        except Exception:  # interpreter shutdown: the driver may be gone already
            pass


class CudaEvent:
    """One event (``cuEventCreate``, timing disabled): ``record`` / ``wait`` / ``synchronize`` (``qd.Event``)."""

    def __init__(self, owner: StreamSet):
        self.owner = owner
        self.handle = checked(owner.cu, owner.cu.cuEventCreate(DISABLE_TIMING), "cuEventCreate")
        self.destroyed = False

    def record(self, stream: CudaStream | None = None) -> None:
        """Mark the point reached by ``stream`` (``None``: the default stream, which has joined every stream)."""
        self.owner.record(self, stream)

    def wait(self, stream: CudaStream | None = None) -> None:
        """Make ``stream``'s later work (``None``: the default stream's) wait for the recorded point."""
        self.owner.wait(self, stream)

    def synchronize(self) -> None:
        """Wait on the host until the recorded point is reached (at once if never recorded)."""
        poll(self.owner.cu, self.owner.cu.cuEventQuery, self.handle, "cuEventQuery")

    def destroy(self) -> None:
        if not self.destroyed:
            self.destroyed = True
            self.owner.cu.cuEventDestroy(self.handle)

    def __del__(self):
        with contextlib.suppress(Exception):
            self.destroy()


class StreamSet:
    """The device's streams beside the legacy default stream ``default`` and the barrier between them (module doc).

    ``live`` stays False until the first stream exists, so a program without streams pays one attribute test per
    launch and copy.
    """

    def __init__(self, cu, default):
        self.cu = cu
        self.default = default
        self.live = False
        self.epoch = 0
        self.pending: dict[int, CudaStream] = {}  # uid -> stream with work the default stream has not waited for
        self._marked = -1  # the epoch the default marker was last recorded at
        self._default_marker = None
        self._default_groups: list[CudaStream] = []
        self._lock = threading.RLock()

    # ------------------------------------------------------------------------------------------------- objects
    def create_stream(self, handle=None) -> CudaStream:
        """A new non-blocking stream, or (``handle``) a foreign one, e.g. ``torch.cuda.Stream().cuda_stream``."""
        with self._lock:
            if self._default_marker is None:
                self._default_marker = checked(self.cu, self.cu.cuEventCreate(DISABLE_TIMING), "cuEventCreate")
            stream = CudaStream(self, handle if handle is None else self.cu.CUstream(int(handle)))
            self.live = True
            return stream

    def create_event(self) -> CudaEvent:
        return CudaEvent(self)

    def group_streams(self, parent: CudaStream | None, count: int) -> list[CudaStream]:
        """``count`` streams for the ``qd.stream_parallel()`` blocks of a launch on ``parent``: created once per
        parent stream, so blocks launched on two user streams never queue behind each other."""
        with self._lock:
            pool = self._default_groups if parent is None else parent.groups
            while len(pool) < count:
                pool.append(self.create_stream())
            return pool[:count]

    # ------------------------------------------------------------------------------------------------ ordering
    def on_default(self) -> None:
        """Before a default-stream operation: it waits for every pending stream (no host wait)."""
        if not self.pending:
            return
        with self._lock:
            cu = self.cu
            for stream in self.pending.values():
                checked(cu, cu.cuEventRecord(stream.marker, stream.handle), "cuEventRecord")
                checked(cu, cu.cuStreamWaitEvent(self.default, stream.marker, 0), "cuStreamWaitEvent")
            self.pending.clear()

    def default_work(self) -> None:
        """After queuing asynchronous work on the default stream: streams wait for it before their next work."""
        self.epoch += 1

    def on_stream(self, stream: CudaStream) -> None:
        """Before queuing work on ``stream``: it waits for the default stream's work so far; it is then pending."""
        if stream.epoch == self.epoch and not stream.destroyed:  # the common case: nothing new on the default stream
            self.pending[stream.uid] = stream
            return
        with self._lock:
            if stream.destroyed:
                raise RuntimeError("the stream has been destroyed (qd.Stream.destroy()); create a new one")
            self._wait_default(stream)
            self.pending[stream.uid] = stream

    def _wait_default(self, stream: CudaStream) -> None:
        if stream.epoch == self.epoch:
            return
        cu = self.cu
        if self._marked != self.epoch:
            checked(cu, cu.cuEventRecord(self._default_marker, self.default), "cuEventRecord")
            self._marked = self.epoch
        checked(cu, cu.cuStreamWaitEvent(stream.handle, self._default_marker, 0), "cuStreamWaitEvent")
        stream.epoch = self.epoch

    def fork(self, parent: CudaStream | None, children: list[CudaStream]) -> None:
        """``children`` start after the work queued on ``parent`` (``None``: the default stream) so far."""
        with self._lock:
            cu = self.cu
            if parent is None:
                marker, handle = self._default_marker, self.default
                self._marked = -1  # re-recorded here: the next epoch wait records it again
            else:
                marker, handle = parent.marker, parent.handle
            checked(cu, cu.cuEventRecord(marker, handle), "cuEventRecord")
            for child in children:
                checked(cu, cu.cuStreamWaitEvent(child.handle, marker, 0), "cuStreamWaitEvent")
                child.epoch = self.epoch if parent is None else parent.epoch
                self.pending.pop(child.uid, None)

    def join(self, parent: CudaStream | None, children: list[CudaStream]) -> None:
        """``parent``'s later work waits for everything queued on ``children`` (the end of a stream_parallel run)."""
        with self._lock:
            cu = self.cu
            handle = self.default if parent is None else parent.handle
            for child in children:
                checked(cu, cu.cuEventRecord(child.marker, child.handle), "cuEventRecord")
                checked(cu, cu.cuStreamWaitEvent(handle, child.marker, 0), "cuStreamWaitEvent")

    # ---------------------------------------------------------------------------------------------- events
    def record(self, event: CudaEvent, stream: CudaStream | None) -> None:
        """The event marks everything before it in program order on ``stream`` (the default stream: everything)."""
        with self._lock:
            if stream is None:
                self.on_default()
                handle = self.default
            else:
                self.on_stream(stream)
                handle = stream.handle
            checked(self.cu, self.cu.cuEventRecord(event.handle, handle), "cuEventRecord")

    def wait(self, event: CudaEvent, stream: CudaStream | None) -> None:
        with self._lock:
            if stream is None:
                self.on_default()
                checked(self.cu, self.cu.cuStreamWaitEvent(self.default, event.handle, 0), "cuStreamWaitEvent")
                self.default_work()
            else:
                self.on_stream(stream)
                checked(self.cu, self.cu.cuStreamWaitEvent(stream.handle, event.handle, 0), "cuStreamWaitEvent")

    # ------------------------------------------------------------------------------------------- host waits
    def synchronize_stream(self, stream: CudaStream) -> None:
        poll(self.cu, self.cu.cuStreamQuery, stream.handle, "cuStreamQuery")
        with self._lock:
            self.pending.pop(stream.uid, None)  # its work is done: the default stream need not wait for it

    def synchronized(self) -> None:
        """The whole context was synchronised (``cuCtxSynchronize``): nothing is pending any more."""
        with self._lock:
            self.pending.clear()

    def destroy_stream(self, stream: CudaStream, wait: bool = True) -> None:
        """Release ``stream`` and its group streams; with ``wait``, after their work (as upstream's ``destroy``)."""
        with self._lock:
            if stream.destroyed:
                return
            for child in stream.groups:
                self.destroy_stream(child, wait)
            if wait:
                self.synchronize_stream(stream)
            else:
                self.on_default()  # later default-stream work still comes after the stream's last work
            stream.destroyed = True
            stream.slots.clear()
            self.pending.pop(stream.uid, None)
            if stream.owned:
                self.cu.cuStreamDestroy(stream.handle)
            self.cu.cuEventDestroy(stream.marker)
