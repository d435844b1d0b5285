"""Helpers to build IR programs by hand and run them on the reference backend (no frontend needed)."""

from __future__ import annotations

import itertools
import types

import pytest

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import OP_INFO, Op
from quadrants_ref.backend import BACKEND

_ids = itertools.count(1)


def var(name: str, dtype=T.i32) -> N.Var:
    return N.Var(next(_ids), name, dtype)


def const(value, dtype=T.i32) -> N.Const:
    return N.Const(value, dtype)


def ref(v: N.Var) -> N.LocalRef:
    return N.LocalRef(v)


def op(o: Op, *args, dtype=None) -> N.OpExpr:
    if dtype is None:
        dtype = T.u1 if OP_INFO[o].category == "compare" else args[0].dtype
    return N.OpExpr(o, tuple(args), dtype)


def pfor(vars_, begins, ends, body) -> N.ParallelFor:
    wrap = lambda xs: tuple(const(x) if isinstance(x, int) else x for x in xs)  # noqa: E731
    return N.ParallelFor(tuple(vars_), wrap(begins), wrap(ends), tuple(body))


def program(args, items, returns=(), kernel_vars=(), name="k") -> N.Program:
    return N.Program(name, tuple(args), tuple(returns), tuple(kernel_vars), tuple(items))


def _drive(exe, ctx, items):
    """A minimal graph runner: tasks in order, DoWhile and Checkpoint bodies."""
    for item in items:
        if isinstance(item, N.DoWhile):
            while True:
                _drive(exe, ctx, item.body)
                if exe.read_i32(ctx, item.cond_arg) == 0:
                    break
        elif isinstance(item, N.Checkpoint):
            _drive(exe, ctx, item.body)
        else:
            exe.run_task(ctx, item)


def run(prog: N.Program, *args, lane_order="ascending", seed=0):
    """Compile, load and launch ``prog``; NumPy array arguments are wrapped (writes land in them)."""
    import numpy as np

    exe = BACKEND.load(BACKEND.compile(prog, CompileOptions(lane_order=lane_order, seed=seed)))
    bound = [BACKEND.wrap_numpy(a) if isinstance(a, np.ndarray) else a for a in args]
    ctx = exe.begin(bound)
    _drive(exe, ctx, prog.items)
    return exe.end(ctx)


@pytest.fixture
def ir():
    return types.SimpleNamespace(
        var=var, const=const, ref=ref, op=op, pfor=pfor, program=program, run=run, T=T, N=N, Op=Op
    )
