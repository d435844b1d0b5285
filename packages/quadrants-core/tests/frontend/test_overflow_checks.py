"""Integer overflow reports under debug (frontend/overflow_checks.py): the conditions, checked exhaustively on 8-bit
types with the reference interpreter, and where reports are emitted."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_stmts, iter_tasks

I1 = qd.types.NDArray[qd.i32, 1]
A1 = qd.types.ndarray(ndim=1)


def _reports(program) -> list[str]:
    stmts = [s for t in iter_tasks(program.items) for s in iter_stmts(t.body)]
    return [s.parts[0].split(" in ")[0] for s in stmts if isinstance(s, N.Print)]


def test_reports_are_emitted_only_under_debug_for_integer_add_sub_mul_shl(lower, session):
    @qd.kernel
    def k(x: I1):
        x[0] = (x[0] + 1) * (x[1] - 2) << x[2]
        x[1] = x[0] // 3 | x[1] ^ 5  # not checked: division, bit operations
        y = qd.f32(x[2]) + 1.5  # not checked: floats
        x[2] = qd.i32(y)

    args = np.zeros(3, np.int32)
    assert _reports(lower(k, args)) == []
    session.options = session.options.__class__(**{**session.options.__dict__, "debug": True})
    names = ["Addition", "Subtraction", "Multiplication", "Shift left"]
    assert sorted(_reports(lower(k, args))) == sorted(f"{name} overflow detected" for name in names)


@pytest.mark.parametrize("dtype", [qd.i8, qd.u8])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "shl"])
def test_every_8_bit_pair_is_reported_exactly_when_it_overflows(op, dtype, capfd):
    np_dtype = np.int8 if dtype == qd.i8 else np.uint8
    info = np.iinfo(np_dtype)
    values = range(info.min, info.max + 1)
    pairs = [(a, b) for a, b in itertools.product(values, values if op != "shl" else range(8))]
    a = np.array([p[0] for p in pairs], np_dtype)
    b = np.array([p[1] for p in pairs], np_dtype)
    exact = {"add": a.astype(int) + b, "sub": a.astype(int) - b, "mul": a.astype(int) * b}
    if op == "shl":
        wrapped = (a.astype(int) << b) & 0xFF
        wrapped = np.where(wrapped > info.max, wrapped - 256, wrapped)
        back = wrapped >> b if info.min < 0 else (wrapped & 0xFF) >> b
        expected = np.nonzero(back != a)[0]
    else:
        expected = np.nonzero((exact[op] < info.min) | (exact[op] > info.max))[0]
    qd.init(arch=qd.ref, debug=True)
    flagged = qd.ndarray(qd.i32, shape=(len(pairs),))

    @qd.kernel
    def k(x: A1, y: A1, out: I1):
        for i in range(x.shape[0]):
            r = x[i]
            if qd.static(op == "add"):
                r = x[i] + y[i]
            if qd.static(op == "sub"):
                r = x[i] - y[i]
            if qd.static(op == "mul"):
                r = x[i] * y[i]
            if qd.static(op == "shl"):
                r = x[i] << y[i]
            out[i] = qd.i32(r)

    xa, ya = qd.ndarray(dtype, shape=(len(pairs),)), qd.ndarray(dtype, shape=(len(pairs),))
    xa.from_numpy(a)
    ya.from_numpy(b)
    capfd.readouterr()
    try:
        k(xa, ya, flagged)
    finally:
        qd.reset()
    text = capfd.readouterr().out
    assert len(expected) > 0 or op == "shl"
    assert text.count("overflow detected") == len(expected)
