"""rematerialize_kernel_vars: a kernel variable that stands for an integer expression of the arguments is recomputed
at every read and its writes dropped, only when every read sees that value (docs/ir.md, "Passes")."""

from __future__ import annotations

from quadrants.ir.dtypes import f32, i32
from quadrants.ir.nodes import (
    ArgRef,
    Assign,
    Checkpoint,
    Const,
    Decl,
    DoWhile,
    Load,
    LocalRef,
    NdarrayArg,
    OpExpr,
    ParallelFor,
    Program,
    ScalarArg,
    SerialBlock,
    Shape,
    Store,
    Var,
)
from quadrants.ir.ops import Op
from quadrants.passes import rematerialize_kernel_vars

B = Var(1, "_B", i32)  # a kernel variable
N = Var(2, "n", i32)
IV = Var(3, "i", i32)
ARGS = (NdarrayArg("x", i32, 2), ScalarArg("s", i32), NdarrayArg("c", i32, 0))
SHAPE = Shape(0, 1, i32)  # x.shape[1]


def prog(*items, kernel_vars=(B, N)):
    return Program("k", ARGS, (), kernel_vars, items)


def loop_reading(var):
    """for i in range(var): x[i, 0] = var."""
    ref = LocalRef(var)
    return ParallelFor((IV,), (Const(0, i32),), (ref,), (Store(0, (LocalRef(IV), Const(0, i32)), ref),))


def test_a_shape_variable_is_recomputed_at_its_reads_and_its_task_goes_away():
    out = rematerialize_kernel_vars(prog(SerialBlock((Decl(B, SHAPE),)), loop_reading(B)))
    (task,) = [it for it in out.items if it.body]  # the serial block is empty now (remove_dead_code drops it)
    assert task.ends == (SHAPE,) and task.body[0].value == SHAPE
    assert B not in out.kernel_vars


def test_variables_built_from_each_other_and_the_arguments_expand():
    n_value = OpExpr(Op.MUL, (LocalRef(B), ArgRef(1, i32)), i32)  # n = _B * s
    out = rematerialize_kernel_vars(prog(SerialBlock((Decl(B, SHAPE), Decl(N, n_value))), loop_reading(N)))
    assert out.items[1].ends == (OpExpr(Op.MUL, (SHAPE, ArgRef(1, i32)), i32),)
    assert out.kernel_vars == ()


def test_the_same_value_written_again_in_a_loop_body_is_still_one_value():
    body = (SerialBlock((Decl(B, SHAPE),)), loop_reading(B), SerialBlock((Assign(B, SHAPE),)), loop_reading(B))
    out = rematerialize_kernel_vars(prog(DoWhile(1, 2, body)))
    assert [it.ends for it in out.items[0].body if isinstance(it, ParallelFor)] == [(SHAPE,), (SHAPE,)]


def kept(*items, kernel_vars=(B, N)):
    program = prog(*items, kernel_vars=kernel_vars)
    return rematerialize_kernel_vars(program) is program


def test_what_is_kept():
    read_then_write = (loop_reading(B), SerialBlock((Decl(B, SHAPE),)))
    assert kept(*read_then_write)  # a read before the write sees the variable's earlier value
    assert kept(DoWhile(1, 2, read_then_write))  # in a loop body, the first iteration's read sees 0
    assert kept(SerialBlock((Decl(B, SHAPE), Assign(B, Const(3, i32)))), loop_reading(B))  # two values
    assert kept(SerialBlock((Load(B, 0, (Const(0, i32), Const(0, i32))),)), loop_reading(B))  # read from memory
    assert kept(Checkpoint(0, -1, (SerialBlock((Decl(B, SHAPE),)), loop_reading(B))))  # a resume skips the write
    written_in_a_loop = ParallelFor((IV,), (Const(0, i32),), (Const(4, i32),), (Assign(B, SHAPE),))
    assert kept(SerialBlock((Decl(B, SHAPE),)), written_in_a_loop, loop_reading(B))  # not only at the top level
    f = Var(4, "f", f32)
    assert kept(SerialBlock((Decl(f, Const(1.5, f32)),)), kernel_vars=(f,))  # floats stay (contraction)
    big = SHAPE
    for _ in range(20):
        big = OpExpr(Op.ADD, (big, SHAPE), i32)
    assert kept(SerialBlock((Decl(B, big),)), loop_reading(B))  # too large to recompute at every read
