"""A launch's argument words staged in page-locked host memory, so that their copy to the device never waits.

Every launch copies its packed argument words into the executable's launch context on the device
(``cuMemcpyHtoDAsync``, docs/backends/gpu.md). From ordinary (pageable) host memory that copy "may synchronize with
the stream" (the driver API's *API synchronization behavior*): the host can wait there for every kernel queued
before it, so a program that launches hundreds of small dependent kernels a step pays each kernel's whole latency on
the host. From page-locked memory the copy is a DMA queued like a launch, and the host returns at once; but the DMA
reads the host memory when the stream reaches it, so that memory must not change until then.

:class:`ArgRing` is one page-locked buffer (``cuMemHostAlloc``) used as a ring: each copy takes the next free bytes,
and the ring is cut into ``parts``. Leaving a part records an event on the stream after the copies that read it;
entering a part again waits for that event (by polling, so that Ctrl-C stays prompt), which has long passed unless
the host is a whole ring of copies ahead of the device. Only copies on the ring's own stream go through it (an event
on one stream says nothing about another's copies), and only copies that fit a part; anything else is copied directly.

Opt-in (``QD_CUDA_PINNED_ARGS=1``): measured on an H100 it gained little (a chain of dependent launches with a new
scalar each, 24.3 -> 21.3 us a launch; docs/backends/gpu.md, "How it executes").
"""

from __future__ import annotations

import ctypes
import threading

from quadrants_llvm.cuda.streams import DISABLE_TIMING, checked, poll

__all__ = ["ArgRing", "ALIGN"]

ALIGN = 16  # each staged copy starts on a 16-byte boundary (the DMA engines' preferred alignment)


class ArgRing:
    """``copy(dst, src, nbytes, stream)``: ``cuMemcpyHtoDAsync``'s signature and result, staged through the ring.

    ``cu`` is the driver (``cuda.bindings.driver`` or a stand-in), ``stream`` the one stream whose copies use the
    ring. Raises the driver's error when the page-locked buffer cannot be allocated (the caller then copies
    directly)."""

    def __init__(self, cu, stream, size: int = 1 << 20, parts: int = 16):
        if size % parts or (size // parts) % ALIGN:
            raise ValueError("the ring must split into equal, aligned parts")
        base = checked(cu, cu.cuMemHostAlloc(size, 0), "cuMemHostAlloc")
        self.cu, self.stream = cu, stream
        self.base, self.size, self.parts, self.part_size = int(base), size, parts, size // parts
        self._copy = cu.cuMemcpyHtoDAsync
        self._events: list = [None] * parts  # part -> event recorded after the copies that last read it (or None)
        self._part = 0  # the part the next copy goes to, unless it does not fit there
        self._offset = 0  # the next free byte of the ring
        self._lock = threading.Lock()  # executables on several threads share the device's ring
        self.waits = 0  # how often entering a part found its event still pending (the host a ring ahead)

    def copy(self, dst, src, nbytes, stream):
        if stream is not self.stream or not 0 < nbytes <= self.part_size:
            return self._copy(dst, src, nbytes, stream)
        with self._lock:
            at = self._offset
            end_of_part = (self._part + 1) * self.part_size
            if at + nbytes > end_of_part:
                at = self._enter_next_part()
            ctypes.memmove(self.base + at, src, nbytes)
            result = self._copy(dst, self.base + at, nbytes, stream)
            self._offset = (at + nbytes + ALIGN - 1) & -ALIGN
            return result

    def _enter_next_part(self) -> int:
        """Mark the end of the current part's copies on the stream, wait until the next part's last copies have run,
        and return its first byte."""
        cu = self.cu
        left = self._part
        event = self._events[left]
        if event is None:
            event = self._events[left] = checked(cu, cu.cuEventCreate(DISABLE_TIMING), "cuEventCreate")
        checked(cu, cu.cuEventRecord(event, self.stream), "cuEventRecord")
        entered = (left + 1) % self.parts
        pending = self._events[entered]
        if pending is not None and cu.cuEventQuery(pending)[0] == cu.CUresult.CUDA_ERROR_NOT_READY:
            self.waits += 1
            # Ctrl-C here leaves the ring as it was: the next copy records again and waits again
            poll(cu, cu.cuEventQuery, pending, "cuEventQuery")
        self._part = entered
        return entered * self.part_size

    def close(self) -> None:
        """Wait for the copies in flight and release the buffer and events (the device is going away)."""
        cu = self.cu
        for event in self._events:
            if event is not None:
                poll(cu, cu.cuEventQuery, event, "cuEventQuery")
                cu.cuEventDestroy(event)
        self._events = [None] * self.parts
        if self.base:
            cu.cuMemFreeHost(self.base)
            self.base = 0
