"""Walking the statements of a program: every statement of every task, nested bodies included."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from quadrants.ir import nodes as N

__all__ = ["iter_tasks", "iter_stmts", "contains", "EXPR_FIELDS", "EXPR_TUPLE_FIELDS"]

_NESTED = ("then", "orelse", "body")  # the statement fields that hold nested statements

# The fields of each node kind that hold one expression / a tuple of expressions (Print parts mix strings and
# expressions): the table passes (quadrants.passes.rewrite) and backends (cost models) visit expressions by.
EXPR_FIELDS: dict[type, tuple[str, ...]] = {
    N.Decl: ("value",),
    N.Assign: ("value",),
    N.Store: ("value",),
    N.If: ("cond",),
    N.RangeFor: ("begin", "end"),
    N.Check: ("cond",),
    N.SetReturn: ("value",),
}
EXPR_TUPLE_FIELDS: dict[type, tuple[str, ...]] = {
    N.OpExpr: ("args",),
    N.Load: ("indices",),
    N.Store: ("indices",),
    N.AtomicRMW: ("indices", "operands"),
    N.VarAtomicRMW: ("operands",),
    N.Print: ("parts",),
    N.ParallelFor: ("begins", "ends"),
}


def iter_tasks(items) -> Iterator[N.ParallelFor | N.SerialBlock]:
    """Every ``ParallelFor``/``SerialBlock`` in an item tree (graph nodes opened), in program order."""
    for item in items:
        if isinstance(item, (N.ParallelFor, N.SerialBlock)):
            yield item
        else:
            yield from iter_tasks(item.body)


def iter_stmts(stmts: Iterable) -> Iterator:
    """Every statement of ``stmts``, each followed by the statements nested in it (pre-order)."""
    for s in stmts:
        yield s
        for attr in _NESTED:
            yield from iter_stmts(getattr(s, attr, ()))


def contains(items, node_type: type | tuple[type, ...]) -> bool:
    """Whether any task of ``items`` has a statement of ``node_type``."""
    return any(isinstance(s, node_type) for t in iter_tasks(items) for s in iter_stmts(t.body))
