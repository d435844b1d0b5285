"""Binding limits (runtime/placement.py, wgsl/placement.py): a task with more ndarrays than the adapter's storage
buffers per shader stage shares an arena among some of them, and an ndarray larger than one binding is bound as
windows. The limits are patched small (WebGPU's minimum of 8 storage buffers, 1 KiB bindings) so that ordinary
kernels hit them on any adapter; one test uses the adapter's own binding size."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.errors import QuadrantsRuntimeError
from quadrants.ir import dtypes as T
from quadrants_wgpu.wgsl.packing import ArgUse, cell
from quadrants_wgpu.wgsl.placement import BindingPlan, Placement, chunk_dispatcher

I32 = qd.types.NDArray[qd.i32, 1]
F32 = qd.types.NDArray[qd.f32, 1]
U8 = qd.types.NDArray[qd.u8, 1]
I16 = qd.types.NDArray[qd.i16, 1]
I64 = qd.types.NDArray[qd.i64, 1]
ANY = qd.types.ndarray()  # any element type: the kernel specializes per dtype


def _plans(executables):
    return [plan for exe in executables for task in exe._tasks for plan in task.variants if plan]


def test_arrays_beyond_the_storage_buffer_limit_share_an_arena(vulkan_modes, limits):
    made = limits(1024, 8)  # 5 bindings left for arrays; the kernel uses 10

    @qd.kernel
    def k(a: I32, b: F32, c: U8, d: I64, e: F32, f: I16, g: I32, h: I32, a2: I32, out: I32):
        for i in range(16):
            b[i] = a[i] * 0.5  # a: read-only (also passed as a2: one place in the arena)
            c[i] = qd.u8(a2[i] + 250)  # packed store (atomic<u32> words), wraps
            qd.atomic_add(d[i % 4], qd.i64(a[i]) << 33)  # 64-bit atomic: native or on u32 word pairs
            qd.atomic_max(e[0], b[i])  # f32 compare-exchange on the bits
            f[i] = qd.i16(-a[i] * 1000)
            g[i] += h[i]
        for i in range(16):  # a task within the limit: reads what the arena task wrote
            out[i] = g[i] + c[i]

    src = np.arange(16, dtype=np.int32) * 3
    a, b, c, d, e = (qd.ndarray(t, n) for t, n in ((qd.i32, 16), (qd.f32, 16), (qd.u8, 16), (qd.i64, 4), (qd.f32, 1)))
    f, g, h, out = qd.ndarray(qd.i16, 16), qd.ndarray(qd.i32, 16), qd.ndarray(qd.i32, 16), qd.ndarray(qd.i32, 16)
    a.from_numpy(src)
    g.from_numpy(np.full(16, 7, np.int32))
    h.from_numpy(src + 1)
    k(a, b, c, d, e, f, g, h, a, out)
    k(a, b, c, d, e, f, g, h, a, out)  # again: the arena is filled from the arrays' current contents
    assert any(plan.arena for plan in _plans(made))
    np.testing.assert_array_equal(b.to_numpy(), src * 0.5)
    np.testing.assert_array_equal(c.to_numpy(), (src + 250).astype(np.uint8))
    sums = [2 * sum(int(v) << 33 for v in src[r::4]) for r in range(4)]
    np.testing.assert_array_equal(d.to_numpy(), np.array(sums, np.int64))
    assert e.to_numpy()[0] == src.max() * 0.5
    np.testing.assert_array_equal(f.to_numpy(), (-src * 1000).astype(np.int16))
    np.testing.assert_array_equal(g.to_numpy(), 7 + 2 * (src + 1))
    np.testing.assert_array_equal(out.to_numpy(), 7 + 2 * (src + 1) + (src + 250).astype(np.uint8))


def test_arrays_larger_than_one_binding_are_bound_as_windows(vulkan_modes, limits):
    made = limits(1024, 32)

    @qd.kernel
    def k(x: I32, y: U8, z: I64, w: F32, idx: I32):
        for i in range(x.shape[0]):
            x[i] = i * 3 + 1
            y[i] = qd.u8(i % 251)
            qd.atomic_add(z[i % z.shape[0]], (qd.i64(i) << 32) + 1)
        for j in range(idx.shape[0]):
            qd.atomic_add(w[idx[j]], 1.5)  # native f32 atomics or bit loops, per window

    n = 3000  # x: 12000 bytes (12 windows), y: 3000 bytes (3), z: 2400 bytes (3), w: 4000 bytes (4)
    x, y, z, w = qd.ndarray(qd.i32, n), qd.ndarray(qd.u8, n), qd.ndarray(qd.i64, 300), qd.ndarray(qd.f32, 1000)
    hits = np.array([0, 255, 256, 257, 511, 512, 999, 256, 0], np.int32)
    idx = qd.ndarray(qd.i32, len(hits))
    idx.from_numpy(hits)
    k(x, y, z, w, idx)
    assert any(plan.chunks for plan in _plans(made))
    i = np.arange(n, dtype=np.int64)
    np.testing.assert_array_equal(x.to_numpy(), i * 3 + 1)
    np.testing.assert_array_equal(y.to_numpy(), i % 251)
    expect_z = np.array([sum((v << 32) + 1 for v in range(r, n, 300)) for r in range(300)], np.int64)
    np.testing.assert_array_equal(z.to_numpy(), expect_z)
    np.testing.assert_array_equal(w.to_numpy(), np.bincount(hits, minlength=1000) * 1.5)
    assert x[2999] == 2999 * 3 + 1 and z[299] == expect_z[299]  # host element access is unaffected


def test_windows_push_the_cheapest_arrays_into_the_arena(vulkan_modes, limits):
    made = limits(1024, 12)

    @qd.kernel
    def k(big: I32, a: I32, b: I32, c: I32, d: I32, e: I32, f: I32, g: I32, h: I32, o: I32):
        for i in range(big.shape[0]):
            big[i] = i + a[i % a.shape[0]] + b[i % b.shape[0]] + c[0] + d[0] + e[0] + f[0] + g[0] + h[0]
        for i in range(o.shape[0]):
            o[i] = a[i] * 2 + o[i]

    sizes = [60, 8, 4, 50, 50, 50, 50, 2]  # a..h (i32 elements); o: 4 elements, read and written
    arrays = [qd.ndarray(qd.i32, n) for n in sizes]
    for x, n in zip(arrays, sizes, strict=True):
        x.from_numpy(np.arange(n, dtype=np.int32) + 1)
    big, o = qd.ndarray(qd.i32, 700), qd.ndarray(qd.i32, 4)  # 2800 bytes: 3 windows
    o.from_numpy(np.full(4, 5, np.int32))
    k(big, *arrays, o)
    # the first task: 3 + 8 arrays + 3 windows = 14 bindings for 12: the three smallest (c, h, b) share the arena,
    # one binding; the second task (a, o) is bound as usual
    (first,) = _plans(made)
    assert first.arena == ((2, 32), (3, 0), (8, 16)) and first.chunks == ((0, 3, 10),)
    i = np.arange(700)
    a, b = np.arange(60) + 1, np.arange(8) + 1
    np.testing.assert_array_equal(big.to_numpy(), i + a[i % 60] + b[i % 8] + 1 + 1 + 1 + 1 + 1 + 1)
    np.testing.assert_array_equal(o.to_numpy(), a[:4] * 2 + 5)


def test_windows_beyond_the_storage_buffer_limit_are_refused_clearly(vulkan_modes, limits):
    limits(1024, 8)

    @qd.kernel
    def k(x: I32):
        for i in range(x.shape[0]):
            x[i] = i

    x = qd.ndarray(qd.i32, 2000)  # 8 windows of 1 KiB, 11 bindings
    with pytest.raises(QuadrantsRuntimeError, match="max-storage-buffers-per-shader-stage"):
        k(x)


def test_an_arena_larger_than_one_binding_is_refused_clearly(vulkan_modes, limits):
    limits(1024, 8)

    @qd.kernel
    def k(a: I32, b: I32, c: I32, d: I32, e: I32, f: I32, g: I32):
        for i in range(a.shape[0]):
            a[i] = b[i] + c[i] + d[i] + e[i] + f[i] + g[i]

    arrays = [qd.ndarray(qd.i32, 100) for _ in range(7)]  # 400 bytes each: the arena's share exceeds 1 KiB
    with pytest.raises(QuadrantsRuntimeError, match="pass fewer or smaller arrays"):
        k(*arrays)


def test_the_normal_path_binds_one_buffer_per_array(vulkan_modes, limits):
    from quadrants_wgpu.runtime.device import get_device

    real = get_device().device.limits
    made = limits(real["max-storage-buffer-binding-size"], real["max-storage-buffers-per-shader-stage"])

    @qd.kernel
    def k(a: I32, b: F32):
        for i in range(a.shape[0]):
            b[i] = a[i] * 2.0

    a, b = qd.ndarray(qd.i32, 8), qd.ndarray(qd.f32, 8)
    a.from_numpy(np.arange(8, dtype=np.int32))
    k(a, b)
    k(a, b)
    (exe,) = made
    (task,) = exe._tasks
    assert list(task.variants) == [BindingPlan()]  # no arena, no windows, no other shader
    assert exe.emitted.shaders[0].wgsl == task.shader.wgsl
    (entry,) = task.bind_groups.values()
    assert entry[0] is task.pipeline and not entry[2]
    np.testing.assert_array_equal(b.to_numpy(), np.arange(8) * 2.0)


def test_an_array_over_the_adapters_binding_size_runs(vulkan_modes):
    """The adapter's real limit: a buffer just over ``max-storage-buffer-binding-size`` is allocated and bound as
    two windows (lavapipe: 128 MiB)."""
    from quadrants_wgpu.runtime.device import get_device

    limits = get_device().device.limits
    size = limits["max-storage-buffer-binding-size"]
    if size > (1 << 28) or limits["max-buffer-size"] < size + 64:
        pytest.skip(f"binding size {size}: an array over it is too large for a unit test, or no larger buffer")

    @qd.kernel
    def k(x: I32, at: I32):
        for j in range(at.shape[0]):
            x[at[j]] = at[j] + 1

    n = size // 4 + 4
    x = qd.ndarray(qd.i32, n)
    at = qd.ndarray(qd.i32, 4)
    at.from_numpy(np.array([0, size // 4 - 1, size // 4, n - 1], np.int32))
    k(x, at)
    assert [x[int(i)] for i in at.to_numpy()] == [1, size // 4, size // 4 + 1, n]


def test_cell_references_each_placement():
    use = ArgUse(3, T.f32)
    assert cell(use, "i") == "qd_a3[i]"
    arena = ArgUse(3, T.f32, placement=Placement(arena_offset=32))
    assert cell(arena, "i >> 2u") == "qd_v_f32[8u + (i >> 2u)]"  # parenthesized: WGSL shifts do not mix with +
    pair = ArgUse(4, T.i64, placement=Placement(arena_offset=32))  # vec2<u32> elements: 8 bytes
    assert cell(pair, "i") == "qd_v_vec2_u32[4u + (i)]"
    packed = ArgUse(5, T.u8, stores=True, placement=Placement(arena_offset=16))
    assert cell(packed, "w") == "qd_v_atomic_u32[4u + (w)]"
    window = ArgUse(6, T.f32, placement=Placement(chunks=3, chunk_log2=10), chunk=2)
    assert cell(window, "i") == "qd_a6_c2[i]"


def test_chunk_dispatcher_picks_the_window_of_an_index():
    fns = [f"fn qd_store_a1(i: u32, v: f32) {{\n  qd_a1_c{c}[i] = v;\n}}" for c in range(3)]
    out = chunk_dispatcher(fns, 3, 8)
    assert out[1].startswith("fn qd_store_a1_c1(i: u32, v: f32)")
    assert "let qd_c = i >> 8u;" in out[3] and "let qd_j = i & 0xffu;" in out[3]
    assert "if (qd_c == 1u) { qd_store_a1_c1(qd_j, v); return; }" in out[3]
    assert out[3].rstrip("}\n").endswith("qd_store_a1_c2(qd_j, v); return;")
    with pytest.raises(ValueError, match="first parameter"):
        chunk_dispatcher(["fn f(v: f32, i: u32) -> f32 {\n  return v;\n}"], 1, 8)


def test_binding_plan_placements():
    plan = BindingPlan(arena=((2, 48),), chunks=((5, 3, 27),))
    assert plan.placement(2) == Placement(arena_offset=48) and plan.placement(2).in_arena
    assert plan.placement(5) == Placement(chunks=3, chunk_log2=27)
    assert plan.placement(1) is None and not BindingPlan() and plan


def test_a_variant_keeps_its_check_ids(device, limits):
    """The second task is emitted again (arena); its bounds check must still name its own argument and line."""
    limits(1024, 8)
    qd.init(arch=qd.vulkan, debug=True)
    try:

        @qd.kernel
        def k(a: I32, b: I32, c: I32, d: I32, e: I32, f: I32, at: I32):
            for i in range(a.shape[0]):
                a[i] = i  # a bounds check of the first task
            for i in range(b.shape[0]):
                b[i] = c[i] + d[i] + e[i] + f[at[i]]  # over the limit: arena; f[at[i]] is out of bounds

        arrays = [qd.ndarray(qd.i32, 4) for _ in range(6)]
        at = qd.ndarray(qd.i32, 4)
        at.from_numpy(np.array([0, 1, 9, 2], np.int32))
        with pytest.raises(QuadrantsRuntimeError, match=r"(?s)f\[at\[i\]\].*9") as info:
            k(*arrays, at)
        assert "shape" in str(info.value)
    finally:
        qd.reset()


def test_an_artifact_without_binding_elements_is_emitted_again(device):
    """Artifacts compiled before shaders recorded their storage element types are emitted again at load."""
    import dataclasses

    from quadrants.ir import nodes as N
    from quadrants_wgpu.runtime.executable import WgpuExecutable
    from quadrants_wgpu.wgsl.emit import emit_program

    from .conftest import var

    i, v = var("i"), var("v")
    body = (N.Load(v, 0, (N.LocalRef(i),)), N.Store(1, (N.LocalRef(i),), N.LocalRef(v)))
    pf = N.ParallelFor((i,), (N.Const(0, T.i32),), (N.Shape(0, 0, T.i32),), body)
    args = (N.NdarrayArg("x", T.i32, 1), N.NdarrayArg("y", T.i32, 1))
    program = N.Program("copy", args, (), (), (pf,))
    emitted = emit_program(program, device.target)
    assert emitted.shaders[0].elems == ("i32", "i32")
    old = dataclasses.replace(emitted, shaders=tuple(dataclasses.replace(s, elems=()) for s in emitted.shaders))
    exe = WgpuExecutable(program, old, device)
    assert exe.emitted.shaders[0].elems == ("i32", "i32") and exe._tasks[0].shader.elems == ("i32", "i32")


@pytest.mark.parametrize("name", ["u1", "i8", "u16", "f16", "u64", "f64"])
def test_each_element_type_in_the_arena_and_in_windows(vulkan_modes, limits, name):
    """Every storage layout (packed words, f16 halves, 64-bit values or word pairs) through an arena view and through
    windows: a copy of ``src`` into five arrays (over 8 storage buffers) and into one of several windows."""
    from quadrants_wgpu.runtime.backend import BACKEND

    dtype, ir = getattr(qd, name), getattr(T, name)
    if ir not in BACKEND.capabilities.dtypes:
        pytest.skip(f"{name} needs a shader feature this device lacks or that is off")
    made = limits(1024, 8)

    @qd.kernel
    def copies(src: ANY, a: ANY, b: ANY, c: ANY, d: ANY, e: ANY):
        for i in range(src.shape[0]):
            a[i] = src[i]
            b[i] = src[i]
            c[i] = src[i]
            d[i] = src[i]
            e[i] = src[i]

    src_np = (np.arange(60) % (2 if name == "u1" else 100)).astype(ir.np)
    src = qd.ndarray(dtype, 60)
    src.from_numpy(src_np)
    outs = [qd.ndarray(dtype, 60) for _ in range(5)]
    copies(src, *outs)
    for out in outs:
        np.testing.assert_array_equal(out.to_numpy(), src.to_numpy())
    assert any(plan.arena for plan in _plans(made))

    made = limits(4096, 32)

    @qd.kernel
    def tile(src: ANY, big: ANY):
        for i in range(big.shape[0]):
            big[i] = src[i % src.shape[0]]

    big = qd.ndarray(dtype, 5000)  # 5000 to 40000 bytes: 2 to 10 windows of 4 KiB
    tile(src, big)
    assert any(plan.chunks for plan in _plans(made))
    np.testing.assert_array_equal(big.to_numpy(), np.resize(src.to_numpy(), 5000))
