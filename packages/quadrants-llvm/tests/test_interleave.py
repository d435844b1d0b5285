"""Wide interleave groups (issue 23): a loop that reads and writes all nine components of a 9-vector field element
is vectorised with wide loads and shuffles, not with one gather or scatter per component (cpu/jit.py
``-max-interleave-group-factor=16``), and computes the same bits as before.
"""

from __future__ import annotations

import numpy as np

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.cpu import BACKEND

from .conftest import const, op, pfor, program, ref, run, var

K = 9  # components per element (a D2Q9 lattice-Boltzmann cell)


def _sum_and_copy(n: int) -> N.Program:
    """``total[i] = f[i, 0] + ... + f[i, 8]`` (left to right) and ``g[i, :] = f[i, :]`` over ``n`` elements."""
    i = var("i")
    parts = [var(f"f{k}", T.f32) for k in range(K)]
    body: list = [N.Load(p, 0, (ref(i), const(k))) for k, p in enumerate(parts)]
    acc = ref(parts[0])
    for p in parts[1:]:
        acc = op(Op.ADD, acc, ref(p))
    body.append(N.Store(1, (ref(i),), acc))
    body += [N.Store(2, (ref(i), const(k)), ref(p)) for k, p in enumerate(parts)]
    args = [
        N.NdarrayArg("f", T.f32, 2, (n, K)),
        N.NdarrayArg("total", T.f32, 1, (n,)),
        N.NdarrayArg("g", T.f32, 2, (n, K)),
    ]
    return program(args, [pfor([i], [0], [n], body)])


def test_nine_components_are_one_interleaved_access():
    text = BACKEND.compile(_sum_and_copy(4096), CompileOptions()).ir_text
    assert "<16 x float>" in text or "<8 x float>" in text  # the loop over elements is vectorised
    assert "masked.gather" not in text and "masked.scatter" not in text


def test_interleaved_sum_and_copy_are_exact():
    n = 1000  # not a multiple of the vector width: the remainder loop runs too
    rng = np.random.default_rng(9)
    f = (rng.standard_normal((n, K)) * 10.0 ** rng.integers(-5, 5, (n, K))).astype(np.float32)
    total = np.zeros(n, np.float32)
    g = np.zeros((n, K), np.float32)
    run(_sum_and_copy(n), f, total, g)
    expected = f[:, 0].copy()
    for k in range(1, K):
        expected = (expected + f[:, k]).astype(np.float32)  # one rounding per add, in component order
    np.testing.assert_array_equal(total.view(np.uint32), expected.view(np.uint32))
    np.testing.assert_array_equal(g, f)
