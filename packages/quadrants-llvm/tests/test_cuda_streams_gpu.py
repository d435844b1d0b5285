"""llvm-cuda streams on a GPU: launches on two streams and ``qd.stream_parallel()`` blocks overlap measurably, events
order a producer and a consumer, and host reads, copies and ``qd.sync()`` keep program order (docs/streams.md).

The overlap tests time kernels that keep one thread busy for tens of milliseconds (a dependent multiply-add chain in
a one-lane loop): two of them leave the device mostly idle, so on two streams they run side by side and take about
one kernel's time, on one stream twice that. Needs an NVIDIA GPU (skipped otherwise, with the reason); the plumbing
itself is tested on the CPU in test_cuda_streams.py.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import quadrants as qd
from quadrants_llvm.cuda import driver

_AVAILABLE, _WHY = driver.probe()
pytestmark = pytest.mark.skipif(not _AVAILABLE, reason=f"llvm-cuda unavailable: {_WHY}")

F1 = qd.types.ndarray(qd.f32, ndim=1)
SPIN = 1 << 22  # multiply-add steps of one spin: ~10-40 ms on one thread of an H100


@pytest.fixture(autouse=True)
def cuda_session():
    qd.init(arch=qd.cuda)
    yield
    qd.reset()


@qd.func
def spun(start: qd.f32, n: qd.i32) -> qd.f32:
    """``n`` dependent multiply-adds from ``start``: one busy thread."""
    acc = start
    for _ in range(n):
        acc = acc * 0.999999 + 1.0
    return acc


@qd.kernel
def spin(x: F1, n: qd.i32):
    for lane in range(1):
        x[lane] = spun(x[lane], n)


@qd.kernel
def spin_two_blocks(x: F1, y: F1, n: qd.i32):
    with qd.stream_parallel():
        for lane in range(1):
            x[lane] = spun(x[lane], n)
    with qd.stream_parallel():
        for lane in range(1):
            y[lane] = spun(y[lane], n)


@qd.kernel
def spin_two_loops(x: F1, y: F1, n: qd.i32):
    for lane in range(1):
        x[lane] = spun(x[lane], n)
    for lane in range(1):
        y[lane] = spun(y[lane], n)


def _spun(start: float, n: int) -> float:
    """What ``spin`` leaves in a lane that held ``start`` (f32 arithmetic, as the kernel does it)."""
    acc = np.float32(start)
    a, b = np.float32(0.999999), np.float32(1.0)
    for _ in range(n):
        acc = np.float32(acc * a) + b
    return float(acc)


def _best(fn, repeat: int = 3) -> float:
    fn()
    qd.sync()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        qd.sync()
        best = min(best, time.perf_counter() - t0)
    return best


def test_two_streams_overlap():
    x, y = qd.ndarray(qd.f32, (1,)), qd.ndarray(qd.f32, (1,))
    s1, s2 = qd.create_stream(), qd.create_stream()
    one = _best(lambda: spin(x, SPIN))
    serial = _best(lambda: (spin(x, SPIN), spin(y, SPIN)))
    both = _best(lambda: (spin(x, SPIN, qd_stream=s1), spin(y, SPIN, qd_stream=s2)))
    assert one > 5e-3, f"the spin kernel is too short to time overlap ({one * 1e3:.2f} ms)"
    assert serial > 1.6 * one  # on one stream they do not overlap
    assert both < 1.6 * one, f"two streams {both * 1e3:.2f} ms vs one kernel {one * 1e3:.2f} ms"
    s1.destroy()
    s2.destroy()


def test_stream_parallel_blocks_overlap():
    x, y = qd.ndarray(qd.f32, (1,)), qd.ndarray(qd.f32, (1,))
    one = _best(lambda: spin(x, SPIN))
    serial = _best(lambda: spin_two_loops(x, y, SPIN))
    blocks = _best(lambda: spin_two_blocks(x, y, SPIN))
    assert spin_two_blocks.launch_stats.runner == "streams"
    assert serial > 1.6 * one
    assert blocks < 1.6 * one, f"two blocks {blocks * 1e3:.2f} ms vs one loop {one * 1e3:.2f} ms"


def test_stream_parallel_results_and_the_join():
    x, y = qd.ndarray(qd.f32, (1,)), qd.ndarray(qd.f32, (1,))
    x[0], y[0] = 1.0, 2.0
    spin_two_blocks(x, y, 1000)
    spin(x, 1000)  # a default-stream launch after the join sees block 1's result
    assert x.to_numpy()[0] == pytest.approx(_spun(_spun(1.0, 1000), 1000), rel=1e-6)
    assert y.to_numpy()[0] == pytest.approx(_spun(2.0, 1000), rel=1e-6)


def test_the_same_kernel_on_two_streams_keeps_each_launchs_arguments():
    xs = [qd.ndarray(qd.f32, (1,)) for _ in range(4)]
    streams = [qd.create_stream() for _ in range(4)]
    for k, (x, s) in enumerate(zip(xs, streams, strict=True)):
        x[0] = float(k)
        spin(x, 2000 + 1000 * k, qd_stream=s)
    for k, x in enumerate(xs):  # a host read waits for the launch on the other stream
        assert x.to_numpy()[0] == pytest.approx(_spun(float(k), 2000 + 1000 * k), rel=1e-6)


def test_an_event_orders_a_producer_and_a_consumer():
    @qd.kernel
    def copy(src: F1, dst: F1):
        for i in range(src.shape[0]):
            dst[i] = src[i]

    x, y = qd.ndarray(qd.f32, (1,)), qd.ndarray(qd.f32, (1,))
    producer, consumer = qd.create_stream(), qd.create_stream()
    event = qd.create_event()
    for _ in range(3):
        x[0] = 0.0
        spin(x, SPIN, qd_stream=producer)  # long: a consumer that did not wait would copy the 0
        event.record(producer)
        event.wait(consumer)
        copy(x, y, qd_stream=consumer)
        consumer.synchronize()
        assert y[0] == x[0] > 1000.0  # the producer's final value, not the 0 it started from


def test_host_side_waits():
    x = qd.ndarray(qd.f32, (1,))
    s = qd.create_stream()
    event = qd.create_event()
    spin(x, SPIN, qd_stream=s)
    event.record(s)
    t0 = time.perf_counter()
    event.synchronize()  # waits for the spin
    waited = time.perf_counter() - t0
    t0 = time.perf_counter()
    event.synchronize()
    assert time.perf_counter() - t0 < waited
    spin(x, 10, qd_stream=s)
    qd.sync()  # every stream
    x.from_numpy(np.array([5.0], np.float32))  # a copy after a launch on a stream: ordered after it
    spin(x, 10, qd_stream=s)
    s.destroy()  # waits for the stream's work first
    assert x.to_numpy()[0] == pytest.approx(_spun(5.0, 10), rel=1e-6)


def test_a_multi_task_kernel_on_a_stream_is_one_graph_launch_with_that_streams_arguments():
    xs = [qd.ndarray(qd.f32, (1,)) for _ in range(3)]
    ys = [qd.ndarray(qd.f32, (1,)) for _ in range(3)]
    streams = [qd.create_stream() for _ in range(3)]
    for k, (x, y, s) in enumerate(zip(xs, ys, streams, strict=True)):
        x[0], y[0] = float(k), float(10 + k)
        spin_two_loops(x, y, 500 + 100 * k, qd_stream=s)
        assert spin_two_loops.launch_stats.runner == "cuda-graph"
    for k, (x, y) in enumerate(zip(xs, ys, strict=True)):  # each launch kept its own arguments
        n = 500 + 100 * k
        assert x.to_numpy()[0] == pytest.approx(_spun(float(k), n), rel=1e-6)
        assert y.to_numpy()[0] == pytest.approx(_spun(float(10 + k), n), rel=1e-6)
    for s in streams:
        s.destroy()
