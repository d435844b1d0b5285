"""Loop targets are new variables (upstream's rule), and range() outside a for-loop header needs static bounds."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd

I1 = qd.types.NDArray[qd.i32, 1]
_DECLARED = "is already declared in the outer scope and cannot be used as loop variable"


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def _kernels():
    @qd.kernel
    def nested_same_name(c: I1):
        for i in range(2):
            for i in range(3):  # noqa: B007
                c[0] += 1

    @qd.kernel
    def local_then_loop(c: I1):
        n = 0
        for n in range(3):
            c[0] += n

    @qd.kernel
    def parameter_as_target(c: I1, i: qd.i32):
        for i in range(3):
            c[0] += i

    @qd.kernel
    def grouped_over_a_local(c: I1):
        idx = 0
        for idx in qd.grouped(c):
            c[idx] += 1

    return {
        "i": lambda: nested_same_name(np.zeros(1, np.int32)),
        "n": lambda: local_then_loop(np.zeros(1, np.int32)),
        "i ": lambda: parameter_as_target(np.zeros(1, np.int32), 1),
        "idx": lambda: grouped_over_a_local(np.zeros(1, np.int32)),
    }


def test_a_visible_name_is_not_a_loop_target():
    for name, call in _kernels().items():
        with pytest.raises(qd.QuadrantsSyntaxError) as info:
            call()
        assert f"Variable '{name.strip()}' {_DECLARED}" in str(info.value)
        assert "test_loop_targets.py" in str(info.value)


def test_sequential_loops_may_reuse_a_name():
    @qd.kernel
    def k(c: I1):
        for i in range(2):
            for j in range(2):
                c[0] += j
            for j in range(3):
                c[0] += i * j

    c = np.zeros(1, np.int32)
    k(c)
    assert c[0] == 2 * (0 + 1) + (0 + 1 + 2)


def test_range_with_run_time_bounds_outside_a_loop_header():
    @qd.kernel
    def k(x: I1, n: qd.i32):
        values = [j for j in range(n)]  # noqa: C416
        x[0] = values[0]

    with pytest.raises(
        qd.QuadrantsTypeError, match="'Quadrants Expression' object cannot be interpreted as an integer"
    ):
        k(np.zeros(1, np.int32), 3)
