"""Removing values that nothing reads: a local that no expression of the program reads is never computed.

``Decl``, ``Assign``, ``Load`` and ``ReadClock`` statements of such a local are dropped, repeatedly (dropping one can
leave the locals it read unread), on every backend, before any backend sees the program. Expressions are pure, so
nothing but the value is lost, including the ndarray reads that produced it: ``v = qd.math.vec4(a[i], a[i + 1])``
with ``v`` never used reads nothing, and an index out of range there is no error, also under ``debug=True``, as on
upstream (which removes such reads before its bounds checks). Statements with effects (stores, atomics, prints,
checks, calls) and kernel variables (shared between tasks) are kept.
"""

from __future__ import annotations

from quadrants.ir.nodes import Assign, Decl, Load, LocalRef, OpExpr, Program, ReadClock, Stmt, VarAtomicRMW
from quadrants.ir.rewrite import map_blocks
from quadrants.ir.walk import iter_stmts, iter_tasks

__all__ = ["remove_unused_values"]

_DEFINES = (Decl, Assign, Load, ReadClock)  # an unread clock read has no effect; a read one is always kept


def _expressions(node):
    """The expressions directly held by the fields of ``node`` (nested statements are visited separately)."""
    for value in vars(node).values():
        if isinstance(value, (LocalRef, OpExpr)):
            yield value
        elif isinstance(value, tuple):
            yield from (v for v in value if isinstance(v, (LocalRef, OpExpr)))


def _read_vars(program: Program) -> set[int]:
    """Ids of the locals some expression reads (a reduction target counts as read)."""
    read: set[int] = set()
    stack = []
    bodies = [(task, task.body) for task in iter_tasks(program.items)]
    bodies += [(fn, fn.body) for fn in program.functions]  # a function's results and call arguments are reads
    for owner, body in bodies:
        stack.extend(_expressions(owner))
        for s in iter_stmts(body):
            stack.extend(_expressions(s))
            if isinstance(s, VarAtomicRMW):
                read.add(s.target.id)
    while stack:  # explicit stack: expressions may be deeper than Python's recursion limit before split_deep_exprs
        e = stack.pop()
        if isinstance(e, LocalRef):
            read.add(e.var.id)
        else:
            stack.extend(a for a in e.args if isinstance(a, (LocalRef, OpExpr)))
    return read


def remove_unused_values(program: Program) -> Program:
    """Return ``program`` without the definitions of locals that are never read."""
    kept = {v.id for v in program.kernel_vars}
    while True:
        live = _read_vars(program) | kept

        def drop(stmts: tuple[Stmt, ...], live=live) -> tuple[Stmt, ...]:
            return tuple(s for s in stmts if not (isinstance(s, _DEFINES) and s.var.id not in live))

        new = map_blocks(program, drop)
        if new is program:
            return program
        program = new
