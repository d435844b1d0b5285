"""Calls in kernel code: a table from the called object (by identity) to a small lowering function.

``qd.*`` intrinsics, Python builtins (``int``, ``abs``, ``max``, ``print``, …) and dtypes (``qd.i64(x)``) are rows in
:func:`call_table`; ``@qd.func`` objects are inlined; any other Python callable runs at compile time when all its
arguments are compile-time values.
"""

from __future__ import annotations

import ast
import builtins
import functools

from quadrants.errors import QuadrantsCompilationError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import intrinsics as qi, printing, struct_values, typing_rules as tr
from quadrants.frontend.compound_calls import construct_typed
from quadrants.frontend.compound_types import MatrixType
from quadrants.frontend.exprs import evaluate
from quadrants.frontend.matrix import MatrixValue, elementwise
from quadrants.frontend.operator_calls import operator_rows
from quadrants.frontend.static_calls import lower_static_assert, lower_static_print
from quadrants.frontend.struct_types import Struct, StructType
from quadrants.frontend.typing_rules import all_static as _all_static, python_call as _python_call, scalar_minmax
from quadrants.frontend.values import BoundMethod, NdarrayValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.dtypes import DataType, promote
from quadrants.ir.ops import Op

__all__ = ["call", "call_table"]


def _args(ctx, node: ast.Call):
    args = []
    for a in node.args:  # left to right, each once
        if not isinstance(a, ast.Starred):
            args.append(evaluate(ctx, a))
            continue
        value = evaluate(ctx, a.value)
        if isinstance(value, MatrixValue) and value.is_vector:  # *v: the components of a vector, as upstream
            args.extend(value.items)
        elif is_runtime(value) or not hasattr(value, "__iter__"):
            raise QuadrantsSyntaxError("*args in kernel calls must be a compile-time sequence or a vector", ctx.loc(a))
        else:
            args.extend(value)
    kwargs = {k.arg: evaluate(ctx, k.value) for k in node.keywords if k.arg is not None}
    return args, kwargs


def _arity(ctx, node, name: str, args, lo: int, hi: int | None = None):
    hi = lo if hi is None else hi
    if not lo <= len(args) <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise QuadrantsTypeError(f"{name}() takes {want} argument(s) but {len(args)} were given", ctx.loc(node))


# ------------------------------------------------------------------------------------------------------- math


def _float_math(op: Op, name: str, int_to_fp: bool):
    """sin/cos/…: float only (§6); sqrt/exp/log/rsqrt: ints become default_fp."""

    def lower(ctx, node, args, kwargs):
        _arity(ctx, node, f"qd.{name}", args, 1)
        x = tr.to_expr(ctx, args[0], node)
        if not x.dtype.is_float:
            if not int_to_fp:
                raise QuadrantsTypeError(f"'{name}' takes real inputs only", ctx.loc(node))
            x = tr.cast(ctx, x, ctx.default_fp)
        return ir.OpExpr(op, (x,), x.dtype)

    return lower


def _rounding(op: Op, name: str):
    def lower(ctx, node, args, kwargs):
        _arity(ctx, node, f"qd.{name}", args, 1, 2)
        dtype = kwargs.get("dtype", args[1] if len(args) > 1 else None)
        x = tr.to_expr(ctx, args[0], node)
        if not x.dtype.is_float:
            raise QuadrantsTypeError(f"'{name}' takes real inputs only", ctx.loc(node))
        result = ir.OpExpr(op, (x,), x.dtype)
        return tr.cast(ctx, result, tr_dtype(ctx, dtype, node)) if dtype is not None else result

    return lower


def tr_dtype(ctx, obj, node) -> DataType:
    from quadrants.frontend.annotations import to_dtype

    try:
        return to_dtype(obj, ctx.default_ip, ctx.default_fp)
    except TypeError as exc:
        raise QuadrantsTypeError(str(exc), ctx.loc(node)) from None


def _atan2(ctx, node, args, kwargs):
    _arity(ctx, node, "qd.atan2", args, 2)
    y, x = (tr.to_expr(ctx, a, node) for a in args)
    common = promote(y.dtype, x.dtype)
    if not common.is_float:
        common = ctx.default_fp
    return ir.OpExpr(Op.ATAN2, (tr.cast(ctx, y, common), tr.cast(ctx, x, common)), common)


def _abs(ctx, node, args, kwargs):
    _arity(ctx, node, "abs", args, 1)
    if _all_static(args):
        return _python_call(ctx, node, builtins.abs, args, {})
    x = tr.to_expr(ctx, args[0], node)
    return x if x.dtype.kind in ("uint", "bool") else ir.OpExpr(Op.ABS, (x,), x.dtype)


def _minmax(op: Op, host):
    def lower(ctx, node, args, kwargs):
        if len(args) == 1 and isinstance(args[0], (tuple, list)):
            args = list(args[0])
        if len(args) < 2:
            raise QuadrantsTypeError(f"{op.value}() needs at least two arguments", ctx.loc(node))
        return scalar_minmax(ctx, node, op, args)

    return lower


def _pow(ctx, node, args, kwargs):
    _arity(ctx, node, "pow", args, 2)
    if _all_static(args):
        return _python_call(ctx, node, builtins.pow, args, {})
    return tr.power(ctx, args[0], args[1], node)


def _bit_count(op: Op, name: str):
    allowed = {dtypes.i32, dtypes.u32, dtypes.i64, dtypes.u64}

    def lower(ctx, node, args, kwargs):
        _arity(ctx, node, f"qd.math.{name}", args, 1)
        x = tr.to_expr(ctx, args[0], node)
        if x.dtype.is_float:  # upstream's wording for a real operand
            raise QuadrantsTypeError(f"'{name}' takes integral inputs only, got {x.dtype}", ctx.loc(node))
        if x.dtype not in allowed:
            raise QuadrantsTypeError(f"'{name}' takes i32, u32, i64 or u64 operands, got {x.dtype}", ctx.loc(node))
        return ir.OpExpr(op, (x,), dtypes.i32)

    return lower


def _raw_division(op: Op, name: str):
    host = getattr(qi, name)

    def lower(ctx, node, args, kwargs):
        _arity(ctx, node, f"qd.{name}", args, 2)
        if _all_static(args) and all(isinstance(a, int) for a in args):
            return host(*args)
        return tr.binary(ctx, op, name, args[0], args[1], node)

    return lower


_UNSIGNED = {8: dtypes.u8, 16: dtypes.u16, 32: dtypes.u32, 64: dtypes.u64}


def _bit_shr(ctx, node, args, kwargs):
    """``qd.bit_shr(x, n)``: a logical right shift in the bits of ``x``'s type (compile-time ints use Python's >>)."""
    _arity(ctx, node, "qd.bit_shr", args, 2)
    if _all_static(args) and all(isinstance(a, int) for a in args):
        return args[0] >> args[1]
    x, n = (tr.to_expr(ctx, a, node) for a in args)
    if x.dtype.is_float or n.dtype.is_float:
        raise QuadrantsTypeError(f"unsupported operand type(s) for 'shr': '{x.dtype}' and '{n.dtype}'", ctx.loc(node))
    if x.dtype.kind != "int":
        return ir.OpExpr(Op.SHR, (x, n), x.dtype)
    unsigned = _UNSIGNED[x.dtype.bits]
    shifted = ir.OpExpr(Op.SHR, (ir.OpExpr(Op.BITCAST, (x,), unsigned), n), unsigned)
    return ir.OpExpr(Op.BITCAST, (shifted,), x.dtype)


# ---------------------------------------------------------------------------------------------- conversions


def _call_dtype(ctx, node, dtype: DataType):
    """``qd.f32(x)`` in kernel code: one operand, no keywords (upstream's wording otherwise)."""
    args, kwargs = _args(ctx, node)
    if len(args) != 1 or kwargs:
        raise QuadrantsSyntaxError("A primitive type can only decorate a single expression.", ctx.loc(node))
    if isinstance(args[0], MatrixValue):  # as upstream; v.cast(dtype) / qd.cast(v, dtype) convert each component
        raise QuadrantsSyntaxError(
            "A primitive type cannot decorate an expression with a compound type. Use v.cast(dtype) or "
            "qd.cast(v, dtype) to convert each component.",
            ctx.loc(node),
        )
    return _dtype_call(ctx, node, dtype, args)


def _dtype_call(ctx, node, dtype: DataType, args):
    _arity(ctx, node, str(dtype), args, 1)
    _check_annotated_literal(ctx, node, args[0], dtype)
    return tr.cast(ctx, args[0], dtype, node)


def _check_annotated_literal(ctx, node, value, dtype: DataType) -> None:
    """``qd.u8(300)``, ``qd.f32(3)``, ``qd.i32(0.5)``: a Python number given a type must be of that type's kind and
    in its range (upstream's rule, with its messages); converting a number is what ``qd.cast`` is for."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or dtype.is_bool:
        return
    if isinstance(value, float) and not dtype.is_float:
        raise QuadrantsTypeError(
            "Floating-point literals must be annotated with a floating-point type. For type casting, use `qd.cast`.",
            ctx.loc(node),
        )
    if isinstance(value, int) and dtype.is_float:
        raise QuadrantsTypeError(
            "Integer literals must be annotated with a integer type. For type casting, use `qd.cast`.", ctx.loc(node)
        )
    if isinstance(value, int) and not dtype.min <= value <= dtype.max:
        raise QuadrantsTypeError(
            f"Integer literal {value} exceeded the range of specified dtype: {dtype}", ctx.loc(node)
        )


def _int(ctx, node, args, kwargs):
    if _all_static(args):
        return _python_call(ctx, node, int, args, {})
    _arity(ctx, node, "int", args, 1)
    return tr.cast(ctx, args[0], dtypes.i32, node)  # int(x) is i32 for every source type (§5)


def _float(ctx, node, args, kwargs):
    if _all_static(args):
        return _python_call(ctx, node, float, args, {})
    _arity(ctx, node, "float", args, 1)
    return tr.cast(ctx, args[0], dtypes.f32, node)  # float(x) is f32 for every source type (§5)


def _bool(ctx, node, args, kwargs):
    if _all_static(args):
        return _python_call(ctx, node, bool, args, {})
    _arity(ctx, node, "bool", args, 1)
    x = tr.to_expr(ctx, args[0], node)
    return ir.OpExpr(Op.NE, (x, ir.Const(0, x.dtype)), dtypes.u1)


def _cast(ctx, node, args, kwargs):
    if "dtype" in kwargs:
        args.append(kwargs["dtype"])
    _arity(ctx, node, "qd.cast", args, 2)
    value = args[0]
    if isinstance(value, int) and not isinstance(value, bool):
        # the number is a default_ip literal first (upstream's rule): out of its range it needs a typed literal
        ip = ctx.default_ip
        if not ip.min <= value <= ip.max:
            raise QuadrantsTypeError(
                f"Integer literal {value} exceeded the range of default_ip: {ip}, please specify the dtype via e.g. "
                f"`qd.u64({value})` or set a different `default_ip` in `qd.init()`.",
                ctx.loc(node),
            )
    return tr.cast(ctx, value, tr_dtype(ctx, args[1], node), node)


def _bit_cast(ctx, node, args, kwargs):
    if "dtype" in kwargs:
        args.append(kwargs["dtype"])
    _arity(ctx, node, "qd.bit_cast", args, 2)
    x = tr.to_expr(ctx, args[0], node)
    target = tr_dtype(ctx, args[1], node)
    if x.dtype.bits != target.bits:
        raise QuadrantsTypeError(
            f"qd.bit_cast needs types of the same width: {x.dtype} ({x.dtype.bits} bits) to {target} "
            f"({target.bits} bits)",
            ctx.loc(node),
        )
    return ir.OpExpr(Op.BITCAST, (x,), target)


def _select(ctx, node, args, kwargs):
    _arity(ctx, node, "qd.select", args, 3)
    if _all_static(args):
        return args[1] if args[0] else args[2]
    cond = tr.check_condition(ctx, args[0], node, "qd.select condition")
    a, b = tr.to_expr(ctx, args[1], node), tr.to_expr(ctx, args[2], node)
    common = promote(a.dtype, b.dtype)
    return ir.OpExpr(Op.SELECT, (cond, tr.cast(ctx, a, common), tr.cast(ctx, b, common)), common)


# ------------------------------------------------------------------------------------------- compile-time


def _static(ctx, node):
    ctx.static_depth += 1
    try:
        args, _ = _args(ctx, node)
    finally:
        ctx.static_depth -= 1
    # fields and ndarray arguments are global objects, compile-time like upstream's (`qd.static((a, b)[k])` picks one)
    for value in args:
        if is_runtime(value):
            raise QuadrantsCompilationError("Input to qd.static must be compile-time constants", ctx.loc(node))
    return args[0] if len(args) == 1 else tuple(args)


def _loop_config(ctx, node, args, kwargs):
    if args:
        raise QuadrantsSyntaxError("qd.loop_config() takes keyword arguments only", ctx.loc(node))
    ctx.pending_loop_config = kwargs
    return None


def _range_outside_for(ctx, node, args, kwargs):
    if not _all_static(args):  # upstream's class and words (Python's range() refuses its Expr), then why
        raise QuadrantsTypeError(
            "TypeError when calling `range`: 'Quadrants Expression' object cannot be interpreted as an integer. "
            "range() with run-time bounds is only allowed as a for-loop iterator",
            ctx.loc(node),
        )
    return _python_call(ctx, node, range, args, kwargs)


def _ndrange(ctx, node, args, kwargs):
    return _python_call(ctx, node, qi.ndrange, args, kwargs)


def _getattr(ctx, node, args, kwargs):
    from quadrants.frontend.structs import StructRef, member

    if len(args) in (2, 3) and isinstance(args[0], StructRef) and isinstance(args[1], str):
        return member(ctx, args[0], args[1], node)
    if _all_static(args):
        return _python_call(ctx, node, builtins.getattr, args, kwargs)
    raise QuadrantsTypeError("getattr() needs a compile-time object and attribute name", ctx.loc(node))


def _grouped(ctx, node, args, kwargs):
    _arity(ctx, node, "qd.grouped", args, 1)
    return qi.GroupedSpec(args[0])


# ------------------------------------------------------------------------------------------------- table


# how a row receives its arguments: RAW rows get the AST (they control evaluation), VALUES rows get evaluated
# arguments, ELEMENTWISE rows get evaluated arguments and are applied per component to vectors/matrices.
RAW, VALUES, ELEMENTWISE = "raw", "values", "elementwise"


@functools.cache
def call_table() -> dict[int, tuple[object, object, str]]:
    """``id(callable) -> (callable, lower, kind)``; the callable is kept alive and compared by identity."""
    from quadrants.frontend.atomics import ATOMIC_LOWERING
    from quadrants.frontend.math_api import KERNEL_FUNCTIONS

    rows: dict[object, tuple[object, str]] = {
        qi.static: (_static, RAW),
        qi.loop_config: (_loop_config, VALUES),
        qi.ndrange: (_ndrange, VALUES),
        qi.grouped: (_grouped, VALUES),
        qi.select: (_select, ELEMENTWISE),
        qi.cast: (_cast, ELEMENTWISE),
        qi.bit_cast: (_bit_cast, ELEMENTWISE),
        qi.raw_div: (_raw_division(Op.RAW_DIV, "raw_div"), ELEMENTWISE),
        qi.raw_mod: (_raw_division(Op.RAW_MOD, "raw_mod"), ELEMENTWISE),
        qi.bit_shr: (_bit_shr, ELEMENTWISE),
        qi.static_print: (lower_static_print, VALUES),
        qi.static_assert: (lower_static_assert, VALUES),
        builtins.print: (printing.lower_print, VALUES),
        builtins.int: (_int, ELEMENTWISE),
        builtins.float: (_float, ELEMENTWISE),
        builtins.bool: (_bool, ELEMENTWISE),
        builtins.abs: (_abs, ELEMENTWISE),
        builtins.max: (_minmax(Op.MAX, builtins.max), ELEMENTWISE),
        builtins.min: (_minmax(Op.MIN, builtins.min), ELEMENTWISE),
        builtins.pow: (_pow, ELEMENTWISE),
        builtins.range: (_range_outside_for, VALUES),
        builtins.getattr: (_getattr, VALUES),
    }
    m = qi.MATH_FUNCTIONS
    for name, op in (("sqrt", Op.SQRT), ("rsqrt", Op.RSQRT), ("exp", Op.EXP), ("log", Op.LOG)):
        rows[m[name]] = (_float_math(op, name, int_to_fp=True), ELEMENTWISE)
    trig = {
        "sin": Op.SIN,
        "cos": Op.COS,
        "tan": Op.TAN,
        "asin": Op.ASIN,
        "acos": Op.ACOS,
        "atan": Op.ATAN,
        "sinh": Op.SINH,
        "cosh": Op.COSH,
        "tanh": Op.TANH,
    }
    for name, op in trig.items():
        rows[m[name]] = (_float_math(op, name, int_to_fp=False), ELEMENTWISE)
    for name, op in (("floor", Op.FLOOR), ("ceil", Op.CEIL), ("round", Op.ROUND), ("trunc", Op.TRUNC)):
        rows[m[name]] = (_rounding(op, name), ELEMENTWISE)
    rows[m["atan2"]] = (_atan2, ELEMENTWISE)
    rows[m["abs"]] = rows[builtins.abs]
    rows[m["max"]] = rows[builtins.max]
    rows[m["min"]] = rows[builtins.min]
    rows[m["pow"]] = (_pow, ELEMENTWISE)
    for name, op in (("popcnt", Op.POPCNT), ("clz", Op.CLZ), ("ffs", Op.FFS)):
        rows[m[name]] = (_bit_count(op, name), ELEMENTWISE)
    for name, lower in ATOMIC_LOWERING.items():
        rows[qi.ATOMIC_FUNCTIONS[name]] = (lower, RAW)
    from quadrants.frontend.library_calls import library_rows

    rows.update(library_rows())  # qd.random, ... (frontend/library_calls.py)
    rows.update(operator_rows())  # operator.add(a, b), any(v), all(v) (frontend/operator_calls.py)
    for fn in KERNEL_FUNCTIONS.values():  # qd.math.clamp, qd.math.dot, ... (frontend/math_api.py)
        rows[fn] = (fn.lower_call, VALUES)
    return {id(k): (k, lower, kind) for k, (lower, kind) in rows.items()}


def _apply(ctx, node, lower, kind, args, kwargs):
    if kind == ELEMENTWISE and any(isinstance(a, MatrixValue) for a in args):
        return elementwise(lambda *parts: lower(ctx, node, list(parts), kwargs), *args)
    return lower(ctx, node, args, kwargs)


def _unbound_method(ctx, node, fn):
    """``qd.Matrix.dot(a, b)`` in kernel code is ``a.dot(b)``; with a host first argument it runs in Python."""
    args, kwargs = _args(ctx, node)
    if args and isinstance(args[0], MatrixValue):
        from quadrants.frontend.matrix_methods import METHODS

        return METHODS[fn._qd_method](ctx, node, args[0], args[1:], kwargs)
    return _python_call(ctx, node, fn, args, kwargs)


def call(ctx, node: ast.Call):
    """Lower one call expression."""
    fn = evaluate(ctx, node.func)
    row = call_table().get(id(fn))
    if row is not None and row[0] is fn:
        _, lower, kind = row
        if kind == RAW:
            return lower(ctx, node)
        args, kwargs = _args(ctx, node)
        return _apply(ctx, node, lower, kind, args, kwargs)
    from quadrants.frontend.structs import BoundFunc

    if isinstance(fn, BoundFunc):
        from quadrants.frontend.funcs import inline

        args, kwargs = _args(ctx, node)
        return inline(ctx, fn.func, node, [fn.target, *args], kwargs)
    if isinstance(fn, BoundMethod):
        args, kwargs = _args(ctx, node)
        return fn.lower(ctx, node, fn.target, args, kwargs)
    if isinstance(fn, DataType):
        return _call_dtype(ctx, node, fn)
    if isinstance(fn, MatrixType):
        args, kwargs = _args(ctx, node)
        return construct_typed(ctx, node, fn, args)
    if isinstance(fn, StructType):  # MyStruct(a, b=...)
        args, kwargs = _args(ctx, node)
        return struct_values.construct_typed(ctx, node, fn, args, kwargs)
    if fn is Struct:  # qd.Struct({...}) / qd.Struct(a=...)
        args, kwargs = _args(ctx, node)
        return struct_values.construct_untyped(ctx, node, args, kwargs)
    if getattr(fn, "_qd_method", None) is not None:  # qd.Vector.cross(a, b): a host class's method called unbound
        return _unbound_method(ctx, node, fn)
    if getattr(fn, "_qd_constructor", None) is not None:  # the hook of objects defined above the frontend
        args, kwargs = _args(ctx, node)
        return fn._qd_constructor(ctx, node, args, kwargs)
    from quadrants.frontend.funcdef import Func

    if isinstance(fn, Func):
        from quadrants.frontend.funcs import inline

        args, kwargs = _args(ctx, node)
        return inline(ctx, fn, node, args, kwargs)
    return _host_call(ctx, node, fn)


def _host_call(ctx, node, fn):
    """A call of a Python callable that is no kernel-language construct: ``"{}".format(x)`` builds printable text;
    anything else runs at compile time on compile-time arguments."""
    if printing.is_str_format(fn):  # "{} {:.2f}".format(a, b): text with run-time fields for print
        args, kwargs = _args(ctx, node)
        return printing.str_format(ctx, node, fn, args, kwargs)
    if getattr(fn, "_is_quadrants_kernel", False):
        raise QuadrantsSyntaxError("Kernels cannot call other kernels; make the callee a @qd.func", ctx.loc(node))
    if is_runtime(fn) or not callable(fn):
        raise QuadrantsTypeError(f"{fn!r} is not callable", ctx.loc(node))
    args, kwargs = _args(ctx, node)
    if not _all_static(list(args) + list(kwargs.values())) or any(isinstance(a, NdarrayValue) for a in args):
        name = getattr(fn, "__name__", repr(fn))
        raise QuadrantsSyntaxError(
            f"cannot call the Python function '{name}' with run-time arguments in kernel code; "
            "decorate it with @qd.func",
            ctx.loc(node),
        )
    return _python_call(ctx, node, fn, args, kwargs)
