"""qd.simt lowering (frontend/simt.py, simt_lowering.py, simt_ops.py; docs/simt.md): the shape of the lowered task,
what stays untouched, the scratch arrays, and the errors. Results on every backend: conformance module test_simt."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.frontend.simt import SLOTS
from quadrants.ir import nodes as ir

I1 = qd.types.NDArray[qd.i32, 1]


def test_a_barrier_turns_the_loop_into_block_slots(lower):
    @qd.kernel
    def k(x: I1):
        qd.loop_config(block_dim=32)
        for i in range(64):
            y = i * 2
            qd.simt.block.sync()
            x[i] = y

    program = lower(k, np.zeros(64, np.int32))
    check, task = program.items[-2], program.items[-1]
    assert isinstance(check, ir.SerialBlock) and isinstance(check.body[0], ir.Check)
    assert isinstance(task, ir.ParallelFor) and len(task.vars) == 1
    # y lives across the barrier: one per-lane scratch array of SLOTS x block_dim
    scratch = [a for a in program.args if a.name.startswith("qd_simt_lane_")]
    assert len(scratch) == 1 and scratch[0].dtype == qd.i32 and scratch[0].ndim == 2


def test_thread_and_global_indices_do_not_need_blocks(lower):
    @qd.kernel
    def k(x: I1):
        qd.loop_config(block_dim=16)
        for i in range(64):
            x[i] = qd.simt.block.thread_idx() + qd.global_thread_idx()

    program = lower(k, np.zeros(64, np.int32))
    assert len(program.items) == 1 and isinstance(program.items[0], ir.ParallelFor)
    assert [a.name for a in program.args] == ["x"]


def test_results_and_scratch_reuse_across_launches():
    qd.init(arch="ref")
    try:

        @qd.kernel
        def k(x: I1):
            qd.loop_config(block_dim=32)
            for i in range(64):
                sh = qd.simt.block.SharedArray((32,), qd.i32)
                sh[qd.simt.block.thread_idx()] = i
                qd.simt.block.sync()
                x[i] = sh[31 - qd.simt.block.thread_idx()]

        from quadrants.runtime.state import RUNTIME

        x = qd.ndarray(qd.i32, (64,))
        k(x)
        first = dict(RUNTIME.session.scratch)
        k(x)
        expected = [(i // 32) * 32 + 31 - i % 32 for i in range(64)]
        assert x.to_numpy().tolist() == expected
        assert len(first) == 1 and RUNTIME.session.scratch == first  # allocated once, reused by the second launch
    finally:
        qd.reset()


def test_slots_bound_the_scratch_rows(lower):
    @qd.kernel
    def k(x: I1):
        qd.loop_config(block_dim=8)
        for i in range(64):
            sh = qd.simt.block.SharedArray((8, 2), qd.f32)
            sh[i % 8, 1] = 1.0
            x[i] = 1

    program = lower(k, np.zeros(64, np.int32))
    shared = [a for a in program.args if a.name.startswith("qd_simt_shared")]
    assert len(shared) == 1 and shared[0].ndim == 3 and shared[0].dtype == qd.f32
    assert SLOTS >= 64


def test_barrier_under_an_unsupported_statement_is_an_error(lower):
    @qd.kernel
    def k(x: I1):
        for i in range(32):
            qd.simt.block.sync()
            x[i] = 1

    lower(k, np.zeros(32, np.int32))  # default block_dim 128 > 32 iterations: a runtime check, not a compile error


def test_python_scope_errors_point_at_the_caller():
    with pytest.raises(qd.QuadrantsSyntaxError, match="can only be called") as info:
        qd.simt.subgroup.shuffle(1, 0)
    assert info.value.loc.file == __file__
    with pytest.raises(qd.QuadrantsSyntaxError, match="SharedArray can only be created"):
        qd.simt.block.SharedArray((4,), qd.f32)


def test_group_size_is_32_everywhere():
    assert qd.simt.subgroup.group_size() == 32
    assert qd.simt.subgroup.log2_group_size() == 5


def test_tile_constructors_are_kernel_only():
    with pytest.raises(qd.QuadrantsSyntaxError, match="can only be called in kernel code"):
        qd.simt.Tile16x16.zeros(dtype=qd.f32)


def test_block_reduce_checks_block_dim(lower):
    @qd.kernel
    def k(x: I1):
        qd.loop_config(block_dim=32)
        for i in range(64):
            x[i] = qd.simt.block.reduce_add(i, 64, qd.i32)

    with pytest.raises(qd.QuadrantsTypeError, match=r"does not match the loop.s qd\.loop_config"):
        lower(k, np.zeros(64, np.int32))


def test_block_local_accepts_fields_only(lower):
    @qd.kernel
    def k(x: I1):
        qd.block_local(1.0)
        for i in range(4):
            x[i] = 1

    with pytest.raises(qd.QuadrantsTypeError, match="takes fields"):
        lower(k, np.zeros(4, np.int32))
