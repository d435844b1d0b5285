"""wgpu backend speed (issue 5 §6, issue 22): bandwidth of saxpy and Jacobi against a device-to-device copy, atomics
with and without the native float atomics, and launch cost.

* saxpy over 2^26 f32 (``y = a * x + y``: 12 bytes per element moved): effective GB/s, as a ratio of the GB/s of
  ``copy_buffer_to_buffer`` of one 2^26-f32 buffer (8 bytes per element moved) measured in the same run. Target ≥ 0.8.
* Jacobi 5-point 4096² f32 (the kernel of ``bench_llvm_cuda.py``, 8 bytes per point): GB/s against the same copy.
* atomics (the kernels of ``bench_llvm_cuda.py``): the ``t[()] += x[i]`` sum of 2^26 f32 (GB/s read against the
  copy), an f32 histogram (2^24 values, 256 bins: ``atomic_add`` of 1.0, heavy contention) and the i32 histogram of
  ``kernels.py`` (2^26 values). The f32 rows run twice, with the device's native ``atomicAdd`` on ``atomic<f32>``
  (``shader-float32-atomic``) and with it switched off (compare-exchange loops): the ratio is native / emulated.
* launch cost: µs per call of a kernel with no tasks and of a one-task kernel storing one element (calls are
  queued; one readback at the end waits for all of them), against NumPy's ``a[0] = 1`` as a host floor.

``python benchmarks/run.py -k wgpu`` runs this file; ``python benchmarks/run.py`` runs it beside ``bench_llvm_cuda.py``
(same GPU, same run) for the wgpu / llvm-cuda comparison of docs/backends/wgpu.md.

Runs only on a GPU adapter: on a machine without one (or only Mesa's software rasterizer) it prints why and returns
no rows.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

import quadrants as qd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernels import histogram, jacobi, total  # benchmarks/ is not a package: imported by path

SAXPY_N = 1 << 26
JACOBI_N = 4096
REDUCE_N = 1 << 26
FHIST_N = 1 << 24
HIST_N = 1 << 26
F32_ATOMIC = "shader-float32-atomic"
REPEAT = 20
LAUNCHES = 2000


def _gpu_or_reason():
    try:
        from quadrants_wgpu.runtime.device import get_device
    except ImportError as exc:
        return None, f"quadrants-wgpu is not installed ({exc})"
    try:
        dev = get_device()
    except RuntimeError as exc:
        return None, str(exc)
    if dev.is_software:
        return None, f"only a software adapter is available ({dev.description})"
    return dev, ""


def _timed(fn, sync, repeat: int) -> float:
    fn()
    sync()
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    sync()
    return (time.perf_counter() - t0) / repeat


def _saxpy(dev) -> list[dict]:
    @qd.kernel
    def saxpy(x: qd.types.NDArray[qd.f32, 1], y: qd.types.NDArray[qd.f32, 1], a: qd.f32):
        for i in range(x.shape[0]):
            y[i] = a * x[i] + y[i]

    rng = np.random.default_rng(0)
    xh = rng.random(SAXPY_N, dtype=np.float32)
    yh = rng.random(SAXPY_N, dtype=np.float32)
    x, y = qd.ndarray(qd.f32, SAXPY_N), qd.ndarray(qd.f32, SAXPY_N)
    x.from_numpy(xh)
    y.from_numpy(yh)
    saxpy(x, y, 2.5)
    assert np.array_equal(y.to_numpy(), np.float32(2.5) * xh + yh), "saxpy result differs from NumPy"

    src, dst = x.storage().buffer, qd.ndarray(qd.f32, SAXPY_N).storage().buffer
    nbytes = SAXPY_N * 4

    def copy():
        enc = dev.device.create_command_encoder()
        enc.copy_buffer_to_buffer(src, 0, dst, 0, nbytes)
        dev.queue.submit([enc.finish()])

    def sync():
        y[0]  # a 4-byte readback waits for every earlier submission

    t_saxpy = _timed(lambda: saxpy(x, y, 2.5), sync, REPEAT)
    t_copy = _timed(copy, sync, REPEAT)
    bw_saxpy = 3 * nbytes / t_saxpy / 1e9
    bw_copy = 2 * nbytes / t_copy / 1e9
    return [
        {
            "name": f"wgpu saxpy 2^26 f32 bandwidth vs buffer copy ({dev.description})",
            "value": bw_saxpy,
            "unit": "GB/s",
            "baseline": bw_copy,
            "ratio": bw_saxpy / bw_copy,
        }
    ]


def _copy_gbs(dev, nbytes: int, sync) -> float:
    """GB/s (read + write) of ``copy_buffer_to_buffer`` of ``nbytes``."""
    src = qd.ndarray(qd.u32, nbytes // 4).storage().buffer
    dst = qd.ndarray(qd.u32, nbytes // 4).storage().buffer

    def copy():
        enc = dev.device.create_command_encoder()
        enc.copy_buffer_to_buffer(src, 0, dst, 0, nbytes)
        dev.queue.submit([enc.finish()])

    return 2 * nbytes / _timed(copy, sync, REPEAT) / 1e9


@qd.kernel
def _f32_histogram(x: qd.types.NDArray[qd.i32, 1], hist: qd.types.NDArray[qd.f32, 1]):
    for i in range(x.shape[0]):
        qd.atomic_add(hist[x[i]], 1.0)


def _row(name: str, value: float, unit: str, baseline: float | None = None) -> dict:
    return {"name": name, "value": value, "unit": unit, "baseline": baseline}


def _jacobi(dev) -> list[dict]:
    a, b = qd.ndarray(qd.f32, (JACOBI_N, JACOBI_N)), qd.ndarray(qd.f32, (JACOBI_N, JACOBI_N))
    a.fill(1.0)

    def sync():
        b[0, 0]

    copy = _copy_gbs(dev, 4 * JACOBI_N**2, sync)
    bw = 8 * JACOBI_N**2 / _timed(lambda: jacobi(a, b), sync, REPEAT) / 1e9
    return [_row(f"wgpu Jacobi 5-point {JACOBI_N}^2 f32 bandwidth vs buffer copy", bw, "GB/s", copy)]


def _atomic_timings(dev) -> dict[str, float]:
    """Seconds per call of the atomic kernels on the device as it is now (a fresh session compiles them)."""
    qd.init(arch=qd.vulkan)
    rng = np.random.default_rng(0)
    x = qd.ndarray(qd.f32, REDUCE_N)
    x.fill(1.0)
    t = qd.ndarray(qd.f32, ())
    bins = qd.ndarray(qd.i32, FHIST_N)
    bins.from_numpy(rng.integers(0, 256, FHIST_N, dtype=np.int32))
    fhist = qd.ndarray(qd.f32, 256)
    ibins = qd.ndarray(qd.i32, HIST_N)
    ibins.from_numpy(rng.integers(0, 256, HIST_N, dtype=np.int32))
    ihist = qd.ndarray(qd.i32, 256)

    def sync():
        t[()]

    return {
        "sum": _timed(lambda: total(x, t), sync, REPEAT),
        "fhist": _timed(lambda: _f32_histogram(bins, fhist), sync, REPEAT),
        "ihist": _timed(lambda: histogram(ibins, ihist), sync, REPEAT),
        "copy": _copy_gbs(dev, 4 * REDUCE_N, sync),
    }


def _atomics(dev) -> list[dict]:
    native = _atomic_timings(dev) if F32_ATOMIC in dev.features else None
    saved = dev.features
    try:
        dev.features = saved - {F32_ATOMIC}  # the emitter then uses compare-exchange loops
        emulated = _atomic_timings(dev)
    finally:
        dev.features = saved
        qd.init(arch=qd.vulkan)
    rows = []
    for mode, times in (("native", native), ("compare-exchange", emulated)):
        if times is not None:
            gbs = 4 * REDUCE_N / times["sum"] / 1e9
            rows.append(_row(f"wgpu f32 sum 2^26 ({mode} f32 atomics), GB/s read vs copy", gbs, "GB/s", times["copy"]))
    if native is not None:
        for key, what, n in (("sum", "f32 sum 2^26", REDUCE_N), ("fhist", "f32 histogram 2^24, 256 bins", FHIST_N)):
            speed, base = n / native[key] / 1e9, n / emulated[key] / 1e9
            rows.append(_row(f"wgpu {what}: native f32 atomics vs compare-exchange", speed, "Gelem/s", base))
    rows.append(_row("wgpu i32 atomic histogram 2^26 values, 256 bins", HIST_N / emulated["ihist"] / 1e9, "Gelem/s"))
    return rows


def _launches() -> list[dict]:
    @qd.kernel
    def empty(x: qd.types.NDArray[qd.i32, 1]):
        pass

    @qd.kernel
    def one(x: qd.types.NDArray[qd.i32, 1]):
        x[0] = 1

    x = qd.ndarray(qd.i32, 4)
    host = np.zeros(4, np.int32)

    def sync():
        x[0]

    def host_store():
        host[0] = 1

    t_empty = _timed(lambda: empty(x), sync, LAUNCHES)
    t_one = _timed(lambda: one(x), sync, LAUNCHES)
    t_np = _timed(host_store, lambda: None, LAUNCHES)
    return [
        {"name": "wgpu launch of a kernel with no tasks", "value": t_empty * 1e6, "unit": "us", "baseline": t_np * 1e6},
        {"name": "wgpu launch of a one-task kernel", "value": t_one * 1e6, "unit": "us", "baseline": t_np * 1e6},
    ]


def run() -> list[dict]:
    """The benchmark rows, or none (with the reason printed) when there is no GPU adapter."""
    dev, reason = _gpu_or_reason()
    if dev is None:
        print(f"bench_wgpu: skipped: {reason}")
        return []
    qd.init(arch=qd.vulkan)
    return _saxpy(dev) + _jacobi(dev) + _atomics(dev) + _launches()


if __name__ == "__main__":
    for row in run():
        print(row)
