"""Statement kinds in kernels that use qd.graph.do_while, and the graph error messages shared with upstream."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd

I0 = qd.types.NDArray[qd.i32, 0]
I1 = qd.types.NDArray[qd.i32, 1]


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def _flag():
    return np.zeros((), np.int32)


def test_pass_in_a_do_while_body_is_named_by_its_kind():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            pass

    with pytest.raises(qd.QuadrantsSyntaxError, match=r"a qd\.graph\.do_while\(\) body may not contain a Pass") as info:
        k(np.zeros(1, np.int32), _flag())
    assert "pass" in str(info.value)  # the caret line is the offending statement


def test_return_in_a_kernel_without_do_while_is_still_fine():
    @qd.kernel(graph=True)
    def k(x: I1) -> qd.i32:
        for i in range(1):
            x[i] = 4
        return x[0] + 1

    assert k(np.zeros(1, np.int32)) == 5


def test_checkpoint_and_if_bodies_of_a_do_while_kernel_are_checked():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, c: I0, flag: I0):
        while qd.graph.do_while(c):
            with qd.checkpoint(1, yield_on=flag):
                for i in range(1):
                    x[i] += 1
                if x[0] > 100:
                    while x[0] > 0:
                        x[0] -= 1

    with pytest.raises(qd.QuadrantsSyntaxError, match=r"do_while\(\) body may not contain a While statement"):
        k(np.zeros(1, np.int32), _flag(), _flag())


def test_an_unresolvable_flag_names_the_kernel():
    @qd.kernel(graph=True)
    def run(x: I1):
        while qd.graph.do_while(counter):  # noqa: F821
            x[0] += 1

    with pytest.raises(
        qd.QuadrantsSyntaxError, match=r"got 'counter' which does not resolve to an ndarray kernel parameter of 'run'"
    ):
        run(np.zeros(1, np.int32))
