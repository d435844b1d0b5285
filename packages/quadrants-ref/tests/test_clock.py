"""``ReadClock`` on the reference backend: the host's monotonic nanosecond clock, one read per execution of the
statement (each iteration of a loop), shared by the lanes that run it together."""

from __future__ import annotations

import time

import numpy as np

from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op

from .conftest import const, op, pfor, program, ref, run, var


def test_reads_tick_per_iteration_and_lanes_share_a_read():
    i, j = var("i"), var("j")
    c = var("c", T.i64)
    acc = var("acc", T.f64)
    work = N.RangeFor(
        var("m"), const(0), const(50), (N.Assign(acc, op(Op.ADD, ref(acc), const(1.0, T.f64))),)
    )  # some interpreted work between two reads
    body = [
        N.Decl(acc, const(0.0, T.f64)),
        N.RangeFor(j, const(0), const(6), (work, N.ReadClock(c), N.Store(0, (ref(i), ref(j)), ref(c)))),
    ]
    t = np.zeros((3, 6), np.int64)
    start = time.monotonic_ns()
    run(program([N.NdarrayArg("t", T.i64, 2)], [pfor([i], [0], [3], body)]), t)
    end = time.monotonic_ns()
    assert (np.diff(t, axis=1) > 0).all(), t  # a fresh read per iteration
    assert (t == t[0]).all()  # the three lanes run in lock step: one read serves them
    assert start <= t.min() and t.max() <= end  # nanoseconds of time.monotonic_ns


def test_a_kernel_var_read_in_serial_code_is_visible_to_later_tasks():
    i = var("i")
    k = var("k", T.i64)
    prog = program(
        [N.NdarrayArg("t", T.i64, 1)],
        [N.SerialBlock((N.ReadClock(k),)), pfor([i], [0], [4], [N.Store(0, (ref(i),), ref(k))])],
        kernel_vars=(k,),
    )
    t = np.zeros(4, np.int64)
    run(prog, t)
    assert t[0] > 0 and (t == t[0]).all()
