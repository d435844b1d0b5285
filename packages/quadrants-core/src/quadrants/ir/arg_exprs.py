"""Integer expressions of the arguments alone: what a kernel variable such as ``_B = x.shape[1]`` stands for.

Shared by the rematerialising pass (passes/rematerialize_kernel_vars.py) and llvm-cuda's host-side evaluation
(quadrants_llvm/cuda/host_values.py): both replace variables whose values depend only on scalar arguments, ndarray
shapes and constants by those values' expressions.
"""

from __future__ import annotations

from collections import Counter

from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_stmts

__all__ = ["MAX_NODES", "expand", "size", "write_counts"]

MAX_NODES = 256  # an expanded expression larger than this is not expanded (chains of variables could blow up)


def size(expr) -> int:
    """The number of nodes of ``expr``."""
    return 1 + sum(size(a) for a in expr.args) if isinstance(expr, N.OpExpr) else 1


def expand(expr, env: dict, max_nodes: int = MAX_NODES):
    """``expr`` with the variables of ``env`` replaced by their expressions, when the result is an integer or boolean
    expression of constants, scalar arguments and shapes of at most ``max_nodes`` nodes; else ``None`` (another
    variable, a float, an ndarray read)."""
    if isinstance(expr, (N.Const, N.ArgRef, N.Shape)):
        return None if expr.dtype.is_float else expr
    if isinstance(expr, N.LocalRef):
        return env.get(expr.var)
    if isinstance(expr, N.OpExpr) and not expr.dtype.is_float:
        args = tuple(expand(a, env, max_nodes) for a in expr.args)
        if any(a is None or a.dtype.is_float for a in args):
            return None
        out = N.OpExpr(expr.op, args, expr.dtype)
        return out if size(out) <= max_nodes else None
    return None


def write_counts(items) -> Counter:
    """How many statements write each variable (declarations, assignments, loads, loop indices, call results...)."""
    counts: Counter = Counter()
    for s in iter_stmts(items):
        for name in ("var", "target"):
            v = getattr(s, name, None)
            if isinstance(v, N.Var):
                counts[v] += 1
        for v in getattr(s, "vars", None) or ():
            if isinstance(v, N.Var):
                counts[v] += 1
    return counts
