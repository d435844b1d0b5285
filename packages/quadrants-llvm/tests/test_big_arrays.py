"""Arrays of more than 2^31 elements on llvm-cpu: 64-bit indices address the right element (issue 17).

The arrays are allocated with ``np.zeros`` (lazily mapped zero pages), so a 2 GiB array costs only the pages the test
touches.
"""

from __future__ import annotations

import pytest

import quadrants as qd

BIG = (1 << 31) + 8  # bytes: past what an i32 offset can reach


@pytest.fixture
def cpu():
    qd.init(arch="llvm-cpu")
    yield
    qd.reset()


@pytest.mark.slow
def test_i64_and_u32_indices_past_2_31(cpu):
    a = qd.ndarray(qd.u8, BIG)
    assert a.shape == (BIG,)

    @qd.kernel
    def mark(x: qd.types.NDArray[qd.u8, 1], i: qd.i64, j: qd.u32) -> qd.i64:
        x[i] = qd.u8(7)
        x[j] = qd.u8(9)  # a u32 index past 2^31 is not read as a negative i32
        return qd.i64(x.shape[0]) - i  # the i64 size (x.shape[0] is an i32, as upstream)

    assert mark(a, BIG - 3, (1 << 31) + 1) == 3
    assert (a[BIG - 3], a[BIG - 4], a[BIG - 2]) == (7, 0, 0)
    assert (a[(1 << 31) + 1], a[1 << 31]) == (9, 0)
    assert a[3] == 0 and a[BIG - ((1 << 32) - BIG) - 3] == 0  # where a 32-bit wrap of either index would land


@pytest.mark.slow
def test_two_axes_whose_linear_index_passes_2_31(cpu):
    rows = (1 << 30) + 4
    a = qd.ndarray(qd.i16, (2, rows))  # 4 GiB of address space: byte offsets past 2^32

    @qd.kernel
    def mark(x: qd.types.NDArray[qd.i16, 2], j: qd.i64):
        x[1, j] = qd.i16(-5)

    mark(a, rows - 1)
    assert a[1, rows - 1] == -5 and a[0, rows - 1] == 0 and a[1, rows - 2] == 0


@pytest.mark.slow
def test_debug_bounds_check_with_an_i64_index():
    qd.init(arch="llvm-cpu", debug=True)
    try:
        a = qd.ndarray(qd.u8, BIG)

        @qd.kernel
        def poke(x: qd.types.NDArray[qd.u8, 1], i: qd.i64):
            x[i] = qd.u8(1)

        poke(a, BIG - 1)
        assert a[BIG - 1] == 1
        with pytest.raises(qd.QuadrantsRuntimeError, match=f"index {BIG} is out of bounds"):
            poke(a, BIG)
    finally:
        qd.reset()
