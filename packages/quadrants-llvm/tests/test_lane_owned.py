"""Atomics at each lane's own elements become plain updates (builder/reductions.find_lane_owned, issue 23)."""

from __future__ import annotations

import numpy as np

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.builder.reductions import find_lane_owned
from quadrants_llvm.cpu import BACKEND

from .conftest import const, op, pfor, program, ref, run, var


def arr(name, dtype=T.i32, ndim=1):
    return N.NdarrayArg(name, dtype, ndim)


def _range_ir(prog) -> str:
    text = BACKEND.compile(prog, CompileOptions()).ir_text
    start = text.index("@QDPFX_range_0(")
    return text[start : text.index("\n}\n", start)]


def test_vector_components_at_the_lane_index_are_plain_adds():
    n = 5000
    i, a = var("i"), var("a", T.f32)
    body = [
        N.Load(a, 1, (ref(i),)),
        N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (ref(i), const(0)), (ref(a),)),
        N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (ref(i), const(1)), (op(Op.MUL, ref(a), const(2.0, T.f32)),)),
    ]
    prog = program([arr("v", T.f32, 2), arr("w", T.f32)], [pfor([i], [0], [n], body)])
    assert find_lane_owned(prog.items[0]) == {0}
    text = _range_ir(prog)
    assert "atomicrmw" not in text and "cmpxchg" not in text
    v = np.ones((n, 2), np.float32)
    w = np.arange(n, dtype=np.float32)
    run(prog, v, w)
    np.testing.assert_array_equal(v[:, 0], 1 + w)
    np.testing.assert_array_equal(v[:, 1], 1 + 2 * w)


def test_old_value_of_a_demoted_atomic_is_returned():
    n = 3000
    i, old = var("i"), var("old")
    body = [
        N.AtomicRMW(old, Op.ATOMIC_ADD, 0, (ref(i),), (const(5),)),
        N.Store(1, (ref(i),), ref(old)),
    ]
    prog = program([arr("x"), arr("y")], [pfor([i], [0], [n], body)])
    x = np.arange(n, dtype=np.int32)
    y = np.zeros(n, np.int32)
    run(prog, x, y)
    np.testing.assert_array_equal(y, np.arange(n))
    np.testing.assert_array_equal(x, np.arange(n) + 5)


def test_shared_elements_keep_their_atomics():
    i, j, k = var("i"), var("j"), var("k")
    # x[i] += 1 in a 2-D loop: the lanes (i, 0..m) share x[i]
    two_d = pfor([i, j], [0, 0], [100, 50], [N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (ref(i),), (const(1),))])
    prog = program([arr("x")], [two_d])
    assert find_lane_owned(two_d) == frozenset()
    x = np.zeros(100, np.int32)
    run(prog, x)
    assert (x == 50).all()
    # another access at a different index of the same array
    mixed = pfor(
        [k],
        [0],
        [100],
        [N.Load(var("y"), 0, (const(0),)), N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (ref(k),), (const(1),))],
    )
    assert find_lane_owned(mixed) == frozenset()
    # swapped axes in two accesses
    swapped = pfor(
        [i, j],
        [0, 0],
        [4, 4],
        [
            N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (ref(i), ref(j)), (const(1),)),
            N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (ref(j), ref(i)), (const(1),)),
        ],
    )
    assert find_lane_owned(swapped) == frozenset()


def test_alias_safe_variant_keeps_atomics():
    i = var("i")
    prog = program([arr("x")], [pfor([i], [0], [100], [N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (ref(i),), (const(1),))])])
    from quadrants_llvm.cpu.backend import _build

    text = _build(prog, CompileOptions(), noalias=False).ir_text
    start = text.index("@QDPFX_range_0(")
    assert "atomicrmw" in text[start : text.index("\n}\n", start)]


def test_other_axes_may_hold_any_expression():
    """``x.grad[t, i] += g`` beside ``x.grad[t + 1, i]`` (an adjoint kernel at time step ``t``): every access has the
    lane's variable on the same axis, so distinct lanes never share an element whatever the other axes hold."""
    n, steps = 3000, 4
    i, a, b = var("i"), var("a", T.f32), var("b", T.f32)
    t = N.ScalarArg("t", T.i32)
    step = N.ArgRef(2, T.i32)
    body = [
        N.Load(a, 1, (ref(i),)),
        N.Load(b, 0, (op(Op.ADD, step, const(1)), ref(i))),
        N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (step, ref(i)), (op(Op.MUL, ref(a), ref(b)),)),
    ]
    prog = program([arr("x", T.f32, 2), arr("w", T.f32), t], [pfor([i], [0], [n], body)])
    assert find_lane_owned(prog.items[0]) == {0}
    text = _range_ir(prog)
    assert "atomicrmw" not in text and "cmpxchg" not in text
    x = np.arange(steps * n, dtype=np.float32).reshape(steps, n) % 7
    w = np.linspace(-1.0, 1.0, n).astype(np.float32)
    expected = x.copy()
    expected[1] += w * x[2]
    run(prog, x, w, 1)
    np.testing.assert_array_equal(x, expected)
    # the lane's variable inside an expression on its axis is not the lane's own index: lanes i and i + 1 meet
    update = N.AtomicRMW(None, Op.ATOMIC_ADD, 0, (step, op(Op.SUB, ref(i), const(1))), (ref(a),))
    shifted = pfor([i], [0], [n], [update])
    assert find_lane_owned(shifted) == frozenset()
