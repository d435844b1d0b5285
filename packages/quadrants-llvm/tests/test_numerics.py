"""Every pure op on every dtype, bit-for-bit against :mod:`quadrants.ir.numerics` on random and edge-case inputs."""

from __future__ import annotations

import numpy as np
import pytest

from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.numerics import OP_HANDLERS, convert
from quadrants.ir.ops import OP_INFO, Op

from .conftest import op, pfor, program, ref, run, var

N_LANES = 4096
INTS = [T.i8, T.i16, T.i32, T.i64, T.u8, T.u16, T.u32, T.u64, T.u1]
FLOATS = [T.f16, T.f32, T.f64]
# correctly rounded or exact ops: compared bit for bit; transcendental ones within a few ULP
EXACT_FLOAT = [Op.ADD, Op.SUB, Op.MUL, Op.TRUEDIV, Op.FLOORDIV, Op.MOD, Op.NEG, Op.ABS, Op.MAX, Op.MIN, Op.SQRT]
EXACT_FLOAT += [Op.FLOOR, Op.CEIL, Op.ROUND, Op.TRUNC, Op.RSQRT]
TRANSCENDENTAL = [Op.EXP, Op.LOG, Op.SIN, Op.COS, Op.TAN, Op.ATAN, Op.TANH, Op.POW, Op.ATAN2]
INT_BINARY = [Op.ADD, Op.SUB, Op.MUL, Op.FLOORDIV, Op.MOD, Op.RAW_DIV, Op.RAW_MOD, Op.MAX, Op.MIN]
INT_BINARY += [Op.BIT_AND, Op.BIT_OR, Op.BIT_XOR, Op.SHL, Op.SHR]
INT_UNARY = [Op.NEG, Op.ABS, Op.BIT_NOT, Op.POPCNT, Op.CLZ, Op.FFS]
COMPARE = [Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE]


def edge_values(dtype: T.DataType, rng: np.random.Generator) -> np.ndarray:
    """Random values with every edge case of the type mixed in."""
    if dtype.is_bool:
        return rng.integers(0, 2, N_LANES).astype(bool)
    if dtype.is_float:
        info = np.finfo(dtype.np)
        special = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, -7.5, 2.0, np.inf, -np.inf, np.nan]
        special += [float(info.max), float(info.tiny), float(info.smallest_subnormal), 0.49999997, 65504.0]
        x = (rng.standard_normal(N_LANES) * rng.choice([1, 10, 1000, 1e6], N_LANES)).astype(dtype.np)
        x[: len(special)] = np.array(special, dtype=np.float64).astype(dtype.np)
        return rng.permutation(x)
    info = np.iinfo(dtype.np)
    special = [0, 1, -1, 2, -2, 7, -7, info.min, info.max, info.min + 1, info.max - 1, dtype.bits, dtype.bits + 1]
    x = rng.integers(info.min, info.max, N_LANES, dtype=dtype.np, endpoint=True)
    small = rng.integers(-9, 10, N_LANES).astype(dtype.np)
    x = np.where(rng.random(N_LANES) < 0.3, small, x)
    x[: len(special)] = np.array([int(v) % (1 << dtype.bits) for v in special], dtype=np.uint64).astype(dtype.np)
    return rng.permutation(x)


def run_ops(cases, inputs):
    """One parallel kernel computing every ``(op, operand dtypes, result dtype)`` of ``cases`` lane by lane."""
    in_dtypes = [a.dtype for a in inputs]
    args = [N.NdarrayArg(f"in{k}", T.from_numpy_dtype(d), 1) for k, d in enumerate(in_dtypes)]
    i = var("i")
    body, outs = [], []
    loaded = []
    for k, spec in enumerate(args):
        v = var(f"v{k}", spec.dtype)
        body.append(N.Load(v, k, (ref(i),)))
        loaded.append(v)
    for c, (o, operands, dtype) in enumerate(cases):
        out_arg = len(args) + c
        body.append(N.Store(out_arg, (ref(i),), op(o, *[ref(loaded[x]) for x in operands], dtype=dtype)))
        outs.append(np.zeros(N_LANES, dtype.np))
    spec_outs = [N.NdarrayArg(f"out{c}", T.from_numpy_dtype(o.dtype), 1) for c, o in enumerate(outs)]
    prog = program(args + spec_outs, [pfor([i], [0], [N_LANES], body)])
    run(prog, *inputs, *outs)
    return outs


def expected(o, operands, dtype, inputs):
    with np.errstate(all="ignore"):
        r = np.asarray(OP_HANDLERS[o]([inputs[x] for x in operands], dtype))
        return convert(r, dtype) if r.dtype != dtype.np else r


def assert_bits_equal(got, want, label):
    if got.dtype.kind == "f":
        same = (got.view(f"u{got.itemsize}") == want.view(f"u{got.itemsize}")) | (np.isnan(got) & np.isnan(want))
    else:
        same = got == want
    bad = np.flatnonzero(~same)
    assert not bad.size, (
        f"{label}: {bad.size} lanes differ, first at {bad[0]}: got {got[bad[0]]!r}, want {want[bad[0]]!r}"
    )


@pytest.mark.parametrize("dtype", INTS, ids=str)
def test_integer_ops_bit_exact(dtype):
    rng = np.random.default_rng(dtype.bits)
    a, b = edge_values(dtype, rng), edge_values(dtype, rng)
    cnt = edge_values(T.i32, rng)
    inputs = [a, b, cnt]
    cases = [(o, (0, 1), dtype) for o in INT_BINARY if not (dtype.is_bool and o in (Op.SHL, Op.SHR))]
    cases += [(Op.SHL, (0, 2), dtype), (Op.SHR, (0, 2), dtype)]
    cases += [(o, (0,), T.i32 if o in (Op.POPCNT, Op.CLZ, Op.FFS) else dtype) for o in INT_UNARY]
    cases += [(o, (0, 1), T.u1) for o in COMPARE]
    cases += [(Op.LOGICAL_NOT, (0,), T.u1), (Op.SELECT, (2, 0, 1), dtype)]
    if not dtype.is_bool:
        small = np.where(np.abs(b.astype(np.int64)) < 40, b, b % 7).astype(dtype.np)
        inputs.append(small)
        cases.append((Op.POW, (0, 3), dtype))
    outs = run_ops(cases, inputs)
    for (o, operands, rt), got in zip(cases, outs, strict=True):
        assert_bits_equal(got, expected(o, operands, rt, inputs), f"{o.value} {dtype}")


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_float_ops_bit_exact(dtype):
    rng = np.random.default_rng(100 + dtype.bits)
    a, b = edge_values(dtype, rng), edge_values(dtype, rng)
    inputs = [a, b, np.abs(a)]
    cases = [(o, (0, 1), dtype) for o in EXACT_FLOAT if OP_INFO[o].arity == 2]
    cases += [(o, (0,), dtype) for o in EXACT_FLOAT if OP_INFO[o].arity == 1]
    cases += [(Op.SQRT, (2,), dtype), (Op.RSQRT, (2,), dtype)]
    cases += [(o, (0, 1), T.u1) for o in COMPARE]
    outs = run_ops(cases, inputs)
    for (o, operands, rt), got in zip(cases, outs, strict=True):
        want = expected(o, operands, rt, inputs)
        if o in (Op.MAX, Op.MIN):  # the sign of a zero result is unspecified (docs/semantics.md §6)
            got, want = np.where(got == 0, 0, got).astype(got.dtype), np.where(want == 0, 0, want).astype(got.dtype)
        assert_bits_equal(got, want, f"{o.value} {dtype}")


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_transcendentals_within_ulps(dtype):
    rng = np.random.default_rng(7)
    a = (rng.random(N_LANES) * 4 - 2).astype(dtype.np)
    b = (rng.random(N_LANES) * 3).astype(dtype.np)
    inputs = [a, b]
    cases = [(o, (0, 1) if OP_INFO[o].arity == 2 else (1,), dtype) for o in TRANSCENDENTAL]
    outs = run_ops(cases, inputs)
    for (o, operands, rt), got in zip(cases, outs, strict=True):
        want = expected(o, operands, rt, inputs).astype(np.float64)
        spacing = np.abs(np.spacing(want.astype(dtype.np))).astype(np.float64)
        err = np.abs(got.astype(np.float64) - want)
        finite = np.isfinite(want)
        assert (err[finite] <= 4 * spacing[finite] + 1e-300).all(), f"{o.value} {dtype}"


@pytest.mark.parametrize("src", INTS + FLOATS, ids=str)
def test_casts_bit_exact(src):
    rng = np.random.default_rng(src.bits * 3 + len(src.kind))
    x = edge_values(src, rng)
    if src.is_float:  # values around every integer range limit
        lims = [2.0**k for k in (7, 8, 15, 16, 31, 32, 63, 64)]
        extra = np.array([s * (v + d) for v in lims for d in (-1.0, -0.5, 0.0, 0.5) for s in (1, -1)])
        x[: len(extra)] = extra.astype(src.np)
    dsts = INTS + FLOATS
    cases = [(Op.CAST, (0,), d) for d in dsts]
    same_width = [d for d in INTS + FLOATS if d.bits == src.bits and not d.is_bool and not src.is_bool]
    cases += [(Op.BITCAST, (0,), d) for d in same_width]
    outs = run_ops(cases, [x])
    for (o, operands, rt), got in zip(cases, outs, strict=True):
        assert_bits_equal(got, expected(o, operands, rt, [x]), f"{o.value} {src}->{rt}")
