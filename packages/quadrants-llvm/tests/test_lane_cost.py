"""Chunk sizes of loop-free parallel bodies follow their estimated lane cost (builder/lane_cost.py, issue 23)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.builder.lane_cost import LIGHT_COST, lane_cost
from quadrants_llvm.cpu import pool

from .conftest import const, op, ref, var

F32_1 = qd.types.NDArray[qd.f32, 1]


@qd.kernel
def light(x: F32_1):
    for i in range(x.shape[0]):
        x[i] = x[i] * 0.5 + 1.0


@qd.kernel
def heavy(x: F32_1):
    for i in range(x.shape[0]):  # no loop, but a long chain of square roots and exponentials per lane
        v = x[i]
        for _ in qd.static(range(12)):
            v = qd.sqrt(qd.exp(-v * v) + v * v + 1.0)
        x[i] = v


def test_the_light_reference_body_costs_light_cost():
    i, v = var("i"), var("v", T.f32)
    body = (
        N.Load(v, 0, (ref(i),)),
        N.Store(0, (ref(i),), op(Op.ADD, op(Op.MUL, ref(v), const(0.5, T.f32)), const(1.0, T.f32))),
    )
    assert lane_cost(body) == LIGHT_COST


def test_atomics_and_math_weigh_more_than_arithmetic():
    i = var("i")
    plain = (N.Store(0, (ref(i),), op(Op.ADD, ref(i), const(1))),)
    atomic = (N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (ref(i),), (const(1),)),)
    x = var("x", T.f32)
    math = (N.Decl(x, op(Op.EXP, const(1.0, T.f32))),)
    assert lane_cost(atomic) > 4 * lane_cost(plain)
    assert lane_cost(math) > 4 * lane_cost(plain)


@pytest.mark.skipif(pool.cpu_count() < 2, reason="needs two CPUs")
def test_heavy_loop_free_body_is_dispatched_where_a_light_one_runs_inline():
    qd.init(arch=qd.cpu)
    light(np.zeros(8, np.float32))  # binds the pool
    if pool.pool_kind() != "native":
        pytest.skip("the native pool counts dispatches")
    x = np.linspace(0.0, 1.0, 1000, dtype=np.float32)
    expected = x.copy()
    for _ in range(12):
        expected = np.sqrt(np.exp(-expected * expected) + expected * expected + 1.0)
    before = pool.stats()["jobs"]
    light(x.copy())
    assert pool.stats()["jobs"] == before  # 1000 trivial lanes: cheaper on the calling thread alone
    y = x.copy()
    heavy(y)
    assert pool.stats()["jobs"] == before + 1  # 1000 expensive lanes: worth the pool
    np.testing.assert_allclose(y, expected, rtol=1e-5)
