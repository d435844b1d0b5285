"""Small IR helpers shared by the reverse-mode autodiff modules (:mod:`quadrants.passes.autodiff` and its parts)."""

from __future__ import annotations

from dataclasses import replace

from quadrants.errors import QuadrantsCompilationError
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
    ParallelFor,
    Print,
    Program,
    RangeFor,
    SerialBlock,
    SetReturn,
    Stmt,
    Store,
    Var,
    VarAtomicRMW,
)
from quadrants.ir.ops import Op
from quadrants.ir.rewrite import _Mapper
from quadrants.ir.walk import iter_stmts, iter_tasks


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


def renumbered(loop: ParallelFor, ids) -> ParallelFor:
    """A copy of ``loop`` whose loop vars and every var declared inside it get fresh ids from ``ids`` (reads and
    writes follow): var ids are unique in a program, and the adjoint holds the replay of a loop beside its reverse."""
    declared = dict.fromkeys(loop.vars)
    for stmt in iter_stmts(loop.body):
        var = getattr(stmt, "var", None)
        if isinstance(var, Var) and not isinstance(stmt, Assign):
            declared[var] = None
    mapping = {v: Var(next(ids), v.name, v.dtype) for v in declared}
    body = _rebind(rename(loop.body, mapping), mapping)
    return replace(loop, vars=tuple(mapping[v] for v in loop.vars), body=body)


def _rebind(stmts: tuple[Stmt, ...], mapping: dict[Var, Var]) -> tuple[Stmt, ...]:
    """``stmts`` with every statement's own ``var`` (a declaration, or an assignment to one) replaced by ``mapping``."""
    out = []
    for s in stmts:
        changes = {f: _rebind(getattr(s, f), mapping) for f in ("then", "orelse", "body") if hasattr(s, f)}
        var = getattr(s, "var", None)
        if isinstance(var, Var) and var in mapping:
            changes["var"] = mapping[var]
        out.append(replace(s, **changes) if changes else s)
    return tuple(out)


def check_nested_ranges(item) -> None:
    """Upstream's rule without the adstack: a run-time ``range`` loop inside a loop (a parallel loop's body, or a
    serial loop's) cannot be reversed."""
    outer = item.body if isinstance(item, ParallelFor) else [s for s in item.body if isinstance(s, RangeFor)]
    bodies = [item.body] if isinstance(item, ParallelFor) else [s.body for s in outer]
    for body in bodies:
        for stmt in iter_stmts(body):
            if isinstance(stmt, RangeFor):
                raise QuadrantsCompilationError(
                    "Cannot use non static range in Backwards mode: differentiating a run-time range loop inside "
                    "another loop needs qd.init(ad_stack_experimental_enabled=True) (or unroll it with "
                    "qd.static(range(...)))",
                    stmt.loc,
                )


def float_vars(kernel_vars: frozenset[Var]) -> frozenset[Var]:
    """The float kernel vars (they get adjoint kernel vars)."""
    return frozenset(v for v in kernel_vars if v.dtype.is_float)


def shared_kernel_vars(program: Program) -> frozenset[Var]:
    """The kernel vars read or written by a task other than the serial block that declares them."""
    kernel_vars = frozenset(program.kernel_vars)
    shared: set[Var] = set()
    for task in iter_tasks(program.items):
        declared = {getattr(s, "var", None) for s in task.body} if isinstance(task, SerialBlock) else set()
        used: set[Var] = set()
        for e in (*getattr(task, "begins", ()), *getattr(task, "ends", ())):
            used |= refs(e)
        for stmt in iter_stmts(task.body):
            for e in stmt_exprs(stmt):
                used |= refs(e)
            if isinstance(stmt, (Assign, VarAtomicRMW)):
                used.add(stmt.var if isinstance(stmt, Assign) else stmt.target)
        shared |= (used & kernel_vars) - declared
    return frozenset(shared)


def reduced(task) -> bool:
    """Whether a task reduces into a kernel var (``s += e`` in a parallel loop)."""
    return any(isinstance(s, VarAtomicRMW) for s in iter_stmts(task.body))


def host_defs(program: Program, kernel_vars: frozenset[Var]) -> dict[Var, Expr]:
    """The kernel vars whose value is their declaration's expression (never reduced into): the host can evaluate
    loop bounds built from them."""
    reduced = {s.target for s in all_stmts(program) if isinstance(s, VarAtomicRMW)}
    defs: dict[Var, Expr] = {}
    for item in all_items(program.items):
        if isinstance(item, SerialBlock):
            for s in item.body:
                if isinstance(s, Decl) and s.var in program.kernel_vars and s.var not in reduced:
                    defs[s.var] = s.value
    return defs


def accumulator_only(var: Var, body: tuple[Stmt, ...]) -> bool:
    """Whether ``var`` is only read by its own accumulations ``var = var + e`` / ``var = var - e`` in ``body`` (its
    value then influences nothing else in the body, so an iteration can be re-run without it)."""
    for stmt in iter_stmts(body):
        if isinstance(stmt, Assign) and stmt.var == var:
            v = stmt.value
            if isinstance(v, OpExpr) and v.op in (Op.ADD, Op.SUB):
                a, b = v.args
                if a == LocalRef(var) and var not in refs(b):
                    continue
                if v.op is Op.ADD and b == LocalRef(var) and var not in refs(a):
                    continue
            if var in refs(v):
                return False
            continue
        if any(var in refs(e) for e in stmt_exprs(stmt)):
            return False
    return True
