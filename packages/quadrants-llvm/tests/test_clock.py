"""``ReadClock`` (``qd.clock_counter()``): the cycle counter on llvm-cpu (``llvm.readcyclecounter``), ``%clock64`` in
PTX, ``s_memtime`` on AMDGPU; a read stays in its loop and two reads are never merged."""

from __future__ import annotations

import numpy as np

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.cpu import BACKEND as CPU

from .conftest import const, op, pfor, program, ref, run, var


def _stamps() -> N.Program:
    """One lane: ``len(t) - 1`` serial iterations (a run-time trip count: not unrolled), each doing ``(j + 1) * 200``
    multiply-adds and then stamping ``t[j]``; a last read into ``t[8]`` right after the loop."""
    lane, j, m = var("lane"), var("j"), var("m")
    acc = var("acc", T.f32)
    c, c2 = var("c", T.i64), var("c2", T.i64)
    work = N.RangeFor(
        m,
        const(0),
        op(Op.MUL, op(Op.ADD, ref(j), const(1)), const(200)),
        (N.Assign(acc, op(Op.ADD, op(Op.MUL, ref(acc), const(0.999, T.f32)), const(0.5, T.f32))),),
    )
    trips = op(Op.SUB, N.Shape(0, 0, T.i32), const(1))
    body = [
        N.Decl(acc, const(1.0, T.f32)),
        N.RangeFor(j, const(0), trips, (work, N.ReadClock(c), N.Store(0, (ref(j),), ref(c)))),
        N.ReadClock(c2),
        N.Store(0, (const(8),), ref(c2)),
        N.Store(1, (ref(lane),), ref(acc)),  # keeps the work
    ]
    args = [N.NdarrayArg("t", T.i64, 1), N.NdarrayArg("w", T.f32, 1)]
    return program(args, [pfor([lane], [0], [1], body)])


def test_reads_in_a_loop_tick_forward_on_the_cpu():
    t, w = np.zeros(9, np.int64), np.zeros(1, np.float32)
    run(_stamps(), t, w)
    assert (np.diff(t) > 0).all(), t  # one read per iteration (not hoisted), and the last read is its own
    assert t[0] > 0


def test_cpu_ir_keeps_a_readcyclecounter_per_read():
    text = CPU.compile(_stamps(), CompileOptions()).ir_text
    assert text.count("call i64 @llvm.readcyclecounter()") == 2  # neither merged nor dropped


def test_ptx_reads_clock64_and_amdgpu_compiles():
    from quadrants_llvm.amdgpu import compile_code_object
    from quadrants_llvm.cuda import compile_ptx

    ptx = compile_ptx(_stamps()).ptx
    # each read is a `mov.u64 %rd, %clock64` (the backend may duplicate a block between paths, never merge reads)
    assert ptx.count("%clock64") >= 2 and "mov.u64" in ptx
    assert compile_code_object(_stamps(), arch="gfx90a").code[:4] == b"\x7fELF"


def test_cuda_clock_rate_is_the_device_attribute_in_hz(monkeypatch):
    """``qd.clock_freq_hz()`` on llvm-cuda: ``CU_DEVICE_ATTRIBUTE_CLOCK_RATE`` (kHz) * 1000, through a fake driver."""
    import types

    from quadrants_llvm.cuda import backend, driver

    asked = []

    class FakeCu:
        CUdevice_attribute = types.SimpleNamespace(CU_DEVICE_ATTRIBUTE_CLOCK_RATE="clock-rate")

        def cuDeviceGetAttribute(self, attr, dev):
            asked.append((attr, dev))
            return 0, 1_755_000

    dev = driver.Device.__new__(driver.Device)
    dev.cu, dev.dev = FakeCu(), "dev0"
    monkeypatch.setattr(driver, "device", lambda: dev)
    assert backend.LlvmCudaBackend().clock_rate_hz() == 1.755e9
    assert asked == [("clock-rate", "dev0")]


def test_clock_freq_hz_names_the_backend_where_it_has_no_rate():
    import pytest

    import quadrants as qd

    qd.init(arch="llvm-cpu")
    try:
        with pytest.raises(NotImplementedError, match="clock_freq_hz not implemented for arch llvm-cpu"):
            qd.clock_freq_hz()
    finally:
        qd.reset()
