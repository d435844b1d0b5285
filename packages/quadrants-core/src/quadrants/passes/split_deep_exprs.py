"""Bound the nesting depth of expressions: deep subtrees become locals declared just before their statement.

A 900-term sum is an expression tree 900 levels deep. Every consumer walks expressions recursively (the reference
interpreter's closures at run time, the LLVM and WGSL emitters, naga's WGSL parser, which overflows its native stack
and kills the process), so after this pass no expression is deeper than :data:`MAX_DEPTH` operations: walking the
tree bottom-up, each subtree that reaches the limit is declared as a fresh local (``Decl``) in front of the statement
and replaced by a reference to it. Expressions are pure, and the declarations keep the order in which the operands
were evaluated, so results are unchanged; programs without deep expressions come out as the same object.

``ParallelFor`` bounds are left alone (no statement precedes them inside the task; bounds are shallow in practice).
The walks here are iterative, so this pass itself has no depth limit.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace

from quadrants.ir.nodes import Decl, LocalRef, OpExpr, Program, Stmt, Var
from quadrants.ir.rewrite import EXPR_FIELDS, EXPR_TUPLE_FIELDS, map_blocks

__all__ = ["split_deep_exprs", "MAX_DEPTH"]

MAX_DEPTH = 48  # operations along the longest path of one expression


class _Splitter:
    def __init__(self, program: Program):
        self.program = program
        self.next_id: int | None = None  # found on the first split: one past the largest var id in the program

    def new_var(self, dtype) -> Var:
        if self.next_id is None:
            self.next_id = _max_var_id(self.program) + 1
        var = Var(self.next_id, f"_deep{self.next_id}", dtype)
        self.next_id += 1
        return var

    def expr(self, e, pre: list, loc):
        """``e`` with no path longer than MAX_DEPTH operations; the declarations it needs go to ``pre``."""
        if not isinstance(e, OpExpr):
            return e
        done: dict[int, tuple] = {}  # id(node) -> (rebuilt node, height); nodes may be shared
        stack = [(e, False)]
        while stack:
            node, children_done = stack.pop()
            if id(node) in done:
                continue
            if not isinstance(node, OpExpr):
                done[id(node)] = (node, 0)
                continue
            if not children_done:
                stack.append((node, True))
                stack.extend((a, False) for a in reversed(node.args))  # args[0] first: evaluation order
                continue
            args = tuple(done[id(a)][0] for a in node.args)
            height = 1 + max((done[id(a)][1] for a in node.args), default=0)
            new = node if all(x is y for x, y in zip(args, node.args, strict=True)) else replace(node, args=args)
            if height >= MAX_DEPTH:
                var = self.new_var(new.dtype)
                pre.append(Decl(var, new, loc))
                new, height = LocalRef(var), 0
            done[id(node)] = (new, height)
        return done[id(e)][0]

    def stmt(self, s: Stmt, pre: list) -> Stmt:
        loc = getattr(s, "loc", None)
        changes = {}
        for f in EXPR_FIELDS.get(type(s), ()):
            old = getattr(s, f)
            new = self.expr(old, pre, loc)
            if new is not old:
                changes[f] = new
        for f in EXPR_TUPLE_FIELDS.get(type(s), ()):
            old = getattr(s, f)
            new = tuple(self.expr(e, pre, loc) if not isinstance(e, str) else e for e in old)
            if any(x is not y for x, y in zip(new, old, strict=True)):
                changes[f] = new
        return replace(s, **changes) if changes else s

    def block(self, stmts: tuple[Stmt, ...]) -> tuple[Stmt, ...]:
        out: list[Stmt] = []
        changed = False
        for s in stmts:
            pre: list = []
            new = self.stmt(s, pre)
            out.extend(pre)
            out.append(new)
            changed = changed or new is not s or bool(pre)
        return tuple(out) if changed else stmts


def _max_var_id(program: Program) -> int:
    """The largest ``Var.id`` anywhere in ``program`` (an iterative walk over every node)."""
    best = 0
    stack: list = [program]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, Var):
            best = max(best, node.id)
        elif isinstance(node, (tuple, list)):
            stack.extend(node)
        elif is_dataclass(node) and not isinstance(node, type) and id(node) not in seen:
            seen.add(id(node))
            stack.extend(getattr(node, f.name) for f in fields(node))
    return best


def split_deep_exprs(program: Program) -> Program:
    """``program`` with every expression at most :data:`MAX_DEPTH` operations deep (see the module doc)."""
    return map_blocks(program, _Splitter(program).block)
