"""The native worker pool (cpu/pool.py, issue 23): results, concurrency, cpu_max_num_threads, fork and exit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import quadrants as qd
from quadrants_llvm.cpu import pool

I32_1 = qd.types.NDArray[qd.i32, 1]


@pytest.fixture
def cpu():
    qd.init(arch=qd.cpu)
    yield
    qd.init(arch=qd.cpu)  # back to the default thread count for the next test


@qd.kernel
def heavy(x: I32_1, n: qd.i32):
    for i in range(x.shape[0]):  # an inner loop: every lane count goes to the pool, one lane per chunk at least
        s = 0
        for k in range(n):
            s += (i + k) % 7
        x[i] = s


@qd.kernel
def light(x: I32_1):
    for i in range(x.shape[0]):
        x[i] += i


def _heavy_expected(size: int, n: int) -> np.ndarray:
    i = np.arange(size)[:, None]
    k = np.arange(n)[None, :]
    return ((i + k) % 7).sum(axis=1).astype(np.int32)


def test_pool_is_native_on_posix(cpu):
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no POSIX threads")
    assert pool.pool_kind() == "native"
    assert pool.worker_count() == pool.cpu_count() - 1


@pytest.mark.parametrize("size", [1, 2, 3, 4095, 4096, 4097, 100_003])
def test_every_lane_runs_once(cpu, size):
    x = qd.ndarray(qd.i32, size)
    for _ in range(3):
        light(x)
    np.testing.assert_array_equal(x.to_numpy(), 3 * np.arange(size, dtype=np.int32))


def test_many_launches_in_a_row(cpu):
    x = qd.ndarray(qd.i32, 50_000)
    for _ in range(500):
        light(x)
    np.testing.assert_array_equal(x.to_numpy(), 500 * np.arange(50_000, dtype=np.int64).astype(np.int32))


def test_concurrent_launches_from_threads(cpu):
    """Launches from several threads at once: one holds the pool, the others run on their own thread."""
    size, n = 3000, 50
    arrays = [qd.ndarray(qd.i32, size) for _ in range(4)]
    errors = []

    def run(x):
        try:
            for _ in range(30):
                heavy(x, n)
                light(x)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(x,)) for x in arrays]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    expected = _heavy_expected(size, n) + np.arange(size, dtype=np.int32)
    for x in arrays:
        np.testing.assert_array_equal(x.to_numpy(), expected)


@pytest.mark.parametrize("cap", [1, 2])
def test_cpu_max_num_threads_caps_the_threads(cap):
    qd.init(arch=qd.cpu, cpu_max_num_threads=cap)
    try:
        assert pool.thread_count() == min(cap, pool.cpu_count())
        x = qd.ndarray(qd.i32, 2000)
        heavy(x, 30)
        np.testing.assert_array_equal(x.to_numpy(), _heavy_expected(2000, 30))
    finally:
        qd.init(arch=qd.cpu)
    assert pool.thread_count() == pool.cpu_count()


def test_zero_spin_still_wakes_sleeping_workers(cpu):
    """With no spinning every dispatch goes through the sleep/wake path (condition variables)."""
    pool.configure(spin_us=0)
    try:
        x = qd.ndarray(qd.i32, 1000)
        for _ in range(200):
            heavy(x, 5)
        np.testing.assert_array_equal(x.to_numpy(), _heavy_expected(1000, 5))
    finally:
        pool.configure(spin_us=pool.SPIN_US)


def _run(code: str, tmp_path) -> subprocess.CompletedProcess:
    script = tmp_path / "program.py"  # kernels must come from a file
    script.write_text(textwrap.dedent(code))
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)


def test_process_exits_cleanly_after_parallel_work(tmp_path):
    """Workers are stopped and joined at exit, before the JIT's code is freed (no hang, no crash)."""
    done = _run(
        """
        import numpy as np, quadrants as qd
        qd.init(arch=qd.cpu)
        @qd.kernel
        def k(x: qd.types.NDArray[qd.f32, 1]):
            for i in range(x.shape[0]):
                x[i] = i * 2.0
        x = qd.ndarray(qd.f32, 1 << 20)
        k(x)
        assert x.to_numpy()[-1] == 2.0 * ((1 << 20) - 1)
        print("ok")
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_child_of_fork_runs_parallel_loops(tmp_path):
    done = _run(
        """
        import os, numpy as np, quadrants as qd
        qd.init(arch=qd.cpu)
        @qd.kernel
        def k(x: qd.types.NDArray[qd.i32, 1]):
            for i in range(x.shape[0]):
                x[i] += i
        x = qd.ndarray(qd.i32, 100000)
        k(x)
        pid = os.fork()
        if pid == 0:
            from quadrants_llvm.cpu import pool
            k(x)
            ok = np.array_equal(x.to_numpy(), 2 * np.arange(100000)) and pool.worker_count() == pool.cpu_count() - 1
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        k(x)
        assert os.waitstatus_to_exitcode(status) == 0, status
        assert np.array_equal(x.to_numpy(), 2 * np.arange(100000))
        print("ok")
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
