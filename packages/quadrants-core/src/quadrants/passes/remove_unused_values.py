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


def _vars_read(exprs) -> set[int]:
    """Ids of the locals that ``exprs`` read (explicit stack: expressions may be deeper than Python's recursion limit
    before split_deep_exprs)."""
    read: set[int] = set()
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if isinstance(e, LocalRef):
            read.add(e.var.id)
        else:
            stack.extend(a for a in e.args if isinstance(a, (LocalRef, OpExpr)))
    return read


def _unused(program: Program, kept: set[int]) -> set[int]:
    """Ids of the locals whose definitions go: those no expression reads once the definitions of the other unused
    locals are gone (a reduction target counts as read).

    One walk and a work list, with the result of dropping unread definitions round by round until none is left: a
    definition reading ``u`` counts against ``u`` until the local it defines is found unused. A local read by its own
    definition (``x = x + 1``), or by one of a cycle of definitions, is therefore kept, as the round-by-round rule
    keeps it."""
    roots: set[int] = set(kept)  # read by a statement that stays whatever happens (or by a task or function itself)
    def_reads: dict[int, list[set[int]]] = {}  # local -> the locals each of its definitions reads
    bodies = [(task, task.body) for task in iter_tasks(program.items)]
    bodies += [(fn, fn.body) for fn in program.functions]  # a function's results and call arguments are reads
    for owner, body in bodies:
        roots |= _vars_read(_expressions(owner))
        for s in iter_stmts(body):
            reads = _vars_read(_expressions(s))
            if isinstance(s, _DEFINES):
                def_reads.setdefault(s.var.id, []).append(reads)
            else:
                roots |= reads
                if isinstance(s, VarAtomicRMW):
                    roots.add(s.target.id)
    readers: dict[int, int] = {}  # local -> definitions (not yet dropped) that read it
    for reads_of_defs in def_reads.values():
        for reads in reads_of_defs:
            for u in reads:
                readers[u] = readers.get(u, 0) + 1
    unused = {v for v in def_reads if v not in roots and not readers.get(v)}
    pending = list(unused)
    while pending:
        for reads in def_reads[pending.pop()]:  # its definitions go: what they read loses a reader
            for u in reads:
                readers[u] -= 1
                if not readers[u] and u not in roots and u in def_reads and u not in unused:
                    unused.add(u)
                    pending.append(u)
    return unused


def remove_unused_values(program: Program) -> Program:
    """Return ``program`` without the definitions of locals that are never read."""
    unused = _unused(program, {v.id for v in program.kernel_vars})
    if not unused:
        return program

    def drop(stmts: tuple[Stmt, ...]) -> tuple[Stmt, ...]:
        return tuple(s for s in stmts if not (isinstance(s, _DEFINES) and s.var.id in unused))

    return map_blocks(program, drop)
