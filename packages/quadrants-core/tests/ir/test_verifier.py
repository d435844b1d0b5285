"""The verifier accepts valid IR and rejects each kind of invalid IR with a message that names the problem."""

from __future__ import annotations

import pytest

from quadrants.ir.dtypes import f32, i8, i32, i64, u1, u32
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
    Store,
    Var,
    VarAtomicRMW,
)
from quadrants.ir.ops import Op
from quadrants.ir.verifier import IRVerificationError, verify

# args: 0 x: ndarray[f32, 1]; 1 y: ndarray[i32, 1]; 2 a: f32; 3 c: ndarray[i32, 0]; 4 m: ndarray[f32, 2]
ARGS = (
    NdarrayArg("x", f32, 1),
    NdarrayArg("y", i32, 1),
    ScalarArg("a", f32),
    NdarrayArg("c", i32, 0),
    NdarrayArg("m", f32, 2),
)
IV = Var(0, "i", i32)
V = Var(1, "v", i32)
F = Var(2, "f", f32)
K = Var(3, "k", i32)
N = Var(9, "n", i32)
T0 = Var(10, "t0", i64)
T1 = Var(11, "t1", i64)


def c(value, dtype=i32):
    return Const(value, dtype)


def ref(var):
    return LocalRef(var)


def op(o, *args, dtype=None):
    return OpExpr(o, args, dtype if dtype is not None else args[0].dtype)


def pf(*body, end=None):
    return ParallelFor((IV,), (c(0),), (end if end is not None else c(8),), body)


def store_y(value):
    return Store(1, (ref(IV),), value)


def prog(*items, returns=(), kernel_vars=()):
    return Program("k", ARGS, returns, kernel_vars, items)


def in_task(*stmts):
    return prog(pf(*stmts))


VALID = {
    "empty": prog(),
    "locals_and_loops": in_task(
        Decl(V, c(1)),
        RangeFor(K, c(0), ref(V), (If(op(Op.EQ, ref(K), c(3), dtype=u1), (Break(),), (Continue(),)),)),
        Assign(V, op(Op.ADD, ref(V), ref(IV))),
        Loop((Decl(F, ArgRef(2, f32)), Break())),
        store_y(ref(V)),
    ),
    "kernel_var": prog(SerialBlock((Decl(N, Shape(0, 0, i32)),)), pf(store_y(ref(N)), end=ref(N)), kernel_vars=(N,)),
    "loads_atomics": in_task(
        Load(F, 4, (ref(IV), c(0))),
        AtomicRMW(V, Op.ATOMIC_ADD, 1, (ref(IV),), (c(1),)),
        AtomicRMW(None, Op.ATOMIC_CAS, 3, (), (c(0), c(1))),
        AtomicRMW(None, Op.ATOMIC_MAX, 0, (ref(IV),), (ref(F),)),
        Store(0, (ref(IV),), op(Op.SQRT, ref(F))),
    ),
    "op_rules": in_task(
        store_y(op(Op.SHL, ref(IV), c(3, i8))),
        store_y(op(Op.SELECT, c(1, i8), c(1), c(2), dtype=i32)),
        store_y(op(Op.CAST, ArgRef(2, f32), dtype=i32)),
        store_y(op(Op.BITCAST, ArgRef(2, f32), dtype=i32)),
        store_y(op(Op.POPCNT, c(7, u32), dtype=i32)),
        store_y(op(Op.CAST, op(Op.LOGICAL_NOT, ref(IV), dtype=u1), dtype=i32)),
        Print(("i =", ref(IV))),
        Check(op(Op.LT, ref(IV), c(8), dtype=u1), "assert", "in range"),
    ),
    "returns": prog(SerialBlock((SetReturn(0, c(1)), SetReturn(1, ArgRef(2, f32)))), returns=(i32, f32)),
    "graph": prog(
        Checkpoint(0, -1, (DoWhile(0, 3, (pf(), DoWhile(1, 3, ()))),)),
        Checkpoint(1, 3, (Checkpoint(2, -1, ()),)),
    ),
    "break_in_loop_in_task": in_task(Loop((Break(),))),
    "clock_reads": prog(
        SerialBlock((ReadClock(T0),)),
        pf(ReadClock(T1), Store(1, (ref(IV),), op(Op.CAST, op(Op.SUB, ref(T1), ref(T0)), dtype=i32))),
        kernel_vars=(T0,),
    ),
    "var_atomics": prog(
        SerialBlock((Decl(N, c(0)),)),
        pf(
            VarAtomicRMW(None, Op.ATOMIC_ADD, N, (ref(IV),)),
            VarAtomicRMW(V, Op.ATOMIC_MAX, N, (c(3),)),
            store_y(ref(V)),
        ),
        kernel_vars=(N,),
    ),
}


@pytest.mark.parametrize("name", list(VALID))
def test_valid_programs_pass(name):
    verify(VALID[name])


def test_error_class_is_an_internal_assertion():
    assert issubclass(IRVerificationError, AssertionError)


# (program, regex the message must match)
INVALID = {
    # ---------------------------------------------------------------------------------------------- scoping
    "undeclared_local": (in_task(store_y(ref(V))), r"%1 'v' is used before it is declared"),
    "use_before_decl": (in_task(store_y(ref(V)), Decl(V, c(1))), "used before it is declared"),
    "assign_undeclared": (in_task(Assign(V, c(1))), "used before it is declared"),
    "if_branch_scope": (in_task(If(c(1, u1), (Decl(V, c(1)),)), store_y(ref(V))), "out of scope"),
    "else_branch_scope": (in_task(If(c(1, u1), (), (Decl(V, c(1)),)), store_y(ref(V))), "out of scope"),
    "loop_body_scope": (in_task(RangeFor(K, c(0), c(2), (Decl(V, c(1)),)), store_y(ref(V))), "out of scope"),
    "range_var_after_loop": (in_task(RangeFor(K, c(0), c(2), ()), store_y(ref(K))), "out of scope"),
    "task_var_in_next_task": (
        prog(pf(Decl(V, c(1))), ParallelFor((K,), (c(0),), (c(1),), (Store(1, (ref(K),), ref(V)),))),
        "out of scope",
    ),
    "loop_var_reused_by_next_task": (prog(pf(), pf()), "declared twice"),
    "serial_local_not_kernel_var": (prog(SerialBlock((Decl(V, c(1)),)), pf(store_y(ref(V)))), "out of scope"),
    "duplicate_id": (in_task(Decl(V, c(1)), If(c(1, u1), (Decl(Var(1, "w", i32), c(2)),))), "declared twice"),
    "duplicate_loop_var": (in_task(RangeFor(IV, c(0), c(2), ())), "declared twice"),
    "ref_dtype_mismatch": (in_task(Decl(V, c(1)), Store(0, (ref(IV),), ref(Var(1, "v", f32)))), "does not match"),
    "kernel_var_in_if": (
        prog(SerialBlock((If(c(1, u1), (Decl(N, c(1)),)),)), kernel_vars=(N,)),
        "directly in a SerialBlock",
    ),
    "kernel_var_in_task": (prog(pf(Decl(N, c(1))), kernel_vars=(N,)), "directly in a SerialBlock"),
    "kernel_var_in_nested_block": (
        prog(SerialBlock((If(c(1), (Load(N, 1, (c(0),)),)),)), kernel_vars=(N,)),
        "directly in a SerialBlock",
    ),
    "kernel_var_undeclared": (prog(pf(store_y(ref(N))), kernel_vars=(N,)), "never declared"),
    "kernel_var_listed_twice": (prog(kernel_vars=(N, N)), "listed twice"),
    "kernel_var_dtype": (
        prog(SerialBlock((Decl(Var(9, "n", i64), c(1, i64)),)), kernel_vars=(N,)),
        "declared as i64, listed as i32",
    ),
    "task_local_bound": (
        prog(ParallelFor((IV,), (c(0),), (ref(V),), ()), kernel_vars=()),
        "bounds use task-local var",
    ),
    "own_var_in_bound": (prog(ParallelFor((IV,), (c(0),), (ref(IV),), ())), "bounds use task-local var"),
    # ------------------------------------------------------------------------------------------------ types
    "decl_dtype": (in_task(Decl(V, c(1.0, f32))), r"Decl %1 'v': value has dtype f32, expected i32"),
    "assign_dtype": (in_task(Decl(V, c(1)), Assign(V, c(1, i64))), "Assign .* value has dtype i64"),
    "const_range": (in_task(store_y(c(2**31))), "out of range for i32"),
    "const_float_for_int": (in_task(store_y(c(1.0))), "not an integer"),
    "arity": (in_task(store_y(OpExpr(Op.ADD, (c(1),), i32))), "add takes 2 operand"),
    "compare_result": (in_task(store_y(op(Op.LT, ref(IV), c(1)))), "must return u1"),
    "compare_operands": (in_task(Decl(Var(5, "b", u1), op(Op.LT, ref(IV), c(1, i64), dtype=u1))), "share one type"),
    "arith_operands": (in_task(store_y(op(Op.ADD, ref(IV), c(1, i64), dtype=i32))), "must all be the result type"),
    "unary_operand": (in_task(store_y(op(Op.NEG, c(1, i64), dtype=i32))), "must all be the result type"),
    "shift_value": (in_task(store_y(op(Op.SHL, c(1, i64), c(1), dtype=i32))), "value operand i64"),
    "shift_float_count": (in_task(Store(0, (ref(IV),), op(Op.SHL, c(1.0, f32), c(1)))), "integral operands"),
    "select_cond": (in_task(store_y(op(Op.SELECT, c(1.0, f32), c(1), c(2), dtype=i32))), "condition must be integral"),
    "select_branches": (in_task(store_y(op(Op.SELECT, c(1, u1), c(1), c(2, i64), dtype=i32))), "select: branches"),
    "bitcast_width": (in_task(store_y(op(Op.BITCAST, c(1, i64), dtype=i32))), "changes the width"),
    "popcnt_result": (in_task(Decl(Var(5, "p", i64), op(Op.POPCNT, c(1, i64)))), "popcnt returns i32"),
    "float_op_on_int": (in_task(store_y(op(Op.SQRT, c(4)))), "sqrt takes float operands"),
    "int_op_on_float": (in_task(Store(0, (ref(IV),), op(Op.BIT_AND, c(1.0, f32), c(1.0, f32)))), "integral operands"),
    "math_result": (in_task(Decl(Var(5, "d", i32), op(Op.SIN, c(1.0, f32), dtype=i32))), "must all be the result"),
    "logical_not_result": (in_task(store_y(op(Op.LOGICAL_NOT, c(1)))), "logical_not must return u1"),
    "if_float_cond": (in_task(If(c(1.0, f32), ())), "If condition must be integral"),
    "check_float_cond": (in_task(Check(c(1.0, f32), "assert", "m")), "Check condition must be integral"),
    "check_kind": (in_task(Check(c(1, u1), "panic", "m")), "Check kind"),
    "range_bound_dtype": (in_task(RangeFor(K, c(0), c(3, i64), ())), "bound: value has dtype i64"),
    "parallel_bound_dtype": (prog(ParallelFor((IV,), (c(0),), (c(8, i64),), ())), "bound: value has dtype i64"),
    "parallel_axes": (prog(ParallelFor((IV,), (c(0), c(0)), (c(1),), ())), "one var, begin and end per axis"),
    # ------------------------------------------------------------------------------------------ arguments
    "argref_not_scalar": (in_task(Store(0, (ref(IV),), ArgRef(0, f32))), "argument 0 is not a scalar"),
    "argref_out_of_range": (in_task(Store(0, (ref(IV),), ArgRef(17, f32))), "argument 17 is not a scalar"),
    "argref_dtype": (in_task(store_y(ArgRef(2, i32))), "ArgRef 'a' has dtype i32, the argument is f32"),
    "shape_scalar": (in_task(store_y(Shape(2, 0, i32))), "Shape: argument 2 is not an ndarray"),
    "shape_axis": (in_task(store_y(Shape(0, 1, i32))), "axis 1 out of range"),
    "shape_dtype": (in_task(Decl(Var(5, "s", u32), Shape(0, 0, u32))), "Shape has dtype u32, expected i32 or i64"),
    "load_scalar": (in_task(Load(F, 2, ())), "Load: argument 2 is not an ndarray"),
    "load_index_count": (in_task(Load(F, 4, (ref(IV),))), "1 indices for an ndarray with ndim 2"),
    "load_float_index": (in_task(Load(F, 0, (c(1.0, f32),))), "Load index must be integral"),
    "load_var_dtype": (in_task(Load(V, 0, (ref(IV),))), "Load into %1 'v': i32 from 'x' of f32"),
    "store_dtype": (in_task(store_y(c(1.0, f32))), "Store to 'y': value has dtype f32, expected i32"),
    "store_index_count": (in_task(Store(3, (ref(IV),), c(1))), "1 indices for an ndarray with ndim 0"),
    # -------------------------------------------------------------------------------------------- atomics
    "atomic_in_expr": (in_task(store_y(op(Op.ATOMIC_ADD, c(1)))), "only appear in an AtomicRMW"),
    "non_atomic_rmw": (in_task(AtomicRMW(None, Op.ADD, 1, (ref(IV),), (c(1),))), "non-atomic op add"),
    "atomic_operand_count": (in_task(AtomicRMW(None, Op.ATOMIC_CAS, 3, (), (c(1),))), "atomic_cas takes 2"),
    "atomic_operand_dtype": (in_task(AtomicRMW(None, Op.ATOMIC_ADD, 0, (ref(IV),), (c(1),))), "operand: value has"),
    "atomic_int_op_on_float": (in_task(AtomicRMW(None, Op.ATOMIC_OR, 0, (ref(IV),), (c(1.0, f32),))), "integral"),
    "atomic_result_dtype": (in_task(AtomicRMW(F, Op.ATOMIC_ADD, 1, (ref(IV),), (c(1),))), "AtomicRMW result"),
    "var_atomic_not_kernel_var": (in_task(Decl(V, c(0)), VarAtomicRMW(None, Op.ATOMIC_ADD, V, (c(1),))), "not a"),
    "var_atomic_non_atomic_op": (
        prog(SerialBlock((Decl(N, c(0)),)), pf(VarAtomicRMW(None, Op.ADD, N, (c(1),))), kernel_vars=(N,)),
        "non-atomic op add",
    ),
    "var_atomic_operand_dtype": (
        prog(SerialBlock((Decl(N, c(0)),)), pf(VarAtomicRMW(None, Op.ATOMIC_ADD, N, (c(1.0, f32),))), kernel_vars=(N,)),
        "operand: value has",
    ),
    "var_atomic_result_dtype": (
        prog(SerialBlock((Decl(N, c(0)),)), pf(VarAtomicRMW(F, Op.ATOMIC_ADD, N, (c(1),))), kernel_vars=(N,)),
        "VarAtomicRMW result",
    ),
    "clock_into_i32": (in_task(ReadClock(V)), "ReadClock into %1 'v': i32, the clock is an i64"),
    "clock_declared_twice": (in_task(ReadClock(T0), ReadClock(T0)), "declared twice"),
    "clock_kernel_var_in_task": (prog(pf(ReadClock(T0)), kernel_vars=(T0,)), "must be declared"),
    # ------------------------------------------------------------------------------------------ control flow
    "break_in_task_body": (in_task(Break()), "Break outside a serial loop"),
    "continue_in_if_in_task": (in_task(If(c(1, u1), (Continue(),))), "Continue outside a serial loop"),
    "break_in_serial": (prog(SerialBlock((Break(),))), "Break outside"),
    "return_slot": (prog(SerialBlock((SetReturn(1, c(1)),)), returns=(i32,)), "SetReturn slot 1"),
    "return_dtype": (prog(SerialBlock((SetReturn(0, c(1)),)), returns=(f32,)), "SetReturn 0: value has dtype i32"),
    "not_a_stmt": (prog(SerialBlock((pf(),))), "not a statement"),
    "not_an_item": (prog(Break()), "not an item"),
    # ------------------------------------------------------------------------------------------------ graph
    "do_while_cond_ndim": (prog(DoWhile(0, 0, ())), "must be a 0-d i32 ndarray"),
    "do_while_cond_scalar": (prog(DoWhile(0, 2, ())), "argument 2 is not an ndarray"),
    "do_while_levels": (prog(DoWhile(0, 3, ()), DoWhile(0, 3, ())), "DoWhile level 0, expected 1"),
    "yield_on_dtype": (prog(Checkpoint(0, 1, ())), "must be a 0-d i32 ndarray"),
    "checkpoint_not_dense": (prog(Checkpoint(1, -1, ())), "Checkpoint id 1, expected 0"),
    "checkpoint_not_in_order": (prog(Checkpoint(0, -1, (Checkpoint(2, -1, ()),)), Checkpoint(1, -1, ())), "id 2"),
}


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_programs_fail(name):
    program, pattern = INVALID[name]
    with pytest.raises(IRVerificationError, match=pattern):
        verify(program)


def test_message_names_the_place():
    program, _ = INVALID["continue_in_if_in_task"]
    with pytest.raises(IRVerificationError) as info:
        verify(program)
    assert str(info.value).startswith("k: item 0 (ParallelFor) > body > 0 (If) > then > 0 (Continue): ")
