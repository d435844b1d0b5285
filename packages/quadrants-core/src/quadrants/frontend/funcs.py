"""Inlining ``@qd.func`` calls (docs/semantics.md §7), recursive ones included while they end at compile time.

Arguments are bound with :func:`inspect.Signature.bind` (defaults and keywords work as in Python). Parameters
annotated with a primitive type are converted and copied; ``qd.template()`` and ndarray parameters are passed by
reference; unannotated run-time scalars are copied, so assigning to a parameter never changes the caller.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import re

from quadrants.errors import QuadrantsCompilationError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import func_exits, real_calls, struct_values, typing_rules as tr
from quadrants.frontend.annotations import NdarrayType, RefType, ScalarType, TemplateType, parse_annotation
from quadrants.frontend.compound_types import MatrixType
from quadrants.frontend.context import Frame
from quadrants.frontend.matrix import MatrixValue
from quadrants.frontend.values import LocalBinding, MatrixBinding, NdarrayValue, is_runtime
from quadrants.ir import nodes as ir
from quadrants.ir.dtypes import DataType

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


MAX_INLINE_DEPTH = 512  # nested @qd.func calls being inlined at once (docs/semantics.md §7)


def _param_key(ctx, func, name: str, value):
    """A real func argument's part of the call's compile-time identity: a parameter annotated with a scalar type takes
    any number or run-time value as a run-time local of that type, so only the type counts (``sum(100)`` and the
    recursive ``sum(n - 1)`` are one specialization); so do a vector/matrix parameter (its shape and element type)
    and a typed struct (its type); others as :func:`_static_key`."""
    anno = func.resolved_signature().parameters[name].annotation
    if anno is not inspect.Parameter.empty and (is_runtime(value) or _is_number(value)):
        spec = parse_annotation(anno, ctx.default_ip, ctx.default_fp)
        if isinstance(spec, ScalarType):
            return ("run-time", spec.dtype)
    if isinstance(anno, MatrixType) and isinstance(value, MatrixValue):  # components converted to the annotation's
        return ("matrix", value.shape, anno.resolved(ctx.default_fp, ctx.default_ip).dtype)
    if struct_values.is_struct(value) and getattr(value, "stype", None) is not None:  # copied leaf by leaf
        return ("struct", id(value.stype))
    return _static_key(value)


def _static_key(value):
    """What a call argument contributes to the compile-time identity of a call: run-time values only their type
    (the body cannot branch on them at compile time), compile-time values themselves."""
    if is_runtime(value):
        return ("run-time", value.dtype)
    if isinstance(value, MatrixValue):
        return ("matrix", value.shape, tuple(_static_key(v) for v in value.items))
    if isinstance(value, NdarrayValue):
        return ("ndarray", value.arg)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_static_key(v) for v in value))
    if value is None or isinstance(value, (bool, int, float, str)):
        return (type(value).__name__, value)
    try:
        hash(value)
    except TypeError:
        return ("object", id(value))
    return ("value", type(value), value)


def _check_recursion(ctx, func, key, node: ast.Call) -> None:
    """Compile-time recursion is inlined while each call changes a compile-time argument (``fib(n - 1)`` under
    ``if qd.static(n > 1)``); a call that repeats one already being inlined, or nesting past
    :data:`MAX_INLINE_DEPTH`, could never end."""
    if any(f is func and k == key for f, k in ctx.func_stack):
        raise QuadrantsSyntaxError(
            f"Recursive @qd.func call of '{func.__name__}' with the same compile-time arguments as a call that is "
            "already being inlined: it would never end. A recursive func must change a qd.template() argument "
            "that a qd.static() condition tests (fib(n - 1) under `if qd.static(n > 1):`), or be rewritten as a loop",
            ctx.loc(node),
        )
    if len(ctx.func_stack) >= MAX_INLINE_DEPTH:
        raise QuadrantsSyntaxError(
            f"Recursive @qd.func call of '{func.__name__}' nests more than {MAX_INLINE_DEPTH} inlined calls; make "
            "the recursion end at compile time (a qd.static() condition on a qd.template() argument) or use a loop",
            ctx.loc(node),
        )


def inline(ctx, func, node: ast.Call, args: list, kwargs: dict):
    """Lower the body of ``func`` at the call site and return its return value (``None`` without one)."""
    _check_starred_last(ctx, node)
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
    is_real = getattr(func, "is_real", False)
    key = tuple(
        (name, _param_key(ctx, func, name, value) if is_real else _static_key(value))
        for name, value in bound.arguments.items()
    )
    if is_real:
        made = real_calls.lookup(ctx, func, key)
        if made is not None:  # a specialization lowered as a function (it recursed): a real call
            return real_calls.emit_call(ctx, made, func, bound, node)
        if real_calls.is_active(ctx, func, key):  # it recurses: unwind to where it began, which makes it a function
            raise real_calls.Recursion(func, key)
    _check_recursion(ctx, func, key, node)
    if not is_real:
        return _inline_body(ctx, func, key, bound, node)
    block, mark, task_state = ctx.blocks[-1], len(ctx.blocks[-1]), dict(ctx.task_state)
    try:
        return _inline_body(ctx, func, key, bound, node)
    except real_calls.Recursion as signal:
        if not signal.matches(func, key):
            raise
    # drop the partly inlined body (the call's arguments were evaluated before ``mark``) and what it cached
    del block[mark:]
    ctx.task_state.clear()
    ctx.task_state.update(task_state)
    made = real_calls.define(ctx, func, key, bound, node)
    return real_calls.emit_call(ctx, made, func, bound, node)


def _inline_body(ctx, func, key, bound, node: ast.Call):
    """Lower the body of ``func`` at the call site (the inlining proper)."""
    parsed = func.parsed()
    frame = Frame.of(func, is_kernel=False)
    visit_block = ctx.lower.visit_block

    call_loc_frame = ctx.frame
    call_site = ctx.loc(node)
    if all(f is not func for f in ctx.reached_funcs):
        ctx.reached_funcs.append(func)
    ctx.func_stack.append((func, key))
    ctx.frames.append(frame)
    # a func body has its own return rules and no enclosing loop (Python scoping)
    saved = ctx.runtime_depth, ctx.loops
    ctx.runtime_depth, ctx.loops = 0, []
    # a real func runs in its caller's thread, as upstream's real call: its loops are serial wherever it is called
    nested = ctx.nested() if getattr(func, "is_real", False) else contextlib.nullcontext()
    try:
        with nested, ctx.scope(function_boundary=True):
            for name, value in bound.arguments.items():
                _bind_param(ctx, func, name, value, node, call_loc_frame)
            if func_exits.needs_return_scope(func, parsed.tree):
                _lower_in_return_scope(ctx, func, frame, parsed.tree.body, node)
            else:
                visit_block(ctx, parsed.tree.body)
    except QuadrantsCompilationError as exc:  # the message shows the chain of calls, as a traceback does
        exc.add_call_site(call_site)
        raise
    finally:
        ctx.runtime_depth, ctx.loops = saved
        ctx.frames.pop()
        ctx.func_stack.pop()
    if func.return_annotation is not None and not frame.returned and getattr(func, "is_real", False):
        return func_exits.zero_value(ctx, func, node)  # upstream's real call returns zeros when no return runs
    if func.return_annotation is not None and not frame.returned:
        raise QuadrantsSyntaxError("Function has a return type but does not have a return statement", ctx.loc(node))
    return frame.return_value


def _lower_in_return_scope(ctx, func, frame: Frame, body: list, node: ast.Call) -> None:
    """A real func with returns in run-time control flow: its body inside a one-trip loop that each return leaves
    (frontend/func_exits.py); the value is what the return locals hold afterwards."""
    scope = func_exits.open_scope(ctx, func, node)
    frame.return_scope = scope
    with ctx.block() as stmts, ctx.scope():
        ctx.lower.visit_block(ctx, body)
    func_exits.close_scope(ctx, stmts, node)
    frame.return_value = scope.value
    frame.returned = True  # a path that ends without a return gives the zero-initialised value, as upstream


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
    if isinstance(spec, NdarrayType) and getattr(value, "_is_quadrants_ndarray", False):
        raise QuadrantsTypeError(  # upstream's fragment: only kernel parameters are ndarrays in kernel code
            f"Expected ndarray in the kernel argument for argument {name}: an ndarray captured from Python scope "
            f"cannot be passed to @qd.func '{func.__name__}'; make it a kernel parameter",
            ctx.loc(node),
        )
    if isinstance(spec, NdarrayType) and not isinstance(value, NdarrayValue):
        raise QuadrantsTypeError(
            f"@qd.func '{func.__name__}' parameter '{name}' expects an ndarray, got {type(value).__name__}",
            ctx.loc(node),
        )
    if isinstance(spec, NdarrayType):
        _check_ndarray_param(ctx, name, spec, value, node)
    if isinstance(anno, MatrixType) and isinstance(value, MatrixValue):
        _check_matrix_param(ctx, name, anno, value, node)
    if struct_values.is_struct(value):
        # structs are copied unless the parameter is qd.template() or the struct is a method's ``self``
        if isinstance(spec, TemplateType) or getattr(value, "by_ref", False):
            ctx.bind(name, struct_values.by_value_binding(value))
        else:
            struct_values.check_struct_param(ctx, func.__name__, name, anno, value, node)
            ctx.bind(name, struct_values.declare_copy(ctx, name, value, node))
        return
    if isinstance(spec, TemplateType) and _by_reference(ctx, name, value):
        return
    if isinstance(anno, RefType) and getattr(func, "is_real", False):
        _bind_ref_param(ctx, func, name, value, node)
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


def _bind_ref_param(ctx, func, name: str, value, node: ast.Call) -> None:
    """A ``qd.types.ref(dtype)`` parameter of a real func is the caller's local itself, as upstream's real call
    passes its address: ``a = 7`` or ``a += a`` in the func changes the caller's variable. (An inlined plain
    ``@qd.func`` copies such a parameter, as upstream does.)"""
    if not (_names_a_caller_local(ctx, value) and _by_reference(ctx, name, value)):
        raise QuadrantsSyntaxError(  # upstream's compiler aborts on a field element here
            f"the qd.types.ref parameter '{name}' of @qd.real_func '{func.__name__}' takes a local variable of the "
            "caller; copy the value into a local first and write it back after the call",
            ctx.loc(node),
        )


def _names_a_caller_local(ctx, value) -> bool:
    """Whether ``value`` is a variable the caller named (not the temporary of a load or an expression)."""
    if not isinstance(value, ir.LocalRef):
        return False
    for scope in reversed(ctx.scopes[:-1]):  # the last scope is the callee's, being filled
        for binding in scope.names.values():
            if isinstance(binding, LocalBinding) and binding.var == value.var:
                return True
        if scope.function_boundary:
            break
    return False


def _check_starred_last(ctx, node) -> None:
    """As upstream: in a call of a @qd.func, ``*args`` may only be the last argument, with no keywords."""
    if not isinstance(node, ast.Call):
        return
    for k, arg in enumerate(node.args):
        if isinstance(arg, ast.Starred) and (k != len(node.args) - 1 or node.keywords):
            raise QuadrantsSyntaxError(
                "* args can only be present as the last argument of a function (error code: STARNOTLAST).",
                ctx.loc(node),
            )


def _check_matrix_param(ctx, name: str, anno: MatrixType, value: MatrixValue, node) -> None:
    """A vector/matrix parameter takes a value of its shape (upstream's messages)."""
    what = f"Argument {name} of type {anno} is expected to be a Matrix with"
    if len(value.shape) != len(anno.shape):
        raise QuadrantsSyntaxError(f"{what} ndim {len(anno.shape)}, but got {len(value.shape)}.", ctx.loc(node))
    for axis, letter in enumerate("nm"[: len(anno.shape)]):
        if value.shape[axis] != anno.shape[axis]:
            raise QuadrantsSyntaxError(
                f"{what} {letter} {anno.shape[axis]}, but got {value.shape[axis]}.", ctx.loc(node)
            )


def _check_ndarray_param(ctx, name: str, spec: NdarrayType, value: NdarrayValue, node) -> None:
    """An ndarray parameter with a dtype or ndim takes only ndarrays of that element type and ndim."""
    problem = None
    if spec.ndim is not None and spec.ndim != value.ndim:
        problem = f"expected ndim {spec.ndim}, got {value.ndim}"
    elif isinstance(spec.dtype, MatrixType) and spec.dtype.is_wildcard:
        elem = MatrixType(tuple(value.element_shape), value.dtype)
        if not value.element_shape or not spec.dtype.matches(elem):
            problem = f"expected elements of type {spec.dtype}, got {elem if value.element_shape else value.dtype}"
    elif isinstance(spec.dtype, MatrixType):
        want = spec.dtype.resolved(ctx.default_fp, ctx.default_ip)
        if tuple(want.shape) != tuple(value.element_shape) or want.dtype != value.dtype:
            got = f"{value.dtype} elements of shape {value.element_shape}" if value.element_shape else str(value.dtype)
            problem = f"expected elements of type {want}, got {got}"
    elif isinstance(spec.dtype, DataType) and (value.element_shape or spec.dtype != value.dtype):
        shape = f" elements of shape {value.element_shape}" if value.element_shape else ""
        problem = f"expected {spec.dtype} elements, got {value.dtype}{shape}"
    if problem is not None:
        raise QuadrantsCompilationError(f"Invalid value for argument {name}: {problem}", ctx.loc(node))


def _by_reference(ctx, name: str, value) -> bool:
    """A local scalar or vector/matrix passed to a ``qd.template()`` parameter is the caller's variable itself, as
    upstream: ``ret += x`` in the func updates it (Genesis accumulates neighbour sums this way). Returns whether
    ``name`` was bound so."""
    if isinstance(value, ir.LocalRef):
        ctx.bind(name, LocalBinding(value.var))
        return True
    if isinstance(value, MatrixValue) and value.items and all(isinstance(v, ir.LocalRef) for v in value.items):
        variables = tuple(v.var for v in value.items)
        if len(set(variables)) == len(variables):
            ctx.bind(name, MatrixBinding(variables, value.shape))
            return True
    return False


def _is_number(value) -> bool:
    return isinstance(value, (bool, int, float))
