"""One benchmark case of ``bench_wgpu.py`` on one arch, in its own process: the timing as a JSON line on stdout.

``python benchmarks/wgpu_worker.py --arch vulkan|cuda|cpu --case CASE --n N``. Each case runs in a fresh process so
that a crash (a segfault in a driver), a hang or a device-memory leak of one case is reported by the parent and does
not take the others with it. The same program text (``kernels.py``) runs on every arch, timed the same way: a warm-up
call (which compiles), a check of its result against NumPy, then the best of a few batches of calls, each batch
ended by ``qd.sync()``. ``--case probe`` reports the device and its buffer limit instead.

JSON keys: ``case``, ``arch``, ``n`` (the size actually run: it is lowered to what one buffer binding of the device
holds), ``seconds`` (per call), ``device``, ``software``, ``error`` (relative error of the checked result).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

import quadrants as qd

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shared kernels module beside this file
import timing
from kernels import histogram, jacobi, saxpy, total

ARCHS = {"vulkan": "vulkan", "cuda": "llvm-cuda", "cpu": "llvm-cpu"}
BINS = 256
BATCH_SECONDS = 0.05  # calls per batch: enough for this long, so that the final sync's cost is negligible


@qd.kernel
def f32_histogram(x: qd.types.NDArray[qd.i32, 1], hist: qd.types.NDArray[qd.f32, 1]):
    for i in range(x.shape[0]):
        qd.atomic_add(hist[x[i]], 1.0)


@qd.kernel
def empty_kernel(x: qd.types.NDArray[qd.i32, 1]):
    pass


@qd.kernel
def one_store(x: qd.types.NDArray[qd.i32, 1]):
    x[0] = 1


def batched(fn) -> float:
    """Seconds per call: the best of up to five batches (fewer when one call takes seconds), each ended by a sync."""
    fn()
    qd.sync()
    t0 = time.perf_counter()
    fn()
    qd.sync()
    one = time.perf_counter() - t0
    calls = max(1, min(200, math.ceil(BATCH_SECONDS / max(one, 1e-7))))
    batches = 5 if one < 1.0 else 2
    best = one
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        qd.sync()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def _backend():
    from quadrants.runtime.state import current_session

    return current_session().backend


def _binding_limit() -> int:
    """Bytes one ndarray may have on the current backend (the wgpu device's storage-binding limit)."""
    limit = getattr(_backend(), "allocation_limit", None)
    return limit()[0] if callable(limit) else 1 << 62


def _fit(n: int, bytes_per_element: int) -> int:
    """``n`` halved until an array of it fits one buffer binding."""
    limit = _binding_limit()
    while n * bytes_per_element > limit and n > 1:
        n //= 2
    return n


def _rel(got, want) -> float:
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    return float(np.max(np.abs(got - want)) / max(1.0, float(np.max(np.abs(want)))))


def case_saxpy(n: int) -> tuple[int, float, float]:
    n = _fit(n, 4)
    x, y = qd.ndarray(qd.f32, n), qd.ndarray(qd.f32, n)
    x.fill(1.0)
    y.fill(2.0)
    saxpy(x, y, 2.5)
    error = _rel(y.to_numpy()[:: max(1, n // 65536)], 4.5)  # checked before the timed calls change y
    return n, batched(lambda: saxpy(x, y, 2.5)), error


def case_jacobi(n: int) -> tuple[int, float, float]:
    n = math.isqrt(_fit(n * n, 4))
    a, b = qd.ndarray(qd.f32, (n, n)), qd.ndarray(qd.f32, (n, n))
    a.fill(1.0)
    jacobi(a, b)
    error = _rel([b[1, 1], b[n - 2, n - 2], b[n // 2, 1], b[0, 0]], [1.0, 1.0, 1.0, 0.0])
    return n, batched(lambda: jacobi(a, b)), error


def case_sum(n: int) -> tuple[int, float, float]:
    n = _fit(n, 4)
    x, t = qd.ndarray(qd.f32, n), qd.ndarray(qd.f32, ())
    x.fill(1.0)
    total(x, t)
    error = _rel(t[()], n)
    return n, batched(lambda: total(x, t)), error


def _bins(n: int):
    keys = np.random.default_rng(0).integers(0, BINS, n, dtype=np.int32)
    x = qd.ndarray(qd.i32, n)
    x.from_numpy(keys)
    return x, np.bincount(keys, minlength=BINS)


def case_ihist(n: int) -> tuple[int, float, float]:
    n = _fit(n, 4)
    x, want = _bins(n)
    hist = qd.ndarray(qd.i32, BINS)
    histogram(x, hist)
    error = _rel(hist.to_numpy(), want)
    return n, batched(lambda: histogram(x, hist)), error


def case_fhist(n: int) -> tuple[int, float, float]:
    n = _fit(n, 4)
    x, want = _bins(n)
    hist = qd.ndarray(qd.f32, BINS)
    f32_histogram(x, hist)
    error = _rel(hist.to_numpy(), want)
    return n, batched(lambda: f32_histogram(x, hist)), error


def _launch(kernel, n: int) -> tuple[int, float, float]:
    x = qd.ndarray(qd.i32, 4)
    seconds = timing.per_call(lambda: kernel(x), n, qd.sync)
    return n, seconds, 0.0


def case_copy(n: int) -> tuple[int, float, float]:
    """Seconds per device-to-device copy of ``n`` f32: the driver's own bandwidth probe."""
    n = _fit(n, 4)
    src, dst = qd.ndarray(qd.f32, n), qd.ndarray(qd.f32, n)
    src.fill(3.0)
    if ARCH == "vulkan":
        from quadrants_wgpu.runtime.device import get_device

        dev, s, d = get_device(), src.storage().buffer, dst.storage().buffer

        def copy():
            enc = dev.device.create_command_encoder()
            enc.copy_buffer_to_buffer(s, 0, d, 0, 4 * n)
            dev.queue.submit([enc.finish()])

    elif ARCH == "cuda":
        from cuda.bindings import driver as cu

        from quadrants_llvm.cuda.driver import check

        s, d = src.storage().ptr, dst.storage().ptr

        def copy():
            check(cu.cuMemcpyDtoD(d, s, 4 * n), "cuMemcpyDtoD")

    else:  # the host's memcpy
        hs, hd = np.full(n, 3.0, np.float32), np.zeros(n, np.float32)

        def copy():
            np.copyto(hd, hs)

        return n, batched(copy), _rel(hd[:: max(1, n // 65536)], 3.0)
    seconds = batched(copy)
    return n, seconds, _rel(dst.to_numpy()[:: max(1, n // 65536)], 3.0)


CASES = {
    "saxpy": case_saxpy,
    "jacobi": case_jacobi,
    "sum": case_sum,
    "ihist": case_ihist,
    "fhist": case_fhist,
    "copy": case_copy,
    "launch_empty": lambda n: _launch(empty_kernel, n),
    "launch_one": lambda n: _launch(one_store, n),
}
ARCH = ""


def _device() -> tuple[str, bool]:
    backend = _backend()
    availability = backend.probe()
    return availability.device or backend.id, bool(getattr(availability, "software", False))


def main(argv: list[str] | None = None) -> None:
    global ARCH
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=sorted(ARCHS), required=True)
    parser.add_argument("--case", choices=[*CASES, "probe"], required=True)
    parser.add_argument("--n", type=int, default=0)
    args = parser.parse_args(argv)
    ARCH = args.arch
    if os.environ.get("QD_BENCH_WGPU_NO_PRIVATE") == "1" and args.arch == "vulkan":
        # the A/B row of bench_wgpu.py: histograms on device atomics only (no workgroup-private copy)
        import quadrants_wgpu.wgsl.emit as emit

        emit.find_private = lambda *a, **k: []
    qd.init(arch=ARCHS[args.arch])
    device, software = _device()
    out = {"case": args.case, "arch": args.arch, "device": device, "software": software}
    if args.case == "probe":
        out["limit"] = _binding_limit()
    else:
        out["n"], out["seconds"], out["error"] = CASES[args.case](args.n)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
