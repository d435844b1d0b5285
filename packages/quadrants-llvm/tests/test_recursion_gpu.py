"""Recursive ``@qd.real_func`` on an NVIDIA GPU (docs/misc-functions.md, "Recursion"): upstream's two recursion tests,
lanes of different depths in one grid, and ``cuda_stack_limit`` reaching the driver. Needs llvm-cuda (skipped
otherwise, with the reason); the same programs run on the CPU in test_recursion.py."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants_conformance.cases.test_real_func_recursion import (
    fib,
    real_func_recursion_binary_split_sum_of_a_field,
    tri,
)
from quadrants_llvm.cuda import driver

_AVAILABLE, _WHY = driver.probe()
pytestmark = pytest.mark.skipif(not _AVAILABLE, reason=f"llvm-cuda unavailable: {_WHY}")


@pytest.fixture
def cuda(request):
    qd.init(arch=qd.cuda, cuda_stack_limit=getattr(request, "param", 32768))
    yield
    qd.reset()


def test_the_stack_limit_reaches_the_driver(cuda):
    assert driver.device().stack_limit() >= 32768


def test_binary_split_sum_of_a_field(cuda):
    """The conformance case: a real func with a ``qd.template()`` field parameter that calls itself twice."""
    assert real_func_recursion_binary_split_sum_of_a_field.fn() == {"r": 4950}


def test_deep_recursion(cuda):
    @qd.kernel
    def run(n: qd.i32) -> qd.i32:
        return tri(n)

    assert run(100) == 5050


def test_lanes_of_different_depths_in_one_grid(cuda):
    @qd.kernel
    def fill(a: qd.types.ndarray(qd.i32, ndim=1)):
        for i in range(a.shape[0]):
            a[i] = fib(i % 20) + tri(i % 50)

    a = qd.ndarray(qd.i32, 100_000)
    fill(a)
    fibs = [0, 1]
    while len(fibs) < 20:
        fibs.append(fibs[-1] + fibs[-2])
    want = np.array([fibs[i % 20] + (i % 50) * (i % 50 + 1) // 2 for i in range(100_000)], np.int32)
    np.testing.assert_array_equal(a.to_numpy(), want)
