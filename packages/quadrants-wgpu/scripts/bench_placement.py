"""Cost of the binding-limit fallbacks (docs/backends/wgpu.md#binding-limits) on the current adapter.

* ``arena``: one kernel over 40 f32 ndarrays of ``--n`` elements (over lavapipe's 32 storage buffers, so the
  cheapest arrays share the arena) against the same work as two kernels of 20 arrays each (bound as usual).
* ``windows``: a fill of an f32 ndarray just under one binding against one just over it (two windows).
* ``max-args``: upstream's ``test_ndarray_max_num_args`` kernel (512 i32 ndarrays), first call and later calls.

usage: python bench_placement.py [--n 262144] [--reps 20]
"""

from __future__ import annotations

import argparse
import importlib.util
import pathlib
import tempfile
import time

import quadrants as qd


def _load(src: str, name: str):
    path = pathlib.Path(tempfile.mkdtemp()) / f"{name}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _kernel(count: int, name: str) -> str:
    params = ", ".join(f"a{k}: qd.types.NDArray[qd.f32, 1]" for k in range(count))
    body = "\n".join(f"        a{k}[i] = a{k}[i] * 0.5 + {k}" for k in range(count))
    return f"import quadrants as qd\n@qd.kernel\ndef {name}({params}):\n    for i in range(a0.shape[0]):\n{body}\n"


def _time(fn, reps: int) -> float:
    fn()
    qd.sync()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    qd.sync()
    return (time.perf_counter() - t) / reps * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1 << 18)
    ap.add_argument("--reps", type=int, default=20)
    opts = ap.parse_args()
    qd.init(arch=qd.vulkan)
    from quadrants_wgpu.runtime.device import get_device

    dev = get_device()
    limits = dev.device.limits
    print(f"device: {dev.description}; storage buffers {limits['max-storage-buffers-per-shader-stage']}, "
          f"binding {limits['max-storage-buffer-binding-size'] >> 20} MiB")  # fmt: skip

    arrays = [qd.ndarray(qd.f32, opts.n) for _ in range(40)]
    forty = _load(_kernel(40, "forty"), "forty").forty
    twenty = _load(_kernel(20, "twenty"), "twenty").twenty
    one = _time(lambda: forty(*arrays), opts.reps)
    two = _time(lambda: (twenty(*arrays[:20]), twenty(*arrays[20:])), opts.reps)
    print(f"arena: 40 arrays of {opts.n} f32 in one kernel {one:.2f} ms, as two kernels of 20 {two:.2f} ms")

    @qd.kernel
    def fill(x: qd.types.NDArray[qd.f32, 1]):
        for i in range(x.shape[0]):
            x[i] = i * 0.5

    size = limits["max-storage-buffer-binding-size"] // 4
    for label, n in (("one binding", size - 4), ("two windows", size + 4)):
        x = qd.ndarray(qd.f32, n)
        ms = _time(lambda x=x: fill(x), max(2, opts.reps // 10))
        print(f"windows: fill of {n} f32 ({label}) {ms:.1f} ms, {n * 4 / ms / 1e6:.2f} GB/s")
        del x

    src = "import quadrants as qd\n@qd.kernel\ndef k(" + ", ".join(
        f"a{i}: qd.types.NDArray[qd.i32, 1]" for i in range(512)
    )
    src += "):\n" + "\n".join(f"    a{i}[0] += {i + 1}" for i in range(512)) + "\n"
    k = _load(src, "max_args").k
    many = [qd.ndarray(qd.i32, (10,)) for _ in range(512)]
    t = time.perf_counter()
    k(*many)
    qd.sync()
    first = (time.perf_counter() - t) * 1e3
    later = _time(lambda: k(*many), opts.reps)
    assert all(int(many[i][0]) == (opts.reps + 2) * (i + 1) for i in range(0, 512, 37))
    print(f"max-args: 512 i32 ndarrays, first call {first:.0f} ms, later calls {later:.2f} ms")


if __name__ == "__main__":
    main()
