"""Guarded appends emitted without a branch (builder/append_if.py, issue 23): same memory, same locals."""

from __future__ import annotations

import re

import numpy as np
import pytest

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.builder.append_if import is_guarded_append
from quadrants_llvm.cpu import BACKEND

from .conftest import const, op, pfor, program, ref, run, var

CAP = 6  # slots per row


def _append_kernel(n: int, m: int):
    """For each row i: append j (0 <= j < m) to out[i, :] while there is room and a[i] < b[j]; count[i] = appended."""
    i, j, found, x, y = var("i"), var("j"), var("found"), var("x", T.f32), var("y", T.f32)
    room = op(Op.LT, ref(found), const(CAP), dtype=T.u1)
    take = op(Op.BIT_AND, room, op(Op.LT, ref(x), ref(y), dtype=T.u1), dtype=T.u1)
    append = N.If(take, (N.Store(2, (ref(i), ref(found)), ref(j)), N.Assign(found, op(Op.ADD, ref(found), const(1)))))
    loop = N.RangeFor(j, const(0), N.Shape(1, 0, T.i32), (N.Load(y, 1, (ref(j),)), append))
    body = [N.Decl(found, const(0)), N.Load(x, 0, (ref(i),)), loop, N.Store(3, (ref(i),), ref(found))]
    args = [
        N.NdarrayArg("a", T.f32, 1, (n,)),
        N.NdarrayArg("b", T.f32, 1),
        N.NdarrayArg("out", T.i32, 2, (n, CAP)),
        N.NdarrayArg("count", T.i32, 1, (n,)),
    ]
    return program(args, [pfor([i], [0], [n], body)]), append


def test_the_append_pattern_is_recognised():
    _, append = _append_kernel(4, 4)
    assert is_guarded_append(append, {})


def test_other_guarded_blocks_keep_their_branch():
    _, append = _append_kernel(4, 4)
    store, bump = append.then
    i, k, v = var("i"), var("k"), var("v", T.f32)
    own_index = N.If(append.cond, (N.Store(2, (ref(i), const(0)), ref(i)),))  # vectorisable with masked stores
    reads = N.If(append.cond, (N.Load(v, 0, (ref(i),)), store, bump))
    with_else = N.If(append.cond, (store, bump), (N.Assign(k, const(1)),))
    nested = N.If(append.cond, (store, N.If(append.cond, (bump,))))
    too_long = N.If(append.cond, (store,) + (bump,) * 8)
    for s in (own_index, reads, with_else, nested, too_long):
        assert not is_guarded_append(s, {}), s
    assert not is_guarded_append(append, {bump.var.id: 0})  # a kernel var: its write is a store to the context


def test_the_store_goes_through_a_select_and_the_branch_is_gone():
    prog, _ = _append_kernel(64, 64)
    text = BACKEND.compile(prog, CompileOptions()).ir_text
    assert re.search(r"select i1 %[\w.]+, ptr %[\w.]+, ptr %untaken", text)
    assert "asm sideeffect" in text  # the slot escapes, so SROA cannot turn the select back into a branch
    debug = BACKEND.compile(prog, CompileOptions(debug=True)).ir_text
    assert "untaken" not in debug  # under debug the bounds check stays on the taken path


@pytest.mark.parametrize("debug", [False, True])
def test_memory_and_counts_are_those_of_the_branch(debug):
    n, m = 57, 41
    rng = np.random.default_rng(2)
    a = rng.standard_normal(n).astype(np.float32)
    a[-1] = -10.0  # the last row fills up: its untaken stores would land past the end of ``out``
    b = rng.standard_normal(m).astype(np.float32)
    out = np.full((n, CAP), -7, np.int32)  # slots past each row's count must keep this
    count = np.zeros(n, np.int32)
    want, want_count = out.copy(), count.copy()
    for i in range(n):
        found = 0
        for j in range(m):
            if found < CAP and a[i] < b[j]:
                want[i, found] = j
                found += 1
        want_count[i] = found
    prog, _ = _append_kernel(n, m)
    run(prog, a, b, out, count, debug=debug)
    np.testing.assert_array_equal(count, want_count)
    np.testing.assert_array_equal(out, want)
    assert count[-1] == CAP
