"""The pool workers' scheduler time slice (cpu/sched.py, cpu/pool.py; issue 23): set on every worker, configurable,
kept across fork, and it never changes a thread's policy or nice value."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

import pytest

import quadrants as qd
from quadrants_llvm.cpu import pool, pool_ir, sched


def _custom_slices() -> bool:
    """Whether this kernel keeps a requested slice (Linux 6.12+): ask for one on a throwaway thread."""
    if sched.syscall_numbers() is None:
        return False
    seen = []

    def probe():
        tid = threading.get_native_id()
        seen.append(sched.set_slice(tid, 300_000) and sched.get_slice(tid) == 300_000)

    t = threading.Thread(target=probe)
    t.start()
    t.join()
    return seen[0]


needs_slices = pytest.mark.skipif(not _custom_slices(), reason="no per-thread time slices (Linux 6.12+)")


@pytest.fixture
def cpu():
    qd.init(arch=qd.cpu)
    yield
    pool.configure(slice_us=pool.SLICE_US)


def test_worker_ir_records_thread_ids_only_with_gettid():
    offsets = {name: 8 * i for i, (name, _) in enumerate(pool._State._fields_)}
    without = pool_ir.pool_ir("x86_64-unknown-linux-gnu", offsets, 1)
    with_tid = pool_ir.pool_ir("x86_64-unknown-linux-gnu", offsets, 1, gettid=186)
    assert "@syscall(i64 186)" in with_tid and "@qd_pool_tids" in with_tid
    assert "call i64 (i64, ...) @syscall" not in without


@needs_slices
def test_every_worker_gets_the_pool_slice(cpu):
    slices = pool.worker_slices()
    assert len(slices) == pool.worker_count()
    assert set(slices.values()) == {pool.SLICE_US * 1000}
    assert threading.get_native_id() not in slices  # the calling (user's) thread is left alone
    assert sched.get_slice(threading.get_native_id()) != pool.SLICE_US * 1000


@needs_slices
def test_slice_is_configurable_and_zero_restores_the_default(cpu):
    pool.configure(slice_us=250)
    assert set(pool.worker_slices().values()) == {250_000}
    pool.configure(slice_us=0)
    default = set(pool.worker_slices().values())
    assert len(default) == 1 and default != {250_000} and default != {pool.SLICE_US * 1000}


@needs_slices
def test_set_slice_keeps_nice_and_skips_idle_threads():
    ready, done = threading.Event(), threading.Event()
    tids = []

    def body():
        tids.append(threading.get_native_id())
        ready.set()
        done.wait(10)

    t = threading.Thread(target=body)
    t.start()
    ready.wait(10)
    tid = tids[0]
    try:
        os.setpriority(os.PRIO_PROCESS, tid, 7)
        assert sched.set_slice(tid, 200_000)
        assert sched.get_slice(tid) == 200_000
        assert os.getpriority(os.PRIO_PROCESS, tid) == 7
        assert os.sched_getscheduler(tid) == os.SCHED_OTHER
        os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
        assert not sched.set_slice(tid, 100_000)  # not a fair class: left alone
        assert os.sched_getscheduler(tid) == os.SCHED_IDLE
    finally:
        done.set()
        t.join()


@needs_slices
def test_child_of_fork_gives_its_new_workers_the_slice(tmp_path):
    script = tmp_path / "program.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, quadrants as qd
            from quadrants_llvm.cpu import pool
            qd.init(arch=qd.cpu)
            pool.configure(slice_us=300)
            pid = os.fork()
            if pid == 0:
                slices = pool.worker_slices()
                ok = len(slices) == pool.worker_count() and set(slices.values()) == {300_000}
                os._exit(0 if ok else 3)
            _, status = os.waitpid(pid, 0)
            print(os.waitstatus_to_exitcode(status))
            """
        )
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
