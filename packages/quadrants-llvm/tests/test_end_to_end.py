"""Kernels through the public API on ``qd.init(arch=qd.cpu)``: compared with the reference backend."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd


def run_on(arch, fn):
    qd.init(arch=arch)
    try:
        return fn()
    finally:
        qd.reset()


def nbody_like():
    @qd.kernel
    def k(pos: qd.types.NDArray[qd.f32, 1], acc: qd.types.NDArray[qd.f32, 1]):
        for i in range(pos.shape[0]):
            a = 0.0
            for j in range(pos.shape[0]):
                d = pos[j] - pos[i]
                a += d / (d * d + 0.01) ** 1.5
            acc[i] = a

    pos = np.linspace(-1, 1, 300, dtype=np.float32)
    acc = np.zeros_like(pos)
    k(pos, acc)
    return acc


def int_mix():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32, 2], total: qd.types.NDArray[qd.i64, 0]) -> qd.i32:
        for i, j in qd.ndrange(x.shape[0], x.shape[1]):
            v = (i * 7 - j * 13) // 3 + (i ^ j) % 5 - (j << 33) + (i >> 1)
            x[i, j] = v
            total[()] += qd.i64(v)
        return x.shape[0] * x.shape[1]

    x = qd.ndarray(qd.i32, (33, 65))
    total = qd.ndarray(qd.i64, ())
    n = k(x, total)
    return x.to_numpy(), total.to_numpy(), n


@pytest.mark.parametrize("case", [nbody_like, int_mix], ids=lambda f: f.__name__)
def test_matches_reference(case):
    got = run_on(qd.cpu, case)
    want = run_on(qd.ref, case)
    got, want = (got, want) if isinstance(got, tuple) else ((got,), (want,))
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(np.asarray(g, dtype=np.float64), np.asarray(w, dtype=np.float64), rtol=2e-6)


def test_cpu_arch_selects_llvm_cpu_and_cached_calls_do_not_recompile():
    qd.init(arch=qd.cpu)
    try:
        from quadrants.runtime.state import current_session

        assert current_session().backend_id == "llvm-cpu"

        @qd.kernel
        def inc(x: qd.types.NDArray[qd.i32, 1]):
            for i in range(x.shape[0]):
                x[i] += 1

        x = qd.ndarray(qd.i32, 8)
        for _ in range(5):
            inc(x)
        assert inc.compile_count == 1
        np.testing.assert_array_equal(x.to_numpy(), [5] * 8)
    finally:
        qd.reset()


def test_debug_out_of_bounds_raises_quadrants_runtime_error():
    qd.init(arch=qd.cpu, debug=True)
    try:

        @qd.kernel
        def bad(x: qd.types.NDArray[qd.i32, 1]):
            for i in range(x.shape[0] + 1):
                x[i] = 1

        with pytest.raises(qd.QuadrantsRuntimeError, match="out of bounds"):
            bad(qd.ndarray(qd.i32, 4))
    finally:
        qd.reset()
