"""Waiting for the device so that a Ctrl-C is heard at once (issue 17).

A launch on the device cannot be abandoned: after a Ctrl-C it finishes in the background and later work queues
behind it. What can be fixed is the host's wait: CPython runs its SIGINT handler (which raises ``KeyboardInterrupt``)
only in the main thread and only between bytecodes, so a wait in native code, or on a lock that the signal does not
interrupt because it reached one of the driver's threads, is deaf to Ctrl-C until the device is done.

* :func:`wait_interruptibly` waits for a wgpu promise in slices of 50 ms;
* :func:`submit_interruptibly` submits from a helper thread on devices whose submit waits for the queue's earlier work
  (lavapipe, Mesa's software Vulkan): there the caller waits interruptibly for the helper. Other devices submit
  directly (a submit returns at once; the handoff would cost tens of microseconds per readback).
"""

from __future__ import annotations

import queue
import threading

__all__ = ["wait_interruptibly", "submit_interruptibly"]

_SLICE = 0.05  # seconds between two chances for Python's signal handlers


def wait_interruptibly(promise):
    """``promise.sync_wait()``, woken every 50 ms so that a pending Ctrl-C raises ``KeyboardInterrupt`` here."""
    event = getattr(promise, "_thread_event", None)  # wgpu-py's threading.Event, set when the promise settles
    if event is not None:
        while not event.wait(_SLICE):
            pass
    return promise.sync_wait()


class _Helper:
    """One daemon thread that runs blocking driver calls while the caller waits in slices."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="qd-wgpu-submit", daemon=True).start()

    def _loop(self) -> None:
        while True:
            fn, done, out = self.jobs.get()
            try:
                out.append((True, fn()))
            except BaseException as exc:  # handed to the caller
                out.append((False, exc))
            done.set()

    def run(self, fn):
        done, out = threading.Event(), []
        self.jobs.put((fn, done, out))
        while not done.wait(_SLICE):
            pass
        ok, value = out[0]
        if not ok:
            raise value
        return value


_HELPER: list = []
_LOCK = threading.Lock()


def submit_interruptibly(dev, command_buffers: list) -> None:
    """``dev.queue.submit(command_buffers)``; on a software device from the helper thread (see the module doc)."""
    if not dev.is_software:
        dev.queue.submit(command_buffers)
        return
    with _LOCK:
        if not _HELPER:
            _HELPER.append(_Helper())
    _HELPER[0].run(lambda: dev.queue.submit(command_buffers))
