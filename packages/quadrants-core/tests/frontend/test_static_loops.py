"""break/continue in qd.static loops are resolved at compile time (frontend/loops.py)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_stmts, iter_tasks

I1 = qd.types.NDArray[qd.i32, 1]


def _stores(program) -> list[int]:
    stmts = [s for t in iter_tasks(program.items) for s in iter_stmts(t.body)]
    assert not any(isinstance(s, (N.Break, N.Continue)) for s in stmts)  # nothing left for run time
    return [s.indices[0].value for s in stmts if isinstance(s, N.Store)]


def test_break_and_continue_unroll_only_the_copies_that_run(lower):
    @qd.kernel
    def k(x: I1):
        for i in qd.static(range(6)):
            if qd.static(i == 1):
                continue
            x[i] = i
            if qd.static(i == 3):
                break

    assert _stores(lower(k, np.zeros(6, np.int32))) == [0, 2, 3]


def test_a_static_loop_exit_does_not_leave_the_enclosing_static_loop(lower):
    @qd.kernel
    def k(x: I1):
        for i in qd.static(range(2)):
            for j in qd.static(range(3)):
                if qd.static(j == 1):
                    break
                x[i * 3 + j] = 1
            x[5] = 2

    assert _stores(lower(k, np.zeros(6, np.int32))) == [0, 5, 3, 5]


def test_continue_under_a_runtime_if_is_an_error(lower):
    @qd.kernel
    def k(x: I1):
        for i in qd.static(range(3)):
            if x[i] > 0:
                continue

    with pytest.raises(qd.QuadrantsSyntaxError, match="You are trying to `continue` a static `for` loop"):
        lower(k, np.zeros(3, np.int32))


def test_nested_iterator_wrappers_are_errors(lower):
    @qd.kernel
    def nested_static(x: I1):
        for i in qd.static(qd.static(range(2))):
            x[i] = 1

    @qd.kernel
    def static_in_grouped(x: I1):
        for i in qd.grouped(qd.static(range(2))):
            x[i] = 1

    with pytest.raises(qd.QuadrantsSyntaxError, match=r"'qd\.static' cannot be nested"):
        lower(nested_static, np.zeros(2, np.int32))
    with pytest.raises(qd.QuadrantsSyntaxError, match=r"'qd\.static' is not allowed inside 'qd\.grouped'"):
        lower(static_in_grouped, np.zeros(2, np.int32))


def test_an_annotation_naming_nothing_fails_at_decoration():
    with pytest.raises(qd.QuadrantsSyntaxError, match=r"Invalid type annotation in `.*<locals>.f`: name 'nope'"):

        @qd.func
        def f(x: nope):  # noqa: F821 - the error under test (a string annotation: from __future__ import annotations)
            pass
