"""A kernel with a thousand scalar arguments compiles in seconds (cpu/jit.py ``-combiner-tokenfactor-inline-limit``).

Copying 1024 arguments into kernel vars puts 1024 loads and 1024 stores in one basic block; LLVM's DAG combiner
merged their memory chains in quadratic time (136 s of instruction selection for upstream's ``test_arg_4k``).
"""

from __future__ import annotations

import time

import numpy as np

from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.cpu.jit import LLVM_OPTIONS

from .conftest import const, program, run, var

N_ARGS = 1024


def _copy_args(n: int) -> N.Program:
    """Kernel vars ``v_k = a_k`` in one serial block (as a kernel with an ``n``-vector parameter begins), then
    ``out[k] = v_k + k`` in another."""
    args = [N.NdarrayArg("out", T.i32, 1, (n,))] + [N.ScalarArg(f"a{k}", T.i32) for k in range(n)]
    kvars = [var(f"v{k}") for k in range(n)]
    copy = [N.Decl(v, N.ArgRef(k + 1, T.i32)) for k, v in enumerate(kvars)]
    use = [N.Store(0, (const(k),), N.OpExpr(Op.ADD, (N.LocalRef(v), const(k)), T.i32)) for k, v in enumerate(kvars)]
    return program(args, [N.SerialBlock(tuple(copy)), N.SerialBlock(tuple(use))], kernel_vars=kvars)


def test_the_option_is_set():
    assert "-combiner-tokenfactor-inline-limit=64" in LLVM_OPTIONS


def test_a_thousand_arguments_compile_quickly_and_exactly():
    out = np.zeros(N_ARGS, np.int32)
    values = [3 * k - 7 for k in range(N_ARGS)]
    t0 = time.perf_counter()
    run(_copy_args(N_ARGS), out, *values)
    elapsed = time.perf_counter() - t0
    assert out.tolist() == [v + k for k, v in enumerate(values)]
    assert elapsed < 60.0, f"compiling {N_ARGS} arguments took {elapsed:.1f} s"
