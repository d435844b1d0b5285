"""Typed literals (``qd.u8(255)``, ``qd.cast(300, qd.u8)``) and static checkpoint labels, with upstream's errors."""

from __future__ import annotations

import enum

import numpy as np
import pytest

import quadrants as qd

I0 = qd.types.NDArray[qd.i32, 0]
I1 = qd.types.NDArray[qd.i32, 1]
I64_1 = qd.types.NDArray[qd.i64, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_typed_literals_in_range_and_casts_wrap():
    @qd.kernel
    def k(x: I64_1):
        x[0] = qd.u8(255)
        x[1] = qd.i8(-128)
        x[2] = qd.cast(300, qd.u8)
        x[3] = qd.cast(-1, qd.u32)
        x[4] = qd.u64(2**64 - 1) == qd.u64(18446744073709551615)

    x = np.zeros(5, np.int64)
    k(x)
    assert x.tolist() == [255, -128, 44, 4294967295, 1]


def _kernels():
    @qd.kernel
    def u8_300(x: I64_1):
        x[0] = qd.u8(300)

    @qd.kernel
    def u16_minus_one(x: I64_1):
        x[0] = qd.u16(-1)

    @qd.kernel
    def i64_2pow63(x: I64_1):
        x[0] = qd.i64(2**63)

    @qd.kernel
    def i32_of_float(x: I64_1):
        x[0] = qd.i32(0.0)

    @qd.kernel
    def f32_of_int(x: I64_1):
        x[0] = qd.cast(qd.f32(0), qd.i64)

    @qd.kernel
    def cast_2pow31(x: I64_1):
        x[0] = qd.cast(2**31, qd.i64)

    return {
        "Integer literal 300 exceeded the range of specified dtype: u8": u8_300,
        "Integer literal -1 exceeded the range of specified dtype: u16": u16_minus_one,
        "Integer literal 9223372036854775808 exceeded the range of specified dtype: i64": i64_2pow63,
        "Floating-point literals must be annotated with a floating-point type": i32_of_float,
        "Integer literals must be annotated with a integer type": f32_of_int,
        "Integer literal 2147483648 exceeded the range of default_ip: i32": cast_2pow31,
    }


def test_typed_literal_errors_are_upstreams():
    for message, k in _kernels().items():
        with pytest.raises(qd.QuadrantsTypeError) as info:
            k(np.zeros(1, np.int64))
        assert message in str(info.value)
        assert "test_typed_literals.py" in str(info.value)  # at the user's line


def test_a_compile_time_name_is_typed_like_a_literal():
    n = 300

    @qd.kernel
    def k(x: I64_1):
        x[0] = qd.u8(n)

    with pytest.raises(qd.QuadrantsTypeError, match="Integer literal 300 exceeded the range of specified dtype: u8"):
        k(np.zeros(1, np.int64))


def test_checkpoint_labels_resolve_through_the_closure():
    class Local(enum.IntEnum):
        A = 3

    label = 4

    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(Local.A, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(label, yield_on=flag):
            for _ in range(1):
                x[1] += 1

    x = np.zeros(2, np.int32)
    status = k(x, np.zeros((), np.int32))
    assert x.tolist() == [1, 1] and not status.yielded


def test_a_kernel_local_label_does_not_resolve():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        label = 4
        with qd.checkpoint(label, yield_on=flag):
            for _ in range(1):
                x[0] += label

    with pytest.raises(qd.QuadrantsSyntaxError, match="first argument must be an int literal or an IntEnum value"):
        k(np.zeros(2, np.int32), np.zeros((), np.int32))
