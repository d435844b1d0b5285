"""llvm-cuda's host path on the null driver (``quadrants_llvm.cuda.null_driver``): programs compile to PTX, load,
build CUDA graphs (conditional WHILE nodes included) and launch, with the driver calls a real device would see, on a
machine without a GPU. Needs ``cuda-bindings`` for the driver's types (``nox -s tests`` installs it)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

pytest.importorskip(
    "cuda.bindings.driver", reason="the null driver uses cuda-bindings' types: pip install cuda-bindings"
)

import quadrants as qd
from quadrants_llvm.cuda import null_driver

I1 = qd.types.ndarray(qd.i32, ndim=1)
I0 = qd.types.ndarray(qd.i32, ndim=0)


@pytest.fixture
def null():
    qd.reset()
    driver = null_driver.install()
    qd.init(arch=qd.cuda)
    yield driver
    qd.reset()
    null_driver.uninstall()


def test_the_null_device_reports_an_h100_and_keeps_what_the_host_writes(null):
    from quadrants_llvm.cuda import driver

    assert driver.probe() == (True, "NVIDIA H100 (null driver) (sm_90, 132 SMs), CUDA driver 13.0")
    x = qd.ndarray(qd.f32, (5,))
    x.from_numpy(np.arange(5, dtype=np.float32))
    assert x.to_numpy().tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert null.calls["cuMemcpyHtoD"] == 1 and null.calls["cuMemcpyDtoH"] == 1


def test_a_do_while_program_builds_its_graph_once_and_launches_it_without_a_host_round_trip(null):
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for i in range(x.shape[0]):
                x[i] += 1
            for _ in range(1):
                c[()] = c[()] - 1

    x, c = qd.ndarray(qd.i32, (64,)), qd.ndarray(qd.i32, ())
    c[()] = 3
    null.calls.clear()
    for _ in range(3):
        k(x, c)
    assert k.launch_stats.runner == "cuda-graph"
    assert null.calls.get("cuGraphInstantiate") == 1 and null.calls.get("cuGraphLaunch") == 3
    assert "cuLaunchKernel" not in null.calls and "cuMemcpyDtoH" not in null.calls  # the loop stays on the device


@dataclasses.dataclass
class State:
    a: I1
    b: I1


def test_repeated_launches_with_the_same_state_copy_their_arguments_once(null):
    @qd.kernel
    def k(s: State):
        for i in range(s.a.shape[0]):
            s.b[i] = s.a[i] + 1
        for i in range(s.a.shape[0]):
            s.a[i] = s.b[i] * 2

    s = State(qd.ndarray(qd.i32, (8,)), qd.ndarray(qd.i32, (8,)))
    null.calls.clear()
    for _ in range(4):
        k(s)
    assert null.calls.get("cuMemcpyHtoDAsync") == 1 and null.calls.get("cuGraphLaunch") == 4
    s.b = qd.ndarray(qd.i32, (8,))  # a rebound member: other words, copied again
    k(s)
    assert null.calls.get("cuMemcpyHtoDAsync") == 2


@pytest.mark.parametrize(
    ("dtype", "value"),
    [
        (qd.i8, -3),
        (qd.u16, 65000),
        (qd.f16, 1.5),
        (qd.i32, -7),
        (qd.f32, 0.25),
        (qd.f64, -2.5),
        (qd.i64, -1),
        (qd.u64, 0),
    ],
)
def test_fill_queues_memsets_instead_of_a_blocking_host_copy(null, dtype, value):
    x = qd.ndarray(dtype, (5, 3))
    null.calls.clear()
    x.fill(value)
    assert "cuMemcpyHtoD" not in null.calls and any(name.startswith("cuMemsetD") for name in null.calls)
    assert (x.to_numpy() == np.full((5, 3), value, dtype=dtype.np)).all()


def _session_with(monkeypatch, variable: str):
    """A session on a new null driver with ``variable`` set to 1 (read when the device starts); the caller resets."""
    qd.reset()
    monkeypatch.setenv(variable, "1")
    null = null_driver.install()
    qd.init(arch=qd.cuda)
    return null


def test_pinned_argument_staging_copies_each_launchs_words_into_the_context(monkeypatch):
    """QD_CUDA_PINNED_ARGS=1 (cuda/arg_ring.py): the words reach the launch context through the page-locked ring."""
    import ctypes

    from quadrants_llvm.cuda import driver

    null = _session_with(monkeypatch, "QD_CUDA_PINNED_ARGS")
    try:

        @qd.kernel
        def k(x: I1, n: qd.i32):
            for i in range(x.shape[0]):
                x[i] = n

        x = qd.ndarray(qd.i32, (4,))
        ring = driver.device().arg_ring
        assert ring is not None and driver.device().copy_args == ring.copy
        null.calls.clear()
        for n in range(3000):
            k(x, n)
            exe = k._last.exe
            slot = exe.layout.args[1]
            assert ctypes.c_int64.from_address(exe.ctx_ptr + 8 * slot).value == n
        assert null.calls["cuMemcpyHtoDAsync"] == 3000  # one staged copy a launch, no other copy
        assert ring._part > 0  # the launches' words went past the first part of the ring
    finally:
        qd.reset()
        null_driver.uninstall()


def test_argument_copies_are_direct_by_default(null):
    from quadrants_llvm.cuda import driver

    dev = driver.device()
    assert dev.arg_ring is None and dev.copy_args == dev.cu.cuMemcpyHtoDAsync
    assert dev.arg_writer is None  # QD_CUDA_ARG_WRITES is opt-in


def test_changed_argument_words_are_written_by_the_stream(monkeypatch):
    """QD_CUDA_ARG_WRITES=1 (cuda/arg_writes.py): a launch that changes one scalar has the stream write that word;
    one that changes more words than MAX_WRITES copies them all; either way the context holds the new words."""
    import ctypes

    from quadrants_llvm.cuda import arg_writes, driver

    null = _session_with(monkeypatch, "QD_CUDA_ARG_WRITES")
    try:

        @qd.kernel
        def k(x: I1, n: qd.i32, m: qd.i32):
            for i in range(x.shape[0]):
                x[i] = n + m

        x = qd.ndarray(qd.i32, (4,))
        assert driver.device().arg_writer is not None
        k(x, 0, 7)
        null.calls.clear()
        for n in range(1, 50):
            k(x, n, 7)
        exe = k._last.exe
        assert null.calls.get("cuStreamWriteValue64") == 49 and "cuMemcpyHtoDAsync" not in null.calls
        held = ctypes.string_at(exe.ctx_ptr, exe.packed_bytes)
        assert held == ctypes.string_at(exe.host_addr, exe.packed_bytes)
        assert ctypes.c_int64.from_address(exe.ctx_ptr + 8 * exe.layout.args[1]).value == 49
        null.calls.clear()
        y = qd.ndarray(qd.i32, (9,))  # a new array and new scalars: more words than MAX_WRITES apart
        monkeypatch.setattr(arg_writes, "MAX_WRITES", 1)
        k(y, 3, 4)
        assert null.calls.get("cuMemcpyHtoDAsync") == 1 and "cuStreamWriteValue64" not in null.calls
        assert ctypes.string_at(exe.ctx_ptr, exe.packed_bytes) == ctypes.string_at(exe.host_addr, exe.packed_bytes)
    finally:
        qd.reset()
        null_driver.uninstall()


def test_grids_of_constant_bounds_are_sized_once(null, monkeypatch):
    from quadrants_llvm.cuda import lane_grid

    @qd.kernel
    def fixed(x: I1, t: qd.i32):
        for i in range(100):
            x[i % 4] = t

    @qd.kernel
    def sized(x: I1, t: qd.i32):
        for i in range(t):
            x[i % 4] = t

    x = qd.ndarray(qd.i32, (4,))
    fixed(x, 0)
    sized(x, 1)
    calls = []
    real = lane_grid.launch_dims
    monkeypatch.setattr(lane_grid, "launch_dims", lambda *a, **k: calls.append(1) or real(*a, **k))
    for t in range(2, 12):
        fixed(x, t)
    assert calls == [] and fixed._last.exe.grids(()) == ((1, 256),)
    for t in range(2, 12):
        sized(x, t)
    assert len(calls) == 10  # a bound read from the arguments: sized again for each new t
