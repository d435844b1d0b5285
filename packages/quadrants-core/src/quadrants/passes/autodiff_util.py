"""Small IR helpers shared by the reverse-mode autodiff modules (:mod:`quadrants.passes.autodiff` and its parts)."""

from __future__ import annotations

from dataclasses import replace

from quadrants.ir.nodes import (
    Assign,
    AtomicRMW,
    Check,
    Checkpoint,
    Const,
    Decl,
    DoWhile,
    Expr,
    If,
    Load,
    LocalRef,
    OpExpr,
    Print,
    Program,
    RangeFor,
    SetReturn,
    Stmt,
    Store,
    Var,
    VarAtomicRMW,
)
from quadrants.ir.ops import Op
from quadrants.ir.walk import iter_stmts, iter_tasks
from quadrants.passes.rewrite import _Mapper


def max_var_id(program: Program) -> int:
    """The largest var id the program uses (fresh vars of a derived program are numbered after it)."""
    top = 0

    def see(var):
        nonlocal top
        if var is not None:
            top = max(top, var.id)

    for v in program.kernel_vars:
        see(v)
    for stmt in all_stmts(program):
        see(getattr(stmt, "var", None))
    for item in all_items(program.items):
        for v in getattr(item, "vars", ()):
            see(v)
    return top


def all_items(items):
    """Every item, the bodies of graph nodes included."""
    for item in items:
        yield item
        if isinstance(item, (DoWhile, Checkpoint)):
            yield from all_items(item.body)


def all_stmts(program: Program):
    for task in iter_tasks(program.items):
        yield from iter_stmts(task.body)


def walk_expr(expr):
    """``expr`` and its sub-expressions (pre-order)."""
    stack = [expr]
    while stack:
        e = stack.pop()
        yield e
        if isinstance(e, OpExpr):
            stack.extend(e.args)


def refs(expr: Expr) -> set[Var]:
    """The locals ``expr`` reads."""
    return {e.var for e in walk_expr(expr) if isinstance(e, LocalRef)}


def distinct(stmts: tuple[Stmt, ...]) -> tuple[Stmt, ...]:
    """A copy of ``stmts`` in which every statement is its own object (the pass keys its slots by statement
    identity, and a frontend may reuse one statement object in two places)."""
    out = []
    for s in stmts:
        changes = {f: distinct(getattr(s, f)) for f in ("then", "orelse", "body") if hasattr(s, f)}
        out.append(replace(s, **changes))
    return tuple(out)


def stmt_exprs(stmt: Stmt) -> list[Expr]:
    """The expressions a statement itself evaluates (not those of nested blocks)."""
    if isinstance(stmt, (Decl, Assign)):
        return [stmt.value]
    if isinstance(stmt, Load):
        return list(stmt.indices)
    if isinstance(stmt, Store):
        return [*stmt.indices, stmt.value]
    if isinstance(stmt, AtomicRMW):
        return [*stmt.indices, *stmt.operands]
    if isinstance(stmt, If):
        return [stmt.cond]
    if isinstance(stmt, RangeFor):
        return [stmt.begin, stmt.end]
    if isinstance(stmt, (Check, SetReturn)):
        return [stmt.cond if isinstance(stmt, Check) else stmt.value]
    if isinstance(stmt, VarAtomicRMW):
        return list(stmt.operands)
    if isinstance(stmt, Print):
        return [p for p in stmt.parts if not isinstance(p, str)]
    return []


def zero(dtype) -> Const:
    if dtype.is_float:
        return Const(0.0, dtype)
    if dtype.is_bool:
        return Const(False, dtype)
    return Const(0, dtype)


def add(a: Expr, b: Expr) -> Expr:
    return OpExpr(Op.ADD, (a, b), a.dtype)


def rename(stmts: tuple[Stmt, ...], mapping: dict[Var, Var]) -> tuple[Stmt, ...]:
    """``stmts`` with every read of a var in ``mapping`` reading its replacement."""
    new = {v: LocalRef(w) for v, w in mapping.items()}

    def fn(e):
        return new.get(e.var, e) if isinstance(e, LocalRef) else e

    return _Mapper(fn, None, None).block(stmts)
