"""Graph kernels (issue 6): host overhead per ``qd.graph.do_while`` iteration on the best CPU backend.

A do_while whose body is one tiny task and a counter decrement runs N passes; the time per pass minus nothing is the
driver's per-iteration cost (target ≤ 10 µs on llvm-cpu). The baseline is the same body launched as a plain kernel
from a Python loop, N times (what users would write without graphs).
"""

from __future__ import annotations

import time

import quadrants as qd

PASSES = 2000

I0 = qd.types.NDArray[qd.i32, 0]
I1 = qd.types.NDArray[qd.i32, 1]


def run() -> list[dict]:
    """Rows for ``benchmarks/run.py``."""
    qd.init(arch=qd.cpu)
    from quadrants.runtime.state import RUNTIME

    @qd.kernel(graph=True)
    def looped(x: I1, cnt: I0):
        while qd.graph.do_while(cnt):
            for i in range(x.shape[0]):
                x[i] += 1
            cnt[()] = cnt[()] - 1

    @qd.kernel
    def once(x: I1, cnt: I0):
        for i in range(x.shape[0]):
            x[i] += 1
        cnt[()] = cnt[()] - 1

    x = qd.ndarray(qd.i32, 16)
    cnt = qd.ndarray(qd.i32, ())
    cnt[()] = 1
    looped(x, cnt)
    once(x, cnt)

    def graph_run():
        cnt[()] = PASSES
        t0 = time.perf_counter()
        looped(x, cnt)
        return time.perf_counter() - t0

    def python_run():
        t0 = time.perf_counter()
        for _ in range(PASSES):
            once(x, cnt)
        return time.perf_counter() - t0

    t_graph = min(graph_run() for _ in range(5)) / PASSES * 1e6
    t_python = min(python_run() for _ in range(5)) / PASSES * 1e6
    return [
        {
            "name": f"do_while per-iteration host cost ({RUNTIME.session.backend_id}) vs a Python launch loop",
            "value": t_graph,
            "unit": "us",
            "baseline": t_python,
            "ratio": t_graph / t_python,
        }
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']:.2f} {row['unit']} vs {row['baseline']:.2f} -> ratio {row['ratio']:.2f}")
