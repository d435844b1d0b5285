"""A launch's changed argument words written by the stream itself, instead of copied in.

A launch that repeats its predecessor's argument words skips the copy into the launch context (cuda/executable.py);
one that changes them, such as a time-step loop passing a new ``t`` each launch, copies all its words with
``cuMemcpyHtoDAsync``. That copy is a transfer the stream must finish before the kernel may start, so a chain of
small dependent launches pays a copy's latency on the device for each one (an H100, eighteenth session: 24 us a
launch with the copy, against 12 us for the same chain launched without one).

:class:`ArgWriter` instead finds the words that differ from the ones the context holds and, when there are at most
:data:`MAX_WRITES` of them, has the stream write each with ``cuStreamWriteValue64``: a memory operation the stream
executes in order between the kernels, with no transfer. More changed words than that are copied as before. The
words it compares are the very bytes of the last copy, so what the context holds afterwards is exactly the new
packed words, as with a copy.

Opt-in (``QD_CUDA_ARG_WRITES=1``) until a GPU run has measured it against the copy (docs/backends/gpu.md,
"How it executes"); devices without 64-bit stream memory operations keep the copy.
"""

from __future__ import annotations

from quadrants_llvm.cuda.streams import checked

__all__ = ["ArgWriter", "MAX_WRITES", "changed_span", "supported"]

MAX_WRITES = 4  # changed words written one by one; more than this: one copy of all the words


def supported(cu, dev) -> bool:
    """Whether device ``dev`` takes 64-bit stream memory operations (``cuStreamWriteValue64``)."""
    attr = cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CAN_USE_64_BIT_STREAM_MEM_OPS
    err, value = cu.cuDeviceGetAttribute(attr, dev)
    return err == cu.CUresult.CUDA_SUCCESS and bool(value)


def changed_span(old: bytes, new: bytes) -> tuple[int, int]:
    """The first and last 8-byte words at which ``old`` and ``new`` (equal lengths, a multiple of 8, different)
    differ. Two binary searches over prefixes and suffixes: the comparisons run in C, so a context of hundreds of
    words costs a few slice comparisons, not a Python loop over its words."""
    words = len(new) // 8
    lo, hi = 0, words  # the first lo words agree; the first hi words do not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if old[: mid * 8] == new[: mid * 8]:
            lo = mid
        else:
            hi = mid
    first = lo
    lo, hi = 0, words  # the last lo words agree; the last hi words do not
    end = len(new)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if old[end - mid * 8 :] == new[end - mid * 8 :]:
            lo = mid
        else:
            hi = mid
    return first, words - 1 - lo


class ArgWriter:
    """``update(ctx, old, new, stream)``: make the words at device address ``ctx`` go from ``old`` to ``new`` by
    writes queued on ``stream``; ``False`` (nothing queued) when they cannot be written that way and the caller must
    copy."""

    def __init__(self, cu):
        self._cu = cu
        self._write = cu.cuStreamWriteValue64
        self._ok = cu.CUresult.CUDA_SUCCESS
        self._flags = cu.CUstreamWriteValue_flags.CU_STREAM_WRITE_VALUE_DEFAULT

    def update(self, ctx: int, old: bytes, new: bytes, stream) -> bool:
        if len(old) != len(new) or len(new) % 8:
            return False
        first, last = changed_span(old, new)
        if last - first >= MAX_WRITES:
            return False
        values = memoryview(new).cast("Q")
        for k in range(first, last + 1):
            result = self._write(stream, ctx + 8 * k, values[k], self._flags)
            if result[0] != self._ok:
                checked(self._cu, result, "cuStreamWriteValue64")
        return True
