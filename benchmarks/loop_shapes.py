"""Parallel-loop shapes for ``bench_loops.py`` (issue 23), and the timing worker that runs them.

Every shape is one kernel whose parallel loop has the same light body (``v = v * 0.5 + 1``) over an f32 container:

* ``const 1-4D``: ``range(N)`` / ``qd.ndrange(...)`` with compile-time bounds over a field;
* ``runtime 1-4D``: ``qd.ndrange(x.shape[0], ...)`` over an ndarray (bounds read at run time);
* ``struct-for field`` / ``struct-for ndarray``: ``for i, j in f`` over a 2-D field / ndarray;
* ``grouped``: ``for I in qd.grouped(f)`` over a 3-D field;
* ``template``: a ``qd.template()`` kernel (``qd.grouped``) given a 2-D field.

Each comes in a ``small`` size (4096 lanes: launch and dispatch cost dominate) and a ``large`` one (about 2^20
lanes: memory throughput and how the range is split). The file only uses API that upstream Quadrants 1.3.3 shares, so
the same worker runs under this project's interpreter and upstream's. Worker protocol (one JSON line each way, on
the original stdout; everything else goes to stderr):

* ``{"cmd": "start", "threads": N}``: ``qd.init(arch=qd.cpu)`` (``cpu_max_num_threads=N`` and the process pinned to
  N CPUs when given), build and warm every shape; answers ``{"shapes": [name, ...]}``;
* ``{"cmd": "time", "shape": NAME, "reps": R}``: R launches then ``qd.sync()``; answers ``{"seconds": per launch}``;
* ``{"cmd": "quit"}``.
"""

import json
import os
import sys
import time


def _answer_channel():
    """A duplicate of the original stdout for answers; stdout itself then points at stderr (import banners)."""
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return answers


ANSWERS = _answer_channel() if __name__ == "__main__" else None

import quadrants as qd  # noqa: E402 - after the redirect: upstream prints a banner when imported

SIZES = {
    "small": {1: (4096,), 2: (64, 64), 3: (16, 16, 16), 4: (8, 8, 8, 8)},
    "large": {1: (1 << 20,), 2: (1024, 1024), 3: (64, 128, 128), 4: (32, 32, 32, 32)},
}
REPS = {"small": 100, "large": 4}  # launches per timed sample


def _const_kernel(f, shape):  # one kernel per rank, written out (loop variables differ)
    if len(shape) == 1:
        (n0,) = shape

        @qd.kernel
        def k1():
            for i in range(n0):
                f[i] = f[i] * 0.5 + 1.0

        return k1
    if len(shape) == 2:
        n0, n1 = shape

        @qd.kernel
        def k2():
            for i, j in qd.ndrange(n0, n1):
                f[i, j] = f[i, j] * 0.5 + 1.0

        return k2
    if len(shape) == 3:
        n0, n1, n2 = shape

        @qd.kernel
        def k3():
            for i, j, k in qd.ndrange(n0, n1, n2):
                f[i, j, k] = f[i, j, k] * 0.5 + 1.0

        return k3
    n0, n1, n2, n3 = shape

    @qd.kernel
    def k4():
        for i, j, k, m in qd.ndrange(n0, n1, n2, n3):
            f[i, j, k, m] = f[i, j, k, m] * 0.5 + 1.0

    return k4


@qd.kernel
def runtime1(x: qd.types.ndarray(dtype=qd.f32, ndim=1)):
    for i in qd.ndrange(x.shape[0]):
        x[i] = x[i] * 0.5 + 1.0


@qd.kernel
def runtime2(x: qd.types.ndarray(dtype=qd.f32, ndim=2)):
    for i, j in qd.ndrange(x.shape[0], x.shape[1]):
        x[i, j] = x[i, j] * 0.5 + 1.0


@qd.kernel
def runtime3(x: qd.types.ndarray(dtype=qd.f32, ndim=3)):
    for i, j, k in qd.ndrange(x.shape[0], x.shape[1], x.shape[2]):
        x[i, j, k] = x[i, j, k] * 0.5 + 1.0


@qd.kernel
def runtime4(x: qd.types.ndarray(dtype=qd.f32, ndim=4)):
    for i, j, k, m in qd.ndrange(x.shape[0], x.shape[1], x.shape[2], x.shape[3]):
        x[i, j, k, m] = x[i, j, k, m] * 0.5 + 1.0


@qd.kernel
def struct_ndarray(x: qd.types.ndarray(dtype=qd.f32, ndim=2)):
    for i, j in x:
        x[i, j] = x[i, j] * 0.5 + 1.0


@qd.kernel
def template_grouped(g: qd.template()):
    for idx in qd.grouped(g):
        g[idx] = g[idx] * 0.5 + 1.0


def _struct_field_kernel(f):
    @qd.kernel
    def struct_field():
        for i, j in f:
            f[i, j] = f[i, j] * 0.5 + 1.0

    return struct_field


def _grouped_kernel(f):
    @qd.kernel
    def grouped():
        for idx in qd.grouped(f):
            f[idx] = f[idx] * 0.5 + 1.0

    return grouped


RUNTIME = {1: runtime1, 2: runtime2, 3: runtime3, 4: runtime4}


def build() -> dict:
    """``{shape name: zero-argument launch}`` for every shape and size (fields and arrays allocated here)."""
    calls = {}
    for size, dims in SIZES.items():
        for d, shape in dims.items():
            calls[f"const {d}D {size}"] = _const_kernel(qd.field(qd.f32, shape=shape), shape)
            x = qd.ndarray(qd.f32, shape)
            calls[f"runtime {d}D {size}"] = lambda k=RUNTIME[d], x=x: k(x)
        calls[f"struct-for field {size}"] = _struct_field_kernel(qd.field(qd.f32, shape=dims[2]))
        y = qd.ndarray(qd.f32, dims[2])
        calls[f"struct-for ndarray {size}"] = lambda y=y: struct_ndarray(y)
        calls[f"grouped {size}"] = _grouped_kernel(qd.field(qd.f32, shape=dims[3]))
        g = qd.field(qd.f32, shape=dims[2])
        calls[f"template {size}"] = lambda g=g: template_grouped(g)
    return calls


def reps(name: str) -> int:
    """Launches per timed sample of shape ``name``."""
    return REPS[name.rsplit(" ", 1)[1]]


def main() -> int:
    """The worker's command loop (see the module docstring)."""
    answers = ANSWERS or _answer_channel()
    calls: dict = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        try:
            if command["cmd"] == "quit":
                break
            if command["cmd"] == "start":
                options = {"offline_cache": False}
                threads = command.get("threads")
                if threads:
                    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:threads]))
                    options["cpu_max_num_threads"] = threads
                qd.init(arch=qd.cpu, **options)
                arch = qd.lang.impl.current_cfg().arch
                if arch not in (qd.x64, qd.arm64):  # a broken CPU backend falls back silently: never time that
                    raise RuntimeError(f"qd.init(arch=qd.cpu) started {arch}, not the CPU backend")
                calls = build()
                for call in calls.values():
                    call()
                qd.sync()
                answer = {"shapes": list(calls)}
            else:
                call, r = calls[command["shape"]], int(command["reps"])
                t0 = time.perf_counter()
                for _ in range(r):
                    call()
                qd.sync()
                answer = {"seconds": (time.perf_counter() - t0) / r}
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
