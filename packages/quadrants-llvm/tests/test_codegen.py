"""Codegen on hand-built IR: the op table is complete, control flow, kernel vars, returns, atomics, reductions,
threads, run-time checks and print."""

from __future__ import annotations

import numpy as np
import pytest

from quadrants.backend import discover_backends
from quadrants.errors import QuadrantsAssertionError, QuadrantsRuntimeError
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import ATOMIC_OPS, OP_INFO, Op
from quadrants_llvm.builder.atomics import ELEMENTWISE
from quadrants_llvm.builder.exprs import DECLARED_GAPS, OP_EMITTERS
from quadrants_llvm.cpu import BACKEND

from .conftest import const, load, op, pfor, program, ref, run, run_tasks, var

LOC = N.SrcLoc("kern.py", 12, 4, 9, "    x[i] = 1")


def arr(name, dtype=T.i32, ndim=1):
    return N.NdarrayArg(name, dtype, ndim)


def test_every_op_has_an_emitter_or_is_a_declared_gap():
    pure = {o for o, info in OP_INFO.items() if info.category != "atomic"}
    assert pure == set(OP_EMITTERS) | DECLARED_GAPS
    handled_atomics = set(ELEMENTWISE) | {Op.ATOMIC_EXCHANGE, Op.ATOMIC_CAS}
    assert handled_atomics == set(ATOMIC_OPS)


def test_registration_and_capabilities():
    assert discover_backends()["llvm-cpu"] is BACKEND
    caps = BACKEND.capabilities
    for req in ("f64", "i64", "f16", "u1", "print", "assert", "atomic:f32", "atomic:u8", "atomic:f16"):
        assert caps.supports(req), req
    assert not caps.supports("lane_order")
    assert BACKEND.probe().available


def test_two_axis_parallel_loop_with_offsets_and_continue():
    i, j = var("i"), var("j")
    body = [
        N.If(op(Op.EQ, op(Op.MOD, ref(j), const(3)), const(0)), (N.Continue(),)),
        N.Store(0, (ref(i), ref(j)), op(Op.ADD, op(Op.MUL, ref(i), const(100)), ref(j))),
    ]
    prog = program([arr("x", ndim=2)], [pfor([i, j], [1, 2], [N.Shape(0, 0, T.i32), N.Shape(0, 1, T.i32)], body)])
    x = np.full((37, 1031), -1, np.int32)
    run(prog, x)
    want = np.full_like(x, -1)
    ii, jj = np.meshgrid(np.arange(1, 37), np.arange(2, 1031), indexing="ij")
    keep = jj % 3 != 0
    want[ii[keep], jj[keep]] = ii[keep] * 100 + jj[keep]
    np.testing.assert_array_equal(x, want)


def test_serial_loops_break_and_kernel_vars_and_returns():
    s, k, w = var("s"), var("k"), var("w")
    serial = N.SerialBlock(
        (
            N.Decl(s, const(0)),
            N.RangeFor(
                k,
                const(0),
                const(100),
                (
                    N.If(op(Op.GT, ref(k), const(9)), (N.Break(),)),
                    N.Assign(s, op(Op.ADD, ref(s), ref(k))),
                ),
            ),
            N.Decl(w, const(0)),
            N.Loop(
                (
                    N.If(op(Op.GE, ref(w), const(5)), (N.Break(),)),
                    N.Assign(w, op(Op.ADD, ref(w), const(1))),
                )
            ),
        )
    )
    i = var("i")
    par = pfor([i], [0], [4], [N.Store(0, (ref(i),), op(Op.ADD, ref(s), ref(w)))])
    tail = N.SerialBlock((N.SetReturn(0, ref(s)), N.SetReturn(1, op(Op.CAST, ref(w), dtype=T.f64))))
    prog = program([arr("x")], [serial, par, tail], returns=(T.i32, T.f64), kernel_vars=(s, w))
    x = np.zeros(4, np.int32)
    assert run(prog, x) == (45, 5.0)
    np.testing.assert_array_equal(x, [50] * 4)
    x[:] = 0
    assert run_tasks(prog, x) == (45, 5.0)
    np.testing.assert_array_equal(x, [50] * 4)


@pytest.mark.parametrize("dtype", [T.i32, T.i64, T.u8, T.u1, T.f32, T.f64, T.f16], ids=str)
def test_atomics_return_old_values_and_totals_are_exact(dtype):
    n = 20000
    i, old = var("i"), var("old", dtype)
    one = const(1, dtype)
    body = [
        N.AtomicRMW(old, Op.ATOMIC_ADD, 0, (const(0),), (one,)),
        N.Store(1, (ref(i),), ref(old)),
        N.AtomicRMW(None, Op.ATOMIC_MAX, 2, (op(Op.MOD, ref(i), const(7)),), (op(Op.CAST, ref(i), dtype=dtype),)),
    ]
    prog = program([arr("c", dtype), arr("olds", dtype), arr("m", dtype)], [pfor([i], [0], [n], body)])
    c, olds, m = np.zeros(1, dtype.np), np.zeros(n, dtype.np), np.zeros(7, dtype.np)
    if dtype.is_float:
        m[:] = -np.inf
    run(prog, c, olds, m)
    if dtype in (T.i32, T.i64, T.f32, T.f64):
        assert c[0] == n
        np.testing.assert_array_equal(np.sort(olds.astype(np.float64)), np.arange(n))  # every old value once
    want_m = np.array([max(convert(k, dtype) for k in range(r, n, 7)) for r in range(7)], dtype.np)
    np.testing.assert_array_equal(m, want_m)


def convert(v, dtype):
    from quadrants.ir.numerics import convert_scalar

    return convert_scalar(v, dtype)


@pytest.mark.parametrize("o", [Op.ATOMIC_MUL, Op.ATOMIC_MIN, Op.ATOMIC_AND, Op.ATOMIC_OR, Op.ATOMIC_XOR])
def test_other_atomics_match_a_sequential_fold(o):
    n = 4096
    i = var("i")
    value = op(Op.ADD, op(Op.MOD, ref(i), const(5)), const(1))
    prog = program(
        [arr("t")], [pfor([i], [0], [n], [N.AtomicRMW(None, o, 0, (op(Op.MOD, ref(i), const(3)),), (value,))])]
    )
    t = np.array([1, 3, -1], np.int32) if o is not Op.ATOMIC_MIN else np.full(3, 1 << 30, np.int32)
    want = t.copy()
    fold = {Op.ATOMIC_MUL: np.multiply, Op.ATOMIC_MIN: np.minimum, Op.ATOMIC_AND: np.bitwise_and}
    fold |= {Op.ATOMIC_OR: np.bitwise_or, Op.ATOMIC_XOR: np.bitwise_xor}
    with np.errstate(all="ignore"):
        for k in range(n):
            want[k % 3] = fold[o](want[k % 3], np.int32(k % 5 + 1))
    run(prog, t)
    np.testing.assert_array_equal(t, want)


def test_atomic_cas_and_exchange():
    i, o1, o2 = var("i"), var("o1"), var("o2")
    body = [
        N.AtomicRMW(o1, Op.ATOMIC_CAS, 0, (const(0),), (const(0), op(Op.ADD, ref(i), const(1)))),
        N.Store(1, (ref(i),), ref(o1)),
        N.AtomicRMW(o2, Op.ATOMIC_EXCHANGE, 2, (const(0),), (ref(i),)),
    ]
    prog = program([arr("flag"), arr("seen"), arr("last")], [pfor([i], [0], [5000], body)])
    flag, seen, last = np.zeros(1, np.int32), np.zeros(5000, np.int32), np.zeros(1, np.int32)
    run(prog, flag, seen, last)
    assert (seen == 0).sum() == 1 and flag[0] == np.flatnonzero(seen == 0)[0] + 1  # exactly one winner
    assert 0 <= last[0] < 5000


@pytest.mark.parametrize("dtype", [T.i32, T.u64, T.f32, T.f64], ids=str)
def test_sum_reduction_is_privatised_and_exact_for_ints(dtype):
    n = 1 << 18
    i, v = var("i"), var("v", dtype)
    body = [N.Load(v, 0, (ref(i),)), N.AtomicRMW(None, Op.ATOMIC_ADD, 1, (), (ref(v),))]
    prog = program([arr("x", dtype), arr("t", dtype, 0)], [pfor([i], [0], [n], body)])
    exe = load(prog)
    assert "acc1" in exe_ir(prog)  # the accumulator exists: per-thread reduction
    x = (np.arange(n) % 17).astype(dtype.np)
    t = np.zeros((), dtype.np)
    exe.launch([BACKEND.wrap_numpy(x), BACKEND.wrap_numpy(t)])
    assert t == x.sum(dtype=np.float64)


def exe_ir(prog):
    from quadrants.backend import CompileOptions

    return BACKEND.compile(prog, CompileOptions()).ir_text


def test_saxpy_inner_loop_is_vectorised():
    from quadrants_llvm.cpu.jit import get_jit

    i, xv, yv = var("i"), var("xv", T.f32), var("yv", T.f32)
    body = [
        N.Load(xv, 0, (ref(i),)),
        N.Load(yv, 1, (ref(i),)),
        N.Store(1, (ref(i),), op(Op.ADD, op(Op.MUL, N.ArgRef(2, T.f32), ref(xv)), ref(yv))),
    ]
    prog = program(
        [arr("x", T.f32), arr("y", T.f32), N.ScalarArg("a", T.f32)], [pfor([i], [0], [N.Shape(0, 0, T.i32)], body)]
    )
    text = get_jit().optimized_ir(exe_ir(prog).replace("QDPFX_", "qdtest_"))
    assert "<8 x float>" in text or "<4 x float>" in text or "<16 x float>" in text
    assert "fmuladd" not in text and " fma" not in text  # no contraction without fast_math


def test_parallel_work_runs_on_several_threads_and_each_lane_once():
    n = 1 << 20
    i = var("i")
    prog = program([arr("hits")], [pfor([i], [0], [n], [N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (ref(i),), (const(1),))])])
    hits = np.zeros(n, np.int32)
    run(prog, hits)
    assert (hits == 1).all()


def test_wrap_numpy_writes_through_and_copies_non_contiguous():
    i = var("i")
    prog = program([arr("x")], [pfor([i], [0], [N.Shape(0, 0, T.i32)], [N.Store(0, (ref(i),), ref(i))])])
    base = np.zeros(10, np.int32)
    strided = base[::2]
    wrapped = BACKEND.wrap_numpy(strided)
    load(prog).launch([wrapped])
    BACKEND.sync_back(wrapped, strided)
    np.testing.assert_array_equal(base, [0, 0, 1, 0, 2, 0, 3, 0, 4, 0])


def test_debug_bounds_error_names_index_shape_arg_and_line():
    i = var("i")
    prog = program(
        [arr("x")], [pfor([i], [0], [5], [N.Store(0, (op(Op.ADD, ref(i), const(1)),), const(1), LOC)])], debug=True
    )
    x = np.zeros(5, np.int32)
    with pytest.raises(QuadrantsRuntimeError, match=r"index 5 is out of bounds for axis 0 with size 5: x\[5\]") as e:
        run(prog, x)
    assert "kern.py" in str(e.value) and "line 12" in str(e.value)
    np.testing.assert_array_equal(x, [0, 1, 1, 1, 1])  # the bad store was skipped


def test_check_statements_raise_after_the_launch():
    i = var("i")
    chk = N.Check(op(Op.LT, ref(i), const(90)), "assert", "too big", LOC)
    prog = program([], [pfor([i], [0], [100], [chk])], debug=True)
    with pytest.raises(QuadrantsAssertionError, match="too big"):
        run(prog)
    rt = program([], [N.SerialBlock((N.Check(const(0, T.u1), "runtime", "integer division by zero", LOC),))])
    with pytest.raises(QuadrantsRuntimeError, match="division by zero"):
        run_tasks(rt)


def test_print_goes_to_sys_stdout_after_the_launch(capsys):
    i = var("i")
    prog = program([], [pfor([i], [0], [3], [N.Print(("i =", ref(i), op(Op.CAST, ref(i), dtype=T.u8)))])])
    run(prog)
    lines = sorted(capsys.readouterr().out.splitlines())
    assert lines == ["i = 0 0", "i = 1 1", "i = 2 2"]


def test_f32_scalar_argument_overflowing_struct_uses_numpy_conversion():
    prog = program([N.ScalarArg("a", T.f32)], [N.SerialBlock((N.SetReturn(0, N.ArgRef(0, T.f32)),))], returns=(T.f32,))
    assert load(prog).launch([1e300]) == (float("inf"),)


def test_overlapping_arguments_use_the_alias_safe_variant():
    i, v = var("i"), var("v")
    body = [N.Load(v, 0, (ref(i),)), N.Store(1, (op(Op.ADD, ref(i), const(1)),), ref(v))]
    prog = program([arr("a"), arr("b")], [N.ParallelFor((i,), (const(0),), (const(1),), tuple(body))])
    x = np.arange(4, dtype=np.int32)
    exe = load(prog)
    exe.launch([BACKEND.wrap_numpy(x), BACKEND.wrap_numpy(x[1:])])
    np.testing.assert_array_equal(x, [0, 1, 0, 3])
