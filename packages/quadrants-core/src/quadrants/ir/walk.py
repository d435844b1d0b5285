"""Walking the statements of a program: every statement of every task, nested bodies included."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from quadrants.ir import nodes as N

__all__ = [
    "iter_items",
    "iter_tasks",
    "iter_stmts",
    "iter_reached_stmts",
    "reached_functions",
    "contains",
    "EXPR_FIELDS",
    "EXPR_TUPLE_FIELDS",
    "own_exprs",
]

_NESTED = ("then", "orelse", "body")  # the statement fields that hold nested statements

# The fields of each node kind that hold one expression / a tuple of expressions (Print parts mix strings and
# expressions): the table rewrites (quadrants.ir.rewrite) and backends (cost models) visit expressions by.
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
    N.Call: ("args",),
    N.Function: ("results",),
}


def own_exprs(s) -> tuple:
    """The expressions statement ``s`` evaluates itself, from the tables above (not those of the statements nested in
    it; a ``Print``'s literal strings left out)."""
    out = [getattr(s, f) for f in EXPR_FIELDS.get(type(s), ())]
    for f in EXPR_TUPLE_FIELDS.get(type(s), ()):
        out.extend(e for e in getattr(s, f) if not isinstance(e, str))
    return tuple(out)


def iter_items(items) -> Iterator:
    """Every item of an item tree (graph nodes and the items in their bodies), in program order."""
    for item in items:
        yield item
        if isinstance(item, (N.DoWhile, N.Checkpoint)):
            yield from iter_items(item.body)


def iter_tasks(items) -> Iterator[N.ParallelFor | N.SerialBlock]:
    """Every ``ParallelFor``/``SerialBlock`` in an item tree (graph nodes opened), in program order."""
    for item in items:
        if isinstance(item, (N.ParallelFor, N.SerialBlock)):
            yield item
        else:
            yield from iter_tasks(item.body)


_NESTED_OF: dict[type, tuple[str, ...]] = {}  # node type -> those of _NESTED it has (learnt from its first instance)


def iter_stmts(stmts: Iterable) -> Iterator:
    """Every statement of ``stmts``, each followed by the statements nested in it (pre-order).

    An explicit stack of iterators, not nested generators: the passes walk programs of 10^5 statements many times
    over, and a recursive ``yield from`` resumes every enclosing generator for each statement it passes up."""
    stack = [iter(stmts)]
    push, pop = stack.append, stack.pop
    nested_of = _NESTED_OF
    while stack:
        for s in stack[-1]:
            yield s
            kind = type(s)
            attrs = nested_of.get(kind)
            if attrs is None:
                attrs = nested_of[kind] = tuple(a for a in _NESTED if hasattr(s, a))
            if attrs:
                for attr in reversed(attrs):  # pushed last comes out first: then, orelse, body in that order
                    push(iter(getattr(s, attr)))
                break  # descend; this level's iterator stays below and resumes after the nested ones
        else:
            pop()


def reached_functions(stmts: Iterable, program: N.Program) -> list[N.Function]:
    """The functions of ``program`` that ``stmts`` call, directly or through other functions (each once)."""
    seen: dict[int, None] = {}
    pending = [s.func for s in iter_stmts(stmts) if isinstance(s, N.Call)]
    while pending:
        index = pending.pop()
        if index in seen:
            continue
        seen[index] = None
        pending.extend(s.func for s in iter_stmts(program.functions[index].body) if isinstance(s, N.Call))
    return [program.functions[i] for i in sorted(seen)]


def iter_reached_stmts(stmts: Iterable, program: N.Program) -> Iterator:
    """Every statement of ``stmts`` and of the function bodies they reach through :class:`~N.Call` statements: what a
    task may do when it runs (which arrays it writes, whether it prints), not only what its own body says."""
    stmts = tuple(stmts)
    yield from iter_stmts(stmts)
    for fn in reached_functions(stmts, program):
        yield from iter_stmts(fn.body)


def contains(items, node_type: type | tuple[type, ...], functions: tuple = ()) -> bool:
    """Whether any task of ``items`` (or any of ``functions``, a program's :class:`~N.Function` s) has a statement of
    ``node_type``."""
    bodies = [t.body for t in iter_tasks(items)] + [f.body for f in functions]
    return any(isinstance(s, node_type) for body in bodies for s in iter_stmts(body))
