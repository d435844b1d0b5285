"""llvm-cpu storage keeps unused slack after every array (cpu/memory.py): a small unchecked write past the end lands
there, not in the C allocator's bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir.dtypes import f64, i32, u8
from quadrants_llvm.cpu.memory import TAIL_SLACK, zeroed


@pytest.mark.parametrize("dtype, shape", [(i32, (55,)), (f64, (3, 4)), (u8, (0,)), (u8, (7, 0, 2))])
def test_storage_is_zeroed_contiguous_and_followed_by_slack(dtype, shape):
    array = zeroed(dtype, shape)
    assert array.shape == shape and array.dtype == dtype.np and array.flags.c_contiguous and array.flags.writeable
    assert not array.any()
    assert array.base.nbytes - array.nbytes >= TAIL_SLACK  # the slack belongs to the same allocation


def test_a_kernel_writing_just_past_a_field_leaves_the_process_and_its_neighbours_intact():
    qd.init(arch="llvm-cpu")
    try:
        a = qd.field(qd.i32, shape=(55,))
        b = qd.field(qd.i32, shape=(57,))

        @qd.kernel
        def overrun():
            for _ in range(1):
                a[7] = 3
                a[70] = 55  # 60 bytes past the end: unchecked without debug=True (docs/semantics.md)
                b[2] = 5

        for _ in range(50):
            overrun()
        assert a[7] == 3 and b[2] == 5 and int(np.count_nonzero(b.to_numpy())) == 1
        with pytest.raises(IndexError):
            a[70]  # reading it back from Python is refused
    finally:
        qd.reset()
