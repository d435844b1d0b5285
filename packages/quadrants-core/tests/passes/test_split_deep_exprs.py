"""split_deep_exprs: no expression deeper than MAX_DEPTH after the pass, same values, evaluation order kept."""

from __future__ import annotations

from quadrants.ir.dtypes import f32, i32, u1
from quadrants.ir.nodes import (
    ArgRef,
    Const,
    Decl,
    If,
    LocalRef,
    NdarrayArg,
    OpExpr,
    ParallelFor,
    Program,
    RangeFor,
    ScalarArg,
    SerialBlock,
    SrcLoc,
    Store,
    Var,
)
from quadrants.ir.ops import Op
from quadrants.ir.verifier import verify
from quadrants.passes import DEFAULT_PASSES, split_deep_exprs
from quadrants.passes.split_deep_exprs import MAX_DEPTH

ARGS = (NdarrayArg("y", f32, 1), ScalarArg("a", f32))
IV = Var(7, "i", i32)


def chain(n: int, leaf=None):
    """``a + a + ... + a`` with ``n`` additions: an expression ``n`` operations deep."""
    e = leaf if leaf is not None else ArgRef(1, f32)
    for _ in range(n):
        e = OpExpr(Op.ADD, (e, ArgRef(1, f32)), f32)
    return e


def depth(e) -> int:
    if not isinstance(e, OpExpr):
        return 0
    return 1 + max(depth(a) for a in e.args)


def evaluate(e, env) -> float:
    """The value of ``e`` with locals from ``env`` (a: 1.0); ADD and MUL only."""
    if isinstance(e, ArgRef):
        return 1.0
    if isinstance(e, Const):
        return e.value
    if isinstance(e, LocalRef):
        return env[e.var.id]
    a, b = (evaluate(x, env) for x in e.args)
    return a + b if e.op == Op.ADD else a * b


def run_block(stmts, env) -> list:
    """Values stored, in order, by a straight-line block of Decls and Stores."""
    stored = []
    for s in stmts:
        if isinstance(s, Decl):
            env[s.var.id] = evaluate(s.value, env)
        elif isinstance(s, Store):
            stored.append(evaluate(s.value, env))
    return stored


def prog(*items):
    return Program("k", ARGS, (), (), items)


def task(*body):
    return ParallelFor((IV,), (Const(0, i32),), (Const(4, i32),), body)


def test_shallow_programs_come_out_unchanged():
    program = prog(task(Store(0, (LocalRef(IV),), chain(MAX_DEPTH - 1))))
    assert split_deep_exprs(program) is program


def test_a_deep_sum_is_split_into_declarations_with_the_same_value():
    loc = SrcLoc("k.py", 4)
    program = prog(task(Store(0, (LocalRef(IV),), chain(2000), loc=loc)))
    out = split_deep_exprs(program)
    verify(out)
    body = out.items[0].body
    assert len(body) > 2000 // MAX_DEPTH and all(isinstance(s, Decl) for s in body[:-1])
    assert all(s.loc is loc for s in body)  # the new declarations point at the statement's line
    assert max(depth(s.value) for s in body) <= MAX_DEPTH
    assert run_block(body, {}) == [2001.0]
    assert len({s.var.id for s in body[:-1]} | {IV.id}) == len(body)  # fresh, distinct ids


def test_operand_order_and_shared_subtrees():
    shared = chain(MAX_DEPTH + 3)
    product = OpExpr(Op.MUL, (shared, chain(MAX_DEPTH + 5, leaf=shared)), f32)
    program = prog(task(Store(0, (LocalRef(IV),), product)))
    out = split_deep_exprs(program)
    verify(out)
    body = out.items[0].body
    expected = (MAX_DEPTH + 4) * (2 * MAX_DEPTH + 9)
    assert run_block(body, {}) == [float(expected)]
    first = body[0]
    assert isinstance(first, Decl) and depth(first.value) == MAX_DEPTH  # the left operand's part comes first


def test_conditions_and_loop_bounds_are_split_before_their_statement():
    deep_cond = OpExpr(Op.LT, (chain(3 * MAX_DEPTH), Const(0.0, f32)), u1)
    deep_end = OpExpr(Op.CAST, (chain(2 * MAX_DEPTH),), i32)
    j = Var(8, "j", i32)
    program = prog(SerialBlock((If(deep_cond, ()), RangeFor(j, Const(0, i32), deep_end, ()))))
    out = split_deep_exprs(program)
    verify(out)
    body = out.items[0].body
    kinds = [type(s).__name__ for s in body]
    assert kinds.index("If") < kinds.index("RangeFor") and kinds[0] == "Decl"
    assert depth(body[kinds.index("If")].cond) <= MAX_DEPTH
    assert depth(body[kinds.index("RangeFor")].end) <= MAX_DEPTH


def test_the_pass_is_last_in_the_default_pipeline():
    assert DEFAULT_PASSES[-1] == ("split_deep_exprs", split_deep_exprs)
