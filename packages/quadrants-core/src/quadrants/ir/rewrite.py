"""Immutable, generic rebuilding of a Program, so that each pass only says what it changes (in the IR package: the
backends' own IR rewrites, such as llvm-cpu's square-root comparisons, use it too).

The tables below list, per node type, which fields hold expressions, statement blocks and item blocks. The mappers
walk them bottom-up (children before parents) and rebuild a node with :func:`dataclasses.replace` only when a child
changed, so an untouched subtree keeps its identity (and its source location).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from quadrants.ir.nodes import (
    Checkpoint,
    DoWhile,
    Expr,
    Function,
    If,
    Item,
    Loop,
    ParallelFor,
    Program,
    RangeFor,
    SerialBlock,
    Stmt,
)
from quadrants.ir.walk import EXPR_FIELDS, EXPR_TUPLE_FIELDS

__all__ = [
    "BlockFn",
    "ExprFn",
    "ItemsFn",
    "map_blocks",
    "map_exprs",
    "map_item_blocks",
    "EXPR_FIELDS",
    "EXPR_TUPLE_FIELDS",
]

ExprFn = Callable[[Expr], Expr]
BlockFn = Callable[[tuple[Stmt, ...]], tuple[Stmt, ...]]
ItemsFn = Callable[[tuple[Item, ...]], tuple[Item, ...]]

# the expression-holding fields of each statement kind live with the IR (backends read them too)
_EXPR_FIELDS = EXPR_FIELDS
_EXPR_TUPLE_FIELDS = EXPR_TUPLE_FIELDS

_STMT_BLOCK_FIELDS: dict[type, tuple[str, ...]] = {
    If: ("then", "orelse"),
    RangeFor: ("body",),
    Loop: ("body",),
    ParallelFor: ("body",),
    SerialBlock: ("body",),
    Function: ("body",),
}
_ITEM_BLOCK_FIELDS: dict[type, tuple[str, ...]] = {
    DoWhile: ("body",),
    Checkpoint: ("body",),
}


class _Mapper:
    """One bottom-up rebuild with optional callbacks for expressions, statement blocks and item blocks."""

    def __init__(self, expr_fn: ExprFn | None, block_fn: BlockFn | None, items_fn: ItemsFn | None):
        self.expr_fn, self.block_fn, self.items_fn = expr_fn, block_fn, items_fn

    def expr(self, e):
        if type(e) is str:  # a literal part of a Print
            return e
        e = self.node(e)
        return self.expr_fn(e)  # only walked when there is an expression callback

    def block(self, stmts: tuple[Stmt, ...]) -> tuple[Stmt, ...]:
        new = tuple(self.node(s) for s in stmts)
        new = self.block_fn(new) if self.block_fn is not None else new
        return stmts if _same(new, stmts) else new

    def items(self, items: tuple[Item, ...]) -> tuple[Item, ...]:
        new = tuple(self.node(it) for it in items)
        new = self.items_fn(new) if self.items_fn is not None else new
        return items if _same(new, items) else new

    def node(self, n):
        t = type(n)
        changes = {}
        if self.expr_fn is not None:
            for f in _EXPR_FIELDS.get(t, ()):
                old = getattr(n, f)
                new = self.expr(old)
                if new is not old:
                    changes[f] = new
            for f in _EXPR_TUPLE_FIELDS.get(t, ()):
                old = getattr(n, f)
                new = tuple(self.expr(e) for e in old)
                if not _same(new, old):
                    changes[f] = new
        for f in _STMT_BLOCK_FIELDS.get(t, ()):
            old = getattr(n, f)
            new = self.block(old)
            if new is not old:  # block() returns the very tuple when nothing in it changed
                changes[f] = new
        for f in _ITEM_BLOCK_FIELDS.get(t, ()):
            old = getattr(n, f)
            new = self.items(old)
            if new is not old:
                changes[f] = new
        return replace(n, **changes) if changes else n


def _same(a, b) -> bool:
    """Identity, element-wise for tuples: cheap, and it never confuses equal-but-distinct NaN constants."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))
    return a is b


def _map(program: Program, mapper: _Mapper) -> Program:
    """Rebuild the item tree and every function (a recursive real func's body is rewritten like a task body)."""
    items = mapper.items(program.items)
    functions = tuple(mapper.node(f) for f in program.functions)
    changes = {}
    if items is not program.items:
        changes["items"] = items
    if not _same(functions, program.functions):
        changes["functions"] = functions
    return replace(program, **changes) if changes else program


def map_exprs(program: Program, fn: ExprFn) -> Program:
    """Apply ``fn`` to every expression, children first; ``fn`` returns the expression itself to keep it."""
    return _map(program, _Mapper(fn, None, None))


def map_blocks(program: Program, fn: BlockFn) -> Program:
    """Apply ``fn`` to every statement block (inner blocks already rebuilt); it returns the new statement tuple."""
    return _map(program, _Mapper(None, fn, None))


def map_item_blocks(program: Program, fn: ItemsFn) -> Program:
    """Apply ``fn`` to every item block (``Program.items`` and graph-node bodies), inner blocks first."""
    return _map(program, _Mapper(None, None, fn))
