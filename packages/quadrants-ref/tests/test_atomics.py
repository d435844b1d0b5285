"""Every atomic op, with duplicate targets and old values, against a sequential Python model in lane order."""

from __future__ import annotations

import numpy as np
import pytest

from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.numerics import convert_scalar
from quadrants.ir.ops import Op

INT_OPS = [
    Op.ATOMIC_ADD,
    Op.ATOMIC_MUL,
    Op.ATOMIC_MIN,
    Op.ATOMIC_MAX,
    Op.ATOMIC_AND,
    Op.ATOMIC_OR,
    Op.ATOMIC_XOR,
    Op.ATOMIC_EXCHANGE,
    Op.ATOMIC_CAS,
]
FLOAT_OPS = [Op.ATOMIC_ADD, Op.ATOMIC_MUL, Op.ATOMIC_MIN, Op.ATOMIC_MAX, Op.ATOMIC_EXCHANGE]


def _model_step(op, dtype, old, operands):
    """One lane's update with independent arithmetic: Python ints wrapped by §5, NumPy scalars for floats."""
    if op is Op.ATOMIC_EXCHANGE:
        return operands[0]
    if op is Op.ATOMIC_CAS:
        return operands[1] if old == operands[0] else old
    v = operands[0]
    if dtype.is_float:
        a, b = dtype.np.type(old), dtype.np.type(v)
        with np.errstate(all="ignore"):
            table = {Op.ATOMIC_ADD: a + b, Op.ATOMIC_MUL: a * b, Op.ATOMIC_MIN: min(a, b), Op.ATOMIC_MAX: max(a, b)}
        return table[op]
    a, b = int(old), int(v)
    table = {
        Op.ATOMIC_ADD: a + b,
        Op.ATOMIC_MUL: a * b,
        Op.ATOMIC_MIN: min(a, b),
        Op.ATOMIC_MAX: max(a, b),
        Op.ATOMIC_AND: a & b,
        Op.ATOMIC_OR: a | b,
        Op.ATOMIC_XOR: a ^ b,
    }
    return convert_scalar(table[op], dtype)


def _model(op, dtype, target, idx, operands, active, seq):
    target = target.copy()
    old = np.zeros(len(idx), dtype.np)
    for lane in np.argsort(seq):
        if not active[lane]:
            continue
        k = idx[lane]
        old[lane] = target[k]
        target[k] = _model_step(op, dtype, target[k], [o[lane] for o in operands])
    return target, old


def _program(ir, op, dtype, index_kind):
    """seq[i] = order of lane i; if active[i]: out[i] = atomic_op(target[idx[i]], operands...)."""
    i, pos, ix, act, old = ir.var("i"), ir.var("pos"), ir.var("ix"), ir.var("act"), ir.var("old", dtype)
    n_ops = 2 if op is Op.ATOMIC_CAS else 1
    operand_vars = [ir.var(f"v{k}", dtype) for k in range(n_ops)]
    if index_kind == "lanes":
        index = ir.ref(i)
    elif index_kind == "uniform":
        index = ir.const(1)
    else:
        index = ir.ref(ix)
    body = [
        N.AtomicRMW(pos, Op.ATOMIC_ADD, 0, (ir.const(0),), (ir.const(1),)),
        N.Store(1, (ir.ref(i),), ir.ref(pos)),
        N.Load(ix, 2, (ir.ref(i),)),
        N.Load(act, 3, (ir.ref(i),)),
        *[N.Load(v, 6 + k, (ir.ref(i),)) for k, v in enumerate(operand_vars)],
        N.If(
            ir.op(Op.NE, ir.ref(act), ir.const(0)),
            (
                N.AtomicRMW(old, op, 4, (index,), tuple(ir.ref(v) for v in operand_vars)),
                N.Store(5, (ir.ref(i),), ir.ref(old)),
            ),
        ),
    ]
    args = [
        N.NdarrayArg("counter", T.i32, 1),
        N.NdarrayArg("seq", T.i32, 1),
        N.NdarrayArg("idx", T.i32, 1),
        N.NdarrayArg("active", T.i32, 1),
        N.NdarrayArg("target", dtype, 1),
        N.NdarrayArg("out", dtype, 1),
        *[N.NdarrayArg(f"operand{k}", dtype, 1) for k in range(n_ops)],
    ]
    return ir.program(args, [ir.pfor([i], [0], [N.Shape(1, 0, T.i32)], body)])


def _values(rng, dtype, n, op):
    if dtype.is_float:
        if op is Op.ATOMIC_MUL:
            return rng.choice([0.5, 1.0, 1.25, -1.0, 2.0], n).astype(dtype.np)
        return (rng.standard_normal(n) * 100).astype(dtype.np)
    if op is Op.ATOMIC_CAS:
        return rng.integers(0, 4, n).astype(dtype.np)
    lo, hi = (0, 255) if dtype.kind == "uint" else (-100, 100)
    return rng.integers(lo, hi, n).astype(dtype.np)


def _check(ir, op, dtype, index_kind, n, size, order, seed):
    rng = np.random.default_rng(seed)
    if index_kind == "lanes":
        size = n
        idx = np.arange(n, dtype=np.int32)
    elif index_kind == "uniform":
        idx = np.ones(n, np.int32)
    else:
        idx = rng.integers(0, size, n).astype(np.int32)
    active = (rng.random(n) < 0.8).astype(np.int32)
    operands = [_values(rng, dtype, n, op) for _ in range(2 if op is Op.ATOMIC_CAS else 1)]
    target = _values(rng, dtype, size, op)
    if op is Op.ATOMIC_CAS:
        operands[1] = rng.integers(0, 4, n).astype(dtype.np)
    t, out, seq = target.copy(), np.zeros(n, dtype.np), np.zeros(n, np.int32)
    counter = np.zeros(1, np.int32)
    ir.run(_program(ir, op, dtype, index_kind), counter, seq, idx, active, t, out, *operands, lane_order=order)
    assert sorted(seq.tolist()) == list(range(n)) and counter[0] == n
    want_target, want_old = _model(op, dtype, target, idx, operands, active, seq)
    np.testing.assert_array_equal(t, want_target)
    np.testing.assert_array_equal(out[active != 0], want_old[active != 0])


@pytest.mark.parametrize("op", INT_OPS)
@pytest.mark.parametrize("dtype", [T.i32, T.u8, T.i64])
@pytest.mark.parametrize("index_kind,n,size", [("random", 300, 7), ("random", 300, 250), ("uniform", 50, 3)])
def test_int_atomics_match_sequential_model(ir, op, dtype, index_kind, n, size):
    for order in ("ascending", "reversed", "shuffled"):
        _check(ir, op, dtype, index_kind, n, size, order, seed=n + size)


@pytest.mark.parametrize("op", FLOAT_OPS)
@pytest.mark.parametrize("dtype", [T.f32, T.f16, T.f64])
@pytest.mark.parametrize("index_kind,n,size", [("random", 300, 7), ("random", 300, 250), ("uniform", 40, 3)])
def test_float_atomics_are_sequential_in_lane_order(ir, op, dtype, index_kind, n, size):
    for order in ("ascending", "reversed", "shuffled"):
        _check(ir, op, dtype, index_kind, n, size, order, seed=size)


@pytest.mark.parametrize("op", [Op.ATOMIC_ADD, Op.ATOMIC_MAX, Op.ATOMIC_CAS, Op.ATOMIC_EXCHANGE])
def test_atomics_on_distinct_lanes_block_path(ir, op):
    for order in ("ascending", "reversed", "shuffled"):
        _check(ir, op, T.i32, "lanes", 64, 64, order, seed=1)


def test_counter_reduction_many_lanes(ir):
    """A classic reduction: every lane adds into one element (int exact, wraparound)."""
    i = ir.var("i")
    prog = ir.program(
        [N.NdarrayArg("total", T.i32, 1)],
        [ir.pfor([i], [0], [100_000], [N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (ir.const(0),), (ir.ref(i),))])],
    )
    total = np.zeros(1, np.int32)
    ir.run(prog, total)
    assert int(total[0]) == convert_scalar(sum(range(100_000)), T.i32)


def test_histogram_int_add_cumsum_path(ir):
    i, v, old = ir.var("i"), ir.var("v"), ir.var("old")
    prog = ir.program(
        [N.NdarrayArg("keys", T.i32, 1), N.NdarrayArg("hist", T.i64, 1), N.NdarrayArg("rank", T.i64, 1)],
        [
            ir.pfor(
                [i],
                [0],
                [N.Shape(0, 0, T.i32)],
                [
                    N.Load(v, 0, (ir.ref(i),)),
                    N.AtomicRMW(old, Op.ATOMIC_ADD, 1, (ir.ref(v),), (ir.const(1, T.i64),)),
                    N.Store(2, (ir.ref(i),), ir.ref(old)),
                ],
            )
        ],
    )
    keys = np.random.default_rng(0).integers(0, 1000, 200_000).astype(np.int32)
    hist, rank = np.zeros(1000, np.int64), np.zeros(len(keys), np.int64)
    ir.run(prog, keys, hist, rank)
    np.testing.assert_array_equal(hist, np.bincount(keys, minlength=1000))
    seen: dict[int, int] = {}
    want = np.empty(len(keys), np.int64)
    for k, key in enumerate(keys.tolist()):
        want[k] = seen.get(key, 0)
        seen[key] = want[k] + 1
    np.testing.assert_array_equal(rank, want)


def test_u1_atomics_wrap_to_one_bit(ir):
    i = ir.var("i")
    prog = ir.program(
        [N.NdarrayArg("flag", T.u1, 1)],
        [ir.pfor([i], [0], [5], [N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (ir.const(0),), (ir.const(True, T.u1),))])],
    )
    flag = np.zeros(1, np.bool_)
    ir.run(prog, flag)
    assert bool(flag[0]) is True  # five 1-bit increments: 1
