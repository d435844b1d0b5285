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


NBODY_POS = np.linspace(-1, 1, 300, dtype=np.float32)


def nbody_like():
    @qd.kernel
    def k(pos: qd.types.NDArray[qd.f32, 1], acc: qd.types.NDArray[qd.f32, 1]):
        for i in range(pos.shape[0]):
            a = 0.0
            for j in range(pos.shape[0]):
                d = pos[j] - pos[i]
                a += d / (d * d + 0.01) ** 1.5
            acc[i] = a

    acc = np.zeros_like(NBODY_POS)
    k(NBODY_POS, acc)
    return acc


def nbody_atol():
    """Per-element absolute budget: 8 ULP (the ``pow`` row of docs/conformance.md) of ``sum_j |term_ij|``.

    The sum cancels (terms of both signs, results far smaller than the terms), so a 1-ULP difference in one ``**``
    term, which the conformance rules allow, moves the result by far more than 1 ULP of the result: the budget is
    relative to the size of the terms, not of the sum.
    """
    d = NBODY_POS.astype(np.float64)[None, :] - NBODY_POS.astype(np.float64)[:, None]
    return 8 * np.finfo(np.float32).eps * np.abs(d / (d * d + 0.01) ** 1.5).sum(axis=1)


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


# (case, absolute tolerance per result or None for an exact comparison)
CASES = [(nbody_like, nbody_atol), (int_mix, None)]


@pytest.mark.parametrize(("case", "atol"), CASES, ids=[c.__name__ for c, _ in CASES])
def test_matches_reference(case, atol):
    got = run_on(qd.cpu, case)
    want = run_on(qd.ref, case)
    got, want = (got, want) if isinstance(got, tuple) else ((got,), (want,))
    for g, w in zip(got, want, strict=True):
        g, w = np.asarray(g, dtype=np.float64), np.asarray(w, dtype=np.float64)
        if atol is None:
            np.testing.assert_array_equal(g, w)
        else:
            bad = np.flatnonzero(np.abs(g - w) > atol())
            assert not bad.size, f"{bad.size} elements outside the budget, first {bad[0]}: {g[bad[0]]} vs {w[bad[0]]}"


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
