"""Conditional float sums in serial loops, split so that LLVM can vectorise them in order (issue 23).

A loop such as n-body's force sum ::

    for j in range(n):
        if i != j:
            d = pos[j] - p
            acc += m[j] * d / (r2 * qd.sqrt(r2))

updates ``acc`` only on some iterations. With strict IEEE float semantics (the default, ``fast_math=False``) LLVM's
loop vectoriser may only vectorise a float sum as an *ordered* (in-loop, sequential) reduction, and it recognises
that only when the loop's update is ``acc = acc + x`` on every iteration. This rewrite gives it that shape without
changing a single result bit::

    for j in range(n):
        c = -0.0
        if i != j:
            ...
            c = m[j] * d / (r2 * qd.sqrt(r2))
        acc = acc + c

``acc + (-0.0)`` is exactly ``acc`` for every float (``+0.0 + -0.0 = +0.0``, ``-0.0 + -0.0 = -0.0``, infinities and
NaN unchanged), so iterations that skip the update leave ``acc`` as it was, and the others add the same value in the
same order. The body of the ``if`` still runs only when its condition holds (the vectoriser predicates it).

The pattern, per float local ``v`` declared outside the ``if`` (an ``if`` without ``else`` directly in a serial loop
body): the ``then`` block holds, at its top level, ``t = v + x`` (or ``x + v``; ``x`` does not read ``v``) and later
``v = t``, and mentions ``v`` and ``t`` nowhere else. ``break``/``continue`` inside the block are fine: they skip the
deferred add exactly as they skipped the update.
"""

from __future__ import annotations

from dataclasses import replace

from quadrants.ir import nodes as N
from quadrants.ir.ops import Op
from quadrants.ir.walk import EXPR_FIELDS, EXPR_TUPLE_FIELDS, iter_stmts

__all__ = ["FreshVars", "split_conditional_sums"]

_FLOATS = ("f32", "f64")  # f16 arithmetic is widened and rounded per operation: left as it is


def split_conditional_sums(program: N.Program) -> N.Program:
    """``program`` with every conditional float sum of a serial loop split as in the module docstring."""
    fresh = FreshVars(program)
    items = _items(program.items, fresh)
    return program if items is program.items else replace(program, items=items)


class FreshVars:
    """New variable ids above every id the program uses (tasks, kernel vars, real functions' parameters and
    locals; also used by ``sqrt_compare``)."""

    def __init__(self, program: N.Program):
        top = max((v.id for v in program.kernel_vars), default=0)
        scopes = [(getattr(t, "vars", ()), t.body) for t in _tasks(program.items)]
        scopes += [(f.params, f.body) for f in program.functions]
        for params, body in scopes:
            for v in params:
                top = max(top, v.id)
            for s in iter_stmts(body):
                for name in ("var", "target"):
                    v = getattr(s, name, None)
                    if isinstance(v, N.Var):
                        top = max(top, v.id)
                for v in getattr(s, "vars", ()) if isinstance(s, N.Call) else ():
                    top = max(top, v.id)
        self.next = top + 1

    def var(self, name: str, dtype) -> N.Var:
        self.next += 1
        return N.Var(self.next - 1, name, dtype)


def _tasks(items):
    for item in items:
        if isinstance(item, (N.ParallelFor, N.SerialBlock)):
            yield item
        else:
            yield from _tasks(item.body)


def _items(items: tuple, fresh: FreshVars) -> tuple:
    out = []
    for item in items:
        if isinstance(item, (N.ParallelFor, N.SerialBlock)):
            body = _block(item.body, fresh, in_loop=False)
            out.append(item if body is item.body else replace(item, body=body))
        else:
            body = _items(item.body, fresh)
            out.append(item if body is item.body else replace(item, body=body))
    return items if all(a is b for a, b in zip(out, items, strict=True)) else tuple(out)


def _block(stmts: tuple, fresh: FreshVars, in_loop: bool) -> tuple:
    out: list = []
    changed = False
    for s in stmts:
        new = _nested(s, fresh)
        if in_loop and isinstance(new, N.If) and not new.orelse:
            split = _split(new, fresh)
            if split is not None:
                out.extend(split)
                changed = True
                continue
        changed |= new is not s
        out.append(new)
    return tuple(out) if changed else stmts


def _nested(s, fresh: FreshVars):
    """``s`` with its nested blocks rewritten (loop bodies are where the pattern is looked for)."""
    if isinstance(s, (N.RangeFor, N.Loop)):
        body = _block(s.body, fresh, in_loop=True)
        return s if body is s.body else replace(s, body=body)
    if isinstance(s, N.If):
        then = _block(s.then, fresh, in_loop=False)
        orelse = _block(s.orelse, fresh, in_loop=False)
        return s if then is s.then and orelse is s.orelse else replace(s, then=then, orelse=orelse)
    return s


def _split(s: N.If, fresh: FreshVars) -> list | None:
    """``[c = -0.0 ..., if (with c = x), v = v + c ...]`` for the sums of ``s``, or ``None`` when it has none."""
    then = list(s.then)
    before, after = [], []
    for k, stmt in enumerate(s.then):
        found = _sum_decl(stmt)
        if found is None:
            continue
        v, x = found
        t = stmt.var
        assign = next((j for j in range(k + 1, len(then)) if isinstance(then[j], N.Assign) and then[j].var == v), None)
        if assign is None or then[assign].value != N.LocalRef(t):
            continue
        others = [st for j, st in enumerate(then) if j not in (k, assign)]
        if _mentions(others, v.id) or _mentions(others, t.id) or _refs(x, v.id):
            continue
        c = fresh.var(f"{v.name}.term", v.dtype)
        then[k] = replace(stmt, value=x)
        then[assign] = replace(then[assign], var=c)
        before.append(N.Decl(c, N.Const(-0.0, v.dtype), s.loc))
        after.append(N.Assign(v, N.OpExpr(Op.ADD, (N.LocalRef(v), N.LocalRef(c)), v.dtype), s.loc))
    if not before:
        return None
    return [*before, replace(s, then=tuple(then)), *after]


def _sum_decl(stmt) -> tuple[N.Var, object] | None:
    """``(v, x)`` when ``stmt`` is ``t = v + x`` or ``t = x + v`` for a float local ``v`` of ``t``'s type."""
    if not isinstance(stmt, N.Decl) or stmt.var.dtype.name not in _FLOATS:
        return None
    e = stmt.value
    if not isinstance(e, N.OpExpr) or e.op is not Op.ADD or e.dtype != stmt.var.dtype:
        return None
    a, b = e.args
    if isinstance(a, N.LocalRef) and a.var.dtype == e.dtype and a.var != stmt.var:
        return a.var, b
    if isinstance(b, N.LocalRef) and b.var.dtype == e.dtype and b.var != stmt.var:
        return b.var, a
    return None


def _refs(e, vid: int) -> bool:
    if isinstance(e, N.LocalRef):
        return e.var.id == vid
    if isinstance(e, N.OpExpr):
        return any(_refs(a, vid) for a in e.args)
    return False


def _mentions(stmts, vid: int) -> bool:
    """Whether any of ``stmts`` (nested blocks included) reads or writes local ``vid``."""
    for s in iter_stmts(stmts):
        for name in ("var", "target"):
            v = getattr(s, name, None)
            if isinstance(v, N.Var) and v.id == vid:
                return True
        for f in EXPR_FIELDS.get(type(s), ()):
            if _refs(getattr(s, f), vid):
                return True
        for f in EXPR_TUPLE_FIELDS.get(type(s), ()):
            if any(_refs(e, vid) for e in getattr(s, f) if not isinstance(e, str)):
                return True
    return False
