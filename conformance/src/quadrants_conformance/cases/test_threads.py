"""Launches from several Python threads at once (docs/semantics-decisions.md, "Threads").

A kernel may be called from any thread: each launch has its own argument buffers and return slots, and a new
specialization is compiled once however many threads ask for it at the same time. Every case here runs eight threads
that each work on their own arrays; the observables are what each thread saw, which must equal a serial run.
"""

import threading

import numpy as np

import quadrants as qd
from quadrants_conformance import case

THREADS = 8
I32_1 = qd.types.NDArray[qd.i32, 1]


def run_threads(work) -> list:
    """Run ``work(t)`` on ``THREADS`` threads released together; re-raise the first failure."""
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS
    failures: list = []

    def body(t):
        try:
            barrier.wait()
            results[t] = work(t)
        except BaseException as exc:  # reported below, in the calling thread
            failures.append(exc)

    threads = [threading.Thread(target=body, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if failures:
        raise failures[0]
    return results


@case(section="7", golden={"arrays_ok": [True] * THREADS, "returns_ok": [True] * THREADS})
def eight_threads_launch_the_same_kernels():
    @qd.kernel
    def add(x: I32_1, v: qd.i32):
        for i in range(x.shape[0]):
            x[i] = x[i] + v

    @qd.kernel
    def combine(a: qd.i32, b: qd.i32) -> qd.i32:
        return a * 10000 + b

    arrays = [qd.ndarray(qd.i32, (64,)) for _ in range(THREADS)]
    add(arrays[0], 0)  # compiled before the threads start: every thread takes the launch fast path
    combine(0, 0)
    launches = 1000

    def work(t):
        wrong = 0
        for k in range(launches):
            add(arrays[t], t + 1)
            wrong += combine(t, k) != t * 10000 + k
        return wrong == 0

    returns_ok = run_threads(work)
    arrays_ok = [bool((a.to_numpy() == launches * (t + 1)).all()) for t, a in enumerate(arrays)]
    return {"arrays_ok": arrays_ok, "returns_ok": returns_ok}


@case(section="8", golden={"compiles": 1, "results": [2 * (t + 1) for t in range(THREADS)], "x_ok": True})
def eight_threads_compile_one_new_kernel_once():
    @qd.kernel
    def k(x: I32_1, v: qd.i32) -> qd.i32:
        for i in range(x.shape[0]):
            x[i] = v
        return v * 2

    arrays = [np.zeros(32, np.int32) for _ in range(THREADS)]
    results = run_threads(lambda t: k(arrays[t], t + 1))
    x_ok = all((a == t + 1).all() for t, a in enumerate(arrays))
    return {"compiles": k.compile_count, "results": results, "x_ok": bool(x_ok)}


@case(section="16", golden={"counts": [0] * THREADS, "totals": [10 * (t + 1) for t in range(THREADS)]})
def eight_threads_run_a_do_while_graph():
    @qd.kernel(graph=True)
    def countdown(counter: qd.types.NDArray[qd.i32, 0], total: I32_1):
        while qd.graph.do_while(counter):
            for _i in range(1):
                total[0] += 1
            for _i in range(1):
                counter[()] -= 1

    counters = [qd.ndarray(qd.i32, ()) for _ in range(THREADS)]
    totals = [qd.ndarray(qd.i32, (1,)) for _ in range(THREADS)]

    def work(t):
        for _ in range(t + 1):
            counters[t].from_numpy(np.array(10, np.int32))
            countdown(counters[t], totals[t])

    run_threads(work)
    return {"counts": [int(c.to_numpy()) for c in counters], "totals": [int(s.to_numpy()[0]) for s in totals]}


@case(section="8", golden={"mixed_ok": [True] * THREADS})
def eight_threads_mixed_kernels_and_specializations():
    @qd.kernel
    def scale(x: qd.types.ndarray(), s: qd.template()):
        for i in range(x.shape[0]):
            x[i] = x[i] * s

    def work(t):
        ok = True
        for k in range(50):
            a = np.full(16, t + 1, np.int32 if k % 2 else np.float32)
            scale(a, 1 + k % 3)  # six specializations, raced by every thread
            ok &= bool((a == (t + 1) * (1 + k % 3)).all())
        return ok

    return {"mixed_ok": run_threads(work)}
