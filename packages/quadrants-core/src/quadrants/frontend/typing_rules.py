"""Type rules of docs/semantics.md §3–§6 applied while building IR: literals, promotion, result types, conversions.

Every function takes the compile context and the values (compile-time Python values or IR expressions) and returns
a typed IR expression. Operations on two compile-time values never reach this module: they are evaluated by Python.
"""

from __future__ import annotations

import ast
import builtins

from quadrants.errors import QuadrantsCompilationError, QuadrantsTypeError, compile_error_class
from quadrants.frontend.overflow_checks import CHECKED_OPS, checked_op
from quadrants.frontend.values import MatrixValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.dtypes import DataType, promote
from quadrants.ir.ops import Op

__all__ = [
    "literal",
    "to_expr",
    "cast",
    "implicit",
    "binary",
    "unary",
    "compare",
    "check_condition",
    "BINARY_OPS",
    "COMPARE_OPS",
    "all_static",
    "python_call",
    "scalar_minmax",
    "matrix_dtype",
]

# Python operator -> (IR op, symbol used in messages)
BINARY_OPS: dict[type, tuple[Op, str]] = {
    ast.Add: (Op.ADD, "+"),
    ast.Sub: (Op.SUB, "-"),
    ast.Mult: (Op.MUL, "*"),
    ast.Div: (Op.TRUEDIV, "/"),
    ast.FloorDiv: (Op.FLOORDIV, "//"),
    ast.Mod: (Op.MOD, "%"),
    ast.Pow: (Op.POW, "**"),
    ast.BitAnd: (Op.BIT_AND, "&"),
    ast.BitOr: (Op.BIT_OR, "|"),
    ast.BitXor: (Op.BIT_XOR, "^"),
    ast.LShift: (Op.SHL, "<<"),
    ast.RShift: (Op.SHR, ">>"),
}

COMPARE_OPS: dict[type, Op] = {
    ast.Eq: Op.EQ,
    ast.NotEq: Op.NE,
    ast.Lt: Op.LT,
    ast.LtE: Op.LE,
    ast.Gt: Op.GT,
    ast.GtE: Op.GE,
}

_INT_ONLY = {Op.BIT_AND, Op.BIT_OR, Op.BIT_XOR, Op.SHL, Op.SHR}
_INT_DIVISION = {Op.FLOORDIV, Op.MOD, Op.RAW_DIV, Op.RAW_MOD}


def literal(ctx, value, node: ast.AST | None) -> ir.Const:
    """A Python number as a typed constant: ints are default_ip (range-checked), floats default_fp, bools u1."""
    if isinstance(value, bool):
        return ir.Const(bool(value), dtypes.u1)
    if isinstance(value, int):
        ip = ctx.default_ip
        if not ip.min <= value <= ip.max:
            raise QuadrantsTypeError(
                f"Integer literal {value} exceeded the range of default_ip: {ip}; write qd.i64({value}) for a wider "
                "constant",
                ctx.loc(node),
            )
        return ir.Const(int(value), ip)
    if isinstance(value, float):
        from quadrants.ir.numerics import convert_scalar

        return ir.Const(convert_scalar(value, ctx.default_fp), ctx.default_fp)
    import numpy as np

    if isinstance(value, np.ndarray) and value.ndim == 0:  # a 0-d NumPy array is its one scalar (as upstream)
        value = value[()]
    if isinstance(value, np.generic):
        found = dtypes.from_numpy_dtype(value.dtype)
        if found is not None:
            return ir.Const(value.item(), found)
    raise QuadrantsTypeError(
        f"a value of type {type(value).__name__} cannot be used as a number in kernel code", ctx.loc(node)
    )


def to_expr(ctx, value, node: ast.AST | None):
    """A run-time value for ``value`` (literals become typed constants)."""
    return value if is_runtime(value) else literal(ctx, value, node)


def cast(ctx, value, dtype: DataType, node: ast.AST | None = None):
    """Explicit conversion. A compile-time value is converted directly by §5 (``qd.u8(300) == 44``)."""
    if not is_runtime(value):
        if isinstance(value, (bool, int, float)):
            from quadrants.ir.numerics import convert_scalar

            return ir.Const(convert_scalar(value, dtype), dtype)
        value = to_expr(ctx, value, node)
    if value.dtype == dtype:
        return value
    if isinstance(value, ir.Shape) and dtype in (dtypes.i64, dtypes.u64):
        # the size itself, not its i32 wrap: equal below 2^31, and right for the axes of arrays past 2^31 elements
        wide = ir.Shape(value.arg, value.axis, dtypes.i64)
        return wide if dtype == dtypes.i64 else ir.OpExpr(Op.CAST, (wide,), dtype)
    return ir.OpExpr(Op.CAST, (value,), dtype)


def _is_lossy(src: DataType, dst: DataType) -> bool:
    if src == dst or (dst.is_float and not src.is_float):
        return False
    if src.is_float and not dst.is_float:
        return True
    return dst.bits < src.bits


def implicit(ctx, value, dtype: DataType, node: ast.AST | None, what: str = "Assign"):
    """Implicit conversion to ``dtype`` with the precision-loss warning of §5."""
    value = to_expr(ctx, value, node)
    if value.dtype == dtype:
        return value
    if _is_lossy(value.dtype, dtype):
        ctx.warn(f"{what} may lose precision: {dtype} <- {value.dtype}", node)
    return ir.OpExpr(Op.CAST, (value,), dtype)


def _type_error(ctx, node, symbol: str) -> QuadrantsTypeError:
    return QuadrantsTypeError(f"unsupported operand type(s) for '{symbol}'", ctx.loc(node))


def check_condition(ctx, value, node: ast.AST | None, what: str = "condition"):
    """Conditions must be integral (§4.2); floats are a QuadrantsTypeError."""
    if isinstance(value, MatrixValue):  # upstream: QuadrantsTypeError "`if` conditions must be an integer; found ..."
        kind = f"{value.shape[0]}-component vector" if value.is_vector else "x".join(map(str, value.shape)) + " matrix"
        raise QuadrantsTypeError(
            f"{what}s must be an integer; found a {kind}: the truth value of vectors/matrices is ambiguous, use "
            "v.any(), v.all() or a comparison of one component",
            ctx.loc(node),
        )
    value = to_expr(ctx, value, node)
    if value.dtype.is_float:
        raise QuadrantsTypeError(
            f"the {what} must be an integer or boolean, got {value.dtype}; compare explicitly (x != 0.0)",
            ctx.loc(node),
        )
    return value


def binary(ctx, op: Op, symbol: str, a, b, node: ast.AST | None):
    """``a <op> b`` with at least one run-time operand."""
    a, b = to_expr(ctx, a, node), to_expr(ctx, b, node)
    if op in _INT_ONLY and (a.dtype.is_float or b.dtype.is_float):
        raise _type_error(ctx, node, symbol)
    if op in (Op.SHL, Op.SHR):
        if ctx.debug and op == Op.SHL and a.dtype.kind in ("int", "uint"):
            return checked_op(ctx, op, a, b, a.dtype, node)
        return ir.OpExpr(op, (a, b), a.dtype)
    if op == Op.TRUEDIV:
        if not a.dtype.is_float and not b.dtype.is_float:
            result = ctx.default_fp
        else:
            result = promote(a.dtype, b.dtype)
        return ir.OpExpr(op, (cast(ctx, a, result), cast(ctx, b, result)), result)
    result = promote(a.dtype, b.dtype)
    if op in (Op.RAW_DIV, Op.RAW_MOD) and result.is_float:
        raise QuadrantsTypeError(f"qd.{op.value} takes integer operands", ctx.loc(node))
    a, b = cast(ctx, a, result), cast(ctx, b, result)
    if ctx.debug and op in _INT_DIVISION and not result.is_float:
        divisor_ok = ir.OpExpr(Op.NE, (b, ir.Const(0, result)), dtypes.u1)
        ctx.emit(ir.Check(divisor_ok, "runtime", f"integer division by zero in '{symbol}'", ctx.loc(node)))
    if ctx.debug and op in CHECKED_OPS and result.kind in ("int", "uint"):
        return checked_op(ctx, op, a, b, result, node)  # reports a wrapped result, as upstream
    return ir.OpExpr(op, (a, b), result)


def power(ctx, a, b, node: ast.AST | None):
    """``a ** b``: int**int stays integral; a negative compile-time exponent with a run-time int base is an error."""
    if not is_runtime(b) and isinstance(b, int) and not isinstance(b, bool) and b < 0:
        base = to_expr(ctx, a, node)
        if not base.dtype.is_float:
            raise QuadrantsTypeError(
                f"negative exponent {b} with an integer base; use a float base (x ** {float(b)})", ctx.loc(node)
            )
    return binary(ctx, Op.POW, "**", a, b, node)


def unary(ctx, node: ast.UnaryOp, value):
    value = to_expr(ctx, value, node)
    if isinstance(node.op, ast.USub):
        return ir.OpExpr(Op.NEG, (value,), value.dtype)
    if isinstance(node.op, ast.UAdd):
        return value
    if isinstance(node.op, ast.Invert):
        if value.dtype.is_float:
            raise QuadrantsTypeError("'bit_not' takes integral inputs only", ctx.loc(node))
        return ir.OpExpr(Op.BIT_NOT, (value,), value.dtype)
    if isinstance(node.op, ast.Not):
        if value.dtype.is_float:
            raise QuadrantsTypeError("'logic_not' takes integral inputs only", ctx.loc(node))
        return ir.OpExpr(Op.LOGICAL_NOT, (value,), dtypes.u1)
    raise QuadrantsTypeError(f"unsupported unary operator {type(node.op).__name__}", ctx.loc(node))


def compare(ctx, op: Op, a, b, node: ast.AST | None):
    a, b = to_expr(ctx, a, node), to_expr(ctx, b, node)
    common = promote(a.dtype, b.dtype)
    return ir.OpExpr(op, (cast(ctx, a, common), cast(ctx, b, common)), dtypes.u1)


def all_static(values) -> bool:
    """True when no value is a run-time value (a call can be evaluated at compile time)."""
    return not any(is_runtime(v) for v in values)


def python_call(ctx, node, fn, args, kwargs):
    """Call a host function at compile time; its failure is a compilation error at the call site."""
    try:
        return fn(*args, **kwargs)
    except QuadrantsCompilationError:
        raise
    except Exception as exc:
        raise compile_error_class(exc)(
            f"compile-time call of {getattr(fn, '__name__', fn)!r} failed: {type(exc).__name__}: {exc}",
            ctx.loc(node),
        ) from exc


def scalar_minmax(ctx, node, op: Op, args: list):
    """``max``/``min`` over scalars with promotion (IEEE maximumNumber/minimumNumber for floats)."""
    if all_static(args):
        return python_call(ctx, node, builtins.max if op == Op.MAX else builtins.min, args, {})
    result = to_expr(ctx, args[0], node)
    for other in args[1:]:
        other = to_expr(ctx, other, node)
        common = promote(result.dtype, other.dtype)
        result = ir.OpExpr(op, (cast(ctx, result, common), cast(ctx, other, common)), common)
    return result


def matrix_dtype(ctx, m: MatrixValue) -> DataType:
    """The common type of a vector/matrix value's components (literals typed as in expressions)."""
    result = None
    for v in m.items:
        t = to_expr(ctx, v, None).dtype
        result = t if result is None else promote(result, t)
    return result or ctx.default_fp
