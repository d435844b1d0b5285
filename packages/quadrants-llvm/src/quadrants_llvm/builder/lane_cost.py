"""A rough per-lane cost of a loop-free parallel body, to size its chunks (issue 23).

A parallel loop without inner loops used to be split as if every lane cost a few instructions (chunks of at least
1024 lanes, run serially below 4096 lanes). MPM's particle-to-grid loop has no loop either, yet each lane runs an
SVD, an exponential and 27 atomic adds: 4500 lanes made 5 chunks, so two threads shared them 3:2 and a worker that
woke late found nothing left. The cost here counts the body's operations (a conditional block counted in full), with
the expensive ones weighted, in units of one simple operation; the task then scales its serial threshold and its
smallest chunk down by how much heavier than :data:`LIGHT_COST` a lane is.
"""

from __future__ import annotations

from quadrants.ir import nodes as N
from quadrants.ir.ops import OP_INFO, Op
from quadrants.ir.walk import EXPR_FIELDS, EXPR_TUPLE_FIELDS, iter_stmts

__all__ = ["lane_cost", "LIGHT_COST"]

LIGHT_COST = 4  # a lane of the light loops the default chunk sizes were tuned on (``v = v * 0.5 + 1``)

# weights of the operations that cost more than one cycle-ish instruction
_OP_WEIGHT = {
    **dict.fromkeys((Op.TRUEDIV, Op.FLOORDIV, Op.MOD, Op.RAW_DIV, Op.RAW_MOD, Op.SQRT, Op.RSQRT), 4),
    **dict.fromkeys((Op.FLOOR, Op.CEIL, Op.ROUND, Op.TRUNC), 1),
    Op.POW: 16,
}
_MATH_WEIGHT = 16  # exp, log, sin, ... (a libm call)
_STMT_WEIGHT = {N.Load: 1, N.Store: 1, N.AtomicRMW: 16, N.VarAtomicRMW: 16, N.Print: 64, N.ReadClock: 16}


def lane_cost(body) -> int:
    """The estimated cost of one lane of ``body`` (statements without loops), at least 1."""
    total = 0
    for s in iter_stmts(body):
        total += _STMT_WEIGHT.get(type(s), 0)
        for f in EXPR_FIELDS.get(type(s), ()):
            total += _expr_cost(getattr(s, f))
        for f in EXPR_TUPLE_FIELDS.get(type(s), ()):
            total += sum(_expr_cost(e) for e in getattr(s, f) if not isinstance(e, str))
    return max(1, total)


def _expr_cost(e) -> int:
    if not isinstance(e, N.OpExpr):
        return 0
    info = OP_INFO[e.op]
    own = _OP_WEIGHT.get(e.op, _MATH_WEIGHT if info.category == "math" else 1)
    return own + sum(_expr_cost(a) for a in e.args)
