"""``qd.clock_counter()`` (frontend/misc_api.py): one ``ReadClock`` statement per call, in program order, that the
default passes keep where it stands (inside loops, never merged); Python scope is upstream's ``AssertionError``."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.walk import iter_stmts, iter_tasks

I64_1 = qd.types.NDArray[qd.i64, 1]


def _clock_reads(program):
    """``(task index, depth of serial loops around it)`` of every ReadClock, in program order."""
    out = []

    def walk(stmts, task, depth):
        for s in stmts:
            if isinstance(s, ir.ReadClock):
                out.append((task, depth))
            inner = depth + isinstance(s, (ir.RangeFor, ir.Loop))
            for attr in ("then", "orelse", "body"):
                walk(getattr(s, attr, ()), task, inner)

    for k, task in enumerate(iter_tasks(program.items)):
        walk(task.body, k, 0)
    return out


@qd.func
def _stamp() -> qd.i64:
    return qd.clock_counter()


def test_each_call_is_one_read_in_place_after_the_default_passes(lower):
    @qd.kernel
    def k(t: I64_1):
        start = qd.clock_counter()
        for i in range(4):
            for _j in range(3):
                t[i] = _stamp() - start  # two identical calls in one loop: two reads
                t[i] += qd.clock_counter() - start

    program = lower(k, np.zeros(4, np.int64))
    # the kernel-scope read is a kernel var of the serial block; the loop's two reads stay inside the serial loop
    assert _clock_reads(program) == [(0, 0), (1, 1), (1, 1)]
    reads = [s for t in iter_tasks(program.items) for s in iter_stmts(t.body) if isinstance(s, ir.ReadClock)]
    assert all(s.var.dtype == dtypes.i64 and s.loc is not None for s in reads)
    assert len({s.var.id for s in reads}) == 3


def test_an_unread_clock_value_is_dropped(lower):
    @qd.kernel
    def k(t: I64_1):
        for i in range(4):
            qd.clock_counter()
            t[i] = 1

    assert _clock_reads(lower(k, np.zeros(4, np.int64))) == []
    assert _clock_reads(lower(k, np.zeros(4, np.int64), optimize=False)) == [(0, 0)]  # the lowering emits it


def test_python_scope_is_an_assertion_error_as_upstream():
    with pytest.raises(AssertionError, match="cannot be called in Python-scope"):
        qd.clock_counter()


def test_the_adjoint_reads_the_clock_again_and_verifies(lower):
    from quadrants.ir.verifier import verify
    from quadrants.passes.autodiff import make_adjoint

    @qd.kernel
    def k(x: qd.types.NDArray[qd.f32, 1], t: I64_1):
        for i in range(4):
            c = qd.clock_counter()
            x[i] = x[i] * 2.0  # read and written in one loop: the cross-lane check walks the clock read too
            t[i] = qd.clock_counter() - c

    program = lower(k, np.zeros(4, np.float32), np.zeros(4, np.int64))
    adjoint = make_adjoint(program, (0,))
    verify(adjoint)
    assert len(_clock_reads(adjoint)) == 2  # the forward sweep recomputes the primal values, the reads included
