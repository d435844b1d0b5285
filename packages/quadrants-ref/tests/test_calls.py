"""``Call`` statements on the reference backend (quadrants_ref.calls): a call is a frame over the caller's active
lanes, each lane recurses to its own depth, results are declared for every lane, the depth limit is a
QuadrantsRuntimeError and Python's recursion limit is back where it was after the launch. Programs built by hand."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from quadrants.errors import QuadrantsRuntimeError
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants.ir.verifier import verify
from quadrants_ref.calls import MAX_CALL_DEPTH

from .conftest import const, op, pfor, program, ref, run, var


def _tri() -> N.Function:
    """``tri(n) = 0 if n <= 0 else tri(n - 1) + n``, written with an if around the recursive call."""
    n, r, sub = var("n"), var("r"), var("sub")
    body = (
        N.Decl(r, const(0)),
        N.If(
            op(Op.GT, ref(n), const(0)),
            (
                N.Call(0, (op(Op.SUB, ref(n), const(1)),), (sub,)),
                N.Assign(r, op(Op.ADD, ref(sub), ref(n))),
            ),
        ),
    )
    return N.Function("tri", (n,), body, (ref(r),))


def test_each_lane_recurses_to_its_own_depth():
    i, t = var("i"), var("t")
    task = pfor([i], [0], [40], [N.Call(0, (ref(i),), (t,)), N.Store(0, (ref(i),), ref(t))])
    prog = N.Program("k", (N.NdarrayArg("a", T.i32, 1),), (), (), (task,), functions=(_tri(),))
    verify(prog)
    a = np.zeros(40, np.int32)
    run(prog, a)
    assert a.tolist() == [k * (k + 1) // 2 for k in range(40)]


def test_a_call_under_a_branch_runs_only_for_the_lanes_that_took_it():
    i, t = var("i"), var("t")
    odd = op(Op.EQ, op(Op.MOD, ref(i), const(2)), const(1))
    task = pfor(
        [i],
        [0],
        [10],
        [N.If(odd, (N.Call(0, (ref(i),), (t,)), N.Store(0, (ref(i),), ref(t))), (N.Store(0, (ref(i),), const(-1)),))],
    )
    prog = N.Program("k", (N.NdarrayArg("a", T.i32, 1),), (), (), (task,), functions=(_tri(),))
    a = np.zeros(10, np.int32)
    run(prog, a)
    assert a.tolist() == [-1 if k % 2 == 0 else k * (k + 1) // 2 for k in range(10)]


def test_a_serial_call_returns_through_a_kernel_var():
    t = var("t")
    block = N.SerialBlock((N.Call(0, (N.ArgRef(0, T.i32),), (t,)), N.SetReturn(0, ref(t))))
    prog = N.Program("k", (N.ScalarArg("n", T.i32),), (T.i32,), (t,), (block,), functions=(_tri(),))
    verify(prog)
    assert run(prog, 100) == (5050,)


def test_deep_recursion_restores_the_recursion_limit():
    t = var("t")
    block = N.SerialBlock((N.Call(0, (N.ArgRef(0, T.i32),), (t,)), N.SetReturn(0, ref(t))))
    prog = program([N.ScalarArg("n", T.i32)], [block], returns=[T.i32])
    prog = N.Program(prog.name, prog.args, prog.returns, (), prog.items, functions=(_tri(),))
    limit = sys.getrecursionlimit()
    assert run(prog, 10_000) == (50_005_000,)
    assert sys.getrecursionlimit() == limit
    with pytest.raises(QuadrantsRuntimeError, match=rf"'tri' is deeper than {MAX_CALL_DEPTH} nested calls"):
        run(prog, MAX_CALL_DEPTH + 1)
    assert sys.getrecursionlimit() == limit


def test_several_results_and_no_result():
    """``divmod``-like results (two) and a function with none that only stores."""
    a, b, q, r = var("a"), var("b"), var("q"), var("r")
    two = N.Function("qr", (a, b), (), (op(Op.FLOORDIV, ref(a), ref(b)), op(Op.MOD, ref(a), ref(b))))
    k = var("k")
    mark = N.Function("mark", (k,), (N.Store(0, (ref(k),), const(7)),), ())
    block = N.SerialBlock(
        (
            N.Call(0, (const(17), const(5)), (q, r)),
            N.Call(1, (const(2),), ()),
            N.SetReturn(0, ref(q)),
            N.SetReturn(1, ref(r)),
        )
    )
    prog = N.Program("k", (N.NdarrayArg("x", T.i32, 1),), (T.i32, T.i32), (), (block,), functions=(two, mark))
    verify(prog)
    x = np.zeros(4, np.int32)
    assert run(prog, x) == (3, 2)
    assert x.tolist() == [0, 0, 7, 0]
