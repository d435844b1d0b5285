"""llvm-cuda runs graph programs as CUDA graphs: ``do_while`` loops as conditional WHILE nodes (no host round trip per
iteration), multi-task kernels as one ``cuGraphLaunch``; checkpoints stay on the host runner. ``kernel.launch_stats
.runner`` says which ran. Needs an NVIDIA GPU (skipped otherwise, with the reason)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants_llvm.cuda import driver

_AVAILABLE, _WHY = driver.probe()
pytestmark = pytest.mark.skipif(not _AVAILABLE, reason=f"llvm-cuda unavailable: {_WHY}")

I1 = qd.types.ndarray(qd.i32, ndim=1)
I0 = qd.types.ndarray(qd.i32, ndim=0)


@pytest.fixture(autouse=True)
def cuda_session():
    qd.init(arch=qd.cuda)
    yield
    qd.reset()


def _i0(v):
    a = qd.ndarray(qd.i32, ())
    a[()] = v
    return a


def test_do_while_runs_as_one_device_graph():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for i in range(x.shape[0]):
                x[i] += 1
            for _ in range(1):
                c[()] = c[()] - 1

    x, c = qd.ndarray(qd.i32, (64,)), _i0(37)
    k(x, c)
    assert k.launch_stats.runner == "cuda-graph"
    assert (x.to_numpy() == 37).all() and c[()] == 0
    c[()] = 5  # the same graph again: the condition starts at "run" on every launch
    k(x, c)
    assert (x.to_numpy() == 42).all() and c[()] == 0


def test_a_zero_counter_still_runs_the_body_once():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for i in range(x.shape[0]):
                x[i] += 1

    x, c = qd.ndarray(qd.i32, (4,)), _i0(0)
    k(x, c)
    assert (x.to_numpy() == 1).all()


def test_nested_and_sibling_loops():
    @qd.kernel(graph=True)
    def k(log: I1, outer: I0, inner: I0, other: I0, reset: I0):
        while qd.graph.do_while(outer):
            for _ in range(1):
                inner[()] = reset[()]
            while qd.graph.do_while(inner):
                for _ in range(1):
                    log[0] += 1
                    inner[()] = inner[()] - 1
            for _ in range(1):
                outer[()] = outer[()] - 1
        while qd.graph.do_while(other):
            for _ in range(1):
                log[1] += 1
                other[()] = other[()] - 1

    log = qd.ndarray(qd.i32, (2,))
    k(log, _i0(4), _i0(0), _i0(6), _i0(3))
    assert k.launch_stats.runner == "cuda-graph"
    assert log.to_numpy().tolist() == [12, 6]


def test_multi_task_kernel_is_one_graph_launch():
    @qd.kernel(graph=True)
    def k(x: I1, y: I1):
        for i in range(x.shape[0]):
            x[i] += 1
        for i in range(y.shape[0]):
            y[i] = x[i] * 2

    x, y = qd.ndarray(qd.i32, (1000,)), qd.ndarray(qd.i32, (1000,))
    for _ in range(3):
        k(x, y)
    assert k.launch_stats.runner == "cuda-graph"
    assert (y.to_numpy() == 6).all()


def test_checkpoints_stay_on_the_host_runner():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, c: I0, stop: I0):
        while qd.graph.do_while(c):
            with qd.checkpoint(1, yield_on=stop):
                for i in range(x.shape[0]):
                    x[i] += 1
            for _ in range(1):
                c[()] = c[()] - 1

    x = qd.ndarray(qd.i32, (8,))
    k(x, _i0(3), _i0(0))
    assert k.launch_stats.runner.startswith("host:")
    np.testing.assert_array_equal(x.to_numpy(), np.full(8, 3))


def test_qd_cuda_graphs_0_keeps_per_task_launches(monkeypatch):
    monkeypatch.setenv("QD_CUDA_GRAPHS", "0")

    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for i in range(x.shape[0]):
                x[i] += 2
            for _ in range(1):
                c[()] = c[()] - 1

    x = qd.ndarray(qd.i32, (8,))
    k(x, _i0(2))
    assert k.launch_stats.runner.startswith("host:")
    assert (x.to_numpy() == 4).all()


@pytest.mark.parametrize("n", [16, 256, 257, 5000])
def test_small_bodies_run_as_one_block_and_large_ones_as_while_nodes_with_equal_results(n):
    # n <= 256 lanes: the loop is one kernel of one block (builder/block_loops.py); above: a WHILE node per loop.
    # The body mixes an atomic update, a reduction into an ndarray element (warp shuffles) and the serial countdown.
    @qd.kernel(graph=True)
    def k(x: I1, s: I0, c: I0):
        while qd.graph.do_while(c):
            for i in range(x.shape[0]):
                x[i] += i % 3
            for i in range(x.shape[0]):
                s[()] += x[i] % 7
            for _ in range(1):
                c[()] = c[()] - 1

    iters = 130  # more than two abort polls (every 64 iterations)
    x, s, c = qd.ndarray(qd.i32, (n,)), _i0(0), _i0(iters)
    k(x, s, c)
    assert k.launch_stats.runner == "cuda-graph"
    hx, hs = np.zeros(n, np.int64), 0
    for _ in range(iters):
        hx += np.arange(n) % 3
        hs += int((hx % 7).sum())
    assert x.to_numpy().tolist() == hx.tolist() and s[()] == hs and c[()] == 0


def test_the_kernel_profiler_times_each_task_with_its_launch_dimensions(capsys):
    qd.reset()
    qd.init(arch=qd.cuda, kernel_profiler=True)

    @qd.kernel
    def two(x: I1):
        for i in range(x.shape[0]):
            x[i] += 1
        for i in range(x.shape[0]):
            x[i] *= 3

    x = qd.ndarray(qd.i32, (1000,))
    two(x)
    two(x)
    assert (x.to_numpy() == 12).all()  # the profiled path (task by task, no graph) computes the same
    assert qd.profiler.query_kernel_profiler_info("two.task_1_range_for").counter == 2
    qd.profiler.print_kernel_profiler_info()
    out = capsys.readouterr().out
    assert "two.task_0_range_for" in out and " threads)" in out


def test_a_launch_with_loops_returns_at_once_and_ctrl_c_ends_an_endless_one(tmp_path):
    """A graph with a ``do_while`` is queued like any launch (the host does not wait for it); Ctrl-C during the wait
    that follows (``qd.sync()``) raises ``KeyboardInterrupt`` within a second, ends the loop on the device, and the
    next launch works. In a fresh interpreter, whose SIGINT handling is Python's default."""
    import subprocess
    import sys
    import textwrap

    script = tmp_path / "program.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, signal, threading, time
            import quadrants as qd
            qd.init(arch=qd.cuda)
            I1, I0 = qd.types.ndarray(qd.i32, ndim=1), qd.types.ndarray(qd.i32, ndim=0)

            @qd.kernel(graph=True)
            def loop(c: I0, x: I1):
                while qd.graph.do_while(c):
                    for i in range(x.shape[0]):
                        x[i] += 1

            c, x = qd.ndarray(qd.i32, ()), qd.ndarray(qd.i32, (1 << 16,))
            c[()] = 1
            t0 = time.perf_counter()
            loop(c, x)  # never ends on the device
            assert time.perf_counter() - t0 < 0.5, "the launch waited for its loop"
            threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
            t0 = time.perf_counter()
            try:
                qd.sync()
            except KeyboardInterrupt:
                assert time.perf_counter() - t0 - 0.3 < 1.0
            else:
                raise AssertionError("qd.sync() returned from an endless loop")
            @qd.kernel(graph=True)
            def count(c: I0, x: I1):
                while qd.graph.do_while(c):
                    for i in range(x.shape[0]):
                        x[i] += 1
                    for _ in range(1):
                        c[()] = c[()] - 1

            c[()] = 3
            y = qd.ndarray(qd.i32, (8,))
            count(c, y)  # the next launch works
            assert (y.to_numpy() == 3).all() and c[()] == 0
            print("ok")
            """
        )
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stdout + proc.stderr
