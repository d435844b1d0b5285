"""cuda/host_values.py: which kernel variables and run-time checks the host knows before a launch, and what the
llvm-cuda executable does with them (on the stand-in driver of test_cuda_streams.py: launches and status reads are
recorded, nothing runs)."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants.ir.walk import iter_tasks
from quadrants_llvm.cuda import host_values, lane_grid

from .test_cuda_streams import FakeCu, _Array, _executable, _kernels, _program, fake_device

I32_1 = qd.types.NDArray[qd.i32, 1]


@pytest.fixture
def stand_in(monkeypatch):
    # the counts below are those of the default launch path: QD_CUDA_HOST_KVARS=1 skips the serial tasks the host
    # computes too (tested on its own below)
    monkeypatch.delenv("QD_CUDA_HOST_KVARS", raising=False)
    cu = FakeCu()
    return cu, fake_device(cu)


def _simt_after_a_shape(extra: int = 0, n: int = 32):
    """``n = x.shape[0]`` in serial code, a task before, a SIMT loop over ``n * 3 + extra`` lanes (blocks of 32), a
    task after."""

    @qd.kernel
    def k(x: I32_1, y: I32_1):
        n = x.shape[0]
        for i in range(y.shape[0]):
            y[i] = 1
        qd.loop_config(block_dim=32)
        for i in range(n * 3 + extra):
            qd.simt.block.sync()
            x[i % n] = 2
        for i in range(y.shape[0]):
            y[i] = 3

    with _kernel_vars_kept():
        return _program(k, np.zeros(n, np.int32), np.zeros(4, np.int32))  # built where the check passes


def _kernel_vars_kept():
    """The default passes without ``rematerialize_kernel_vars``, which would recompute ``n = x.shape[0]`` at its reads
    before any backend sees it: the host-side handling tested here is what remains for variables it keeps (written
    twice with different values, larger expressions) and for programs compiled without it."""
    from unittest import mock

    import quadrants.passes as passes

    kept = tuple(p for p in passes.DEFAULT_PASSES if p[0] != "rematerialize_kernel_vars")
    return mock.patch.object(passes, "DEFAULT_PASSES", kept)


class _Shaped:
    def __init__(self, *shape):
        self.shape = shape


def _passes(facts, *args) -> list[bool]:
    return [bool(host_values.evaluator(c)(list(args))) for c in facts.conditions()]


def test_a_block_dim_check_of_a_variable_set_from_a_shape_is_decided_on_the_host():
    facts = host_values.scan(_simt_after_a_shape())
    assert not facts.device_checks and len(facts.conditions()) == 1
    assert _passes(facts, _Shaped(32), _Shaped(4)) == [True]  # 96 lanes
    assert _passes(facts, _Shaped(5), _Shaped(4)) == [False]  # 15 lanes
    assert len(facts.check_only) == 1  # the check's own serial task


def test_the_slot_loop_bounds_become_a_function_of_the_arguments():
    program = _simt_after_a_shape()
    facts = host_values.scan(program)
    loops = [t for t in iter_tasks(program.items) if isinstance(t, N.ParallelFor)]
    simt = next(t for t in loops if t.simt_block)
    assert lane_grid.lane_counter(simt) is None  # its bound reads the kernel variable n
    counter = lane_grid.lane_counter(facts.bounds[id(simt)])
    assert counter([_Shaped(64), _Shaped(4)]) == 6  # 192 lanes: six blocks of 32


def test_a_variable_written_in_a_branch_stays_on_the_device():
    @qd.kernel
    def k(x: I32_1, flag: qd.i32):
        n = x.shape[0]
        if flag:
            n = 5
        qd.loop_config(block_dim=32)
        for i in range(n):
            qd.simt.block.sync()
            x[i % 8] = 2

    facts = host_values.scan(_program(k, np.zeros(64, np.int32), 0))
    assert facts.device_checks and not facts.conditions()


def test_straight_line_rewrites_are_followed_in_program_order():
    @qd.kernel
    def k(x: I32_1, y: I32_1):
        n = x.shape[0]
        n = y.shape[0] * 2
        qd.loop_config(block_dim=32)
        for i in range(n):
            qd.simt.block.sync()
            x[i % 8] = 2

    facts = host_values.scan(_program(k, np.zeros(64, np.int32), np.zeros(16, np.int32)))
    assert _passes(facts, _Shaped(5), _Shaped(16)) == [True]  # 2 * 16 lanes: the second write counts
    assert _passes(facts, _Shaped(32), _Shaped(3)) == [False]


def test_a_float_variable_and_a_checkpoint_are_never_decided():
    program = _simt_after_a_shape()
    wrapped = N.Checkpoint(0, -1, program.items)
    facts = host_values.scan(dataclasses.replace(program, items=(wrapped,)))
    assert not facts.conditions() and not facts.bounds
    assert host_values._expand(N.Const(1.5, T.f32), {}) is None


def test_a_variable_written_later_in_a_do_while_body_is_unknown_before_that_write():
    i = N.Var(1, "n", T.i32)
    write = N.SerialBlock((N.Assign(i, N.Shape(0, 0, T.i32)),))
    check = N.Check(N.OpExpr(Op.EQ, (N.LocalRef(i), N.Const(3, T.i32)), T.u1), "runtime", "m")
    decl = N.SerialBlock((N.Decl(i, N.Const(3, T.i32)),))
    loop = N.DoWhile(0, 1, (N.SerialBlock((check,)), write))
    program = _simt_after_a_shape()
    facts = host_values.scan(dataclasses.replace(program, items=(decl, loop)))
    assert facts.device_checks == {("m", None)}  # 3 on the first pass, the shape from the second on


# ------------------------------------------------------------------------------------------- the executable
def _status_reads(cu, exe) -> int:
    return len(cu.find(("dtoh", exe.ctx_ptr)))


def test_passing_host_checks_launch_without_status_reads_or_the_check_task(stand_in):
    cu, dev = stand_in
    exe = _executable(dev, _simt_after_a_shape())
    assert not exe.read_status and len(exe.skippable) == 1
    x, y = _Array(dev, 32), _Array(dev, 4)
    x.shape, y.shape = (32,), (4,)
    exe.launch([x, y])
    assert len(_kernels(cu)) == len(exe.tasks) - 1 and _status_reads(cu, exe) == 0
    (k,) = exe.skippable
    assert all(cu.nodes[n]["what"][1] != exe.tasks[k][0] for n in _kernels(cu))


def test_a_failing_host_check_launches_task_by_task_with_status_reads(stand_in):
    cu, dev = stand_in
    exe = _executable(dev, _simt_after_a_shape(extra=1, n=21))  # 3n + 1 lanes: 64 for n = 21, 97 for n = 32
    x, y = _Array(dev, 32), _Array(dev, 4)
    x.shape, y.shape = (32,), (4,)
    exe.launch([x, y])  # the stand-in device never writes the status: every task runs, each followed by a read
    assert len(_kernels(cu)) == len(exe.tasks) and _status_reads(cu, exe) == len(exe.tasks)


def test_a_do_while_with_a_host_checked_simt_task_fuses_into_one_block_with_shared_rows():
    """Genesis's solver loop in small: the SIMT task's block_dim check is decided on the host, so the loop may run as
    one block (builder/block_loops.py) and its shared array lives in block shared memory (builder/block_shared.py)."""
    import shutil
    import subprocess

    from quadrants.backend import CompileOptions
    from quadrants_llvm.builder.block_loops import fusable
    from quadrants_llvm.cuda.compiler import compile_block_loops, gpu_target
    from quadrants_llvm.target import NVPTX

    @qd.kernel(graph=True)
    def k(c: qd.types.NDArray[qd.i32, 0], x: I32_1):
        while qd.graph.do_while(c):
            n = x.shape[0]
            qd.loop_config(block_dim=32)
            for i in range(n):
                sh = qd.simt.block.SharedArray((32,), qd.i32)
                sh[i % 32] = x[i]
                qd.simt.block.sync()
                x[i] = sh[31 - i % 32]
            for _ in range(1):
                c[()] = c[()] - 1

    counter = np.ones((), np.int32)
    program = _program(k, counter, np.arange(64, dtype=np.int32))
    (loop,) = program.items
    facts = host_values.scan(program)
    assert not fusable(loop)  # the check, unless the host decides it
    assert fusable(loop, lambda check: facts.decided(host_values.check_key(check.message, check.loc)))
    tasks = list(range(len(loop.body)))
    ptx = (
        compile_block_loops(program, CompileOptions(), gpu_target(NVPTX, "sm_90"), {0: (loop, tasks)})
        .decode()
        .rstrip("\0")
    )
    assert ".visible .entry qd_loop_0(" in ptx and ".shared .align 16 .b8" in ptx and "st.shared" in ptx
    if shutil.which("ptxas"):
        path = Path(tempfile.mkdtemp()) / "loop.ptx"
        path.write_text(ptx)
        subprocess.run(["ptxas", "-arch=sm_90", str(path), "-o", os.devnull], check=True)


# ------------------------------------------------------------------------------- kernel variables from the host
def test_a_serial_task_that_only_declares_known_variables_is_host_only():
    program = _simt_after_a_shape()
    facts = host_values.scan(program)
    (n,) = [v for v in facts.kernel_var_values if v.name == "n"]
    assert len(facts.host_only) == 2  # `n = x.shape[0]` and the block_dim check
    words = host_values.KernelVarWords(facts.kernel_var_values, {n.id: 9})
    assert (words.first, words.count) == (9, 1)
    assert words.pack([_Shaped(40), _Shaped(4)]) == (40).to_bytes(4, "little") + bytes(4)


def test_host_written_kernel_variables_replace_their_tasks_when_opted_in(stand_in, monkeypatch):
    monkeypatch.setenv("QD_CUDA_HOST_KVARS", "1")
    cu, dev = stand_in
    program = _simt_after_a_shape()
    exe = _executable(dev, program)
    facts = host_values.scan(program)
    assert len(exe.skippable) == len(facts.host_only) == 2
    x, y = _Array(dev, 32), _Array(dev, 4)
    x.shape, y.shape = (32,), (4,)
    exe.launch([x, y])
    kvars = exe.ctx_ptr + 8 * exe._kvar_words.first
    assert len(cu.find(("args", kvars))) == 1 and len(_kernels(cu)) == len(exe.tasks) - 2
    assert cu.before(cu.find(("args", kvars))[0], _kernels(cu)[0])  # written before the first task runs
    exe.launch([x, y])  # the same words: not copied again
    assert len(cu.find(("args", kvars))) == 1
    short = _Array(dev, 20)  # 60 lanes: the check fails, every task runs (and writes n itself)
    short.shape = (20,)
    exe.launch([short, y])
    assert _status_reads(cu, exe) == len(exe.tasks) and exe._kvar_last is None
