"""quadrants.ir.walk: tasks of item trees and statements of nested bodies."""

from __future__ import annotations

from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.walk import contains, iter_stmts, iter_tasks


def _var(k: int) -> N.Var:
    return N.Var(k, f"v{k}", T.i32)


def test_walks_graph_nodes_and_nested_bodies():
    i, j = _var(1), _var(2)
    printed = N.Print(("hi",))
    inner = N.RangeFor(j, N.Const(0, T.i32), N.Const(3, T.i32), (printed,))
    branch = N.If(N.Const(True, T.u1), (inner,), (N.Break(),))
    loop = N.ParallelFor((i,), (N.Const(0, T.i32),), (N.Const(4, T.i32),), (branch,))
    serial = N.SerialBlock((N.Decl(_var(3), N.Const(1, T.i32)),))
    program_items = (serial, N.DoWhile(0, 0, (loop,)))
    assert list(iter_tasks(program_items)) == [serial, loop]
    assert list(iter_stmts(loop.body)) == [branch, inner, printed, N.Break()]
    assert contains(program_items, N.Print) and not contains(program_items, N.Store)
