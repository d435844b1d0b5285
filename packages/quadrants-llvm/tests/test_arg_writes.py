"""The span of changed argument words (``quadrants_llvm.cuda.arg_writes``): pure, no GPU."""

from __future__ import annotations

import struct

import pytest

from quadrants_llvm.cuda import arg_writes


def _words(*values: int) -> bytes:
    return struct.pack(f"<{len(values)}q", *values)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 301])
def test_every_single_changed_word_is_found(n):
    old = _words(*range(n))
    for k in range(n):
        new = bytearray(old)
        new[8 * k + 7] ^= 0x80  # the word's last byte: a change only a whole-word comparison sees
        assert arg_writes.changed_span(old, bytes(new)) == (k, k)


def test_the_span_runs_from_the_first_to_the_last_changed_word():
    old = _words(*range(10))
    assert arg_writes.changed_span(old, _words(0, 1, -2, 3, 4, 5, 6, -7, 8, 9)) == (2, 7)
    assert arg_writes.changed_span(old, _words(*[-v - 1 for v in range(10)])) == (0, 9)


class _Cu:
    """Just what ArgWriter calls, recording the writes."""

    class CUresult:
        CUDA_SUCCESS = 0

    class CUstreamWriteValue_flags:
        CU_STREAM_WRITE_VALUE_DEFAULT = 0

    def __init__(self):
        self.writes = []

    def cuStreamWriteValue64(self, stream, addr, value, flags):
        self.writes.append((stream, addr, value))
        return (0,)


def test_the_writer_writes_the_span_or_declines():
    cu = _Cu()
    writer = arg_writes.ArgWriter(cu)
    old = _words(1, 2, 3, 4, 5, 6)
    assert writer.update(1000, old, _words(1, 2, 9, 4, -5, 6), "s")
    assert cu.writes == [("s", 1016, 9), ("s", 1024, 4), ("s", 1032, (-5) & (2**64 - 1))]
    cu.writes.clear()
    assert not writer.update(1000, old, _words(0, 2, 3, 4, 5, 0), "s")  # six words apart: the caller copies
    assert not writer.update(1000, old, _words(1, 2, 3), "s")  # another length
    assert cu.writes == []
