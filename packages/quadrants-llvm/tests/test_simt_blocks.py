"""qd.simt slot loops on GPU thread blocks (``quadrants_llvm.builder.simt_blocks``, issue 24): the IR marks, which
loops qualify, the barriers in the PTX, the launch shape, and runs of the lowering on the host with the threads of a
block running concurrently (``block_emulator``), compared bit for bit with llvm-cpu."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.printer import format_program
from quadrants.ir.walk import iter_stmts, iter_tasks
from quadrants_llvm.builder import simt_blocks
from quadrants_llvm.cuda import lane_grid
from quadrants_llvm.target import AMDGPU, NVPTX

from . import block_emulator
from .block_emulator import Deadlock, emulate_blocks

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]


@pytest.fixture(scope="module", autouse=True)
def _cpu():
    qd.init(arch="llvm-cpu")


@pytest.fixture(autouse=True)
def _slots_on_blocks(monkeypatch):
    """Slots on thread blocks are the default; the variable is set in case the environment running the tests says 0."""
    monkeypatch.setenv("QD_CUDA_SIMT_BLOCKS", "1")


def test_slots_run_on_blocks_by_default_and_the_artifact_says_how_it_was_compiled(monkeypatch):
    from quadrants.backend import CompileOptions
    from quadrants_llvm.cuda.backend import compile_ptx

    task = _lowered(shift, np.zeros(N_SHIFT, np.int32))
    program = shift._last.program
    monkeypatch.delenv("QD_CUDA_SIMT_BLOCKS")
    assert simt_blocks.enabled() and simt_blocks.plan(SimpleNamespace(target=NVPTX), task) > 0
    assert compile_ptx(program, CompileOptions()).simt_blocks
    monkeypatch.setenv("QD_CUDA_SIMT_BLOCKS", "0")
    assert not compile_ptx(program, CompileOptions()).simt_blocks  # the executable launches what was compiled


def _both(kernel, *inputs, **emu):
    """Run ``kernel`` on llvm-cpu and on the block emulator from the same inputs; return both results per input."""
    cpu = [x.copy() if isinstance(x, np.ndarray) else x for x in inputs]
    kernel(*cpu)
    compiled = kernel._last
    values = []
    for spec, source in zip(compiled.program.args, compiled.arg_sources, strict=True):
        if source[0] == "simt_scratch":
            values.append(np.zeros(source[1], block_emulator.numpy_dtype(spec.dtype)))
        else:
            assert source[0] == "param", source
            x = inputs[source[1]]
            values.append(x.copy() if isinstance(x, np.ndarray) else x)
    result = emulate_blocks(compiled.program, values, **emu)
    emulated = [values[k] for k, s in enumerate(compiled.arg_sources) if s[0] == "param"]
    return cpu, emulated, result


def _assert_same(cpu, emulated):
    for a, b in zip(cpu, emulated, strict=True):
        if isinstance(a, np.ndarray):
            assert a.tobytes() == b.tobytes(), (a, b)


# ------------------------------------------------------------------------------------------------------ kernels
N_SHIFT = 96


@qd.kernel
def shift(x: I32_1):
    qd.loop_config(block_dim=32)
    for i in range(N_SHIFT):
        sh = qd.simt.block.SharedArray((32,), qd.i32)
        tid = qd.simt.block.thread_idx()
        sh[tid] = i * 10
        qd.simt.block.sync()
        x[i] = sh[(tid + 1) % 32]


@qd.kernel
def staged(x: I32_1, rounds: qd.i32):
    """A block-uniform loop around barriers (block-level loads of lane 0's loop state) and a running local."""
    qd.loop_config(block_dim=64)
    for i in range(256):
        sh = qd.simt.block.SharedArray((64,), qd.i32)
        tid = qd.simt.block.thread_idx()
        acc = x[i]
        r = 0
        while r < rounds:
            sh[tid] = acc
            qd.simt.block.sync()
            acc = acc + sh[(tid + 1) % 64] + r
            qd.simt.block.sync()
            r += 1
        x[i] = acc


@qd.kernel
def block_sums(v: F32_1, out: F32_1, total: F32_1):
    """A block reduction through a shared array, a subgroup reduction and an atomic into one element."""
    qd.loop_config(block_dim=48)
    for i in range(240):
        sh = qd.simt.block.SharedArray((48,), qd.f32)
        tid = qd.simt.block.thread_idx()
        sh[tid] = v[i]
        qd.simt.block.sync()
        if tid == 0:
            s = 0.0
            for j in range(48):
                s += sh[j]
            out[i // 48] = s
        qd.atomic_add(total[0], 1.0)


@qd.kernel
def subgroup_sums(v: I32_1, out: I32_1):
    qd.loop_config(block_dim=64)
    for i in range(128):
        out[i] = qd.simt.subgroup.reduce_add(v[i])


def _values(n, dtype=np.int32):
    return ((np.arange(n) * 37 + 11) % 23 - 7).astype(dtype)


# ---------------------------------------------------------------------------------------------------- IR and plan
def _lowered(kernel, *args):
    kernel(*args)
    return [t for t in iter_tasks(kernel._last.program.items) if isinstance(t, N.ParallelFor)][-1]


def test_the_lowering_marks_the_slot_loop_and_its_phases():
    task = _lowered(shift, np.zeros(N_SHIFT, np.int32))
    assert task.simt_block == 32
    phases = [s for s in iter_stmts(task.body) if isinstance(s, N.RangeFor) and s.simt_phase]
    assert len(phases) == 2
    text = format_program(shift._last.program)
    assert "simt_block 32" in text and text.count("simt_phase") == 2


def test_plain_parallel_loops_carry_no_marks():
    @qd.kernel
    def plain(x: I32_1):
        for i in range(8):
            for j in range(3):
                x[i] += j

    task = _lowered(plain, np.zeros(8, np.int32))
    assert task.simt_block == 0
    assert not any(isinstance(s, N.RangeFor) and s.simt_phase for s in iter_stmts(task.body))


def test_only_targets_with_a_block_barrier_run_slots_on_blocks():
    task = _lowered(shift, np.zeros(N_SHIFT, np.int32))
    assert simt_blocks.plan(SimpleNamespace(target=NVPTX), task) == 32
    assert simt_blocks.plan(SimpleNamespace(target=AMDGPU), task) == 0  # AMDGPU keeps one thread per slot


def test_block_level_side_effects_keep_one_thread_per_slot():
    task = _lowered(shift, np.zeros(N_SHIFT, np.int32))
    store = N.Store(0, (N.Const(0, T.i32),), N.Const(1, T.i32))
    loop = next(s for s in task.body if isinstance(s, N.Loop))
    changed = replace(task, body=tuple(replace(loop, body=(*loop.body, store)) if s is loop else s for s in task.body))
    assert simt_blocks.slot_block(changed) == 0
    assert "Store" in simt_blocks.why_one_thread(changed)
    # a rewrite that dropped the phase marks leaves per-lane code outside any phase: the same
    unmarked = replace(task, body=tuple(_unmark(s) for s in task.body))
    assert simt_blocks.slot_block(unmarked) == 0


def _unmark(s):
    if isinstance(s, N.RangeFor):
        return replace(s, simt_phase=False, body=tuple(_unmark(x) for x in s.body))
    if isinstance(s, N.Loop):
        return replace(s, body=tuple(_unmark(x) for x in s.body))
    return s


def test_leading_barriers_only_where_block_level_loads_ran():
    assert simt_blocks.leading_barriers(_lowered(shift, np.zeros(N_SHIFT, np.int32)).body) == frozenset()
    task = _lowered(staged, np.zeros(256, np.int32), 3)
    phases = [s for s in iter_stmts(task.body) if isinstance(s, N.RangeFor) and s.simt_phase]
    leading = simt_blocks.leading_barriers(task.body)
    assert leading and leading < {id(p) for p in phases}


def test_threads_and_grid_of_a_slot_loop():
    assert [simt_blocks.threads_for(b) for b in (1, 32, 48, 128, 1000, 4096)] == [32, 32, 64, 128, 1024, 1024]
    task = _lowered(staged, np.zeros(256, np.int32), 3)  # 4 blocks of 64 lanes: 4 slots
    counter = lane_grid.lane_counter(task)
    # the executable's launch: a slot per block of threads_for(B) threads, the grid counts slots
    assert lane_grid.launch_dims(counter, [None, 3], 64, 500, 132, False, per_lane=64) == (4, 64)
    assert lane_grid.launch_dims(counter, [None, 3], 64, 3, 132, False, per_lane=64) == (3, 64)  # full grid: 3


# ------------------------------------------------------------------------------------------------------------ PTX
def test_ptx_has_a_barrier_per_phase_and_walks_slots_by_block():
    from quadrants_llvm.cuda import compile_ptx

    shift(np.zeros(N_SHIFT, np.int32))
    ptx = compile_ptx(shift._last.program).ptx
    assert ptx.count("barrier.sync") == 2  # one after each of the two phases, none before (no block-level loads)
    assert "%nctaid.x" in ptx and "%ntid.x" in ptx
    staged(np.zeros(256, np.int32), 3)
    art = compile_ptx(staged._last.program)
    assert art.ptx.count("barrier.sync") >= 3  # two phases in the loop, one after, leading barriers after lane-0 loads
    if shutil.which("ptxas"):
        for ptx in art.ptx_modules:
            _ptxas(ptx)


def test_amdgpu_code_has_no_block_barrier():
    from quadrants_llvm.amdgpu import compile_code_object

    shift(np.zeros(N_SHIFT, np.int32))
    art = compile_code_object(shift._last.program)
    assert "s.barrier" not in art.ir_text and "barrier.cta" not in art.ir_text


def _ptxas(ptx: str, tmp="/tmp") -> None:
    import tempfile

    with tempfile.TemporaryDirectory(dir=tmp) as d:
        with open(f"{d}/k.ptx", "w", encoding="utf-8") as f:
            f.write(ptx)
        r = subprocess.run(["ptxas", "-arch=sm_90", f"{d}/k.ptx", "-o", f"{d}/k.cubin"], capture_output=True)
        assert r.returncode == 0, r.stderr.decode()


# ----------------------------------------------------------------------------------------------- host execution
def test_shared_array_exchange_matches_llvm_cpu():
    cpu, emulated, result = _both(shift, np.zeros(N_SHIFT, np.int32), blocks=2)
    _assert_same(cpu, emulated)
    assert emulated[0][:3].tolist() == [10, 20, 30] and emulated[0][31] == 0  # x[i] = 10 * (i + 1) in the block
    assert result["barriers"] == [0, 3 * 32 * 2]  # 3 slots (blocks of 2 walk them), 32 threads, 2 barriers each


@pytest.mark.parametrize("dims", [None, (3, 32), (1, 128)])
def test_block_uniform_loop_matches_llvm_cpu(dims):
    """``None``: 2 blocks of 64 threads; ``(3, 32)``: fewer threads than lanes (two lanes per thread per phase) and
    a grid that is not a divisor of the slots; ``(1, 128)``: idle threads at every barrier."""
    over = (lambda task: dims if isinstance(task, N.ParallelFor) else (1, 1)) if dims else None
    cpu, emulated, _ = _both(staged, _values(256), 4, blocks=2, dims=over)
    _assert_same(cpu, emulated)


def test_reductions_atomics_and_a_block_size_off_the_warp_match_llvm_cpu():
    inputs = (_values(240, np.float32), np.zeros(5, np.float32), np.zeros(1, np.float32))
    cpu, emulated, result = _both(block_sums, *inputs, blocks=2)
    _assert_same(cpu, emulated)
    assert emulated[2][0] == 240.0 and emulated[1][0] == np.float32(_values(48).sum())
    assert max(result["barriers"]) % 64 == 0  # 48 lanes on 64 threads: every thread reaches every barrier


def test_subgroup_reduction_matches_llvm_cpu():
    cpu, emulated, _ = _both(subgroup_sums, _values(128), np.zeros(128, np.int32), blocks=2)
    _assert_same(cpu, emulated)
    assert emulated[1][0] == _values(128)[:32].sum()


def test_a_barrier_some_thread_misses_is_reported():
    """The emulator's own check: a kernel in which only thread 0 waits breaks the barrier and raises."""

    @ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    def kernel(_ctx):
        if block_emulator._tls.index[0] == 0:
            block_emulator._wait(0)

    with pytest.raises(Deadlock):
        block_emulator._run_block(kernel, np.zeros(4, np.int64), 0, (1, 2), 0.5, [0])


def test_the_switch_keeps_blocks_on_one_thread(monkeypatch):
    task = _lowered(shift, np.zeros(N_SHIFT, np.int32))
    monkeypatch.setenv("QD_CUDA_SIMT_BLOCKS", "0")
    assert simt_blocks.plan(SimpleNamespace(target=NVPTX), task) == 0
    cpu, emulated, result = _both(shift, np.zeros(N_SHIFT, np.int32), blocks=2)
    _assert_same(cpu, emulated)
    assert result["barriers"] == [0, 0]  # the old lowering: a block's lanes one after another on one thread


@qd.func
def _block_sum(value):
    """As Genesis's ``qd_block_sum``: a tiled subgroup sum, then every lane takes its tile's first lane's bits."""
    total = qd.simt.subgroup.reduce_all_add_tiled(value, 5)
    return qd.simt.subgroup.shuffle(total, qd.u32(qd.simt.subgroup.invocation_id() >> 5 << 5))


@qd.kernel
def islands(counts: I32_1, improved: I32_1, v: F32_1, out: F32_1, iters: I32_1):
    """The shape of Genesis's line search: per block, a block-level loop over a loaded count, a condition read from an
    array around block sums, a lane-0 publish, then a convergence loop whose exit is read from a shared array."""
    qd.loop_config(block_dim=32)
    for i in range(128):
        tid = qd.simt.block.thread_idx()
        b = i // 32
        sh = qd.simt.block.SharedArray((32,), qd.f32)
        done = qd.simt.block.SharedArray((1,), qd.i32)
        sh[tid] = 0.0
        if tid == 0:
            done[0] = 0
        n_group = counts[b]
        qd.simt.block.sync()
        for g in range(n_group):
            if improved[b * 4 + g] != 0:
                acc = 0.0
                k = tid
                while k < 40:
                    acc += v[(b * 40 + k) % 160] * (g + 1)
                    k += 32
                total = _block_sum(acc)
                if tid == g:
                    sh[tid] = total
        qd.simt.block.sync()
        it = 0
        while it < 8:
            x = sh[tid] * 0.5 + sh[(tid + 1) % 32] * 0.25
            qd.simt.block.sync()
            sh[tid] = x
            if tid == 0 and sh[0] < 0.01:
                done[0] = 1
            qd.simt.block.sync()
            it += 1
            if done[0] != 0:
                break
        out[i] = sh[tid]
        if tid == 0:
            iters[b] = it


def test_a_genesis_shaped_solver_block_matches_llvm_cpu():
    inputs = (
        np.array([3, 0, 4, 2], np.int32),
        np.array([1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1], np.int32),
        (_values(160, np.float32) * np.float32(0.01)),
        np.zeros(128, np.float32),
        np.zeros(4, np.int32),
    )
    task = _lowered(islands, *[x.copy() for x in inputs])
    assert simt_blocks.slot_block(task) == 32, simt_blocks.why_one_thread(task)
    assert simt_blocks.leading_barriers(task.body)  # lane-0 loads of the loop state before later phases
    for over in (None, lambda t: (3, 64) if isinstance(t, N.ParallelFor) else (1, 1)):
        cpu, emulated, _ = _both(islands, *inputs, blocks=2, dims=over)
        _assert_same(cpu, emulated)
    assert emulated[4].tolist() != [8, 8, 8, 8] and emulated[3].any()  # some block left its loop early


def test_a_kernel_whose_registers_allow_fewer_threads_gets_fewer():
    from quadrants_llvm.cuda.driver import fit_threads as _fit_threads

    def dev(most):
        attrs = SimpleNamespace(CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK=8)
        cu = SimpleNamespace(CUfunction_attribute=attrs, cuFuncGetAttribute=lambda a, fn: (0, most))
        return SimpleNamespace(cu=cu)

    assert _fit_threads(dev(1024), None, 512) == 512
    assert _fit_threads(dev(400), None, 512) == 384  # whole warps: the per-warp reduction combine needs them
    assert _fit_threads(SimpleNamespace(cu=SimpleNamespace()), None, 256) == 256  # no query: unchanged


def test_simt_conformance_cases_replay_on_the_block_emulator(tmp_path):
    """Every SIMT and tile conformance case through ``block_emulator_plugin``: each launch replayed with a block's
    threads running concurrently, bit-identical to llvm-cpu, every slot loop on thread blocks."""
    import os
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    log = tmp_path / "replayed.txt"
    env = {
        **os.environ,
        "QD_CUDA_SIMT_BLOCKS": "1",
        "PYTHONPATH": os.pathsep.join([str(here), os.environ.get("PYTHONPATH", "")]),
        "QD_BLOCK_EMU_LOG": str(log),
    }
    cmd = [sys.executable, "-m", "pytest", "--pyargs", "quadrants_conformance.cases", "--backend", "llvm-cuda-blocks"]
    cmd += ["-p", "block_emulator_plugin", "-k", "simt or tile", "-q", "-p", "no:cacheprovider"]
    cmd += ["--conformance-json", str(tmp_path / "report.json")]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
    lines = log.read_text().splitlines()
    assert len(lines) >= 30  # the launches of the simt and tile cases
    assert all(", 0)" not in line for line in lines)  # no slot loop stayed on one thread
