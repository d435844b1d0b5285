"""Kernel variables that stand for an integer expression of the arguments are recomputed where they are read.

A ``qd.func`` often starts with ``_B = state.grad.shape[1]``; inlined at kernel level between two loops, such a
variable is a *kernel variable*: a serial task writes it into the launch context and later tasks read it there. That
serial task is a launch of its own (a kernel node on a GPU, in every iteration of a ``do_while``: six of the eighteen
tasks of each iteration of Genesis's solver loop are such tasks). When

* every write of the variable is a declaration or assignment at the top level of a serial task (not in a branch, a
  loop or a parallel task),
* every write gives the same integer expression of constants, scalar arguments and shapes (other such variables
  expanded, at most :data:`MAX_NODES` nodes), and
* every read comes after the first write in program order (a read before it, or in an earlier iteration's part of a
  ``do_while`` body, would see another value),

each read is replaced by the expression and the writes are dropped; serial tasks left empty disappear in the passes
that follow. Exact: arguments and shapes do not change during a launch, so the expression has at every read the value
the variable had. Programs with checkpoints are left as they are (a resume skips the tasks that wrote the variable).
"""

from __future__ import annotations

import dataclasses

from quadrants.ir import nodes as N
from quadrants.ir.arg_exprs import expand, write_counts
from quadrants.ir.rewrite import map_blocks, map_exprs
from quadrants.ir.walk import iter_items, iter_stmts, own_exprs

__all__ = ["MAX_NODES", "rematerialize_kernel_vars"]

MAX_NODES = 16  # a larger expression is recomputed at every read: keep the variable instead


def _vars_read(exprs, out: set) -> None:
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if isinstance(e, N.LocalRef):
            out.add(e.var)
        elif isinstance(e, N.OpExpr):
            stack.extend(e.args)


def _stmt_reads(stmts) -> set:
    out: set = set()
    for s in iter_stmts(stmts):
        _vars_read(own_exprs(s), out)
    return out


@dataclasses.dataclass
class _Walk:
    """Positions in program order: one per top-level statement of a serial task, one per parallel task."""

    kernel_vars: frozenset
    pos: int = 0
    first_read: dict = dataclasses.field(default_factory=dict)  # var -> first position that reads it
    writes: list = dataclasses.field(default_factory=list)  # (position, var, value) of top-level writes, in order

    def read(self, variables) -> None:
        for v in variables:
            if v in self.kernel_vars:
                self.first_read.setdefault(v, self.pos)

    def items(self, items) -> None:
        for item in items:
            if isinstance(item, N.SerialBlock):
                for s in item.body:
                    self.pos += 1
                    self.read(_stmt_reads((s,)))
                    if isinstance(s, (N.Decl, N.Assign)) and s.var in self.kernel_vars:
                        self.writes.append((self.pos, s.var, s.value))
            elif isinstance(item, N.ParallelFor):
                self.pos += 1
                found: set = set()
                _vars_read(item.begins + item.ends, found)
                self.read(found | _stmt_reads(item.body))
            else:
                self.items(item.body)


def _values(walk: _Walk, candidates: set) -> dict:
    """Variable -> its expression, for the ``candidates`` whose every write gives the same expression (iterated: a
    variable dropped invalidates the expansions that used it)."""
    while True:
        env: dict = {}
        bad: set = set()
        for _, var, value in walk.writes:
            if var not in candidates or var in bad:
                continue
            e = expand(value, env, MAX_NODES)
            if e is None or e.dtype != var.dtype or (var in env and env[var] != e):
                bad.add(var)
                env.pop(var, None)
            else:
                env[var] = e
        if not bad:
            return env
        candidates = candidates - bad


def rematerialize_kernel_vars(program: N.Program) -> N.Program:
    """Return ``program`` with such kernel variables replaced by their expressions at every read."""
    if not program.kernel_vars or any(isinstance(it, N.Checkpoint) for it in iter_items(program.items)):
        return program  # a resume would skip the writes
    kernel_vars = frozenset(program.kernel_vars)
    walk = _Walk(kernel_vars)
    walk.items(program.items)
    everywhere = write_counts(program.items)
    top: dict = {}
    first_write: dict = {}
    for pos, var, _ in walk.writes:
        top[var] = top.get(var, 0) + 1
        first_write.setdefault(var, pos)
    in_functions = set()
    for fn in program.functions:
        in_functions |= _stmt_reads(fn.body)
    candidates = {
        v
        for v, n in top.items()
        if everywhere[v] == n and not v.dtype.is_float and v not in in_functions
        if walk.first_read.get(v, first_write[v] + 1) > first_write[v]
    }
    values = _values(walk, candidates) if candidates else {}
    if not values:
        return program

    def substitute(e):
        return values.get(e.var, e) if isinstance(e, N.LocalRef) else e

    def drop_writes(stmts: tuple) -> tuple:
        kept = tuple(s for s in stmts if not (isinstance(s, (N.Decl, N.Assign)) and s.var in values))
        return kept if len(kept) != len(stmts) else stmts

    program = map_exprs(map_blocks(program, drop_writes), substitute)
    return dataclasses.replace(program, kernel_vars=tuple(v for v in program.kernel_vars if v not in values))
