"""The race checker (``qd.init(arch=qd.ref, check_races=True)``): seeded racy kernels are flagged, race-free ones
(own-element writes, atomics, serialized loops) are not."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd

I32_1 = qd.types.NDArray[qd.i32, 1]
I32_2 = qd.types.NDArray[qd.i32, 2]


@pytest.fixture(autouse=True)
def _races():
    qd.init(arch=qd.ref, check_races=True)
    yield
    qd.reset()


def test_non_atomic_increment_is_flagged():
    @qd.kernel
    def k(x: I32_1):
        for _i in range(8):
            x[0] = x[0] + 1

    with pytest.raises(qd.QuadrantsRuntimeError, match=r"data race.*x\[0\] is read by iteration \(_i=0\)") as info:
        k(np.zeros(4, np.int32))
    text = str(info.value)
    assert "written by iteration (_i=7)" in text and "x[0] = x[0] + 1" in text and "test_races.py:" in text


def test_store_store_race_names_both_lines():
    @qd.kernel
    def k(x: I32_1):
        for i in range(6):
            if i % 2 == 0:
                x[i // 2] = i
            else:
                x[i // 2] = -i

    with pytest.raises(qd.QuadrantsRuntimeError, match=r"x\[0\] is written by iteration \(i=0\)") as info:
        k(np.zeros(3, np.int32))
    assert "x[i // 2] = i" in str(info.value) and "x[i // 2] = -i" in str(info.value)


def test_atomic_and_plain_read_is_flagged_2d():
    @qd.kernel
    def k(x: I32_2, y: I32_2):
        for i, j in qd.ndrange(3, 4):
            qd.atomic_add(x[0, 0], 1)
            y[i, j] = x[0, 0]

    with pytest.raises(qd.QuadrantsRuntimeError, match=r"x\[0, 0\] is read by iteration \(i=0, j=0\)"):
        k(np.zeros((3, 4), np.int32), np.zeros((3, 4), np.int32))


def test_reading_an_element_another_iteration_writes_is_flagged():
    @qd.kernel
    def k(x: I32_1, acc: I32_1):
        for i in range(8):
            x[i] = x[i] * 2 + 1
            qd.atomic_max(acc[0], x[7 - i])  # x[7 - i] is written by iteration 7 - i

    with pytest.raises(qd.QuadrantsRuntimeError, match="data race"):
        k(np.arange(8, dtype=np.int32), np.zeros(1, np.int32))


def test_race_free_kernels_are_silent():
    @qd.kernel
    def fine(x: I32_1, y: I32_1, acc: I32_1):
        for i in range(8):
            y[i] = x[7 - i] + x[0]  # x is only read
            qd.atomic_add(acc[i % 2], y[i])
        qd.loop_config(serialize=True)
        for i in range(8):
            y[0] = y[0] + y[i]  # serial: no race

    x, y, acc = np.arange(8, dtype=np.int32), np.zeros(8, np.int32), np.zeros(2, np.int32)
    fine(x, y, acc)
    assert y[1:].tolist() == [6, 5, 4, 3, 2, 1, 0] and acc.tolist() == [16, 12]


def test_off_by_default_and_lane_order_exposes_the_race():
    @qd.kernel
    def k(x: I32_1):
        for i in range(8):
            x[0] = i

    results = []
    for order in ("ascending", "reversed"):
        qd.init(arch=qd.ref, lane_order=order)
        x = np.zeros(1, np.int32)
        k(x)
        results.append(int(x[0]))
    assert results == [7, 0]  # order-dependent: the lane-order comparison mode detects it
