"""``x ** 2`` becomes ``x * x`` (docs/ir.md, "Passes").

A square is the commonest power in physics code (``d ** 2``, ``(a - b) ** 2``: Genesis writes it some 230 times),
and the product is the exact answer, not an approximation of it: the square of a float of ``p`` significand bits
needs ``2p`` bits, which the next wider format holds exactly, so ``x * x`` rounded once to the operand type is the
correctly rounded power the semantics define for every ``x`` (±0, ±∞ and NaN included; ``(-0.0) ** 2 == +0.0`` both
ways). For integers ``**`` *is* repeated multiplication, wrapping alike. Only the cost differs: a float ``pow`` is a
library call on the CPU and, on a GPU, a software ``pow`` in f64 inlined at every use, which made
``x ** 2``-heavy kernels several times larger than they are with a multiplication (Genesis's collision kernel's
PTX: 2.1 MB against 1.5 MB, and twice the driver's compile time).

Only operands of the result's type are squared this way (``i32 ** 2.0`` is an f32 power of a converted i32, whose
conversion may round), and only small operand trees, since the operand appears twice afterwards: nested squares
``((x ** 2) ** 2) ** 2`` would otherwise double the tree at every level.
"""

from __future__ import annotations

from quadrants.ir.nodes import Const, Expr, OpExpr, Program
from quadrants.ir.ops import Op
from quadrants.ir.rewrite import map_exprs

__all__ = ["square_powers", "MAX_OPERAND_NODES"]

MAX_OPERAND_NODES = 8  # nodes of an operand that may be written twice


def _size(e: Expr, limit: int) -> int:
    """Nodes of ``e``, counting stops once past ``limit``."""
    count, stack = 0, [e]
    while stack and count <= limit:
        node = stack.pop()
        count += 1
        if isinstance(node, OpExpr):
            stack.extend(node.args)
    return count


def _is_two(e: Expr) -> bool:
    return isinstance(e, Const) and not isinstance(e.value, bool) and e.value == 2


def _square(e: Expr) -> Expr:
    if not (isinstance(e, OpExpr) and e.op is Op.POW and e.dtype.kind != "bool" and _is_two(e.args[1])):
        return e
    base = e.args[0]
    if base.dtype != e.dtype or _size(base, MAX_OPERAND_NODES) > MAX_OPERAND_NODES:
        return e
    return OpExpr(Op.MUL, (base, base), e.dtype)


def square_powers(program: Program) -> Program:
    """Return ``program`` with every ``x ** 2`` of a small same-typed ``x`` written as ``x * x``."""
    return map_exprs(program, _square)
