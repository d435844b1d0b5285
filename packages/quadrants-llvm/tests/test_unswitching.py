"""The CPU pipeline does no non-trivial loop unswitching (``cpu/jit.py``, ``LLVM_OPTIONS``; issue 23).

A stencil's boundary tests on the outer index are invariant in the inner loop. O3 unswitched them into one copy of
the inner loop per combination of outcomes, each vectorised and runtime-unrolled: more code to optimise and generate
on a program's first call (a fifth of mgpcg's) and no faster steps. The results do not depend on it.
"""

from __future__ import annotations

import numpy as np

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.cpu import BACKEND

from .conftest import const, op, pfor, program, ref, run, var

N_ = 96


def _stencil() -> N.Program:
    """``g[i, j] = f[i - 1, j] (if i > 0) + f[i + 1, j] (if i < n - 1)`` over static shapes (fields)."""
    i, j, t, x = var("i"), var("j"), var("t", T.f32), var("x", T.f32)

    def guarded(cond, di):
        load = N.Load(x, 0, (op(Op.ADD, ref(i), const(di)), ref(j)))
        return N.If(cond, (load, N.Assign(t, op(Op.ADD, ref(t), ref(x)))))

    body = [
        N.Decl(t, const(0.0, T.f32)),
        guarded(op(Op.GT, ref(i), const(0)), -1),
        guarded(op(Op.LT, ref(i), const(N_ - 1)), 1),
        N.Store(1, (ref(i), ref(j)), ref(t)),
    ]
    args = [N.NdarrayArg("f", T.f32, 2, (N_, N_)), N.NdarrayArg("g", T.f32, 2, (N_, N_))]
    return program(args, [pfor([i, j], [0, 0], [N_, N_], body)])


def test_boundary_tests_do_not_multiply_the_inner_loop():
    text = BACKEND.compile(_stencil(), CompileOptions()).ir_text
    # the vector loop, its scalar remainder and the row loop; unswitched on both tests there were nine
    assert text.count("!llvm.loop !") <= 4


def test_stencil_results():
    f = np.random.default_rng(0).standard_normal((N_, N_)).astype(np.float32)
    g = np.zeros_like(f)
    run(_stencil(), f, g)
    expected = np.zeros_like(f)
    expected[1:] += f[:-1]
    expected[:-1] += f[1:]
    np.testing.assert_array_equal(g, expected)
