"""Cost of the aliased-arguments variant (docs/backends/wgpu.md#one-buffer-passed-as-several-arguments).

A stencil ``b[i + h + 1] = a[i] + a[i + 1]`` over ``--rows`` rows, called with two ndarrays (the default shader) and
with one ndarray passed twice (the variant that binds it once), ``--reps`` calls each, ``--runs`` times; also the
first call of each (the default's includes compiling the kernel, the aliased one emitting the variant).

usage: python bench_aliases.py [--rows 65536] [--reps 200] [--runs 3]
"""

from __future__ import annotations

import argparse
import time

import quadrants as qd

F1 = qd.types.NDArray[qd.f32, 1]  # module level: the kernel's annotations are looked up here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1 << 16)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    qd.init(arch=qd.vulkan)

    @qd.kernel
    def stencil(a: F1, b: F1, h: qd.i32):
        for i in range(h):
            b[i + h + 1] = a[i] + a[i + 1]

    h = opts.rows
    x, y = qd.ndarray(qd.f32, 2 * h + 1), qd.ndarray(qd.f32, 2 * h + 1)

    def first(a, b) -> float:
        start = time.perf_counter()
        stencil(a, b, h)
        b.to_numpy()
        return (time.perf_counter() - start) * 1e3

    def per_call(a, b) -> float:
        stencil(a, b, h)
        b.to_numpy()
        start = time.perf_counter()
        for _ in range(opts.reps):
            stencil(a, b, h)
        b.to_numpy()  # waits for every call
        return (time.perf_counter() - start) / opts.reps * 1e6

    print(f"first call: two arrays {first(x, y):.1f} ms, one array twice {first(x, x):.1f} ms")
    for run in range(opts.runs):
        print(f"run {run}: two arrays {per_call(x, y):.0f} us/call, one array twice {per_call(x, x):.0f} us/call")


if __name__ == "__main__":
    main()
