"""End-to-end kernels with ``qd.init(arch=qd.vulkan)``: packed stores, atomics, kernel vars, returns, errors."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd


@pytest.fixture
def vulkan(device):
    qd.init(arch=qd.vulkan)
    yield
    qd.reset()


def test_packed_parallel_stores_do_not_clobber_neighbours(vulkan):
    @qd.kernel
    def k(x: qd.types.NDArray[qd.u8, 1], y: qd.types.NDArray[qd.i16, 1]):
        for i in range(x.shape[0]):
            x[i] = i * 7
            y[i] = -i

    x = qd.ndarray(qd.u8, 1001)
    y = qd.ndarray(qd.i16, 1001)
    k(x, y)
    np.testing.assert_array_equal(x.to_numpy(), (np.arange(1001) * 7).astype(np.uint8))
    np.testing.assert_array_equal(y.to_numpy(), -np.arange(1001, dtype=np.int16))


def test_atomics_return_old_values_and_float_add_is_exact_on_integers(vulkan):
    @qd.kernel
    def k(c: qd.types.NDArray[qd.i32, 1], f: qd.types.NDArray[qd.f32, 1], b: qd.types.NDArray[qd.u8, 1],
          old: qd.types.NDArray[qd.i32, 1]):  # fmt: skip
        for i in range(old.shape[0]):
            old[i] = qd.atomic_add(c[0], 1)
            qd.atomic_add(f[0], 1.0)
            qd.atomic_max(b[i % 4], i)

    n = 4096
    c, f, b, old = qd.ndarray(qd.i32, 1), qd.ndarray(qd.f32, 1), qd.ndarray(qd.u8, 4), qd.ndarray(qd.i32, n)
    k(c, f, b, old)
    assert c[0] == n and f[0] == float(n)
    assert sorted(old.to_numpy().tolist()) == list(range(n))
    np.testing.assert_array_equal(b.to_numpy(), [252, 253, 254, 255])


def test_kernel_vars_returns_and_ndrange(vulkan):
    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32, 2]) -> qd.i64:
        n = x.shape[0] - 1
        for i, j in qd.ndrange(n, x.shape[1]):
            x[i, j] = i * 10 + j
        total = qd.i64(0)
        for _ in range(1):
            for a in range(n):
                total += x[a, 2]
        return total

    x = qd.ndarray(qd.i32, (5, 3))
    assert k(x) == 2 + 12 + 22 + 32
    np.testing.assert_array_equal(x.to_numpy()[:4], np.arange(4)[:, None] * 10 + np.arange(3))


def test_debug_bounds_error_names_index_shape_and_arg(device):
    qd.init(arch=qd.vulkan, debug=True)

    @qd.kernel
    def k(x: qd.types.NDArray[qd.f32, 1]):
        for i in range(x.shape[0] + 1):
            x[i] = 1.0

    with pytest.raises(qd.QuadrantsRuntimeError, match=r"index 4 is out of bounds .* x\[4\] with shape \(4,\)"):
        k(qd.ndarray(qd.f32, 4))
    qd.reset()


def test_print_writes_lines(vulkan, capsys):
    @qd.kernel
    def k(a: qd.i32):
        print("a =", a, a + 1)

    k(3)
    assert capsys.readouterr().out == "a = 3 4\n"


def test_probe_reports_the_adapter(device):
    from quadrants_wgpu.runtime.backend import BACKEND

    av = BACKEND.probe()
    assert av.available and av.device
    caps = BACKEND.capabilities
    assert caps.supports("f64") == device.target.f64
    assert caps.supports("atomic:i64") == device.target.int64_atomics
    assert caps.supports("i64") and caps.supports("atomic:f32")
    assert device.features <= caps.features  # doctor lists the shader features in use


def test_sync_waits_for_the_queue(vulkan, device, monkeypatch):
    # qd.sync() reads 4 bytes back: that submission runs after every earlier one, and the map waits for it
    from quadrants_wgpu.runtime import backend

    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32, 1]):
        for i in range(x.shape[0]):
            x[i] += i

    x = qd.ndarray(qd.i32, 1000)
    x.from_numpy(np.ones(1000, np.int32))
    k(x)
    reads = []
    original = backend.read_ranges
    monkeypatch.setattr(backend, "read_ranges", lambda dev, ranges: reads.append(ranges) or original(dev, ranges))
    qd.sync()
    qd.sync()
    assert len(reads) == 2 and reads[0][0][0] is reads[1][0][0]  # one small buffer, reused
    np.testing.assert_array_equal(x.to_numpy(), np.arange(1000) + 1)


def test_unchanged_arguments_are_not_uploaded_again(vulkan):
    import types

    from quadrants_wgpu.runtime.executable import _Slots

    calls = []
    queue = types.SimpleNamespace(write_buffer=lambda buf, off, data: calls.append(data.copy()))
    dev = types.SimpleNamespace(queue=queue)
    slots = _Slots.__new__(_Slots)
    slots.args, slots.words, slots.written = object(), np.zeros(3, np.uint32), None
    slots.write_args(dev)
    slots.write_args(dev)
    slots.words[1] = 5
    slots.write_args(dev)
    slots.write_args(dev)
    assert [c.tolist() for c in calls] == [[0, 0, 0], [0, 5, 0]]

    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32, 1], v: qd.i32):
        for i in range(x.shape[0]):
            x[i] += v

    x, y = qd.ndarray(qd.i32, 64), qd.ndarray(qd.i32, 64)
    for v, arr in ((1, x), (1, x), (2, x), (2, y), (1, x)):
        k(arr, v)
    np.testing.assert_array_equal(x.to_numpy(), np.full(64, 5))
    np.testing.assert_array_equal(y.to_numpy(), np.full(64, 2))
