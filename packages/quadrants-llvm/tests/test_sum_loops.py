"""Loops of unknown length with in-order float sums: one copy, still in order (builder/sum_loops.py, issue 23)."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.builder.sum_loops import carries_float_sum, constant_locals, sum_loop_hints
from quadrants_llvm.cpu import BACKEND

from .conftest import const, op, pfor, program, ref, run, var

_ONE_COPY = (("llvm.loop.interleave.count", 1),)


def _neighbour_sums(n: int, most: int, dtype=T.f32):
    """out[i] = sum over k < count[i] of a[nb[i, k]] / (1 + k), the shape of a neighbour loop (run-time length)."""
    i, k, j, x, acc, end = var("i"), var("k"), var("j"), var("x", dtype), var("acc", dtype), var("end")
    term = op(Op.TRUEDIV, ref(x), op(Op.ADD, const(1.0, dtype), op(Op.CAST, ref(k), dtype=dtype)))
    steps = (N.Load(j, 1, (ref(i), ref(k))), N.Load(x, 0, (ref(j),)), N.Assign(acc, op(Op.ADD, ref(acc), term)))
    loop = N.RangeFor(k, const(0), ref(end), steps)
    body = [N.Decl(acc, const(0.0, dtype)), N.Load(end, 2, (ref(i),)), loop, N.Store(3, (ref(i),), ref(acc))]
    args = [
        N.NdarrayArg("a", dtype, 1, (n,)),
        N.NdarrayArg("nb", T.i32, 2, (n, most)),
        N.NdarrayArg("count", T.i32, 1, (n,)),
        N.NdarrayArg("out", dtype, 1, (n,)),
    ]
    return program(args, [pfor([i], [0], [n], body)]), loop


def test_a_float_sum_carried_across_iterations_is_found():
    _, loop = _neighbour_sums(8, 4)
    assert carries_float_sum(loop.body)
    assert sum_loop_hints(loop, grid=False, fast_math=False) == _ONE_COPY


def test_loops_without_a_carried_float_sum_keep_llvms_choice():
    k, x, s, t = var("k"), var("x", T.f32), var("s"), var("t", T.f32)
    int_sum = (N.Assign(s, op(Op.ADD, ref(s), ref(k))),)
    declared_inside = (N.Decl(t, const(0.0, T.f32)), N.Assign(t, op(Op.ADD, ref(t), ref(x))))
    product = (N.Assign(x, op(Op.MUL, ref(x), const(0.5, T.f32))),)
    subtrahend = (N.Assign(x, op(Op.SUB, const(1.0, T.f32), ref(x))),)  # x = 1 - x: not a sum of terms
    nested = (N.RangeFor(var("m"), const(0), ref(s), (N.Assign(x, op(Op.ADD, ref(x), const(1.0, T.f32))),)),)
    for body in (int_sum, declared_inside, product, subtrahend, nested):
        assert not carries_float_sum(body), body


def test_only_cpu_strict_ieee_loops_of_unknown_length_get_the_hint():
    _, loop = _neighbour_sums(8, 4)
    assert sum_loop_hints(loop, grid=True, fast_math=False) == ()
    assert sum_loop_hints(loop, grid=False, fast_math=True) == ()
    constant = N.RangeFor(loop.var, const(0), const(64), loop.body)
    assert sum_loop_hints(constant, grid=False, fast_math=False) == ()


def test_a_bound_in_a_local_declared_with_a_constant_is_a_constant():
    # ``for j in range(self.n)`` reaches the IR as ``end = n; for j in [0, end)``: a long loop (n-body), where LLVM's
    # interleaved copies pay off; a local written twice is not a constant
    prog, loop = _neighbour_sums(8, 4)
    n, twice = var("n"), var("twice")
    by_local = N.RangeFor(loop.var, const(0), ref(n), loop.body)
    by_twice = N.RangeFor(loop.var, const(0), ref(twice), loop.body)
    body = (N.Decl(n, const(4096)), N.Decl(twice, const(8)), N.Assign(twice, const(9)), by_local, by_twice)
    task = prog.items[0]
    prog = replace(prog, items=(replace(task, body=body),))
    constants = constant_locals(prog)
    assert set(constants) == {n.id}
    assert sum_loop_hints(by_local, grid=False, fast_math=False, constants=constants) == ()
    assert sum_loop_hints(by_twice, grid=False, fast_math=False, constants=constants) == _ONE_COPY


def _sums(n, most, dtype, seed=5):
    rng = np.random.default_rng(seed)
    npt = np.dtype(dtype.name.replace("f", "float"))
    a = (rng.standard_normal(n) * 10.0 ** rng.integers(-4, 5, n)).astype(npt)
    nb = rng.integers(0, n, (n, most)).astype(np.int32)
    count = rng.integers(0, most + 1, n).astype(np.int32)
    expected = np.empty(n, npt)
    for i in range(n):
        s = npt.type(0.0)
        for k in range(count[i]):
            s = npt.type(s + npt.type(a[nb[i, k]] / npt.type(1.0 + k)))  # one rounding per step, in loop order
        expected[i] = s
    return a, nb, count, expected


def test_the_hint_reaches_the_ir_and_the_sum_stays_in_order():
    prog, _ = _neighbour_sums(512, 40)
    art = BACKEND.compile(prog, CompileOptions())
    # the loop ID made it through (distinct, self-referencing) and LLVM consumed it: the optimised loop says it was
    # vectorised, and its sum is the start-value (in-order) reduction, with no vector accumulator
    assert "llvm.loop.isvectorized" in art.ir_text
    assert re.search(r"llvm\.vector\.reduce\.fadd\.v\d+f32\(float %", art.ir_text)
    assert not re.search(r"phi <\d+ x float>", art.ir_text)
    assert "reassoc" not in art.ir_text and "llvm.loop.vectorize.width" not in art.ir_text


def test_results_are_those_of_the_scalar_loop():
    for dtype in (T.f32, T.f64):
        prog, _ = _neighbour_sums(301, 37, dtype)
        a, nb, count, expected = _sums(301, 37, dtype)
        out = np.zeros_like(expected)
        run(prog, a, nb, count, out)
        bits = np.uint32 if dtype is T.f32 else np.uint64
        np.testing.assert_array_equal(out.view(bits), expected.view(bits))


def test_the_raw_ir_asks_for_one_copy():
    from quadrants_llvm.builder.stmts import distinct_loop_ids
    from quadrants_llvm.builder.tasks import build_module
    from quadrants_llvm.cpu.jit import get_jit

    prog, _ = _neighbour_sums(64, 8)
    text = distinct_loop_ids(str(build_module(prog, get_jit().target, "t", debug=False, fast_math=False).module))
    ids = re.findall(r"!llvm\.loop (!\d+)", text)
    assert len(ids) == 1
    node = re.search(rf"^{ids[0]} = distinct !{{ {ids[0]}, (!\d+)", text, re.MULTILINE)
    assert node and f'{node.group(1)} = !{{ !"llvm.loop.interleave.count", i32 1 }}' in text
    fast = str(build_module(prog, get_jit().target, "t", debug=False, fast_math=True).module)
    assert "!llvm.loop" not in fast
