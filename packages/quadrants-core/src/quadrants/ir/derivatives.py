"""Reverse-mode derivative rules: one row per op with a float result, keyed by :class:`~quadrants.ir.ops.Op`.

A rule receives the adjoint ``seed`` of the result (an expression of the result's type), the operand expressions
and the :class:`~quadrants.ir.nodes.OpExpr` itself, and returns one contribution per operand: the expression to add
to that operand's adjoint, or ``None`` where the operand gets nothing. The contributions re-read the operands (the
autodiff pass evaluates them in a state where the operands hold their forward values), never the forward result.

The rules follow upstream Quadrants 1.3.3 (``make_adjoint.cpp``), including its conventions at kinks: ``abs`` takes
the sign (0 at 0), ``min``/``max`` give the seed to the first operand when it is strictly smaller/larger and to the
second otherwise (so to the second at a tie), and ``floor``, ``ceil``, ``trunc`` and ``floordiv`` have a zero
gradient (``a % b`` is differentiated as ``a - floor(a / b) * b``). ``round`` and ``bit_cast`` have no rule: upstream's
adjoint and dual transforms stop at them ("Not supported."), and so do both autodiff passes here
(:data:`NOT_DIFFERENTIABLE`). A unit test checks the table against the op table: every op that can produce a float
has a row or a :data:`NOT_DIFFERENTIABLE` entry.
"""

from __future__ import annotations

from collections.abc import Callable

from quadrants.ir import dtypes
from quadrants.ir.nodes import Const, Expr, OpExpr
from quadrants.ir.ops import Op

__all__ = ["Rule", "DERIVATIVE_RULES", "ZERO_GRADIENT_OPS", "NOT_DIFFERENTIABLE"]

Contributions = tuple[Expr | None, ...]
Rule = Callable[[Expr, tuple[Expr, ...], OpExpr], Contributions]


def _c(value: float, like: Expr) -> Const:
    return Const(float(value), like.dtype)


def _op(op: Op, *args: Expr) -> OpExpr:
    return OpExpr(op, tuple(args), args[0].dtype)


def _cmp(op: Op, a: Expr, b: Expr) -> OpExpr:
    return OpExpr(op, (a, b), dtypes.u1)


def _select(cond: Expr, a: Expr, b: Expr) -> OpExpr:
    return OpExpr(Op.SELECT, (cond, a, b), a.dtype)


def _mul(a: Expr, b: Expr) -> OpExpr:
    return _op(Op.MUL, a, b)


def _div(a: Expr, b: Expr) -> OpExpr:
    return _op(Op.TRUEDIV, a, b)


def _sq(a: Expr) -> OpExpr:
    return _mul(a, a)


def _unary(fn: Callable[[Expr, Expr], Expr]) -> Rule:
    """A rule for ``f(x)`` from ``fn(seed, x) = seed * f'(x)``."""
    return lambda seed, args, out: (fn(seed, args[0]),)


def _none(seed, args, out) -> Contributions:
    return (None,) * len(args)


def _pow(seed, args, out) -> Contributions:
    x, y = args
    common = _op(Op.POW, x, _op(Op.SUB, y, _c(1, y)))  # x ** (y - 1)
    return (_mul(seed, _mul(y, common)), _mul(seed, _mul(_op(Op.LOG, x), _mul(x, common))))


def _minmax(strict: Op) -> Rule:
    def rule(seed, args, out):
        a, b = args
        zero = _c(0, seed)
        first = _cmp(strict, a, b)
        return (_select(first, seed, zero), _select(first, zero, seed))

    return rule


def _abs(seed, x):
    one, zero = _c(1, x), _c(0, x)
    sign = _select(_cmp(Op.GT, x, zero), one, _select(_cmp(Op.LT, x, zero), _op(Op.NEG, one), zero))
    return _mul(seed, sign)


def _atan2(seed, args, out) -> Contributions:
    y, x = args
    denom = _op(Op.ADD, _sq(y), _sq(x))
    return (_div(_mul(seed, x), denom), _op(Op.NEG, _div(_mul(seed, y), denom)))


def _cast(seed, args, out) -> Contributions:
    (x,) = args
    if not x.dtype.is_float:
        return (None,)
    return (seed if seed.dtype == x.dtype else OpExpr(Op.CAST, (seed,), x.dtype),)


def _one_minus_sq(x: Expr) -> Expr:
    return _op(Op.SUB, _c(1, x), _sq(x))


DERIVATIVE_RULES: dict[Op, Rule] = {
    Op.ADD: lambda s, a, o: (s, s),
    Op.SUB: lambda s, a, o: (s, _op(Op.NEG, s)),
    Op.MUL: lambda s, a, o: (_mul(s, a[1]), _mul(s, a[0])),
    Op.TRUEDIV: lambda s, a, o: (_div(s, a[1]), _op(Op.NEG, _div(_mul(s, a[0]), _sq(a[1])))),
    Op.NEG: _unary(lambda s, x: _op(Op.NEG, s)),
    Op.POW: _pow,
    Op.ABS: _unary(_abs),
    Op.MAX: _minmax(Op.GT),
    Op.MIN: _minmax(Op.LT),
    Op.SELECT: lambda s, a, o: (None, _select(a[0], s, _c(0, s)), _select(a[0], _c(0, s), s)),
    Op.CAST: _cast,
    Op.SQRT: _unary(lambda s, x: _mul(s, _div(_c(0.5, x), _op(Op.SQRT, x)))),
    Op.RSQRT: _unary(lambda s, x: _mul(s, _mul(_c(-0.5, x), _div(_op(Op.RSQRT, x), x)))),
    Op.EXP: _unary(lambda s, x: _mul(s, _op(Op.EXP, x))),
    Op.LOG: _unary(lambda s, x: _div(s, x)),
    Op.SIN: _unary(lambda s, x: _mul(s, _op(Op.COS, x))),
    Op.COS: _unary(lambda s, x: _op(Op.NEG, _mul(s, _op(Op.SIN, x)))),
    Op.TAN: _unary(lambda s, x: _mul(s, _op(Op.ADD, _c(1, x), _sq(_op(Op.TAN, x))))),
    Op.ASIN: _unary(lambda s, x: _div(s, _op(Op.SQRT, _one_minus_sq(x)))),
    Op.ACOS: _unary(lambda s, x: _op(Op.NEG, _div(s, _op(Op.SQRT, _one_minus_sq(x))))),
    Op.ATAN: _unary(lambda s, x: _div(s, _op(Op.ADD, _c(1, x), _sq(x)))),
    Op.SINH: _unary(lambda s, x: _mul(s, _op(Op.COSH, x))),
    Op.COSH: _unary(lambda s, x: _mul(s, _op(Op.SINH, x))),
    Op.TANH: _unary(lambda s, x: _mul(s, _one_minus_sq(_op(Op.TANH, x)))),
    Op.ATAN2: _atan2,
    # a % b = a - floor(a / b) * b: floor contributes nothing (upstream lowers float % this way)
    Op.MOD: lambda s, a, o: (s, _op(Op.NEG, _mul(s, _op(Op.FLOOR, _div(a[0], a[1]))))),
}

# piecewise-constant ops: their gradient is zero, as upstream
ZERO_GRADIENT_OPS: frozenset[Op] = frozenset({Op.FLOOR, Op.CEIL, Op.TRUNC, Op.FLOORDIV})

# ops a gradient cannot flow through: upstream 1.3.3 raises RuntimeError "Not supported." from make_adjoint.cpp and
# make_dual.cpp when one carries a gradient (round, though floor and ceil pass with 0). Each maps to the advice the
# autodiff passes give in their NotDifferentiableError (a RuntimeError, message including "Not supported.").
NOT_DIFFERENTIABLE: dict[Op, str] = {
    Op.BITCAST: "qd.bit_cast of a value that carries a gradient (Not supported.): its bits have no derivative; "
    "compute the value without bit_cast",
    Op.ROUND: "qd.round of a value that carries a gradient (Not supported.), as upstream; use qd.floor or qd.ceil "
    "(gradient 0), or round a value that carries none",
}
for _op_zero in ZERO_GRADIENT_OPS:
    DERIVATIVE_RULES[_op_zero] = _none
