"""Parallel loops, ndrange layout, masks through If/Loop/RangeFor, kernel vars, returns, print, checks, bounds."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from quadrants.backend import CompileOptions, discover_backends
from quadrants.errors import QuadrantsAssertionError, QuadrantsRuntimeError
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_ref.backend import BACKEND

LOC = N.SrcLoc("kern.py", 12, 4, 9, "    x[i] = 1")


def arr1(name, dtype=T.f32):
    return N.NdarrayArg(name, dtype, 1)


# ------------------------------------------------------------------------------------------------------ basics


def test_backend_registration_and_capabilities():
    assert discover_backends()["ref"] is BACKEND
    caps = BACKEND.capabilities
    for req in ("f64", "i64", "f16", "u1", "print", "assert", "lane_order", "atomic:f32", "atomic:u8"):
        assert caps.supports(req), req
    assert BACKEND.probe().available
    assert BACKEND.archs == ("ref", "python")


def test_allocate_is_zeroed_and_round_trips():
    a = BACKEND.allocate(T.i16, (3, 4))
    assert a.to_numpy().dtype == np.int16 and not a.to_numpy().any()
    a.from_numpy(np.arange(12).reshape(3, 4) + 0.7)
    assert a.to_numpy()[2, 3] == 11
    with pytest.raises(ValueError, match=r"Mismatch shape: \(3, 4\) expected, but \(4,\) provided"):
        a.from_numpy(np.zeros(4))
    b = a.to_numpy()
    b[0, 0] = 99
    assert a.array[0, 0] == 0  # to_numpy is a copy


def test_saxpy_and_wrap_numpy_write_through(ir):
    i = ir.var("i")
    prog = ir.program(
        [arr1("x"), arr1("y"), N.ScalarArg("a", T.f32)],
        [
            ir.pfor(
                [i],
                [0],
                [N.Shape(0, 0, T.i32)],
                [
                    N.Load(xv := ir.var("xv", T.f32), 0, (ir.ref(i),)),
                    N.Load(yv := ir.var("yv", T.f32), 1, (ir.ref(i),)),
                    N.Store(
                        1,
                        (ir.ref(i),),
                        ir.op(Op.ADD, ir.op(Op.MUL, N.ArgRef(2, T.f32), ir.ref(xv)), ir.ref(yv)),
                    ),
                ],
            )
        ],
    )
    x = np.arange(10, dtype=np.float32)
    y = np.ones(10, dtype=np.float32)
    for order in ("ascending", "reversed", "shuffled"):
        y[:] = 1
        ir.run(prog, x, y, 2.5, lane_order=order)
        np.testing.assert_array_equal(y, np.float32(2.5) * x + 1)


def test_non_contiguous_numpy_arg_syncs_back(ir):
    i = ir.var("i")
    prog = ir.program(
        [arr1("x", T.i32)], [ir.pfor([i], [0], [N.Shape(0, 0, T.i32)], [N.Store(0, (ir.ref(i),), ir.ref(i))])]
    )
    base = np.zeros(8, np.int32)
    view = base[::2]
    wrapped = BACKEND.wrap_numpy(view)
    exe = BACKEND.load(BACKEND.compile(prog, CompileOptions()))
    ctx = exe.begin([wrapped])
    exe.run_task(ctx, prog.items[0])
    exe.end(ctx)
    BACKEND.sync_back(wrapped, view)
    assert base.tolist() == [0, 0, 1, 0, 2, 0, 3, 0]


def test_artifact_pickles(ir):
    i = ir.var("i")
    prog = ir.program([arr1("x", T.i32)], [ir.pfor([i], [0], [4], [N.Store(0, (ir.ref(i),), ir.ref(i))])])
    art = pickle.loads(pickle.dumps(BACKEND.compile(prog, CompileOptions())))
    exe = BACKEND.load(art)
    x = BACKEND.allocate(T.i32, (4,))
    ctx = exe.begin([x])
    exe.run_task(ctx, prog.items[0])  # an equal item from the caller's (unpickled-elsewhere) program
    exe.end(ctx)
    assert x.to_numpy().tolist() == [0, 1, 2, 3]


# -------------------------------------------------------------------------------------------- ndrange and order


def _order_program(ir, begins, ends):
    i, j = ir.var("i"), ir.var("j")
    old = ir.var("old")
    body = [
        N.AtomicRMW(old, Op.ATOMIC_ADD, 1, (ir.const(0),), (ir.const(1),)),
        N.Store(
            0,
            (ir.op(Op.SUB, ir.ref(i), ir.const(begins[0])), ir.op(Op.SUB, ir.ref(j), ir.const(begins[1]))),
            ir.ref(old),
        ),
    ]
    return ir.program([N.NdarrayArg("seq", T.i32, 2), arr1("counter", T.i32)], [ir.pfor([i, j], begins, ends, body)])


def test_ndrange_last_axis_fastest_and_lane_orders(ir):
    prog = _order_program(ir, (2, -1), (5, 3))
    seq = np.zeros((3, 4), np.int32)
    ir.run(prog, seq, np.zeros(1, np.int32))
    assert seq.reshape(-1).tolist() == list(range(12))
    ir.run(prog, seq, np.zeros(1, np.int32), lane_order="reversed")
    assert seq.reshape(-1).tolist() == list(range(11, -1, -1))
    ir.run(prog, seq, np.zeros(1, np.int32), lane_order="shuffled", seed=3)
    first = seq.copy()
    assert sorted(first.reshape(-1).tolist()) == list(range(12)) and first.reshape(-1).tolist() != list(range(12))
    ir.run(prog, seq, np.zeros(1, np.int32), lane_order="shuffled", seed=3)
    np.testing.assert_array_equal(seq, first)  # deterministic for a seed


def test_lane_var_values_in_ndrange(ir):
    i, j = ir.var("i"), ir.var("j")
    body = [
        N.Store(
            0,
            (ir.op(Op.SUB, ir.ref(i), ir.const(1)), ir.ref(j)),
            ir.op(Op.ADD, ir.op(Op.MUL, ir.ref(i), ir.const(10)), ir.ref(j)),
        )
    ]
    prog = ir.program([N.NdarrayArg("out", T.i32, 2)], [ir.pfor([i, j], (1, 0), (3, 3), body)])
    for order in ("ascending", "reversed", "shuffled"):
        out = np.zeros((2, 3), np.int32)
        ir.run(prog, out, lane_order=order)
        assert out.tolist() == [[10, 11, 12], [20, 21, 22]]


def test_empty_extent_runs_nothing(ir):
    i, j = ir.var("i"), ir.var("j")
    body = [N.Store(0, (ir.const(0),), ir.const(1))]
    prog = ir.program([arr1("x", T.i32)], [ir.pfor([i, j], (0, 3), (4, 1), body), ir.pfor([i], (5,), (-2,), body)])
    x = np.zeros(1, np.int32)
    ir.run(prog, x)
    assert x[0] == 0


def test_duplicate_scatter_last_lane_wins(ir):
    i = ir.var("i")
    prog = ir.program([arr1("x", T.i32)], [ir.pfor([i], [0], [100], [N.Store(0, (ir.const(0),), ir.ref(i))])])
    x = np.zeros(1, np.int32)
    ir.run(prog, x)
    assert x[0] == 99
    ir.run(prog, x, lane_order="reversed")
    assert x[0] == 0
    i2 = ir.var("i")
    idx = ir.op(Op.FLOORDIV, ir.ref(i2), ir.const(10))
    prog2 = ir.program([arr1("x", T.i32)], [ir.pfor([i2], [0], [100], [N.Store(0, (idx,), ir.ref(i2))])])
    x = np.zeros(10, np.int32)
    ir.run(prog2, x)
    assert x.tolist() == [10 * k + 9 for k in range(10)]
    ir.run(prog2, x, lane_order="reversed")
    assert x.tolist() == [10 * k for k in range(10)]


# ------------------------------------------------------------------------------------------------------ masks


def _collatz_program(ir):
    """steps[i] = number of Collatz steps of i+1, skipping (continue) a step counter bump for values > 1000."""
    i, v, steps = ir.var("i"), ir.var("v"), ir.var("steps")
    one = ir.const(1)
    loop = N.Loop(
        (
            N.If(ir.op(Op.LE, ir.ref(v), one), (N.Break(),)),
            N.If(
                ir.op(Op.EQ, ir.op(Op.MOD, ir.ref(v), ir.const(2)), ir.const(0)),
                (N.Assign(v, ir.op(Op.FLOORDIV, ir.ref(v), ir.const(2))),),
                (N.Assign(v, ir.op(Op.ADD, ir.op(Op.MUL, ir.ref(v), ir.const(3)), one)),),
            ),
            N.If(ir.op(Op.GT, ir.ref(v), ir.const(1000)), (N.Continue(),)),
            N.Assign(steps, ir.op(Op.ADD, ir.ref(steps), one)),
        )
    )
    body = [
        N.Decl(v, ir.op(Op.ADD, ir.ref(i), one)),
        N.Decl(steps, ir.const(0)),
        loop,
        N.Store(0, (ir.ref(i),), ir.ref(steps)),
    ]
    return ir.program([arr1("out", T.i32)], [ir.pfor([i], [0], [N.Shape(0, 0, T.i32)], body)])


def _collatz_model(k):
    v, steps = k, 0
    while v > 1:
        v = v // 2 if v % 2 == 0 else 3 * v + 1
        if v > 1000:
            continue
        steps += 1
    return steps


@pytest.mark.parametrize("order", ["ascending", "reversed", "shuffled"])
def test_loop_with_per_lane_break_and_continue(ir, order):
    out = np.zeros(200, np.int32)
    ir.run(_collatz_program(ir), out, lane_order=order)
    assert out.tolist() == [_collatz_model(k + 1) for k in range(200)]


def test_range_for_with_per_lane_bounds_break_continue(ir):
    """acc[i] = sum of k in range(i % 7 - 2, i) skipping odd k, stopping after k > 20; uses an outer If/else."""
    i, k, acc = ir.var("i"), ir.var("k"), ir.var("acc")
    lo = ir.op(Op.SUB, ir.op(Op.MOD, ir.ref(i), ir.const(7)), ir.const(2))
    body = (
        N.If(ir.op(Op.EQ, ir.op(Op.BIT_AND, ir.ref(k), ir.const(1)), ir.const(1)), (N.Continue(),)),
        N.If(ir.op(Op.GT, ir.ref(k), ir.const(20)), (N.Break(),)),
        N.Assign(acc, ir.op(Op.ADD, ir.ref(acc), ir.ref(k))),
    )
    kernel = [
        N.Decl(acc, ir.const(0)),
        N.If(
            ir.op(Op.LT, ir.ref(i), ir.const(30)),
            (N.RangeFor(k, lo, ir.ref(i), body),),
            (N.Assign(acc, ir.const(-1)),),
        ),
        N.Store(0, (ir.ref(i),), ir.ref(acc)),
    ]
    prog = ir.program([arr1("out", T.i32)], [ir.pfor([i], [0], [40], kernel)])

    def model(n):
        if n >= 30:
            return -1
        s = 0
        for kk in range(n % 7 - 2, n):
            if kk & 1:
                continue
            if kk > 20:
                break
            s += kk
        return s

    for order in ("ascending", "shuffled"):
        out = np.zeros(40, np.int32)
        ir.run(prog, out, lane_order=order)
        assert out.tolist() == [model(n) for n in range(40)]


def test_nested_serial_loops_and_uniform_break(ir):
    """A serial block: total = sum over a in range(5), b in range(10) with break when b == a; while-loop countdown."""
    a, b, total, c = ir.var("a"), ir.var("b"), ir.var("total"), ir.var("c")
    inner = N.RangeFor(
        b,
        ir.const(0),
        ir.const(10),
        (
            N.If(ir.op(Op.EQ, ir.ref(b), ir.ref(a)), (N.Break(),)),
            N.Assign(total, ir.op(Op.ADD, ir.ref(total), ir.ref(b))),
        ),
    )
    countdown = N.Loop(
        (
            N.If(ir.op(Op.LE, ir.ref(c), ir.const(0)), (N.Break(),)),
            N.Assign(c, ir.op(Op.SUB, ir.ref(c), ir.const(1))),
            N.Assign(total, ir.op(Op.ADD, ir.ref(total), ir.const(100))),
        )
    )
    serial = N.SerialBlock(
        (
            N.Decl(total, ir.const(0)),
            N.RangeFor(a, ir.const(0), ir.const(5), (inner,)),
            N.Decl(c, ir.const(3)),
            countdown,
            N.SetReturn(0, ir.ref(total)),
        )
    )
    prog = ir.program([], [serial], returns=[T.i32])
    assert ir.run(prog) == (sum(sum(range(x)) for x in range(5)) + 300,)


# ------------------------------------------------------------------------------------------------- kernel vars


def test_kernel_vars_across_tasks(ir):
    kv = ir.var("kv")
    i, j = ir.var("i"), ir.var("j")
    prog = ir.program(
        [arr1("x", T.i32)],
        [
            N.SerialBlock((N.Decl(kv, ir.const(5)),)),
            ir.pfor([i], [0], [8], [N.Store(0, (ir.ref(i),), ir.op(Op.ADD, ir.ref(kv), ir.ref(i)))]),
            # every lane with j % 3 == 1 writes kv = j: the last such lane in lane order wins
            ir.pfor(
                [j],
                [0],
                [8],
                [N.If(ir.op(Op.EQ, ir.op(Op.MOD, ir.ref(j), ir.const(3)), ir.const(1)), (N.Assign(kv, ir.ref(j)),))],
            ),
            N.SerialBlock((N.SetReturn(0, ir.ref(kv)),)),
        ],
        returns=[T.i32],
        kernel_vars=[kv],
    )
    x = np.zeros(8, np.int32)
    assert ir.run(prog, x) == (7,)
    assert x.tolist() == [5 + k for k in range(8)]
    assert ir.run(prog, x, lane_order="reversed") == (1,)


# ------------------------------------------------------------------------------------------------------ returns


def test_returns_are_python_scalars_and_default_zero(ir):
    prog = ir.program(
        [N.ScalarArg("a", T.i32)],
        [
            N.SerialBlock(
                (
                    N.SetReturn(
                        0, ir.op(Op.TRUEDIV, ir.op(Op.CAST, N.ArgRef(0, T.i32), dtype=T.f32), ir.const(2.0, T.f32))
                    ),
                )
            )
        ],
        returns=[T.f32, T.i64, T.u1],
    )
    out = ir.run(prog, 7)
    assert out == (3.5, 0, False)
    assert type(out[0]) is float and type(out[1]) is int and type(out[2]) is bool


def test_scalar_args_are_converted(ir):
    prog = ir.program([N.ScalarArg("a", T.u8)], [N.SerialBlock((N.SetReturn(0, N.ArgRef(0, T.u8)),))], returns=[T.u8])
    assert ir.run(prog, 300) == (44,)


def test_constant_folding_matches_run_time(ir):
    expr = ir.op(Op.ADD, ir.const(2**31 - 1), ir.const(1))
    a = N.ArgRef(0, T.i32)
    prog = ir.program(
        [N.ScalarArg("a", T.i32)],
        [N.SerialBlock((N.SetReturn(0, expr), N.SetReturn(1, ir.op(Op.ADD, a, ir.const(1)))))],
        returns=[T.i32, T.i32],
    )
    assert ir.run(prog, 2**31 - 1) == (-(2**31), -(2**31))


# -------------------------------------------------------------------------------------------------- memory model


def test_load_is_a_snapshot(ir):
    i, old = ir.var("i"), ir.var("old")
    prog = ir.program(
        [arr1("x", T.i32), arr1("y", T.i32)],
        [
            ir.pfor(
                [i],
                [0],
                [4],
                [
                    N.Load(old, 0, (ir.ref(i),)),
                    N.Store(0, (ir.ref(i),), ir.const(0)),
                    N.Store(1, (ir.ref(i),), ir.ref(old)),
                ],
            )
        ],
    )
    x, y = np.arange(1, 5, dtype=np.int32), np.zeros(4, np.int32)
    ir.run(prog, x, y)
    assert x.tolist() == [0, 0, 0, 0] and y.tolist() == [1, 2, 3, 4]


def test_aliased_arguments_snapshot(ir):
    i, v = ir.var("i"), ir.var("v")
    prog = ir.program(
        [arr1("src", T.i32), arr1("dst", T.i32)],
        [
            ir.pfor(
                [i],
                [0],
                [4],
                [
                    N.Load(v, 0, (ir.ref(i),)),
                    N.Store(1, (ir.ref(i),), ir.const(9)),
                    N.Store(1, (ir.ref(i),), ir.op(Op.ADD, ir.ref(v), ir.const(1))),
                ],
            )
        ],
    )
    x = np.arange(4, dtype=np.int32)
    ir.run(prog, x, x)
    assert x.tolist() == [1, 2, 3, 4]


def test_masked_store_and_gather_with_computed_indices(ir):
    i, v = ir.var("i"), ir.var("v")
    rev = ir.op(Op.SUB, ir.const(9), ir.ref(i))
    prog = ir.program(
        [arr1("x", T.f64), arr1("y", T.f64)],
        [
            ir.pfor(
                [i],
                [0],
                [12],  # lanes 10, 11 would be out of bounds but are masked off
                [
                    N.If(
                        ir.op(Op.LT, ir.ref(i), ir.const(10)),
                        (
                            N.Load(v, 0, (rev,)),
                            N.If(
                                ir.op(Op.NE, ir.op(Op.MOD, ir.ref(i), ir.const(3)), ir.const(0)),
                                (N.Store(1, (ir.ref(i),), ir.ref(v)),),
                            ),
                        ),
                    )
                ],
            )
        ],
    )
    x = np.arange(10, dtype=np.float64) * 1.5
    y = np.full(10, -1.0)
    ir.run(prog, x, y)
    assert y.tolist() == [-1.0 if k % 3 == 0 else x[9 - k] for k in range(10)]


# ------------------------------------------------------------------------------------------------------- bounds


def test_bounds_error_message_and_loc(ir):
    i = ir.var("i")
    store = N.Store(0, (ir.op(Op.ADD, ir.ref(i), ir.const(2)),), ir.const(1), loc=LOC)
    prog = ir.program([arr1("x", T.i32)], [ir.pfor([i], [0], [4], [store])])
    with pytest.raises(QuadrantsRuntimeError) as info:
        ir.run(prog, np.zeros(4, np.int32))
    exc = info.value
    assert exc.loc == LOC
    assert "index 4 is out of bounds for axis 0 with size 4: x[4] with shape (4,)" in str(exc)
    assert "kern.py" in str(exc) and "line 12" in str(exc)


def test_bounds_on_block_fast_path_and_negative_and_2d(ir):
    i, v = ir.var("i"), ir.var("v")
    load = N.Load(v, 0, (ir.ref(i),), loc=LOC)
    prog = ir.program([arr1("x", T.i32)], [ir.pfor([i], [-1], [3], [load])])
    with pytest.raises(
        QuadrantsRuntimeError, match=r"index -1 is out of bounds for axis 0 with size 5: x\[-1\] with shape \(5,\)"
    ):
        ir.run(prog, np.zeros(5, np.int32))
    a, b = ir.var("a"), ir.var("b")
    st = N.Store(0, (ir.ref(a), ir.op(Op.MUL, ir.ref(b), ir.const(2))), ir.const(1), loc=LOC)
    prog2 = ir.program([N.NdarrayArg("m", T.i32, 2)], [ir.pfor([a, b], (0, 0), (2, 3), [st])])
    with pytest.raises(
        QuadrantsRuntimeError, match=r"index 4 is out of bounds for axis 1 with size 3: m\[0, 4\] with shape \(2, 3\)"
    ):
        ir.run(prog2, np.zeros((2, 3), np.int32))


def test_bounds_in_serial_block_and_atomic(ir):
    old = ir.var("old")
    at = N.AtomicRMW(old, Op.ATOMIC_ADD, 0, (ir.const(7),), (ir.const(1),), loc=LOC)
    prog = ir.program([arr1("x", T.i32)], [N.SerialBlock((at,))])
    with pytest.raises(QuadrantsRuntimeError, match=r"index 7 is out of bounds for axis 0 with size 3"):
        ir.run(prog, np.zeros(3, np.int32))


# ------------------------------------------------------------------------------------------------ check, print


def test_check_raises_for_active_lanes_only(ir):
    i = ir.var("i")
    cond = ir.op(Op.NE, ir.ref(i), ir.const(5))
    chk = N.Check(cond, "assert", "i must not be 5", loc=LOC)
    guarded = N.If(ir.op(Op.LT, ir.ref(i), ir.const(5)), (chk,))
    ok = ir.program([], [ir.pfor([i], [0], [10], [guarded])])
    ir.run(ok)
    bad = ir.program([], [ir.pfor([i], [0], [10], [chk])])
    with pytest.raises(QuadrantsAssertionError, match="i must not be 5") as info:
        ir.run(bad)
    assert info.value.loc == LOC
    rt = ir.program([], [N.SerialBlock((N.Check(ir.const(0), "runtime", "division by zero", loc=LOC),))])
    with pytest.raises(QuadrantsRuntimeError, match="division by zero") as info:
        ir.run(rt)
    assert not isinstance(info.value, QuadrantsAssertionError)


def test_print_one_line_per_active_lane_in_lane_order(ir, capsys):
    i = ir.var("i")
    half = ir.op(Op.TRUEDIV, ir.op(Op.CAST, ir.ref(i), dtype=T.f32), ir.const(2.0, T.f32))
    pr = N.Print(("i =", ir.ref(i), half, ir.op(Op.GT, ir.ref(i), ir.const(2)), ir.const(0.1, T.f64)))
    prog = ir.program([], [ir.pfor([i], [0], [5], [N.If(ir.op(Op.NE, ir.ref(i), ir.const(1)), (pr,))])])
    ir.run(prog)
    assert capsys.readouterr().out.splitlines() == [  # printf defaults: %f for f32, %.12f for f64 (as upstream)
        "i = 0 0.000000 0 0.100000000000",
        "i = 2 1.000000 0 0.100000000000",
        "i = 3 1.500000 1 0.100000000000",
        "i = 4 2.000000 1 0.100000000000",
    ]
    ir.run(prog, lane_order="reversed")
    assert capsys.readouterr().out.splitlines()[0] == "i = 4 2.000000 1 0.100000000000"
    ir.run(ir.program([], [N.SerialBlock((N.Print(("a =", ir.const(3), "x0", ir.const(0))),))]))
    assert capsys.readouterr().out == "a = 3 x0 0\n"


def test_do_while_and_read_i32(ir):
    """A graph DoWhile: decrement cond[()] and count iterations in x[0]."""
    cond = N.NdarrayArg("cond", T.i32, 0)
    v = ir.var("v")
    body = N.SerialBlock(
        (
            N.Load(v, 0, ()),
            N.Store(0, (), ir.op(Op.SUB, ir.ref(v), ir.const(1))),
            N.AtomicRMW(None, Op.ATOMIC_ADD, 1, (ir.const(0),), (ir.const(1),)),
        )
    )
    prog = ir.program([cond, arr1("x", T.i32)], [N.DoWhile(0, 0, (body,))])
    c = np.array(3, np.int32)
    x = np.zeros(1, np.int32)
    ir.run(prog, c, x)
    assert int(c) == 0 and x[0] == 3


# ---------------------------------------------------------------------------------------------- fast paths


def test_in_place_temporaries_give_the_same_values(ir):
    i, v = ir.var("i"), ir.var("v", T.f32)
    x = ir.ref(v)
    two, one, three = ir.const(2.0, T.f32), ir.const(1.0, T.f32), ir.const(3.0, T.f32)
    expr = ir.op(Op.TRUEDIV, ir.op(Op.SUB, ir.op(Op.ADD, ir.op(Op.MUL, x, two), one), ir.op(Op.MUL, x, x)), three)
    prog = ir.program(
        [arr1("x"), arr1("out")],
        [ir.pfor([i], [0], [N.Shape(0, 0, T.i32)], [N.Load(v, 0, (ir.ref(i),)), N.Store(1, (ir.ref(i),), expr)])],
    )
    xs = np.linspace(-3, 3, 101, dtype=np.float32)
    out = np.zeros_like(xs)
    ir.run(prog, xs, out)
    f = np.float32
    want = ((xs * f(2) + f(1)) - xs * xs) / f(3)
    np.testing.assert_array_equal(out, want)
    assert xs[0] == np.float32(-3)  # the loaded (view) operand was not overwritten


def test_in_place_atomic_update_with_mask_and_order(ir):
    i, v = ir.var("i"), ir.var("v", T.i32)
    upd = N.AtomicRMW(None, Op.ATOMIC_ADD, 1, (ir.ref(i),), (ir.op(Op.MUL, ir.ref(v), ir.const(3)),))
    even = ir.op(Op.EQ, ir.op(Op.MOD, ir.ref(i), ir.const(2)), ir.const(0))
    prog = ir.program(
        [arr1("x", T.i32), arr1("y", T.i32)],
        [ir.pfor([i], [0], [N.Shape(0, 0, T.i32)], [N.Load(v, 0, (ir.ref(i),)), N.If(even, (upd,))])],
    )
    for order in ("ascending", "reversed", "shuffled"):
        xs = np.arange(10, dtype=np.int32)
        ys = np.full(10, 2**31 - 1, np.int32)
        ir.run(prog, xs, ys, lane_order=order)
        want = [(2**31 - 1 + 3 * k + 2**31) % 2**32 - 2**31 if k % 2 == 0 else 2**31 - 1 for k in range(10)]
        assert ys.tolist() == want


def test_view_load_analysis_keeps_snapshots(ir):
    """v = x[i]; x[i] = 0; w = v + 1 (after the write): the load must still be a copy."""
    i, v, w = ir.var("i"), ir.var("v"), ir.var("w")
    prog = ir.program(
        [arr1("x", T.i32), arr1("y", T.i32)],
        [
            ir.pfor(
                [i],
                [0],
                [4],
                [
                    N.Load(v, 0, (ir.ref(i),)),
                    N.Store(0, (ir.ref(i),), ir.const(0)),
                    N.Decl(w, ir.op(Op.ADD, ir.ref(v), ir.const(1))),
                    N.Store(1, (ir.ref(i),), ir.ref(w)),
                ],
            )
        ],
    )
    xs, ys = np.arange(4, dtype=np.int32), np.zeros(4, np.int32)
    ir.run(prog, xs, ys)
    assert ys.tolist() == [1, 2, 3, 4] and xs.tolist() == [0, 0, 0, 0]
