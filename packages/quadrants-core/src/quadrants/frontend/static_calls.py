"""Lowering of the compile-time intrinsics ``qd.static_print`` and ``qd.static_assert`` (rows of the call table in
``frontend/calls.py``). Both act while the kernel is compiled and emit no IR."""

from __future__ import annotations

from quadrants.errors import QuadrantsCompilationError, QuadrantsTypeError
from quadrants.frontend.values import MatrixValue, is_runtime

__all__ = ["lower_static_print", "lower_static_assert"]

RUNTIME_TEXT = "<qd.Expr>"  # what upstream prints for a run-time value


def lower_static_print(ctx, node, args, kwargs):
    """``qd.static_print(*args, sep=..., end=...)``: Python's print at compile time."""
    shown = [RUNTIME_TEXT if is_runtime(v) or isinstance(v, MatrixValue) else v for v in args]
    options = {k: v for k, v in kwargs.items() if k in ("sep", "end", "flush")}
    print(*shown, **options)
    return None


def lower_static_assert(ctx, node, args, kwargs):
    """``qd.static_assert(cond, msg=None)``: fails the compilation when the compile-time ``cond`` is false."""
    if not 1 <= len(args) + len(kwargs) <= 2:
        raise QuadrantsTypeError("qd.static_assert(cond, msg=None) takes one or two arguments", ctx.loc(node))
    cond = args[0] if args else kwargs.get("cond")
    msg = args[1] if len(args) > 1 else kwargs.get("msg")
    if is_runtime(cond) or isinstance(cond, MatrixValue):
        raise QuadrantsTypeError("Static assert with non-static condition", ctx.loc(node))
    if not cond:
        raise QuadrantsCompilationError(
            f"static assertion failed: {msg}" if msg is not None else "static assertion failed", ctx.loc(node)
        )
    return None
