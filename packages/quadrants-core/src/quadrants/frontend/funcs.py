"""Inlining ``@qd.func`` calls (SEMANTICS.md §7).

Arguments are bound with :func:`inspect.Signature.bind` (defaults and keywords work as in Python). Parameters
annotated with a primitive type are converted and copied; ``qd.template()`` and ndarray parameters are passed by
reference; unannotated run-time scalars are copied, so assigning to a parameter never changes the caller.
"""

from __future__ import annotations

import ast
import inspect
import re

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import struct_values, typing_rules as tr
from quadrants.frontend.annotations import NdarrayType, ScalarType, TemplateType, parse_annotation
from quadrants.frontend.context import Frame
from quadrants.frontend.matrix import MatrixValue
from quadrants.frontend.values import LocalBinding, NdarrayValue, is_runtime

__all__ = ["inline"]


# inspect.Signature.bind's TypeError text -> upstream's wording of the same call error
_CALL_ERRORS = (
    (re.compile(r"too many positional arguments"), lambda m: "Too many arguments"),
    (re.compile(r"missing a required argument: '(\w+)'"), lambda m: f"Missing argument '{m.group(1)}'"),
    (re.compile(r"got an unexpected keyword argument '(\w+)'"), lambda m: f"Unexpected argument '{m.group(1)}'"),
    (re.compile(r"multiple values for argument '(\w+)'"), lambda m: f"Multiple values for argument '{m.group(1)}'"),
)


def call_error_text(exc: TypeError) -> str:
    """Upstream's message for a call whose arguments do not bind (``Missing argument 'b'``, …)."""
    for pattern, text in _CALL_ERRORS:
        match = pattern.search(str(exc))
        if match:
            return text(match)
    return str(exc)


def inline(ctx, func, node: ast.Call, args: list, kwargs: dict):
    """Lower the body of ``func`` at the call site and return its return value (``None`` without one)."""
    if any(f is func for f in ctx.func_stack):
        raise QuadrantsSyntaxError(
            f"Recursive @qd.func call of '{func.__name__}' is not supported; rewrite it as a loop", ctx.loc(node)
        )
    if func.requires_top_level and not ctx.top_level:
        raise QuadrantsSyntaxError(
            f"@qd.func '{func.__name__}' has requires_top_level=True and must be called at the kernel top level "
            "(or in a qd.static loop or directly in a qd.graph.do_while body)",
            ctx.loc(node),
        )
    try:
        bound = func.resolved_signature().bind(*args, **kwargs)
    except TypeError as exc:
        raise QuadrantsSyntaxError(
            f"{call_error_text(exc)} in call to @qd.func '{func.__name__}'", ctx.loc(node)
        ) from None
    bound.apply_defaults()
    parsed = func.parsed()
    frame = Frame.of(func, is_kernel=False)
    visit_block = ctx.lower.visit_block

    call_loc_frame = ctx.frame
    if all(f is not func for f in ctx.reached_funcs):
        ctx.reached_funcs.append(func)
    ctx.func_stack.append(func)
    ctx.frames.append(frame)
    # a func body has its own return rules and no enclosing loop (Python scoping)
    saved = ctx.runtime_depth, ctx.loops
    ctx.runtime_depth, ctx.loops = 0, []
    try:
        with ctx.scope(function_boundary=True):
            for name, value in bound.arguments.items():
                _bind_param(ctx, func, name, value, node, call_loc_frame)
            visit_block(ctx, parsed.tree.body)
    finally:
        ctx.runtime_depth, ctx.loops = saved
        ctx.frames.pop()
        ctx.func_stack.pop()
    if func.return_annotation is not None and not frame.returned:
        raise QuadrantsSyntaxError("Function has a return type but does not have a return statement", ctx.loc(node))
    return frame.return_value


def _bind_param(ctx, func, name: str, value, node: ast.Call, call_frame) -> None:
    param = func.resolved_signature().parameters[name]
    if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
        ctx.bind(name, value)
        return
    anno = param.annotation
    spec = None if anno is inspect.Parameter.empty else parse_annotation(anno, ctx.default_ip, ctx.default_fp)
    if isinstance(spec, ScalarType):
        saved = ctx.frames.pop()  # conversion warnings point at the call site
        ctx.frames.append(call_frame)
        try:
            converted = tr.implicit(ctx, value, spec.dtype, node, "Assign")
        finally:
            ctx.frames.pop()
            ctx.frames.append(saved)
        ctx.bind(name, LocalBinding(ctx.declare(name, converted)))
        return
    if isinstance(spec, NdarrayType) and not isinstance(value, NdarrayValue):
        raise QuadrantsTypeError(
            f"@qd.func '{func.__name__}' parameter '{name}' expects an ndarray, got {type(value).__name__}",
            ctx.loc(node),
        )
    if struct_values.is_struct(value):
        # structs are copied unless the parameter is qd.template() or the struct is a method's ``self``
        if isinstance(spec, TemplateType) or getattr(value, "by_ref", False):
            ctx.bind(name, struct_values.by_value_binding(value))
        else:
            struct_values.check_struct_param(ctx, func.__name__, name, anno, value, node)
            ctx.bind(name, struct_values.declare_copy(ctx, name, value, node))
        return
    if isinstance(value, MatrixValue) and not isinstance(spec, TemplateType):
        assign_name = ctx.lower.assign_name

        assign_name(ctx, name, value, node)  # unannotated vectors/matrices are copied too (§7)
        return
    if isinstance(spec, (NdarrayType, TemplateType)) or not (is_runtime(value) or _is_number(value)):
        ctx.bind(name, value)  # by reference / compile-time object
        return
    # unannotated scalar (numbers included, like upstream): a private run-time copy
    ctx.bind(name, LocalBinding(ctx.declare(name, tr.to_expr(ctx, value, node))))


def _is_number(value) -> bool:
    return isinstance(value, (bool, int, float))
