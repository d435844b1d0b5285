"""Recognising the graph constructs in kernel source: ``while qd.graph.do_while(...)`` and ``with qd.checkpoint(...)``.

Kept apart from :mod:`quadrants.frontend.graph` (which lowers them) so that modules checking where the constructs may
appear (``parallel_blocks``, ``loops``, ``stmts``) need not import the lowering, which imports them in turn.
"""

from __future__ import annotations

import ast

from quadrants.frontend import graph_intrinsics as qg

__all__ = ["call_target", "is_do_while", "is_checkpoint"]


def call_target(ctx, node: ast.AST):
    """The Python object a call expression calls, or ``None`` when ``node`` is no call or its target cannot be
    evaluated at compile time (a run-time value, an undefined name)."""
    if not isinstance(node, ast.Call):
        return None
    try:
        return ctx.lower.evaluate_quiet(ctx, node.func)
    except Exception:  # any failure means "not a compile-time callee", which is all this asks
        return None


def is_do_while(ctx, node: ast.AST) -> bool:
    """Whether ``node`` is ``while qd.graph.do_while(cond):`` (or the ``graph_do_while`` spelling)."""
    return isinstance(node, ast.While) and call_target(ctx, node.test) is qg.do_while


def is_checkpoint(ctx, node: ast.AST) -> bool:
    """Whether ``node`` is ``with qd.checkpoint(...):``."""
    return (
        isinstance(node, ast.With)
        and len(node.items) == 1
        and call_target(ctx, node.items[0].context_expr) is qg.checkpoint
    )
