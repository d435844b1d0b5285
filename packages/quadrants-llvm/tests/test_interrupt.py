"""Ctrl-C during a long llvm-cpu launch (cpu/interrupt.py): ``KeyboardInterrupt`` within a second, and the next
launch works. Each scenario runs in a fresh interpreter whose SIGINT handling is Python's default (a pytest worker's
may not be), and sends itself SIGINT from a timer thread."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

PROLOGUE = """
import os, signal, threading, time
import numpy as np
import quadrants as qd
qd.init(arch="llvm-cpu")

@qd.kernel
def inc(x: qd.types.NDArray[qd.i32, 1]):
    for i in range(x.shape[0]):
        x[i] += 1

def interrupted_within_a_second(call):
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    t0 = time.perf_counter()
    try:
        call()
    except KeyboardInterrupt:
        late = time.perf_counter() - t0 - 0.3
        assert late < 1.0, f"KeyboardInterrupt came {late:.2f} s after SIGINT"
    else:
        raise AssertionError("the launch finished before the interrupt")
    y = qd.ndarray(qd.i32, 4096)  # the next launches work (pool and context buffers released)
    inc(y)
    inc(y)
    assert (y.to_numpy() == 2).all()
"""


def run(tmp_path, body: str) -> str:
    script = tmp_path / "program.py"  # kernels need a source file
    script.write_text(PROLOGUE + textwrap.dedent(body))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_innermost_serial_loop_in_a_parallel_loop(tmp_path):
    run(
        tmp_path,
        """
        @qd.kernel
        def spin(x: qd.types.NDArray[qd.f32, 1], n: qd.i32):
            for i in range(x.shape[0]):
                s = 0.0
                for j in range(n):
                    s += qd.sin(s + j)
                x[i] = s

        x = qd.ndarray(qd.f32, 64)
        interrupted_within_a_second(lambda: spin(x, 2_000_000_000))
        spin(x, 10)  # the same kernel again, to completion
        """,
    )


def test_while_loop_in_a_serial_task_and_later_tasks_skipped(tmp_path):
    out = run(
        tmp_path,
        """
        @qd.kernel
        def forever(x: qd.types.NDArray[qd.i32, 1]):
            while x[0] >= 0:
                x[1] += 1
            for i in range(x.shape[0]):
                x[i] = 7

        x = qd.ndarray(qd.i32, 4)
        interrupted_within_a_second(lambda: forever(x))
        print(x[2])
        """,
    )
    assert out.split() == ["0"]  # the parallel task after the interrupted one did not run


def test_graph_kernel_do_while_that_never_ends(tmp_path):
    run(
        tmp_path,
        """
        @qd.kernel(graph=True)
        def loop(c: qd.types.NDArray[qd.i32, 0], x: qd.types.NDArray[qd.i32, 1]):
            while qd.graph.do_while(c):
                for i in range(x.shape[0]):
                    x[i] += 1

        c = qd.ndarray(qd.i32, ())
        c[()] = 1
        interrupted_within_a_second(lambda: loop(c, qd.ndarray(qd.i32, 1 << 16)))
        """,
    )


def test_a_program_with_its_own_sigint_handler_keeps_it(tmp_path):
    out = run(
        tmp_path,
        """
        from quadrants_llvm.cpu import interrupt

        @qd.kernel
        def spin(x: qd.types.NDArray[qd.f32, 1], n: qd.i32):
            for i in range(x.shape[0]):
                s = 0.0
                for j in range(n):
                    s += qd.sin(s + j)
                x[i] = s

        x = qd.ndarray(qd.f32, 4)
        spin(x, 1)
        assert interrupt.installed()
        seen = []
        signal.signal(signal.SIGINT, lambda *a: seen.append(1))
        assert not interrupt.installed()  # Python's signal.signal put its own C handler back
        before = interrupt.counter()
        threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        spin(x, 20_000_000)  # runs to completion; the program's handler runs after it
        time.sleep(0.3)
        assert seen == [1] and interrupt.counter() == before
        print(x[0] != 0)
        """,
    )
    assert out.split() == ["True"]
