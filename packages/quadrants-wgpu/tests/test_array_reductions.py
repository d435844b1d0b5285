"""Ndarray elements that every lane reduces into (``t[()] += x[i]``): one accumulator per invocation, a workgroup
tree, one atomic per workgroup (issue 22). Results against NumPy, with and without the native shader features, and
the emitted WGSL: the per-element atomic is gone where the analysis allows it and kept where it does not."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_wgpu.wgsl.emit import ARRAY_REDUCTION_BYTES, WORKGROUP_SIZE, emit_program
from quadrants_wgpu.wgsl.target import ShaderTarget

from .conftest import var

F32_1 = qd.types.NDArray[qd.f32, 1]
I32_1 = qd.types.NDArray[qd.i32, 1]


def test_sum_min_max_and_int_reductions_match_numpy(vulkan_modes):
    @qd.kernel
    def k(x: F32_1, n: I32_1, t: qd.types.NDArray[qd.f32, 0], lo: F32_1, ints: I32_1):
        for i in range(x.shape[0]):
            t[()] += x[i]
            qd.atomic_min(lo[1], x[i])
            qd.atomic_max(lo[0], x[i])
            ints[0] += n[i]
            qd.atomic_xor(ints[1], n[i])
            qd.atomic_max(ints[2], n[i])

    size = 100_003  # not a multiple of the workgroup size: the last workgroup's idle lanes add identities
    rng = np.random.default_rng(1)
    x = rng.integers(-64, 64, size).astype(np.float32) / 4  # exact sums in any order
    n = rng.integers(-1000, 1000, size).astype(np.int32)
    t, lo, ints = qd.ndarray(qd.f32, ()), qd.ndarray(qd.f32, 2), qd.ndarray(qd.i32, 3)
    lo.from_numpy(np.array([-1e30, 1e30], np.float32))
    ints.from_numpy(np.array([5, 0, -(2**31)], np.int32))
    k(_nd(x), _nd(n), t, lo, ints)
    assert t[()] == x.sum()
    np.testing.assert_array_equal(lo.to_numpy(), [x.max(), x.min()])
    np.testing.assert_array_equal(ints.to_numpy(), [5 + n.sum(), np.bitwise_xor.reduce(n), n.max()])


def _nd(a: np.ndarray):
    out = qd.ndarray(qd.f32 if a.dtype == np.float32 else qd.i32, a.shape)
    out.from_numpy(a)
    return out


def test_a_conditional_update_and_a_negative_zero_target(vulkan_modes):
    @qd.kernel
    def k(x: F32_1, t: F32_1):
        for i in range(x.shape[0]):
            if x[i] > 0:
                t[1] += x[i]

    x = np.arange(-300, 700, dtype=np.float32)
    t = _nd(np.array([-0.0, -0.0], np.float32))
    k(_nd(-np.abs(x)), t)  # no lane adds: the flushed identity (-0.0) keeps both signs
    assert np.signbit(t.to_numpy()).all()
    k(_nd(x), t)
    assert t[1] == x[x > 0].sum() and np.signbit(t[0])


def test_target_at_a_scalar_argument_index(vulkan_modes):
    @qd.kernel
    def k(x: I32_1, h: I32_1, which: qd.i32):
        for i in range(x.shape[0]):
            h[which] += x[i]

    h = qd.ndarray(qd.i32, 4)
    k(_nd(np.ones(70_000, np.int32)), h, 2)
    np.testing.assert_array_equal(h.to_numpy(), [0, 0, 70_000, 0])


# ----------------------------------------------------------------------------------------------- emitted WGSL


def _sum_program(debug=False, old_used=False, extra_load=False, ntargets=1, dtype=T.f32) -> N.Program:
    i, xv, old = var("i"), var("xv", dtype), var("old", dtype)
    body = [N.Load(xv, 0, (N.LocalRef(i),))]
    for k in range(ntargets):
        body.append(N.AtomicRMW(old if old_used else None, Op.ATOMIC_ADD, 1, (N.Const(k, T.i32),), (N.LocalRef(xv),)))
    if old_used:
        body.append(N.Store(0, (N.LocalRef(i),), N.LocalRef(old)))
    if extra_load:
        body.append(N.Load(var("y", dtype), 1, (N.Const(0, T.i32),)))
    args = (N.NdarrayArg("x", dtype, 1), N.NdarrayArg("t", dtype, 1))
    pf = N.ParallelFor((i,), (N.Const(0, T.i32),), (N.Shape(0, 0, T.i32),), tuple(body))
    return N.Program("total", args, (), (), (pf,), debug=debug)


NATIVE = ShaderTarget(f32_atomic_add=True)


def test_a_reduction_has_one_atomic_per_workgroup():
    wgsl = emit_program(_sum_program(), NATIVE).shaders[0].wgsl
    assert "var<workgroup> qd_red0: array<f32, 256>" in wgsl
    assert "qd_acc0 = (qd_acc0 + v" in wgsl  # the lane's update is a plain add
    loop = wgsl[wgsl.index("for (var qd_g") : wgsl.index("workgroupBarrier")]
    assert "qd_atomic_add_a1" not in loop
    flush = wgsl.split("if (qd_lid == 0u) {")[1]
    assert "_ = qd_atomic_add_a1(bitcast<u32>(qd_i0), qd_red0[0]);" in flush


@pytest.mark.parametrize(
    "program",
    [_sum_program(debug=True), _sum_program(old_used=True), _sum_program(extra_load=True)],
    ids=["debug", "old-value-used", "target-also-loaded"],
)
def test_not_a_reduction_keeps_the_per_update_atomic(program):
    wgsl = emit_program(program, NATIVE).shaders[0].wgsl
    assert "var<workgroup>" not in wgsl
    loop = wgsl[wgsl.index("for (var qd_g") :]
    assert "qd_atomic_add_a1(" in loop


def test_workgroup_memory_is_bounded():
    per_target = WORKGROUP_SIZE * 4
    fits = ARRAY_REDUCTION_BYTES // per_target
    wgsl = emit_program(_sum_program(ntargets=fits + 3), NATIVE).shaders[0].wgsl
    assert wgsl.count("var<workgroup>") == fits
    loop = wgsl[wgsl.index("for (var qd_g") : wgsl.index("workgroupBarrier")]
    assert loop.count("qd_atomic_add_a1(") == 3  # the targets beyond the budget keep their atomics


def test_one_axis_index_has_no_remainder():
    wgsl = emit_program(_sum_program(), NATIVE).shaders[0].wgsl
    assert "qd_g % qd_x0" not in wgsl and "bitcast<i32>(qd_g)" in wgsl


def test_reduction_shaders_are_valid_for_the_device(device):
    for dtype in (T.f32, T.i32, T.i64, T.u8):
        for target in (device.target, ShaderTarget()):
            device.device.create_shader_module(code=emit_program(_sum_program(dtype=dtype), target).shaders[0].wgsl)


def test_reduction_tasks_run_a_bounded_number_of_workgroups(device):
    from quadrants_wgpu.runtime.executable import REDUCTION_GROUPS, WgpuExecutable

    limit = device.device.limits["max-compute-workgroups-per-dimension"]
    cap = REDUCTION_GROUPS["software" if device.is_software else "gpu"]
    reducing, plain = _sum_program(), _sum_program(old_used=True)
    for program, expected in ((reducing, cap), (plain, limit)):
        emitted = emit_program(program, device.target)
        assert emitted.shaders[0].reduces == (program is reducing)
        (task,) = WgpuExecutable(program, emitted, device)._tasks
        assert task.max_groups == expected


# ------------------------------------------------------------------------------- workgroup-private histograms


@pytest.mark.parametrize("bins", [256, 1024, 5000], ids=["small", "at-limit", "device-atomics"])
def test_histograms_match_numpy(vulkan_modes, bins):
    @qd.kernel
    def k(x: I32_1, h: I32_1, h2: qd.types.NDArray[qd.u32, 2]):
        for i in range(x.shape[0]):
            h[x[i]] += 1
            qd.atomic_add(h2[x[i] % 4, x[i] // 4], qd.u32(3))

    keys = np.random.default_rng(2).integers(0, bins, 70_001).astype(np.int32)
    h, h2 = qd.ndarray(qd.i32, bins), qd.ndarray(qd.u32, (4, (bins + 3) // 4))
    h.from_numpy(np.full(bins, 7, np.int32))  # the flush adds to what is there
    k(_nd(keys), h, h2)
    counts = np.bincount(keys, minlength=bins)
    np.testing.assert_array_equal(h.to_numpy(), counts + 7)
    want2 = np.zeros((4, (bins + 3) // 4), np.uint32)
    np.add.at(want2, (keys % 4, keys // 4), 3)
    np.testing.assert_array_equal(h2.to_numpy(), want2)


def _hist_program(dtype=T.i32, op=Op.ATOMIC_ADD, also_load=False, debug=False) -> N.Program:
    i, key = var("i"), var("key")
    body = [N.Load(key, 0, (N.LocalRef(i),)), N.AtomicRMW(None, op, 1, (N.LocalRef(key),), (N.Const(1, dtype),))]
    if also_load:
        body.append(N.Load(var("h", dtype), 1, (N.LocalRef(i),)))
    args = (N.NdarrayArg("x", T.i32, 1), N.NdarrayArg("h", dtype, 1))
    pf = N.ParallelFor((i,), (N.Const(0, T.i32),), (N.Shape(0, 0, T.i32),), tuple(body))
    return N.Program("hist", args, (), (), (pf,), debug=debug)


def test_a_histogram_updates_a_workgroup_copy():
    shader = emit_program(_hist_program()).shaders[0]
    assert "var<workgroup> qd_priv1: array<atomic<i32>, 1024>" in shader.wgsl
    assert "_ = atomicAdd(&qd_priv1[" in shader.wgsl and shader.reduces


@pytest.mark.parametrize(
    "program",
    [
        _hist_program(dtype=T.f32),
        _hist_program(op=Op.ATOMIC_MAX),
        _hist_program(also_load=True),
        _hist_program(debug=True),
    ],
    ids=["float", "max", "also-loaded", "debug"],
)
def test_not_privatized(program):
    shader = emit_program(program, NATIVE).shaders[0]
    assert "qd_priv" not in shader.wgsl and not shader.reduces


def test_histogram_shaders_are_valid_for_the_device(device):
    for dtype in (T.i32, T.u32):
        device.device.create_shader_module(code=emit_program(_hist_program(dtype), device.target).shaders[0].wgsl)
