"""llvm-cuda stream rows for ``bench_llvm_cuda.py`` (docs/streams.md, issue 16).

Two kernels that each keep one thread busy for tens of milliseconds leave the device idle enough to overlap: on two
``qd.create_stream()`` streams, or as two ``qd.stream_parallel()`` blocks of one kernel, they should take about one
kernel's time (ratio ~1.0; the GPU test asserts < 1.6), on the default stream twice that. The launch row is the
cached-call cost of a one-lane kernel on a stream (its own launch context, the barrier bookkeeping).
"""

from __future__ import annotations

from cuda_worker import best, one_lane, per_call

import quadrants as qd

F1 = qd.types.ndarray(qd.f32, ndim=1)
SPIN = 1 << 22  # dependent multiply-adds per spin


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


def rows(row) -> list[dict]:
    """The stream rows, built with ``row(name, value, unit, baseline)`` (the caller's row helper)."""
    x, y = qd.ndarray(qd.f32, (1,)), qd.ndarray(qd.f32, (1,))
    s1, s2 = qd.create_stream(), qd.create_stream()
    one = best(lambda: spin(x, SPIN), repeat=3)
    default = best(lambda: (spin(x, SPIN), spin(y, SPIN)), repeat=3)
    streams = best(lambda: (spin(x, SPIN, qd_stream=s1), spin(y, SPIN, qd_stream=s2)), repeat=3)
    blocks = best(lambda: spin_two_blocks(x, y, SPIN), repeat=3)
    z = qd.ndarray(qd.i32, 1)
    on_default = per_call(lambda: one_lane(z))
    on_stream = per_call(lambda: one_lane(z, qd_stream=s1))
    s1.destroy()
    s2.destroy()
    return [
        row("2 spin kernels, default stream (ms vs 1 kernel)", default * 1e3, "ms", one * 1e3),
        row("2 spin kernels on 2 qd streams (ms vs 1 kernel)", streams * 1e3, "ms", one * 1e3),
        row("2 qd.stream_parallel() blocks (ms vs 1 kernel)", blocks * 1e3, "ms", one * 1e3),
        row("1-lane launch on a qd stream (us vs default stream)", on_stream * 1e6, "us", on_default * 1e6),
    ]
