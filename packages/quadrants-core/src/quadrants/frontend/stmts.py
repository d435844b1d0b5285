"""Statement handlers: a dispatch table from ``ast`` statement type to ``handler(ctx, node)``.

Loops live in :mod:`quadrants.frontend.loops`; constructs we reject are rows in
:mod:`quadrants.frontend.unsupported`.
"""

from __future__ import annotations

import ast
import contextlib

from quadrants.errors import QuadrantsCompilationError, QuadrantsNameError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import struct_values, tile_slices, tiles, typing_rules as tr
from quadrants.frontend.atomics import atomic_update
from quadrants.frontend.component_stores import store_at, store_component
from quadrants.frontend.exprs import element_indices, evaluate, index_values
from quadrants.frontend.item_updates import lower_item_update
from quadrants.frontend.matrix import MatrixValue, coerce_operand
from quadrants.frontend.matrix_slices import has_slice, store_slice
from quadrants.frontend.matrix_stores import as_components, assign_swizzle, aug_assign_swizzle
from quadrants.frontend.struct_targets import member_target
from quadrants.frontend.unsupported import immutable_argument
from quadrants.frontend.values import (
    ArgBinding,
    IndexVector,
    LocalBinding,
    MatrixBinding,
    NdarrayValue,
    is_runtime,
)
from quadrants.ir import nodes as ir

__all__ = ["visit_block", "visit", "STMT_HANDLERS", "assign_name"]


def visit_block(ctx, body: list[ast.stmt]) -> None:
    """Lower statements in order; stop after a ``return`` of the current function or a ``break``/``continue`` of
    a ``qd.static`` loop."""
    for stmt in body:
        if ctx.frame.returned or (ctx.loops and ctx.loops[-1].static_exit):  # a return, or a compile-time break
            break
        visit(ctx, stmt)
        if isinstance(stmt, ast.Return):  # a run-time return of a real func: the rest of the block never runs
            break


def visit(ctx, node: ast.stmt) -> None:
    handler = STMT_HANDLERS.get(type(node))
    if handler is None:
        from quadrants.frontend.unsupported import unsupported

        raise unsupported(ctx, node)
    if ctx.top_level and len(ctx.blocks) == 1 and ctx.serial_loc is None:
        ctx.serial_loc = ctx.loc(node)
    handler(ctx, node)


# ---------------------------------------------------------------------------------------------- assignment


def _is_static_call(ctx, node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    try:
        from quadrants.frontend.intrinsics import static

        return evaluate_quiet(ctx, node.func) is static
    except Exception:
        return False


def evaluate_quiet(ctx, node: ast.AST):
    """Evaluate a name/attribute chain without emitting IR (used to recognise intrinsics)."""
    if isinstance(node, ast.Name):
        return ctx.lookup(node.id, node)
    if isinstance(node, ast.Attribute):
        return getattr(evaluate_quiet(ctx, node.value), node.attr)
    raise LookupError


def _is_number(value) -> bool:
    return isinstance(value, (bool, int, float)) or is_runtime(value)


def assign_name(ctx, name: str, value, node: ast.AST, *, static: bool = False) -> None:
    """``name = value``: update an existing local (with §5 conversion) or declare a new one in this scope."""
    binding = ctx.lookup_local(name)
    if isinstance(binding, ArgBinding):
        raise immutable_argument(name, ctx.loc(node))
    if not static and (struct_values.is_struct(value) or isinstance(binding, struct_values.StructValue)):
        _assign_struct(ctx, name, binding, value, node)
        return
    if isinstance(binding, MatrixBinding) and not static and (isinstance(value, (list, tuple)) or _is_number(value)):
        # v = [3.0, 4.0] or v = 0.0 on a local vector: assigns (a scalar is broadcast), as upstream
        parts = as_components(ctx, value, binding.shape, binding.vars[0].dtype, node)
        value = MatrixValue(tuple(parts), binding.shape)
    if isinstance(value, MatrixValue) and not static:
        _assign_matrix(ctx, name, binding, value, node)
        return
    if isinstance(binding, MatrixBinding):
        raise QuadrantsTypeError(f"'{name}' is a vector/matrix and cannot be rebound to a scalar", ctx.loc(node))
    if isinstance(binding, LocalBinding):
        if binding.var.id in ctx.loop_var_ids:
            raise QuadrantsSyntaxError(
                f"cannot assign to the loop variable '{name}'; copy it into another local first", ctx.loc(node)
            )
        if static or not _is_number(value):
            raise QuadrantsTypeError(
                f"'{name}' holds a {binding.var.dtype} value and cannot be rebound to {type(value).__name__}",
                ctx.loc(node),
            )
        ctx.emit(ir.Assign(binding.var, tr.implicit(ctx, value, binding.var.dtype, node), ctx.loc(node)))
        return
    if static or not _is_number(value):
        from quadrants.frontend.structs import StructRef

        if isinstance(value, StructRef) and value.kind == "dataclass" and value.path:
            raise QuadrantsTypeError(
                f"cannot bind the struct member '{ast.unparse(node.value) if hasattr(node, 'value') else name}' to a "
                "local; pass it to the @qd.func directly, as in f(s.inner)",
                ctx.loc(node),
            )
        ctx.bind(name, value)  # compile-time value or reference: an alias
        return
    ctx.bind(name, LocalBinding(ctx.declare(name, tr.to_expr(ctx, value, node), node)))


def _assign_struct(ctx, name, binding, value, node) -> None:
    """A struct assigned to a name is copied into one local per leaf; a local struct is assigned leaf by leaf."""
    if isinstance(binding, struct_values.StructValue):
        if not struct_values.is_struct(value):
            raise QuadrantsTypeError(
                f"Only dict or Struct can be assigned to a Struct: '{name}' is a struct and cannot be rebound to a "
                f"{type(value).__name__}",
                ctx.loc(node),
            )
        struct_values.assign_struct(ctx, binding, value, node)
        return
    if isinstance(binding, (LocalBinding, MatrixBinding)):
        raise QuadrantsTypeError(f"'{name}' is a scalar or vector and cannot be rebound to a struct", ctx.loc(node))
    ctx.bind(name, struct_values.declare_copy(ctx, name, value, node))


def _assign_matrix(ctx, name, binding, value: MatrixValue, node) -> None:
    """Vectors/matrices live in one scalar local per component."""
    if isinstance(binding, MatrixBinding):
        if binding.shape != value.shape:
            raise QuadrantsTypeError(
                f"'{name}' has shape {binding.shape} and cannot be assigned shape {value.shape}", ctx.loc(node)
            )
        items = [ctx.temp(v, node) if is_runtime(v) else v for v in value.items]
        for var, v in zip(binding.vars, items):
            ctx.emit(ir.Assign(var, tr.implicit(ctx, v, var.dtype, node), ctx.loc(node)))
        return
    if binding is not None and not isinstance(binding, (LocalBinding,)):
        pass  # an alias is simply rebound
    elif isinstance(binding, LocalBinding):
        raise QuadrantsTypeError(f"'{name}' is a scalar and cannot be rebound to a vector/matrix", ctx.loc(node))
    dtype = tr.matrix_dtype(ctx, value)
    variables = tuple(
        ctx.declare(f"{name}_{k}", tr.cast(ctx, tr.to_expr(ctx, v, node), dtype), node)
        for k, v in enumerate(value.items)
    )
    ctx.bind(name, MatrixBinding(variables, value.shape))


def _store(ctx, target: ast.Subscript, value, node: ast.AST) -> None:
    member = member_target(ctx, target)  # x[i].v[k] = s: one component of a struct member field
    if member is not None and member[0] == "element":
        view, idx = member[1]
        ctx.emit(ir.Store(view.arg, idx, tr.implicit(ctx, value, view.dtype, node), ctx.loc(node)))
        return
    base = evaluate(ctx, target.value)
    if tiles.is_tile(base):  # t[:] = arr[r0:r1, c0:c1]
        tile_slices.load_tile(ctx, target, base, value, node)
        return
    if isinstance(base, NdarrayValue) and base.view is None and has_slice(target.slice):  # arr[r0:r1, c0:c1] = t
        sl = tile_slices.array_slice(ctx, target, base, evaluate, index_values)
        tile_slices.store_tile(ctx, target, sl, value, node)
        return
    if isinstance(base, struct_values.StructFieldRef):  # x[i] = struct
        element = struct_values.element(ctx, base, element_indices(ctx, base, target.slice, target))
        struct_values.store_element(ctx, element, value, node)
        return
    if isinstance(base, MatrixValue) and has_slice(target.slice):  # m[i, :] = v
        store_slice(ctx, evaluate, target, base, value, node, store_at)
        return
    if isinstance(base, MatrixValue):
        store_component(ctx, target, base, value, node)  # v[k] = s, x[i][j, k] = s
        return
    if not isinstance(base, NdarrayValue):
        raise QuadrantsSyntaxError("only ndarray elements can be assigned with x[...] = value", ctx.loc(target))
    indices = element_indices(ctx, base, target.slice, target)
    if base.element_shape:
        from quadrants.frontend.exprs import component_targets

        # a vector/matrix of the element's shape, a (nested) list of it, or a scalar broadcast to every component
        parts = as_components(ctx, value, base.element_shape, base.dtype, node)
        targets = component_targets(base, indices)
        parts = [ctx.temp(v, node) if is_runtime(v) else v for v in parts]
        for (view, idx), v in zip(targets, parts):
            ctx.emit(ir.Store(view.arg, idx, tr.implicit(ctx, v, view.dtype, node), ctx.loc(node)))
        return
    if isinstance(value, MatrixValue):
        raise QuadrantsTypeError(f"cannot store a vector/matrix into scalar ndarray '{base.name}'", ctx.loc(node))
    ctx.emit(ir.Store(base.arg, indices, tr.implicit(ctx, value, base.dtype, node), ctx.loc(node)))


def _assign_target(ctx, target: ast.AST, value, node: ast.AST, static: bool) -> None:
    if static and isinstance(target, (ast.Subscript, ast.Attribute)):
        # ``x = qd.static(...)`` binds a compile-time name; an element or member is not a name (upstream's rule)
        raise QuadrantsSyntaxError("Static assign cannot be used on elements in arrays", ctx.loc(node))
    if isinstance(target, ast.Name):
        assign_name(ctx, target.id, value, node, static=static)
    elif isinstance(target, ast.Subscript):
        _store(ctx, target, value, node)
    elif isinstance(target, (ast.Tuple, ast.List)):
        items = _unpacked(ctx, value, node)
        if not isinstance(items, (tuple, list)) or len(items) != len(target.elts):
            n = len(items) if isinstance(items, (tuple, list)) else 1
            raise QuadrantsSyntaxError(
                f"The number of targets is not equal to value length: cannot unpack {n} value(s) into "
                f"{len(target.elts)} target(s)",
                ctx.loc(node),
            )
        # evaluate every right-hand value before any assignment: ``a, b = b, a`` swaps
        items = [ctx.temp(v, node) if is_runtime(v) else v for v in items]
        for t, v in zip(target.elts, items):
            _assign_target(ctx, t, v, node, static)
    elif isinstance(target, ast.Attribute):
        from quadrants.frontend.structs import StructRef, assign_member_error

        base = evaluate(ctx, target.value)
        if isinstance(base, StructRef):
            raise assign_member_error(ctx, base, target.attr, node)
        if isinstance(base, struct_values.STRUCT_KINDS):  # s.a = v, x[i].a = v
            struct_values.assign_member(ctx, base, target.attr, value, node)
            return
        if assign_swizzle(ctx, target, base, value, node):  # v.xy = w
            return
        raise QuadrantsSyntaxError(f"Variable '{ast.unparse(target)}' cannot be assigned in kernel code", ctx.loc(node))
    else:
        raise QuadrantsSyntaxError(f"cannot assign to {type(target).__name__}", ctx.loc(node))


def _unpacked(ctx, value, node):
    """The items of ``a, b = value``: a tuple/list, an index vector, or a vector's components."""
    if isinstance(value, IndexVector):
        return value.items
    if isinstance(value, MatrixValue):
        if not value.is_vector:
            raise QuadrantsCompilationError("Matrices with more than one columns cannot be unpacked", ctx.loc(node))
        return value.items
    return value


def _assign(ctx, node: ast.Assign) -> None:
    static = _is_static_call(ctx, node.value)
    value = evaluate(ctx, node.value)
    if len(node.targets) > 1 and is_runtime(value):
        value = ctx.temp(value, node)
    for target in node.targets:
        _assign_target(ctx, target, value, node, static)


def _ann_assign(ctx, node: ast.AnnAssign) -> None:
    if not isinstance(node.target, ast.Name):
        raise QuadrantsSyntaxError("annotated assignment needs a simple name", ctx.loc(node))
    from quadrants.frontend.calls import tr_dtype

    dtype = tr_dtype(ctx, evaluate(ctx, node.annotation), node.annotation)
    name = node.target.id
    existing = ctx.lookup_local(name)
    if isinstance(existing, ArgBinding):
        raise immutable_argument(name, ctx.loc(node))
    if isinstance(existing, LocalBinding) and existing.var.dtype != dtype:
        raise QuadrantsSyntaxError(
            f"'{name}' is already a {existing.var.dtype} local and cannot be re-annotated as {dtype}",
            ctx.loc(node),
        )
    if node.value is None:
        if existing is None:
            ctx.bind(name, LocalBinding(ctx.declare(name, ir.Const(0, dtype), node)))
        return
    value = tr.implicit(ctx, evaluate(ctx, node.value), dtype, node)
    if isinstance(existing, LocalBinding):
        assign_name(ctx, name, value, node)
    else:
        ctx.bind(name, LocalBinding(ctx.declare(name, value, node)))


_ATOMIC_AUG = {ast.Add: "add", ast.Sub: "sub", ast.BitAnd: "and", ast.BitOr: "or", ast.BitXor: "xor"}


def _shared_binding(ctx, binding) -> bool:
    """A local (scalar or vector) declared at kernel scope, updated from inside a parallel loop (a reduction)."""
    if isinstance(binding, LocalBinding):
        return ctx.shared_local(binding.var)
    return isinstance(binding, MatrixBinding) and all(ctx.shared_local(v) for v in binding.vars)


def _load_of(target: ast.AST):
    """The load expression of an augmented assignment's target: a name, ``x[...]`` or a swizzle (``v.xx += w``)."""
    if isinstance(target, ast.Name):
        return ast.copy_location(ast.Name(id=target.id, ctx=ast.Load()), target)
    if isinstance(target, ast.Subscript):
        return ast.copy_location(ast.Subscript(value=target.value, slice=target.slice, ctx=ast.Load()), target)
    if isinstance(target, ast.Attribute):
        return ast.copy_location(ast.Attribute(value=target.value, attr=target.attr, ctx=ast.Load()), target)
    return None


def _aug_assign(ctx, node: ast.AugAssign) -> None:
    """``+= -= &= |= ^=`` on a global element, or on a kernel-scope local inside a parallel loop, are atomic; the
    other operators and every other local update are plain (§12, docs/language.md "Reductions into a local")."""
    target = node.target
    if tile_slices.aug_assign(ctx, node, evaluate):  # t -= qd.outer(a, b) on a register tile
        return
    if lower_item_update(ctx, node):  # obj[i, j] += v on a library object (frontend/item_updates.py)
        return
    if type(node.op) in _ATOMIC_AUG and isinstance(target, (ast.Attribute, ast.Subscript)):
        member = member_target(ctx, target)
        if member is not None and member[0] == "element":  # x[i].a += v, x[i].v[k] += v: a global element
            atomic_update(ctx, _ATOMIC_AUG[type(node.op)], target, [evaluate(ctx, node.value)], node)
            return
    if isinstance(target, ast.Subscript) and type(node.op) in _ATOMIC_AUG:
        base = evaluate(ctx, target.value)
        if isinstance(base, NdarrayValue):
            value = coerce_operand(ctx, evaluate(ctx, node.value), node)  # x[i] += [1, 2] on a vector element
            atomic_update(ctx, _ATOMIC_AUG[type(node.op)], target, [value], node)
            return
    if (
        isinstance(target, ast.Name)
        and type(node.op) in _ATOMIC_AUG
        and _shared_binding(ctx, ctx.lookup_local(target.id))
    ):
        atomic_update(ctx, _ATOMIC_AUG[type(node.op)], target, [evaluate(ctx, node.value)], node)
        return
    if isinstance(target, ast.Attribute):
        from quadrants.frontend.structs import StructRef, assign_member_error

        base = evaluate(ctx, target.value)
        if isinstance(base, StructRef):
            raise assign_member_error(ctx, base, target.attr, node)
        if aug_assign_swizzle(ctx, node, base, evaluate(ctx, node.value)):  # v.xy += w
            return
    if isinstance(target, ast.Name):
        binding = ctx.lookup_local(target.id)
        if isinstance(binding, ArgBinding):
            raise immutable_argument(target.id, ctx.loc(node))
        if binding is None and not ctx.name_defined_outside_scopes(target.id):
            raise QuadrantsNameError(f'Name "{target.id}" is not defined', ctx.loc(node))
    from quadrants.frontend.exprs import EXPR_HANDLERS

    load = _load_of(target)
    if load is None:
        raise QuadrantsSyntaxError(f"cannot update {type(target).__name__} in place", ctx.loc(node))
    current = EXPR_HANDLERS[type(load)](ctx, load)
    binop = ast.copy_location(ast.BinOp(left=load, op=node.op, right=node.value), node)
    from quadrants.frontend.exprs import _binop_values

    new = _binop_values(ctx, binop, current, evaluate(ctx, node.value))
    _assign_target(ctx, target, new, node, static=False)


# ------------------------------------------------------------------------------------------- control flow


def _if(ctx, node: ast.If) -> None:
    cond = evaluate(ctx, node.test)
    if isinstance(cond, MatrixValue):
        tr.check_condition(ctx, cond, node.test, "if condition")  # raises: vectors have no truth value
    if not is_runtime(cond):
        # a compile-time branch is still a block scope (§9); unless the test is qd.static(...), it is also an `if`
        # block as upstream compiles it: loops inside are not top-level, so they run serially (`if True:` included)
        static = _is_static_call(ctx, node.test)
        with ctx.scope(), contextlib.nullcontext() if static else ctx.nested():
            visit_block(ctx, node.body if cond else node.orelse)
        return
    cond = tr.check_condition(ctx, cond, node.test, "if condition")
    with ctx.nested():
        ctx.runtime_depth += 1
        ctx.if_depth += 1
        try:
            with ctx.block() as then_block, ctx.scope():
                visit_block(ctx, node.body)
            with ctx.block() as else_block, ctx.scope():
                visit_block(ctx, node.orelse)
        finally:
            ctx.if_depth -= 1
            ctx.runtime_depth -= 1
    ctx.emit(ir.If(cond, tuple(then_block), tuple(else_block), ctx.loc(node)))


def _expr(ctx, node: ast.Expr) -> None:
    evaluate(ctx, node.value)


def _pass(ctx, node: ast.Pass) -> None:
    return None


def _assert(ctx, node: ast.Assert) -> None:
    """Compiled only under ``debug=True``; in release the condition is not evaluated (§13)."""
    if not ctx.debug:
        return
    cond = tr.check_condition(ctx, evaluate(ctx, node.test), node.test, "assert condition")
    message = ""
    if node.msg is not None:
        msg = evaluate(ctx, node.msg)
        if is_runtime(msg):
            raise QuadrantsSyntaxError("the assert message must be a compile-time string", ctx.loc(node.msg))
        message = str(msg)
    ctx.emit(ir.Check(cond, "assert", message or f"assertion failed: {ast.unparse(node.test)}", ctx.loc(node)))


def _return(ctx, node: ast.Return) -> None:
    frame = ctx.frame
    if ctx.runtime_depth > 0 and frame.return_scope is None:
        raise QuadrantsSyntaxError("Return inside non-static if/for is not supported", ctx.loc(node))
    value = None if node.value is None else evaluate(ctx, node.value)
    func = ctx.func_stack[-1][0] if not frame.is_kernel and ctx.func_stack else None
    if value is not None and getattr(func, "is_real", False) and func.return_annotation is None:
        raise QuadrantsSyntaxError(
            "A function with a return value must be annotated with a return type, e.g. def func() -> qd.f32",
            ctx.loc(node),
        )
    if frame.is_kernel:
        from quadrants.frontend.returns import emit_kernel_return

        emit_kernel_return(ctx, value, node)
    else:
        if func is not None and func.return_annotation is not None:
            from quadrants.frontend.returns import convert_func_return

            value = convert_func_return(ctx, func.return_annotation, value, node)
        if frame.return_scope is not None:  # a real func's return from run-time control flow (func_exits.py)
            from quadrants.frontend.func_exits import lower_return

            lower_return(ctx, frame.return_scope, value, node)
            if ctx.runtime_depth == 0:
                frame.returned = True
            return
        frame.return_value = _freeze(ctx, value, node)
    frame.returned = True


def _freeze(ctx, value, node):
    """Copy run-time return values into fresh locals so the caller sees the values at the return."""
    if isinstance(value, tuple):
        return tuple(_freeze(ctx, v, node) for v in value)
    if struct_values.is_struct(value):  # a struct is returned by value
        return struct_values.declare_copy(ctx, "ret", value, node)
    return ctx.temp(value, node, "ret") if is_runtime(value) else value


def _with(ctx, node: ast.With) -> None:
    from quadrants.frontend.graph import is_checkpoint, lower_checkpoint
    from quadrants.frontend.parallel_blocks import lower_with_block

    if is_checkpoint(ctx, node):
        lower_checkpoint(ctx, node)
        return
    if lower_with_block(ctx, node):  # qd.stream_parallel(), qd.graph.parallel_context() (frontend/parallel_blocks.py)
        return
    if any(item.optional_vars is not None for item in node.items):
        raise QuadrantsSyntaxError("'with ... as ...' is not supported in kernel code", ctx.loc(node))
    raise QuadrantsSyntaxError(
        "'with' in Quadrants kernels only supports qd.stream_parallel(), qd.checkpoint(), "
        "qd.graph.parallel_context(), or qd.graph.parallel() (qd.checkpoint needs @qd.kernel(graph=True, "
        "checkpoints=True))",
        ctx.loc(node),
    )


def _function_def(ctx, node) -> None:
    kind = "func" if ctx.func_stack else "kernel"
    raise QuadrantsSyntaxError(
        f"Function definition is not allowed in 'qd.{kind}'; define a @qd.func at module level", ctx.loc(node)
    )


def _loop_stmt(ctx, node) -> None:
    from quadrants.frontend import loops

    loops.LOOP_HANDLERS[type(node)](ctx, node)


STMT_HANDLERS = {
    ast.Assign: _assign,
    ast.AnnAssign: _ann_assign,
    ast.AugAssign: _aug_assign,
    ast.If: _if,
    ast.Expr: _expr,
    ast.Pass: _pass,
    ast.Assert: _assert,
    ast.Return: _return,
    ast.With: _with,
    ast.FunctionDef: _function_def,
    ast.AsyncFunctionDef: _function_def,
    ast.ClassDef: _function_def,
    ast.For: _loop_stmt,
    ast.While: _loop_stmt,
    ast.Break: _loop_stmt,
    ast.Continue: _loop_stmt,
}
