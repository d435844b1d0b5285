"""Helpers to build IR programs by hand and run them on llvm-cpu (no frontend needed)."""

from __future__ import annotations

import itertools
import types

import numpy as np
import pytest

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import OP_INFO, Op
from quadrants_llvm.cpu import BACKEND

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


def program(args, items, returns=(), kernel_vars=(), name="k", debug=False) -> N.Program:
    return N.Program(name, tuple(args), tuple(returns), tuple(kernel_vars), tuple(items), debug=debug)


def load(prog: N.Program, **options):
    return BACKEND.load(BACKEND.compile(prog, CompileOptions(**options)))


def run(prog: N.Program, *args, **options):
    """Compile, load and launch ``prog`` through ``launch``; NumPy arrays are wrapped (writes land in them)."""
    exe = load(prog, **options)
    bound = [BACKEND.wrap_numpy(a) if isinstance(a, np.ndarray) else a for a in args]
    return exe.launch(bound)


def run_tasks(prog: N.Program, *args, **options):
    """The same through begin/run_task/end (the graph-runner path)."""
    exe = load(prog, **options)
    bound = [BACKEND.wrap_numpy(a) if isinstance(a, np.ndarray) else a for a in args]
    ctx = exe.begin(bound)
    for item in prog.items:
        exe.run_task(ctx, item)
    return exe.end(ctx)


@pytest.fixture
def ir():
    return types.SimpleNamespace(
        var=var,
        const=const,
        ref=ref,
        op=op,
        pfor=pfor,
        program=program,
        run=run,
        run_tasks=run_tasks,
        load=load,
        T=T,
        N=N,
        Op=Op,
    )
