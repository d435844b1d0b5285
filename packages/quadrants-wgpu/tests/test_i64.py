"""64-bit integers, native (``shader-int64``) and emulated as u32 pairs, checked against ``quadrants.ir.numerics`` on
random and edge values (u64 too)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import dtypes as T
from quadrants.ir.numerics import OP_HANDLERS, convert
from quadrants.ir.ops import Op

EDGES = [0, 1, -1, 2, -2, 3, 7, -7, 2**31 - 1, -(2**31), 2**32 - 1, 2**32, 2**62, 2**63 - 1, -(2**63), 12345678901]


def _values(n: int, dtype) -> np.ndarray:
    rng = np.random.default_rng(7)
    rand = rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64, endpoint=True)
    small = rng.integers(-1000, 1000, n, dtype=np.int64)
    v = np.concatenate([np.array(EDGES, np.int64), rand, small])
    return v.view(np.uint64) if dtype == T.u64 else v


@pytest.fixture
def vulkan(vulkan_modes):
    """Both representations: native i64/u64 (shader-int64) and pairs of u32."""
    return vulkan_modes


@pytest.mark.parametrize("dtype", [T.i64, T.u64])
def test_binary_ops_match_reference(vulkan, dtype):
    @qd.kernel
    def k(a: qd.types.ndarray(), b: qd.types.ndarray(), o: qd.types.ndarray()):
        for i in range(a.shape[0]):
            x, y = a[i], b[i]
            o[i, 0] = x + y
            o[i, 1] = x - y
            o[i, 2] = x * y
            o[i, 3] = x // y
            o[i, 4] = x % y
            o[i, 5] = qd.raw_div(x, y)
            o[i, 6] = qd.raw_mod(x, y)
            o[i, 7] = x << (y & 63)
            o[i, 8] = x >> (y & 63)
            o[i, 9] = qd.max(x, y)
            o[i, 10] = qd.min(x, y)
            o[i, 11] = x < y
            o[i, 12] = -x

    a = _values(200, dtype)
    b = np.roll(a, 3)
    b[:4] = [0, -1 if dtype == T.i64 else 1, 3, 2**63 - 1]
    b = b.astype(dtype.np)
    o = np.zeros((len(a), 13), dtype.np)
    k(a, b, o)
    with np.errstate(all="ignore"):
        count = OP_HANDLERS[Op.BIT_AND]([b, dtype.np.type(63)], dtype)
        want = [
            OP_HANDLERS[Op.ADD]([a, b], dtype),
            OP_HANDLERS[Op.SUB]([a, b], dtype),
            OP_HANDLERS[Op.MUL]([a, b], dtype),
            OP_HANDLERS[Op.FLOORDIV]([a, b], dtype),
            OP_HANDLERS[Op.MOD]([a, b], dtype),
            OP_HANDLERS[Op.RAW_DIV]([a, b], dtype),
            OP_HANDLERS[Op.RAW_MOD]([a, b], dtype),
            OP_HANDLERS[Op.SHL]([a, count], dtype),
            OP_HANDLERS[Op.SHR]([a, count], dtype),
            OP_HANDLERS[Op.MAX]([a, b], dtype),
            OP_HANDLERS[Op.MIN]([a, b], dtype),
            convert(OP_HANDLERS[Op.LT]([a, b], dtype), dtype),
            OP_HANDLERS[Op.NEG]([a], dtype),
        ]
    for col, expected in enumerate(want):
        np.testing.assert_array_equal(o[:, col], expected, err_msg=f"column {col}")


def test_conversions_match_reference(vulkan):
    @qd.kernel
    def k(
        a: qd.types.NDArray[qd.i64, 1],
        f: qd.types.NDArray[qd.f32, 1],
        o: qd.types.NDArray[qd.f32, 1],
        back: qd.types.NDArray[qd.i64, 1],
        u: qd.types.NDArray[qd.u64, 1],
        n: qd.types.NDArray[qd.i32, 1],
    ):
        for i in range(a.shape[0]):
            o[i] = qd.cast(a[i], qd.f32)
            back[i] = qd.cast(f[i], qd.i64)
            u[i] = qd.cast(f[i], qd.u64)
            n[i] = qd.cast(a[i], qd.i32)

    a = _values(300, T.i64)
    f = np.concatenate(
        [a.astype(np.float32), np.array([np.nan, np.inf, -np.inf, 9.3e18, -9.3e18, 2e19, -0.5], np.float32)]
    )
    a = np.resize(a, len(f))
    o = np.zeros(len(f), np.float32)
    back = np.zeros(len(f), np.int64)
    u = np.zeros(len(f), np.uint64)
    n = np.zeros(len(f), np.int32)
    k(a, f, o, back, u, n)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(o, convert(a, T.f32))
        np.testing.assert_array_equal(back, convert(f, T.i64))
        np.testing.assert_array_equal(u, convert(f, T.u64))
        np.testing.assert_array_equal(n, convert(a, T.i32))
