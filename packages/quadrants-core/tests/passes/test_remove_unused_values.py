"""passes/remove_unused_values.py: definitions of locals nothing reads are dropped, with the reads that fed them."""

from __future__ import annotations

from quadrants.ir.dtypes import i32
from quadrants.ir.nodes import (
    Assign,
    Const,
    Decl,
    If,
    Load,
    LocalRef,
    NdarrayArg,
    OpExpr,
    ParallelFor,
    Program,
    SerialBlock,
    Store,
    Var,
    VarAtomicRMW,
)
from quadrants.ir.ops import Op
from quadrants.ir.verifier import verify
from quadrants.passes import remove_unused_values

IDX, A, B, C, K = (Var(n, name, i32) for n, name in enumerate("iabck"))


def _program(body, kernel_vars=()) -> Program:
    task = ParallelFor((IDX,), (Const(0, i32),), (Const(4, i32),), tuple(body))
    return Program("k", (NdarrayArg("x", i32, 1),), (), tuple(kernel_vars), (task,))


def _body(p: Program):
    return p.items[-1].body


def test_a_chain_of_unread_values_and_their_loads_is_dropped():
    load = Load(A, 0, (OpExpr(Op.ADD, (LocalRef(IDX), Const(1, i32)), i32),))  # x[i + 1], maybe out of range
    cast = Decl(B, OpExpr(Op.MUL, (LocalRef(A), Const(2, i32)), i32))
    out = remove_unused_values(_program([load, cast]))
    assert _body(out) == ()
    verify(out)


def test_values_that_are_read_stay_and_the_program_is_returned_unchanged():
    p = _program([Load(A, 0, (LocalRef(IDX),)), Store(0, (LocalRef(IDX),), LocalRef(A))])
    assert remove_unused_values(p) is p


def test_a_read_inside_a_nested_block_keeps_the_definition_and_its_reassignments():
    body = [
        Decl(A, Const(0, i32)),
        Assign(A, Const(3, i32)),
        If(OpExpr(Op.LT, (LocalRef(IDX), Const(2, i32)), i32), (Store(0, (LocalRef(IDX),), LocalRef(A)),)),
        Decl(C, Const(7, i32)),  # never read: dropped
    ]
    out = remove_unused_values(_program(body))
    assert [type(s) for s in _body(out)] == [Decl, Assign, If]


def test_kernel_variables_and_reduction_targets_are_kept():
    serial = SerialBlock((Decl(K, Const(0, i32)),))
    reduce = VarAtomicRMW(None, Op.ATOMIC_ADD, B, (Const(1, i32),))
    task = ParallelFor((IDX,), (Const(0, i32),), (Const(4, i32),), (reduce,))
    p = Program("k", (NdarrayArg("x", i32, 1),), (), (K, B), (serial, task))
    assert remove_unused_values(p) is p
