"""The native worker pool (cpu/pool.py, issue 23): results in both dispatch modes, the contention monitor,
concurrency, cpu_max_num_threads, fork and exit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import quadrants as qd
from quadrants_llvm.cpu import pool, pool_ir

I32_1 = qd.types.NDArray[qd.i32, 1]


@pytest.fixture
def cpu():
    qd.init(arch=qd.cpu)
    yield
    qd.init(arch=qd.cpu)  # back to the default thread count for the next test
    pool.configure(mode="auto", inline_us=pool.INLINE_US, adapt=pool.ADAPT)


@pytest.fixture(params=["shared", "handoff", "auto"])
def mode(request, cpu):
    """Every dispatch mode: the caller computes too, the caller sleeps while the workers compute, automatic."""
    pool.configure(mode=request.param)
    yield request.param


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
    assert pool.worker_count() == pool.cpu_count()


@pytest.mark.parametrize("size", [1, 2, 3, 4095, 4096, 4097, 100_003])
def test_every_lane_runs_once(mode, size):
    x = qd.ndarray(qd.i32, size)
    for _ in range(3):
        light(x)
    np.testing.assert_array_equal(x.to_numpy(), 3 * np.arange(size, dtype=np.int32))


def test_many_launches_in_a_row(mode):
    x = qd.ndarray(qd.i32, 50_000)
    for _ in range(500):
        light(x)
    np.testing.assert_array_equal(x.to_numpy(), 500 * np.arange(50_000, dtype=np.int64).astype(np.int32))


def test_concurrent_launches_from_threads(mode):
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


def test_zero_spin_still_wakes_sleeping_workers(mode):
    """With no spinning every dispatch goes through the sleep/wake path (condition variables)."""
    pool.configure(spin_us=0)
    try:
        x = qd.ndarray(qd.i32, 1000)
        for _ in range(200):
            heavy(x, 5)
        np.testing.assert_array_equal(x.to_numpy(), _heavy_expected(1000, 5))
    finally:
        pool.configure(spin_us=pool.SPIN_US)


def _native_state():
    if pool.pool_kind() != "native":
        pytest.skip("the native pool only")
    return pool._KEEP[0].state


@pytest.mark.parametrize(("mode_name", "handed_off"), [("shared", False), ("handoff", True)])
def test_pinned_mode_decides_who_computes(cpu, mode_name, handed_off):
    """Shared: the caller computes and at most cpu_count - 1 workers join; hand-off: the workers compute alone."""
    _native_state()
    if pool.cpu_count() < 2:
        pytest.skip("one CPU: every loop runs on the caller")
    pool.configure(mode=mode_name, inline_us=0, adapt=False)  # every job dispatched, however small or slow
    before = pool.stats()
    x = qd.ndarray(qd.i32, 2000)
    for _ in range(20):
        heavy(x, 20)
    after = pool.stats()
    np.testing.assert_array_equal(x.to_numpy(), _heavy_expected(2000, 20))
    jobs = after["jobs"] - before["jobs"]
    assert jobs == 20
    assert after["handoffs"] - before["handoffs"] == (jobs if handed_off else 0)
    assert after["handoff"] == int(handed_off)
    assert after["switches"] == before["switches"]
    joins = after["joins"] - before["joins"]
    if handed_off:  # nobody else computes: at least one worker joined every job
        assert joins >= jobs
    else:
        assert joins <= jobs * (pool.cpu_count() - 1)


@pytest.mark.parametrize(("inline_us", "inlined"), [(0, 0), (10**7, 19)])
def test_handoff_runs_small_tasks_on_the_caller(cpu, inline_us, inlined):
    """In hand-off mode a task whose last run took less than ``inline_us`` of work skips the two wake-ups."""
    _native_state()
    if pool.cpu_count() < 2:
        pytest.skip("one CPU: every loop runs on the caller")
    pool.configure(mode="handoff", inline_us=inline_us, adapt=False)
    x = qd.ndarray(qd.i32, 2000)
    heavy(x, 1)  # compiled (and run once, so the memo knows its work) before counting
    before = pool.stats()
    for _ in range(19):
        heavy(x, 20)
    after = pool.stats()
    np.testing.assert_array_equal(x.to_numpy(), _heavy_expected(2000, 20))
    assert after["inlined"] - before["inlined"] == inlined
    assert after["jobs"] - before["jobs"] == 19 - inlined


@pytest.mark.parametrize(("inline_shared_us", "inlined"), [(0, 0), (10**7, 19)])
def test_shared_mode_runs_small_tasks_on_the_caller_too(cpu, inline_shared_us, inlined):
    """The small-task rule applies in shared mode as well, with its own limit (``inline_shared_us``; 0: never):
    publishing a job and waiting for a joined worker costs more than a task of a few microseconds."""
    _native_state()
    if pool.cpu_count() < 2:
        pytest.skip("one CPU: every loop runs on the caller")
    pool.configure(mode="shared", inline_us=0, inline_shared_us=inline_shared_us, adapt=False)
    try:
        x = qd.ndarray(qd.i32, 2000)
        heavy(x, 1)
        before = pool.stats()
        for _ in range(19):
            heavy(x, 20)
        after = pool.stats()
    finally:
        pool.configure(inline_shared_us=pool.INLINE_SHARED_US)
    np.testing.assert_array_equal(x.to_numpy(), _heavy_expected(2000, 20))
    assert after["inlined"] - before["inlined"] == inlined
    assert after["jobs"] - before["jobs"] == 19 - inlined
    assert after["handoffs"] == before["handoffs"]


def test_unknown_mode_is_rejected(cpu):
    with pytest.raises(ValueError, match="expected one of auto, shared, handoff"):
        pool.configure(mode="eager")


def _schedstat_wait() -> int:
    with open("/proc/thread-self/schedstat") as f:
        return int(f.read().split()[1])


@pytest.mark.skipif(not os.path.exists("/proc/thread-self/schedstat"), reason="no per-thread schedstat")
def test_run_delay_reads_this_threads_run_queue_wait(cpu):
    _native_state()
    for _ in range(5):
        lo = _schedstat_wait()
        native = pool._KEEP[0].run_delay()
        hi = _schedstat_wait()
        assert lo <= native <= hi


WINDOW_NS = 1_000_000_000  # a long pretended window: a real preemption of a few ms moves its ratio very little


def _pretend_window(state, waited_ns: int) -> None:
    """Make the next dispatch's monitor sample see a window of WINDOW_NS in which this thread waited ``waited_ns``."""
    state.mon_thread = threading.get_ident()  # pthread_self() on POSIX
    state.mon_delay = _schedstat_wait() - waited_ns
    state.mon_t = time.clock_gettime_ns(time.CLOCK_MONOTONIC) - WINDOW_NS


@pytest.mark.skipif(not os.path.exists("/proc/thread-self/schedstat"), reason="no per-thread schedstat")
def test_contention_monitor_switches_modes(cpu):
    """A shared-mode window with >= 20% run-queue wait enters hand-off mode; 256 windows later shared mode is probed,
    and a busy probe window goes back to hand-off."""
    state = _native_state()
    if pool.cpu_count() < 2:
        pytest.skip("one CPU: nothing is dispatched")
    pool.configure(mode="auto")
    x = qd.ndarray(qd.i32, 500)
    heavy(x, 3)  # compiled before the pretended windows start
    window = WINDOW_NS

    def dispatch_after(waited_ns: int) -> int:
        _pretend_window(state, waited_ns)
        heavy(x, 3)
        return pool.stats()["handoff"]

    busy, calm = window * (pool_ir.ENTER_PERMILLE + 50) // 1000, window * (pool_ir.ENTER_PERMILLE - 50) // 1000
    assert dispatch_after(calm) == 0  # below the entry threshold
    switches = pool.stats()["switches"]
    assert dispatch_after(busy) == 1
    assert pool.stats()["switches"] == switches + 1
    for _ in range(pool_ir.PROBE_WINDOWS - 1):
        assert dispatch_after(0) == 1  # hand-off mode's own waits say nothing: it stays until the probe
    assert dispatch_after(0) == 0  # the probe: shared mode
    assert dispatch_after(busy) == 1  # a busy probe window: back to hand-off
    for _ in range(pool_ir.PROBE_WINDOWS):
        dispatch_after(busy)
    assert dispatch_after(calm) == 0  # the next probe, calm: shared mode stays
    assert dispatch_after(calm) == 0
    assert pool.stats()["switches"] == switches + 4
    np.testing.assert_array_equal(x.to_numpy(), _heavy_expected(500, 3))


def _monitor_after_one_launch():
    """The pool's native state and an ndarray, after one heavy launch in auto mode (skips with one CPU)."""
    state = _native_state()
    if pool.cpu_count() < 2:
        pytest.skip("one CPU: nothing is dispatched")
    pool.configure(mode="auto")
    x = qd.ndarray(qd.i32, 500)
    heavy(x, 3)
    return state, x


@pytest.mark.skipif(not os.path.exists("/proc/thread-self/schedstat"), reason="no per-thread schedstat")
def test_monitor_judges_a_window_whose_start_is_below_zero(cpu):
    """Only -1 means "unreadable": a pretended window longer than this thread's whole wait so far still counts (the
    contention test flaked when the thread had waited less than its busy window in total)."""
    state, x = _monitor_after_one_launch()
    long_window = 100 * WINDOW_NS
    state.mon_thread = threading.get_ident()
    state.mon_delay = _schedstat_wait() - long_window // 2  # negative: more wait than the thread ever had
    state.mon_t = time.clock_gettime_ns(time.CLOCK_MONOTONIC) - long_window
    heavy(x, 3)
    assert pool.stats()["handoff"] == 1


def test_monitor_ignores_a_window_sampled_on_another_thread(cpu):
    """Run-queue waits of two different threads are not comparable: a sample from a new thread only starts one."""
    state, x = _monitor_after_one_launch()
    state.mon_thread = threading.get_ident() + 1
    state.mon_delay = 0  # as if another thread had waited for nothing
    state.mon_t = time.clock_gettime_ns(time.CLOCK_MONOTONIC) - WINDOW_NS
    heavy(x, 3)
    assert pool.stats()["handoff"] == 0
    assert state.mon_thread == threading.get_ident()


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


def test_handoff_stress_back_to_back_jobs(tmp_path):
    """Thousands of hand-off jobs back to back (two loops per launch, nothing inlined): every lane runs once and no
    job is lost between a worker's late close and the next publish (a lost job would hang: the subprocess timeout)."""
    done = _run(
        """
        import numpy as np, quadrants as qd
        from quadrants_llvm.cpu import pool
        qd.init(arch=qd.cpu)
        pool.configure(mode="handoff", inline_us=0, adapt=False)
        @qd.kernel
        def k(x: qd.types.NDArray[qd.i32, 1], y: qd.types.NDArray[qd.i32, 1]):
            for i in range(x.shape[0]):
                s = 0
                for j in range(2):
                    s += j
                x[i] += 1 + s
            for i in range(y.shape[0]):
                y[i] += x[i]
        x = qd.ndarray(qd.i32, 64)
        y = qd.ndarray(qd.i32, 64)
        for _ in range(3000):
            k(x, y)
        n = 3000
        assert np.array_equal(x.to_numpy(), np.full(64, 2 * n)), x.to_numpy()[:4]
        assert np.array_equal(y.to_numpy(), np.full(64, n * (n + 1))), y.to_numpy()[:4]
        stats = pool.stats()
        assert pool.cpu_count() < 2 or stats["handoffs"] >= n, stats
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
            from quadrants_llvm.cpu import pool, pool_ir
            k(x)
            ok = np.array_equal(x.to_numpy(), 2 * np.arange(100000)) and pool.worker_count() == pool.cpu_count()
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
