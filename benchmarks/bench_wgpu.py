"""wgpu backend speed (issue 5 §6): bandwidth of a saxpy kernel against a device-to-device copy, and launch cost.

* saxpy over 2^26 f32 (``y = a * x + y``: 12 bytes per element moved): effective GB/s, as a ratio of the GB/s of
  ``copy_buffer_to_buffer`` of one 2^26-f32 buffer (8 bytes per element moved) measured in the same run. Target ≥ 0.8.
* launch cost: µs per call of a kernel with no tasks and of a one-task kernel storing one element (calls are
  queued; one readback at the end waits for all of them), against NumPy's ``a[0] = 1`` as a host floor.

Runs only on a GPU adapter: on a machine without one (or only Mesa's software rasterizer) it prints why and returns
no rows.
"""

from __future__ import annotations

import time

import numpy as np

import quadrants as qd

SAXPY_N = 1 << 26
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
    return _saxpy(dev) + _launches()


if __name__ == "__main__":
    for row in run():
        print(row)
