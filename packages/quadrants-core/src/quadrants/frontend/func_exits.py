"""``return`` inside run-time control flow of a ``@qd.real_func`` (docs/misc-functions.md, "Function kinds").

Upstream compiles a real func as a real call, so a ``return`` may sit anywhere: in a run-time ``if``, in a ``for`` or
a ``while``, several loops deep. Here the func is inlined, and the IR has no "leave the function" statement, so such a
func is lowered as

* its return value lives in locals declared before the body (zero-initialised, of the return annotation's types),
  with an i32 ``returned`` flag;
* the body is wrapped in a one-trip loop (the *return scope*);
* ``return v`` stores ``v`` into those locals, sets the flag and emits a ``Break``; after every run-time loop of the
  func whose body holds such a return, ``if returned: break`` carries the exit out one more loop, so the chain ends
  by leaving the return scope.

A func that reaches its end without a ``return`` returns the zero-initialised value (upstream returns 0 too). Plain
``@qd.func`` calls keep upstream's rule (a ``return`` only at the function level: ``QuadrantsSyntaxError``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from quadrants.errors import QuadrantsTypeError
from quadrants.frontend import struct_values, typing_rules as tr
from quadrants.frontend.compound_types import MatrixType
from quadrants.frontend.matrix import MatrixValue
from quadrants.frontend.struct_types import StructType, leaf_paths
from quadrants.ir import dtypes, nodes as ir

__all__ = [
    "ReturnScope",
    "needs_return_scope",
    "open_scope",
    "close_scope",
    "lower_return",
    "after_loop",
    "returns_so_far",
    "zero_value",
]


@dataclass
class ReturnScope:
    """The return locals and flag of one inlined real-func call, and how many returns were lowered into it."""

    value: object  # None, a LocalRef, a MatrixValue of LocalRefs, a StructValue of locals, or a tuple of those
    flag: ir.Var
    returns: int = 0


_COMPOUND = (ast.If, ast.For, ast.While, ast.With, ast.Try)


def needs_return_scope(func, tree: ast.FunctionDef) -> bool:
    """Whether ``func`` is a real func with a ``return`` nested in a compound statement (an ``if``, a loop)."""
    if not getattr(func, "is_real", False):
        return False

    def nested_return(stmts, inside: bool) -> bool:
        for stmt in stmts:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            if isinstance(stmt, ast.Return) and inside:
                return True
            if isinstance(stmt, _COMPOUND):
                for body in (getattr(stmt, name, ()) for name in ("body", "orelse", "finalbody")):
                    if nested_return(body, True):
                        return True
        return False

    return nested_return(tree.body, False)


def _zero_storage(ctx, rtype, node):
    """Fresh zero-initialised locals for one value of return type ``rtype``."""
    if isinstance(rtype, StructType):
        leaves = {path: ir.Const(0, dtype) for path, dtype in leaf_paths(rtype)}
        return struct_values.declare_copy(ctx, "ret", struct_values.assemble(rtype, leaves), node)
    if isinstance(rtype, MatrixType):
        size = 1
        for s in rtype.shape:
            size *= s
        refs = tuple(ir.LocalRef(ctx.declare(f"ret_{k}", ir.Const(0, rtype.dtype), node)) for k in range(size))
        return MatrixValue(refs, tuple(rtype.shape))
    return ir.LocalRef(ctx.declare("ret", ir.Const(0, rtype), node))


def zero_value(ctx, func, node):
    """Zero-initialised locals holding one value of ``func``'s return annotation (``None`` without one): the return
    locals of a return scope, and what a real func that reaches no ``return`` gives (upstream: zeros)."""
    from quadrants.frontend.returns import parse_returns

    if func.return_annotation is None:
        return None
    layout = parse_returns(func.return_annotation, ctx)
    values = tuple(_zero_storage(ctx, t, node) for t in layout)
    return values if len(layout) != 1 or _is_tuple_annotation(func) else values[0]


def open_scope(ctx, func, node) -> ReturnScope:
    """Declare the return locals (from the return annotation) and the flag in the caller's block."""
    value = zero_value(ctx, func, node)
    flag = ctx.declare("returned", ir.Const(0, dtypes.i32), node)
    return ReturnScope(value, flag)


def _is_tuple_annotation(func) -> bool:
    import typing

    anno = func.return_annotation
    return typing.get_origin(anno) is tuple or isinstance(anno, tuple)


def close_scope(ctx, body: list, node) -> None:
    """Emit the lowered body inside the one-trip return scope."""
    once = ctx.new_var("return_scope", dtypes.i32)
    ctx.emit(ir.RangeFor(once, ir.Const(0, dtypes.i32), ir.Const(1, dtypes.i32), tuple(body), ctx.loc(node)))


def _store(ctx, target, value, node) -> None:
    if isinstance(target, tuple):
        if not isinstance(value, tuple) or len(value) != len(target):
            raise QuadrantsTypeError(
                f"this return gives {len(value) if isinstance(value, tuple) else 1} value(s) but the function's "
                f"return annotation has {len(target)}",
                ctx.loc(node),
            )
        for t, v in zip(target, value):
            _store(ctx, t, v, node)
        return
    if isinstance(target, struct_values.StructValue):
        if not struct_values.is_struct(value):
            raise QuadrantsTypeError(
                "the function's return annotation is a struct: return a struct here", ctx.loc(node)
            )
        struct_values.assign_struct(ctx, target, value, node)
        return
    if isinstance(target, MatrixValue):
        if not isinstance(value, MatrixValue) or value.shape != target.shape:
            raise QuadrantsTypeError(
                f"the function's return annotation is a vector/matrix of shape {target.shape}: return one here",
                ctx.loc(node),
            )
        items = [ctx.temp(v, node) for v in value.items]  # every component read before the first write
        for ref, v in zip(target.items, items):
            ctx.emit(ir.Assign(ref.var, tr.implicit(ctx, v, ref.var.dtype, node), ctx.loc(node)))
        return
    if isinstance(value, (MatrixValue, tuple)) or struct_values.is_struct(value):
        raise QuadrantsTypeError(
            f"the function's return annotation is {target.var.dtype}: return a scalar here", ctx.loc(node)
        )
    ctx.emit(ir.Assign(target.var, tr.implicit(ctx, value, target.var.dtype, node), ctx.loc(node)))


def lower_return(ctx, scope: ReturnScope, value, node: ast.Return) -> None:
    """``return value`` inside the return scope: store, raise the flag, leave the innermost loop."""
    if scope.value is None and value is not None:
        raise QuadrantsTypeError("this function has no return annotation and cannot return a value", ctx.loc(node))
    if scope.value is not None:
        if value is None:
            raise QuadrantsTypeError("this function must return a value (it has a return annotation)", ctx.loc(node))
        _store(ctx, scope.value, value, node)
    ctx.emit(ir.Assign(scope.flag, ir.Const(1, dtypes.i32), ctx.loc(node)))
    ctx.emit(ir.Break(ctx.loc(node)))
    scope.returns += 1


def after_loop(ctx, returns_before: int, node) -> None:
    """After a run-time loop of a func with a return scope: leave the enclosing loop too once the func returned."""
    scope = getattr(ctx.frame, "return_scope", None)
    if scope is None or scope.returns == returns_before:
        return
    ctx.emit(ir.If(ir.LocalRef(scope.flag), (ir.Break(ctx.loc(node)),), (), ctx.loc(node)))


def returns_so_far(ctx) -> int:
    """How many returns the current func's return scope holds (0 without one): :func:`after_loop`'s baseline."""
    scope = getattr(ctx.frame, "return_scope", None)
    return 0 if scope is None else scope.returns
