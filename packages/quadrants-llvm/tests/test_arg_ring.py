"""cuda/arg_ring.py: argument copies staged in page-locked memory are never overwritten before their DMA has read them.

The driver here is a stand-in whose copies from host memory run *later*, when the host waits on an event queued
after them, as a device's DMA from page-locked memory does: a copy that read different bytes at its run than at its
enqueue is a copy whose staging bytes the ring overwrote too early. No GPU, no cuda-bindings.
"""

from __future__ import annotations

import ctypes
import random

import pytest

from quadrants_llvm.cuda.arg_ring import ArgRing


class _Result:
    CUDA_SUCCESS = 0
    CUDA_ERROR_NOT_READY = 600


class _Event:
    pass


class LazyDevice:
    """Queues copies and event records; a query of an event runs at most ``step`` queued operations, so the device
    falls behind the host until the host waits for it."""

    CUresult = _Result

    def __init__(self, step: int = 3):
        self.queue: list = []
        self.step = step
        self.ran = 0
        self.stale = []  # copies whose source bytes changed between enqueue and run
        self.direct = []  # sources of copies that did not come from the ring's buffer
        self._buffers = []

    def cuMemHostAlloc(self, nbytes, flags):
        buf = ctypes.create_string_buffer(nbytes)
        self._buffers.append(buf)
        return 0, ctypes.addressof(buf)

    def cuMemFreeHost(self, ptr):
        return (0,)

    def cuMemcpyHtoDAsync(self, dst, src, nbytes, stream):
        self.queue.append(("copy", src, nbytes, ctypes.string_at(src, nbytes)))
        return (0,)

    def cuEventCreate(self, flags):
        return 0, _Event()

    def cuEventDestroy(self, event):
        return (0,)

    def cuEventRecord(self, event, stream):
        event.done = False
        self.queue.append(("event", event))
        return (0,)

    def cuEventQuery(self, event):
        for _ in range(self.step):
            if not self.queue:
                break
            self._run(self.queue.pop(0))
        return (0 if getattr(event, "done", True) else _Result.CUDA_ERROR_NOT_READY,)

    def finish(self) -> None:
        while self.queue:
            self._run(self.queue.pop(0))

    def _run(self, op) -> None:
        self.ran += 1
        if op[0] == "event":
            op[1].done = True
            return
        _, src, nbytes, enqueued = op
        if ctypes.string_at(src, nbytes) != enqueued:
            self.stale.append(op)


STREAM = object()


def _copies(ring: ArgRing, cu: LazyDevice, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for k in range(count):
        nbytes = rng.choice((8, 40, 136, 800, 3000))
        payload = ctypes.create_string_buffer(bytes([k % 251]) * nbytes, nbytes)
        assert ring.copy(0xD000, ctypes.addressof(payload), nbytes, STREAM) == (0,)


def test_no_staged_copy_is_overwritten_before_it_has_run():
    cu = LazyDevice()
    ring = ArgRing(cu, STREAM, size=1 << 14, parts=4)
    _copies(ring, cu, 3000)
    cu.finish()
    assert cu.stale == []
    assert ring.waits > 0  # the host got a whole ring ahead of the lazy device and had to wait for it
    assert cu.ran > 3000


def test_the_test_catches_a_ring_that_does_not_wait(monkeypatch):
    """The same copies with the wait on the entered part's event removed: some staged bytes change before their
    copy runs (this is what the first test would see if the ring were wrong)."""
    cu = LazyDevice()
    ring = ArgRing(cu, STREAM, size=1 << 14, parts=4)
    monkeypatch.setattr(ring, "_enter_next_part", lambda: _skip_wait(ring))
    _copies(ring, cu, 3000)
    cu.finish()
    assert cu.stale


def _skip_wait(ring: ArgRing) -> int:
    ring._part = (ring._part + 1) % ring.parts
    return ring._part * ring.part_size


def test_copies_on_another_stream_or_larger_than_a_part_go_direct():
    cu = LazyDevice()
    ring = ArgRing(cu, STREAM, size=1 << 14, parts=4)
    small = ctypes.create_string_buffer(64)
    big = ctypes.create_string_buffer(ring.part_size + 16)
    ring.copy(0xD000, ctypes.addressof(small), 64, object())
    ring.copy(0xD000, ctypes.addressof(big), len(big), STREAM)
    ring.copy(0xD000, ctypes.addressof(small), 64, STREAM)
    sources = [op[1] for op in cu.queue]
    assert sources[:2] == [ctypes.addressof(small), ctypes.addressof(big)]
    assert ring.base <= sources[2] < ring.base + ring.size  # staged


def test_consecutive_copies_are_aligned_and_fill_the_ring_in_order():
    cu = LazyDevice()
    ring = ArgRing(cu, STREAM, size=1 << 12, parts=4)
    src = ctypes.create_string_buffer(24)
    for _ in range(4):
        ring.copy(0xD000, ctypes.addressof(src), 24, STREAM)
    offsets = [op[1] - ring.base for op in cu.queue]
    assert offsets == [0, 32, 64, 96]


def test_close_waits_for_the_copies_in_flight_and_frees_the_buffer():
    cu = LazyDevice(step=1)
    ring = ArgRing(cu, STREAM, size=1 << 12, parts=4)
    _copies(ring, cu, 50)
    ring.close()
    assert ring.base == 0
    assert all(op[0] == "copy" for op in cu.queue)  # every event it recorded has run


def test_an_interrupted_wait_leaves_the_ring_waiting_again_at_the_next_copy():
    """Ctrl-C while the ring waits for a part: the next copy must not write into that part before it is free."""
    cu = LazyDevice(step=1)  # a device that runs one queued operation each time it is asked
    ring = ArgRing(cu, STREAM, size=1 << 12, parts=4)
    payload = ctypes.create_string_buffer(b"x" * 1024, 1024)
    for _ in range(5):  # one part each: parts 0-3, then part 0 again (its first copy has run by then)
        ring.copy(0xD000, ctypes.addressof(payload), 1024, STREAM)
    real_query, calls = cu.cuEventQuery, []

    def interrupted_query(event):
        calls.append(event)
        if len(calls) == 1:  # before the device has run anything of part 1
            raise KeyboardInterrupt
        return real_query(event)

    cu.cuEventQuery = interrupted_query
    with pytest.raises(KeyboardInterrupt):
        ring.copy(0xD000, ctypes.addressof(payload), 1024, STREAM)  # waits for part 1's copy: interrupted
    cu.cuEventQuery = real_query
    other = ctypes.create_string_buffer(b"y" * 1024, 1024)
    ring.copy(0xD000, ctypes.addressof(other), 24, STREAM)
    cu.finish()
    assert cu.stale == []


def test_a_ring_must_split_evenly():
    with pytest.raises(ValueError):
        ArgRing(LazyDevice(), STREAM, size=1000, parts=3)
