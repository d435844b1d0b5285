"""Per-chunk private copies of scatter-add targets (builder/reductions.py, tasks._call_range; issues 4 and 23).

Arrays of up to ``PRIVATE_LIMIT`` elements always get a private copy per chunk; larger ones, up to
``LARGE_PRIVATE_LIMIT``, only when the chunk updates them at least half as often as the copies have elements (an MPM
grid, a cloth's force array). Either way the result is the sum of the same terms: integers exactly, floats up to the
order of the additions (unspecified for atomics, docs/semantics.md §12), and untouched elements keep their bits.
"""

from __future__ import annotations

import numpy as np
import pytest

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.builder.reductions import LARGE_PRIVATE_LIMIT, PRIVATE_LIMIT
from quadrants_llvm.builder.tasks import build_module
from quadrants_llvm.cpu import BACKEND
from quadrants_llvm.cpu.jit import get_jit

from .conftest import const, op, pfor, program, ref, run, var


def _scatter(n: int, m: int, dtype, spread: int, field: bool = False) -> N.Program:
    """``out[(idx[i] + k) % m] += val[i]`` for ``k < spread``: each lane updates ``spread`` elements of ``out`` (a
    field's shape, known when the kernel is built, with ``field``)."""
    i, j, v = var("i"), var("j"), var("v", dtype)
    body: list = [N.Load(j, 0, (ref(i),)), N.Load(v, 1, (ref(i),))]
    for k in range(spread):
        at = op(Op.MOD, op(Op.ADD, ref(j), const(k)), const(m))
        body.append(N.AtomicRMW(None, Op.ATOMIC_ADD, 2, (at,), (ref(v),)))
    args = [
        N.NdarrayArg("idx", T.i32, 1),
        N.NdarrayArg("val", dtype, 1),
        N.NdarrayArg("out", dtype, 1, (m,) if field else None),
    ]
    return program(args, [pfor([i], [0], [n], body)])


def _expected(idx, val, m: int, spread: int, dtype) -> np.ndarray:
    out = np.zeros(m, np.float64 if dtype.is_float else np.int64)
    for k in range(spread):
        np.add.at(out, (idx + k) % m, val)
    return out


@pytest.mark.parametrize("dtype", [T.i32, T.f32])
@pytest.mark.parametrize(
    "n, m, spread",
    [
        (20000, 12288, 9),  # clustered updates into a large array: the private copy is worth it
        (16384, 16384, 1),  # a permutation: one update per element, the chunks keep the atomics
        (4096, LARGE_PRIVATE_LIMIT + 5, 9),  # larger than any private copy: atomics only
        (3000, 1000, 4),  # a small histogram: always private
    ],
)
def test_scatter_add_sums_every_term(dtype, n, m, spread):
    rng = np.random.default_rng(n + m)
    if spread == 1:
        idx = rng.permutation(n).astype(np.int32)
    else:  # neighbouring lanes hit neighbouring elements, as particles do grid cells
        idx = np.sort(rng.integers(0, m, n)).astype(np.int32)
    val = rng.integers(-50, 50, n).astype(dtype.np) if not dtype.is_float else rng.random(n).astype(np.float32)
    out = np.zeros(m, dtype.np)
    run(_scatter(n, m, dtype, spread), idx, val, out)
    expected = _expected(idx, val, m, spread, dtype)
    if dtype.is_float:
        np.testing.assert_allclose(out, expected, rtol=1e-5)
    else:
        np.testing.assert_array_equal(out, expected)


def test_untouched_negative_zeros_keep_their_sign():
    n, m = 4096, 12288
    idx = np.zeros(n, np.int32)  # every update goes to elements 0..8
    out = np.full(m, -0.0, np.float32)
    run(_scatter(n, m, T.f32, 9), idx, np.ones(n, np.float32), out)
    assert (out[:9] == n).all()
    assert np.signbit(out[9:]).all()


def test_large_private_copy_and_its_run_time_test_are_generated():
    text = BACKEND.compile(_scatter(20000, 12288, T.f32, 9), CompileOptions()).ir_text
    assert "_priv" in text
    assert f"[{LARGE_PRIVATE_LIMIT} x float]" in text
    assert PRIVATE_LIMIT < LARGE_PRIVATE_LIMIT


@pytest.mark.parametrize(
    "m, plain, private",
    [(1000, False, True), (12288, True, True), (LARGE_PRIVATE_LIMIT + 5, True, False)],
)
def test_a_fields_size_decides_at_build_time_which_variants_exist(m, plain, private):
    """A field's size gives the run-time test one answer: the variant it never calls is not built (issue 23: first
    calls), and the results are the same."""
    info = build_module(_scatter(4000, m, T.i32, 4, field=True), get_jit().target, "p", debug=False, fast_math=False)
    built = {fn.name for fn in info.module.functions}
    assert ("p_range_0" in built) is plain
    assert ("p_range_0_priv" in built) is private
    rng = np.random.default_rng(m)
    idx = rng.integers(0, m, 4000).astype(np.int32)
    val = rng.integers(-9, 9, 4000).astype(np.int32)
    out = np.zeros(m, np.int32)
    run(_scatter(4000, m, T.i32, 4, field=True), idx, val, out)
    np.testing.assert_array_equal(out, _expected(idx, val, m, 4, T.i32))
