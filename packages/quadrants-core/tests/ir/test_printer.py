"""Golden tests for the canonical IR text, and completeness of the printer's dispatch tables."""

from __future__ import annotations

import dataclasses

import pytest

from quadrants.ir import nodes, printer
from quadrants.ir.dtypes import f32, f64, i32, i64, u1, u32
from quadrants.ir.nodes import (
    ArgRef,
    Assign,
    AtomicRMW,
    Break,
    Check,
    Checkpoint,
    Const,
    Continue,
    Decl,
    DoWhile,
    If,
    Load,
    LocalRef,
    Loop,
    NdarrayArg,
    OpExpr,
    ParallelFor,
    Print,
    Program,
    RangeFor,
    ReadClock,
    ScalarArg,
    SerialBlock,
    SetReturn,
    Shape,
    SrcLoc,
    Store,
    Var,
    VarAtomicRMW,
)
from quadrants.ir.ops import ATOMIC_OPS, OP_INFO, Op
from quadrants.ir.printer import format_const, format_expr, format_item, format_program, format_stmt

IV, J, XI, N = Var(0, "i", i32), Var(1, "j", i32), Var(2, "xi", f32), Var(3, "n", i32)
ARGS = (NdarrayArg("x", f32, 1), NdarrayArg("y", f32, 1), ScalarArg("a", f32), NdarrayArg("c", i32, 0))


def saxpy(loc: SrcLoc | None = None) -> Program:
    body = (
        Load(XI, 0, (LocalRef(IV),), loc=loc),
        Store(
            1,
            (LocalRef(IV),),
            OpExpr(Op.ADD, (OpExpr(Op.MUL, (ArgRef(2, f32), LocalRef(XI)), f32), Const(0.1, f32)), f32),
            loc=loc,
        ),
    )
    return Program(
        "saxpy",
        ARGS[:3],
        (),
        (N,),
        (
            SerialBlock((Decl(N, Shape(0, 0, i32), loc=loc),), loc=loc),
            ParallelFor((IV,), (Const(0, i32),), (LocalRef(N),), body, loc=loc),
        ),
    )


SAXPY_TEXT = """\
kernel saxpy(x: ndarray[f32, 1], y: ndarray[f32, 1], a: f32) -> ()
  kernel_vars: %3 n: i32
  serial:
    %3 n: i32 = shape(x, 0)
  parallel_for (%0 i: i32) in [i32 0, %3):
    %2 xi: f32 = load x[%0]
    store y[%0] = add(mul(arg a, %2), f32 0.1)"""


def test_saxpy_golden():
    assert format_program(saxpy()) == SAXPY_TEXT


def test_every_statement_kind_golden():
    k, old, s = Var(4, "k", i32), Var(5, "old", i32), Var(6, "", f32)
    body = (
        Decl(s, Const(0.0, f32)),
        RangeFor(
            k,
            Const(0, i32),
            Const(4, i32),
            (
                If(
                    OpExpr(Op.LT, (LocalRef(k), Const(2, i32)), u1),
                    (Continue(),),
                    (Assign(s, OpExpr(Op.CAST, (LocalRef(k),), f32)),),
                ),
            ),
        ),
        Loop((If(Const(True, u1), (Break(),)),)),
        AtomicRMW(old, Op.ATOMIC_ADD, 3, (), (Const(1, i32),)),
        AtomicRMW(None, Op.ATOMIC_CAS, 3, (), (Const(1, i32), Const(2, i32))),
        Print(("s =", LocalRef(s))),
        Check(OpExpr(Op.GE, (LocalRef(old), Const(0, i32)), u1), "assert", "old >= 0"),
        SetReturn(0, LocalRef(s)),
        If(Const(False, u1), ()),
    )
    program = Program(
        "everything",
        ARGS,
        (f32,),
        (),
        (
            Checkpoint(
                0,
                3,
                (
                    DoWhile(
                        0,
                        3,
                        (
                            SerialBlock(body),
                            ParallelFor((IV, J), (Const(0, i32), Const(1, i32)), (Shape(0, 0, i32), Const(3, i32)), ()),
                        ),
                    ),
                ),
            ),
            Checkpoint(1, -1, ()),
        ),
        debug=True,
    )
    assert (
        format_program(program)
        == """\
kernel everything(x: ndarray[f32, 1], y: ndarray[f32, 1], a: f32, c: ndarray[i32, 0]) -> (f32) [debug]
  checkpoint 0 yield_on c:
    do_while level 0 cond c:
      serial:
        %6: f32 = f32 0.0
        for (%4 k: i32) in [i32 0, i32 4):
          if lt(%4, i32 2):
            continue
          else:
            %6 = cast<f32>(%4)
        loop:
          if u1 true:
            break
        %5 old: i32 = atomic_add(c[], i32 1)
        atomic_cas(c[], i32 1, i32 2)
        print('s =', %6)
        check assert ge(%5, i32 0), 'old >= 0'
        return[0] = %6
        if u1 false:
          pass
      parallel_for (%0 i: i32, %1 j: i32) in [i32 0, shape(x, 0)) x [i32 1, i32 3):
        pass
  checkpoint 1:
    pass"""
    )


@pytest.mark.parametrize(
    ("value", "dtype", "text"),
    [
        (5, i32, "i32 5"),
        (-7, i64, "i64 -7"),
        (0.1, f32, "f32 0.1"),
        (1, f64, "f64 1.0"),
        (float("inf"), f32, "f32 inf"),
        (float("-inf"), f64, "f64 -inf"),
        (float("nan"), f32, "f32 nan"),
        (-0.0, f32, "f32 -0.0"),
        (1e-300, f64, "f64 1e-300"),
        (True, u1, "u1 true"),
        (1, u1, "u1 true"),
        (0, u1, "u1 false"),
        (4294967295, u32, "u32 4294967295"),
    ],
)
def test_consts(value, dtype, text):
    assert format_expr(Const(value, dtype)) == text


@pytest.mark.parametrize("value", [0.1, 1 / 3, 2.0**-1074, 1.7976931348623157e308, -0.0, float("inf")])
def test_float_consts_round_trip(value):
    dtype_name, text = format_const(value, f64).split(" ")
    assert dtype_name == "f64"
    assert float(text) == value and repr(float(text)) == repr(value)


def test_locations_are_not_printed_unless_asked():
    here = SrcLoc("k.py", 10, 4, 9, "    x = y")
    moved = SrcLoc("other.py", 99)
    assert format_program(saxpy(here)) == format_program(saxpy(moved)) == SAXPY_TEXT
    with_locs = format_program(saxpy(here), with_locs=True).splitlines()
    assert with_locs[2] == "  serial:  # line 10"
    assert with_locs[3] == "    %3 n: i32 = shape(x, 0)  # line 10"
    assert format_program(saxpy(), with_locs=True) == SAXPY_TEXT  # no locations: nothing to append


def test_result_type_is_printed_when_operands_do_not_imply_it():
    x = ArgRef(0, f32)
    assert format_expr(OpExpr(Op.ADD, (x, x), f32)) == "add(arg #0: f32, arg #0: f32)"
    assert format_expr(OpExpr(Op.ADD, (Const(1, i32), Const(2, i32)), i64)) == "add(i32 1, i32 2): i64"
    assert format_expr(OpExpr(Op.EQ, (Const(1, i32), Const(2, i32)), u1)) == "eq(i32 1, i32 2)"
    assert format_expr(OpExpr(Op.POPCNT, (Const(1, u32),), i32)) == "popcnt(u32 1)"
    assert format_expr(OpExpr(Op.BITCAST, (Const(1, u32),), f32)) == "bitcast<f32>(u32 1)"
    assert format_expr(Shape(0, 1, i64)) == "shape(#0, 1): i64"


def test_format_stmt_and_item_with_program_names():
    program = saxpy()
    assert format_stmt(program.items[1].body[0], program) == "%2 xi: f32 = load x[%0]"
    assert format_stmt(program.items[1].body[0], indent=2) == "    %2 xi: f32 = load #0[%0]"
    assert format_item(program.items[0], program) == "serial:\n  %3 n: i32 = shape(x, 0)"


def test_clock_read_prints_its_var():
    assert format_stmt(ReadClock(Var(7, "t", i64))) == "%7 t: i64 = read_clock"


def test_printing_is_deterministic_and_distinguishes_programs():
    a, b = saxpy(), dataclasses.replace(saxpy(), fast_math=True)
    assert format_program(a) == format_program(saxpy())
    assert format_program(a) != format_program(b)
    assert format_program(b).splitlines()[0].endswith("-> () [fast_math]")


# ----------------------------------------------------------------------------------------- completeness of tables


def _ir_node_classes() -> set[type]:
    not_nodes = {SrcLoc, Var, NdarrayArg, ScalarArg, Program, nodes.Function}  # Function: printed by the program
    return {
        obj
        for name in nodes.__all__
        if isinstance(obj := getattr(nodes, name), type) and dataclasses.is_dataclass(obj) and obj not in not_nodes
    }


SAMPLES = {
    nodes.Call: nodes.Call(0, (Const(1, i32),), (IV,)),
    Const: Const(1, i32),
    LocalRef: LocalRef(IV),
    ArgRef: ArgRef(2, f32),
    Shape: Shape(0, 0, i32),
    OpExpr: OpExpr(Op.NEG, (Const(1, i32),), i32),
    Decl: Decl(IV, Const(1, i32)),
    Assign: Assign(IV, Const(1, i32)),
    Load: Load(XI, 0, (Const(0, i32),)),
    Store: Store(0, (Const(0, i32),), Const(0.5, f32)),
    AtomicRMW: AtomicRMW(None, Op.ATOMIC_MAX, 0, (Const(0, i32),), (Const(0.5, f32),)),
    VarAtomicRMW: VarAtomicRMW(None, Op.ATOMIC_ADD, IV, (Const(1, i32),)),
    If: If(Const(True, u1), (Break(),)),
    RangeFor: RangeFor(J, Const(0, i32), Const(1, i32), ()),
    Loop: Loop((Break(),)),
    Break: Break(),
    Continue: Continue(),
    Print: Print(("hi",)),
    Check: Check(Const(True, u1), "runtime", "msg"),
    SetReturn: SetReturn(0, Const(1, i32)),
    ReadClock: ReadClock(Var(7, "t", i64)),
    ParallelFor: ParallelFor((IV,), (Const(0, i32),), (Const(1, i32),), ()),
    SerialBlock: SerialBlock(()),
    DoWhile: DoWhile(0, 3, ()),
    Checkpoint: Checkpoint(0, -1, ()),
}


def test_every_node_class_has_a_formatter_and_prints():
    classes = _ir_node_classes()
    assert set(SAMPLES) == classes
    tables = {**printer._EXPR_FORMATTERS, **printer._STMT_FORMATTERS, **printer._ITEM_FORMATTERS}
    assert set(tables) == classes
    program = Program("p", ARGS, (i32,), (), ())
    for cls, sample in SAMPLES.items():
        if cls in printer._EXPR_FORMATTERS:
            text = format_expr(sample, program)
        elif cls in printer._STMT_FORMATTERS:
            text = format_stmt(sample, program)
        else:
            text = format_item(sample, program)
        assert text and "\n\n" not in text, cls


def _operand(op: Op, k: int):
    kind = OP_INFO[op].operands
    return Const(1.5, f32) if kind == "float" else Const(1, i32)


@pytest.mark.parametrize("op", list(Op), ids=lambda op: op.value)
def test_every_op_prints_with_its_name(op):
    operands = tuple(_operand(op, k) for k in range(OP_INFO[op].arity))
    if op in ATOMIC_OPS:
        text = format_stmt(AtomicRMW(None, op, 3, (), operands))
    else:
        text = format_expr(OpExpr(op, operands, operands[0].dtype))
    assert text.startswith(op.value)


def test_unknown_nodes_are_rejected():
    with pytest.raises(TypeError, match="not an IR expression"):
        format_expr("x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not an IR statement"):
        format_stmt(SerialBlock(()))  # type: ignore[arg-type]


def test_var_atomic_prints_the_kernel_var_and_the_old_value():
    old = Var(40, "old", i32)
    assert (
        format_stmt(VarAtomicRMW(old, Op.ATOMIC_MAX, IV, (Const(3, i32),))).strip()
        == "%40 old: i32 = atomic_max(&%0, i32 3)"
    )
    assert format_stmt(VarAtomicRMW(None, Op.ATOMIC_ADD, IV, (Const(3, i32),))).strip() == "atomic_add(&%0, i32 3)"
