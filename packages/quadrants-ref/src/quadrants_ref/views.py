"""Which loads of a parallel task may return a view of the array instead of a copy (a compile-time analysis).

A ``Load`` defines a snapshot: later writes to the array must not change the loaded value. On the block fast path
(:mod:`quadrants_ref.memory`) a load can be a slice *view*, which is free, but is only a valid snapshot if the value
is dead, or never observed, once the array is written. A top-level load of the task body is view-safe when

* nothing in the task writes that argument, or
* after the first top-level statement that writes it, no statement reads the loaded var or any var computed from it
  (a plain ``Store``/``AtomicRMW`` writer may itself read it: its operands are evaluated before the write).

Aliased arguments are handled at run time (``Launch.views_ok``).
"""

from __future__ import annotations

from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_stmts, own_exprs

__all__ = ["view_safe_loads", "written_args"]


def written_args(stmts) -> frozenset[int]:
    """Arguments stored to or updated atomically anywhere in ``stmts``."""
    return frozenset(s.arg for s in iter_stmts(stmts) if isinstance(s, (N.Store, N.AtomicRMW)))


def _expr_vars(e, out: set[int]) -> set[int]:
    if isinstance(e, N.LocalRef):
        out.add(e.var.id)
    elif isinstance(e, N.OpExpr):
        for a in e.args:
            _expr_vars(a, out)
    return out


def _reads(s) -> set[int]:
    out: set[int] = set()
    for t in iter_stmts((s,)):
        for e in own_exprs(t):
            _expr_vars(e, out)
    return out


def _defs(s) -> list[tuple[int, set[int]]]:
    """``(var id, vars its value reads)`` of every ``Decl``/``Assign`` in ``s`` (nested ones included)."""
    return [(t.var.id, _expr_vars(t.value, set())) for t in iter_stmts((s,)) if isinstance(t, (N.Decl, N.Assign))]


def _tainted(start: int, defs: list[tuple[int, set[int]]]) -> set[int]:
    """``start`` plus every var assigned (by ``defs``) from an expression reading a tainted var."""
    tainted = {start}
    changed = True
    while changed:
        changed = False
        for target, used in defs:
            if target not in tainted and used & tainted:
                tainted.add(target)
                changed = True
    return tainted


def view_safe_loads(body) -> frozenset[int]:
    """``id()`` of the top-level ``Load`` statements of ``body`` that may return a view."""
    # per top-level statement, computed once: the analysis runs at every load of a program (a fastcache hit too)
    writes = [written_args((s,)) for s in body]
    written = frozenset().union(*writes)
    reads: list[set[int]] = []
    defs: list[list] = []
    seen: set[int] = set()
    safe: set[int] = set()
    for p, s in enumerate(body):
        if not isinstance(s, N.Load):
            continue
        if id(s) in seen:  # the same node object twice: decide conservatively
            safe.discard(id(s))
            continue
        seen.add(id(s))
        if s.arg not in written:
            safe.add(id(s))
            continue
        q = next((k for k in range(p + 1, len(body)) if s.arg in writes[k]), None)
        if q is None:  # only written before this load
            safe.add(id(s))
            continue
        if not reads:
            reads = [_reads(t) for t in body]
            defs = [_defs(t) for t in body]
        tainted = _tainted(s.var.id, [d for k in range(p + 1, len(body)) for d in defs[k]])
        if not isinstance(body[q], (N.Store, N.AtomicRMW)) and reads[q] & tainted:
            continue
        if any(reads[k] & tainted for k in range(q + 1, len(body))):
            continue
        safe.add(id(s))
    return frozenset(safe)
