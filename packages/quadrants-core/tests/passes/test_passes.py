"""fold_constants, remove_dead_code and the rewrite helper they share."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from quadrants.ir.dtypes import f32, i32, u1
from quadrants.ir.nodes import (
    ArgRef,
    Break,
    Checkpoint,
    Const,
    Continue,
    Decl,
    DoWhile,
    If,
    LocalRef,
    Loop,
    NdarrayArg,
    OpExpr,
    ParallelFor,
    Print,
    Program,
    RangeFor,
    ScalarArg,
    SerialBlock,
    SrcLoc,
    Store,
    Var,
)
from quadrants.ir.ops import Op
from quadrants.ir.printer import format_program
from quadrants.ir.rewrite import map_blocks, map_exprs, map_item_blocks
from quadrants.ir.verifier import verify
from quadrants.passes import fold_constants, remove_dead_code

ARGS = (NdarrayArg("y", i32, 1), ScalarArg("a", i32), NdarrayArg("c", i32, 0))
IV, K, V = Var(0, "i", i32), Var(1, "k", i32), Var(2, "v", i32)


def c(value, dtype=i32):
    return Const(value, dtype)


def add(a, b):
    return OpExpr(Op.ADD, (a, b), a.dtype)


def mul(a, b):
    return OpExpr(Op.MUL, (a, b), a.dtype)


def lt(a, b):
    return OpExpr(Op.LT, (a, b), u1)


def store(value, index=None):
    return Store(0, (index if index is not None else LocalRef(IV),), value)


def task(*body):
    return ParallelFor((IV,), (c(0),), (c(4),), body)


def prog(*items):
    return Program("k", ARGS, (), (), items)


def _fake_fold(op, values, operand_dtypes, result_dtype):
    """Stand-in for quadrants.ir.numerics.fold in these tests (returns NumPy scalars, as a real one may)."""
    py = {Op.ADD: lambda a, b: a + b, Op.MUL: lambda a, b: a * b, Op.LT: lambda a, b: a < b}
    if op not in py:
        raise NotImplementedError(op)
    return result_dtype.np.type(py[op](*values))


@pytest.fixture
def fake_numerics(monkeypatch):
    module = types.ModuleType("quadrants.ir.numerics")
    module.fold = _fake_fold
    monkeypatch.setitem(sys.modules, "quadrants.ir.numerics", module)


# --------------------------------------------------------------------------------------------------- rewrite


def test_rewrite_keeps_untouched_trees_identical():
    program = prog(task(store(add(c(1), ArgRef(1, i32)))), SerialBlock(()))
    assert map_exprs(program, lambda e: e) is program
    assert map_blocks(program, lambda b: tuple(b)) is program
    assert map_item_blocks(program, lambda items: tuple(items)) is program


def test_rewrite_maps_bottom_up_and_keeps_locations():
    loc = SrcLoc("k.py", 3)
    program = prog(task(Store(0, (LocalRef(IV),), add(c(1), c(2)), loc=loc), Print(("x", c(5)))))
    seen = []

    def bump(e):
        seen.append(e)
        return Const(e.value + 10, e.dtype) if isinstance(e, Const) else e

    out = map_exprs(program, bump)
    s = out.items[0].body[0]
    assert s.value == add(c(11), c(12)) and s.loc is loc
    assert out.items[0].body[1].parts == ("x", c(15))
    assert out.items[0].begins == (c(10),)
    assert seen.index(c(1)) < seen.index(add(c(11), c(12)))  # children first; the parent sees the new children
    assert program.items[0].body[0].value == add(c(1), c(2))  # the input is untouched


def test_rewrite_reaches_graph_bodies_and_nested_blocks():
    inner = If(c(1, u1), (Loop((store(c(1)),)),))
    program = prog(Checkpoint(0, -1, (DoWhile(0, 2, (task(inner),)),)))
    out = map_exprs(program, lambda e: c(7) if e == c(1) else e)
    assert "store y[%0] = i32 7" in format_program(out)


# -------------------------------------------------------------------------------------------- fold_constants


def test_fold_constants_folds_nested_constant_trees(fake_numerics):
    program = prog(task(store(add(mul(c(2), c(3)), c(1))), store(add(LocalRef(IV), mul(c(4), c(5))))))
    out = fold_constants(program)
    verify(out)
    body = out.items[0].body
    assert body[0].value == c(7) and type(body[0].value.value) is int
    assert body[1].value == add(LocalRef(IV), c(20))


def test_fold_constants_produces_u1_and_skips_unfoldable_ops(fake_numerics):
    cond = lt(c(1), c(2))
    program = prog(task(If(cond, (store(OpExpr(Op.SUB, (c(3), c(1)), i32)),))))
    out = fold_constants(program)
    assert out.items[0].body[0].cond == Const(True, u1)
    assert out.items[0].body[0].then[0].value == OpExpr(Op.SUB, (c(3), c(1)), i32)  # fold raised NotImplementedError


def test_fold_constants_is_a_no_op_without_numerics(monkeypatch):
    monkeypatch.setitem(sys.modules, "quadrants.ir.numerics", None)  # makes the import raise ImportError
    program = prog(task(store(add(c(1), c(2)))))
    assert fold_constants(program) is program


def test_fold_constants_with_real_numerics():
    numerics = pytest.importorskip("quadrants.ir.numerics")
    if not hasattr(numerics, "fold"):
        pytest.skip("quadrants.ir.numerics.fold is not written yet")
    program = prog(task(store(add(c(2**31 - 1), c(1))), Store(0, (c(0),), OpExpr(Op.CAST, (c(2.5, f32),), i32))))
    out = fold_constants(program)
    verify(out)
    assert out.items[0].body[0].value == c(-(2**31))  # i32 wraparound, as at run time
    assert out.items[0].body[1].value == c(2)


# ------------------------------------------------------------------------------------------ remove_dead_code


def test_statements_after_break_and_continue_are_dropped():
    program = prog(
        task(
            Loop((store(c(1)), Break(), store(c(2)), Continue())),
            RangeFor(K, c(0), c(3), (If(lt(LocalRef(K), c(1)), (Continue(), store(c(3)))), store(c(4)))),
        )
    )
    out = remove_dead_code(program)
    verify(out)
    loop, range_for = out.items[0].body
    assert loop.body == (store(c(1)), Break())
    assert range_for.body[0].then == (Continue(),)
    assert range_for.body[1] == store(c(4))  # only the branch after its own continue is dead


def test_constant_if_is_replaced_by_the_branch_it_takes():
    program = prog(
        task(
            If(Const(True, u1), (Decl(V, c(1)), store(LocalRef(V))), (store(c(9)),)),
            If(Const(0, i32), (store(c(8)),), (store(c(7)),)),
            If(Const(False, u1), (store(c(6)),)),
        )
    )
    out = remove_dead_code(program)
    verify(out)
    assert out.items[0].body == (Decl(V, c(1)), store(LocalRef(V)), store(c(7)))


def test_spliced_branch_ending_in_break_kills_the_rest_of_the_block():
    program = prog(task(Loop((If(Const(True, u1), (store(c(1)), Break())), store(c(2))))))
    out = remove_dead_code(program)
    assert out.items[0].body[0].body == (store(c(1)), Break())


def test_empty_tasks_are_dropped_but_graph_nodes_are_kept():
    program = prog(
        SerialBlock(()),
        task(If(Const(False, u1), (store(c(1)),))),
        SerialBlock((store(c(1), c(0)),)),
        Checkpoint(0, -1, (DoWhile(0, 2, (SerialBlock(()),)),)),
    )
    out = remove_dead_code(program)
    verify(out)
    assert format_program(out) == (
        "kernel k(y: ndarray[i32, 1], a: i32, c: ndarray[i32, 0]) -> ()\n"
        "  serial:\n"
        "    store y[i32 0] = i32 1\n"
        "  checkpoint 0:\n"
        "    do_while level 0 cond c:\n"
        "      pass"
    )


def test_if_with_two_empty_branches_is_dropped():
    program = prog(task(If(lt(LocalRef(IV), c(2)), ()), store(c(1))))
    assert remove_dead_code(program).items[0].body == (store(c(1)),)


def test_remove_dead_code_returns_the_same_program_when_nothing_is_dead():
    program = prog(task(store(c(1))))
    assert remove_dead_code(program) is program


def test_fold_then_remove_dead_code(fake_numerics):
    program = prog(task(If(lt(c(1), c(2)), (store(c(1)),), (store(c(2)),))))
    out = remove_dead_code(fold_constants(program))
    verify(out)
    assert out.items[0].body == (store(c(1)),)


def test_numpy_scalars_never_leak_into_consts(fake_numerics):
    out = fold_constants(prog(task(store(add(c(1), c(1))))))
    assert not isinstance(out.items[0].body[0].value.value, np.generic)
