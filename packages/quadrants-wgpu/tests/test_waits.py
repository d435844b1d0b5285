"""runtime/waits.py: waits for the device that a Ctrl-C can interrupt (no device needed: fake promises and queues)."""

from __future__ import annotations

import threading
import types

import pytest

from quadrants_wgpu.runtime.waits import submit_interruptibly, wait_interruptibly


class _Promise:
    def __init__(self, value):
        self._thread_event = threading.Event()
        self.value = value

    def sync_wait(self):
        assert self._thread_event.is_set(), "sync_wait would block"
        return self.value


def test_wait_returns_the_value_once_the_promise_settles():
    promise = _Promise(42)
    threading.Timer(0.12, promise._thread_event.set).start()  # more than one 50 ms slice
    assert wait_interruptibly(promise) == 42


def test_a_promise_without_the_event_falls_back_to_sync_wait():
    promise = types.SimpleNamespace(sync_wait=lambda: "done")
    assert wait_interruptibly(promise) == "done"


class _Queue:
    def __init__(self, fail=False):
        self.fail, self.threads = fail, []

    def submit(self, buffers):
        self.threads.append(threading.current_thread().name)
        if self.fail:
            raise RuntimeError("device lost")


@pytest.mark.parametrize("software, helper", [(False, False), (True, True)])
def test_submit_runs_on_a_helper_thread_only_on_software_devices(software, helper):
    dev = types.SimpleNamespace(is_software=software, queue=_Queue())
    submit_interruptibly(dev, ["cb"])
    assert (dev.queue.threads == ["qd-wgpu-submit"]) == helper


def test_a_failed_submit_raises_in_the_caller():
    dev = types.SimpleNamespace(is_software=True, queue=_Queue(fail=True))
    with pytest.raises(RuntimeError, match="device lost"):
        submit_interruptibly(dev, ["cb"])
