"""Guarded appends without a branch (llvm-cpu; issue 23).

A list built by appending under a condition ::

    if found < max_n and (p - pos[j]).norm() < h:
        neighbors[i, found] = j
        found += 1

stores at an index that the same block advances. LLVM keeps the ``if`` as a branch: it may not add a store to a path
that had none (another thread may own that element), and the loop cannot be vectorised (the next store's index
depends on this iteration's condition). When the condition is hard to predict, as a distance test in a neighbour
search is, most of the loop's time goes to mispredicted branches.

Such a block is emitted without the branch: its assignments become selects (``found = c ? found + 1 : found``) and
each store writes either the element (condition true) or a stack slot of the function (condition false), through a
``select`` of the two addresses (the slot is marked escaped, or LLVM's SROA would rebuild the branch). The program's
memory sees exactly the stores it saw before, in the same order, and the element's address is only used when the
condition holds (out-of-range indices on the false path are never dereferenced). Its locals end up with the same
values.

Applies to an ``if`` without ``else`` on the CPU targets, outside ``debug`` (bounds checks belong to the taken path),
whose block holds only stores to ndarrays and assignments to the task's locals (no loads, atomics, calls, loops or
nested ``if``), at most :data:`MAX_STATEMENTS` of them, with at least one store whose index reads a local that the
block assigns: the append pattern, where LLVM could not vectorise the loop anyway. Other guarded stores keep their
branch, so loops that LLVM vectorises with masked stores (``if a[i] > 0: b[i] = ...``) are left as they were.

Measured single-threaded (Zen 4), ``pbf2d``'s neighbour search: 635 -> 425 us.
"""

from __future__ import annotations

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants_llvm.builder import numerics as nm
from quadrants_llvm.builder.exprs import emit_expr
from quadrants_llvm.builder.function import to_mem
from quadrants_llvm.builder.types import I64, PTR, VOID

__all__ = ["MAX_STATEMENTS", "is_guarded_append", "emit_guarded_append"]

MAX_STATEMENTS = 8  # a larger block is more work on the untaken path than a branch costs


def is_guarded_append(s: N.If, kernel_var_ids) -> bool:
    """Whether ``s`` is a small ``if`` without ``else`` of stores and local assignments that appends (see above)."""
    if s.orelse or not s.then or len(s.then) > MAX_STATEMENTS:
        return False
    assigned = set()
    for stmt in s.then:
        if isinstance(stmt, (N.Decl, N.Assign)):
            if stmt.var.id in kernel_var_ids:
                return False  # a kernel var lives in the launch context: its write would be a real store
            assigned.add(stmt.var.id)
        elif not isinstance(stmt, N.Store):
            return False
    return any(isinstance(stmt, N.Store) and any(_reads(i, assigned) for i in stmt.indices) for stmt in s.then)


def emit_guarded_append(em, s: N.If) -> None:
    """Emit ``s`` (accepted by :func:`is_guarded_append`) as straight-line code under its condition."""
    b = em.b
    cond = nm.to_bool(em, s.cond.dtype, emit_expr(em, s.cond))
    for stmt in s.then:
        if isinstance(stmt, N.Decl):  # scoped to the block: nothing outside reads it
            em.write_var(stmt.var, emit_expr(em, stmt.value))
        elif isinstance(stmt, N.Assign):
            new = emit_expr(em, stmt.value)
            em.write_var(stmt.var, b.select(cond, new, em.read_var(stmt.var)))
        else:
            dtype = em.program.args[stmt.arg].dtype
            value = to_mem(b, dtype, emit_expr(em, stmt.value))
            scratch = em.entry_value(("untaken",), lambda eb: _scratch_slot(em, eb))

            def store(ptr, v=value, t=scratch):
                b.store(v, b.select(cond, ptr, t))

            em.access(stmt.arg, stmt.indices, stmt.loc, store)


def _scratch_slot(em, eb):
    """An 8-byte stack slot for the untaken stores. It is handed to an empty inline ``asm`` so that it counts as
    escaped: otherwise SROA would promote the slot and turn ``store v, select(c, p, slot)`` back into a branch."""
    slot = em.alloca(I64, name="untaken")
    eb.call(ll.InlineAsm(ll.FunctionType(VOID, [PTR]), "", "r", side_effect=True), [slot])
    return slot


def _reads(e, ids) -> bool:
    if isinstance(e, N.LocalRef):
        return e.var.id in ids
    return isinstance(e, N.OpExpr) and any(_reads(a, ids) for a in e.args)
