"""Lowering one kernel specialization: bind the parameters, lower the body, assemble the :class:`Program`."""

from __future__ import annotations

import ast
import typing

from quadrants.errors import QuadrantsCompilationError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.ir import nodes as ir
from quadrants.frontend import typing_rules as tr
from quadrants.frontend.context import CompileCtx, Frame
from quadrants.frontend.stmts import visit_block
from quadrants.frontend.values import ArgBinding, NdarrayValue, is_runtime

__all__ = ["build_program", "emit_kernel_return", "parse_returns"]


def parse_returns(annotation, ctx_or_session) -> tuple:
    """Return dtypes from a kernel's return annotation (``None``, a dtype, ``tuple[...]``)."""
    from quadrants.types.annotations import to_dtype

    ip, fp = ctx_or_session.default_ip, ctx_or_session.default_fp
    if annotation is None or annotation is type(None):
        return ()
    origin = typing.get_origin(annotation)
    if origin is tuple or isinstance(annotation, tuple):
        items = typing.get_args(annotation) if origin is tuple else annotation
        return tuple(to_dtype(t, ip, fp) for t in items)
    return (to_dtype(annotation, ip, fp),)


def emit_kernel_return(ctx: CompileCtx, value, node: ast.Return) -> None:
    if not ctx.returns:
        if value is None:
            return
        raise QuadrantsSyntaxError(
            "A kernel with a return value must be annotated, e.g. `def k(...) -> qd.i32:`", ctx.loc(node)
        )
    values = value if isinstance(value, tuple) else (value,)
    if value is None or len(values) != len(ctx.returns):
        raise QuadrantsTypeError(
            f"the kernel returns {len(ctx.returns)} value(s) by its annotation but this return gives "
            f"{0 if value is None else len(values)}",
            ctx.loc(node),
        )
    for index, (v, dtype) in enumerate(zip(values, ctx.returns)):
        if not (is_runtime(v) or isinstance(v, (bool, int, float))):
            raise QuadrantsTypeError(f"cannot return a {type(v).__name__} from a kernel", ctx.loc(node))
        ctx.emit(ir.SetReturn(index, tr.implicit(ctx, v, dtype, node), ctx.loc(node)))


def build_program(kernel, session, bound: list, name: str) -> ir.Program:
    """Lower ``kernel`` for the given bound arguments (one :class:`~quadrants.runtime.args.Bound` per parameter)."""
    parsed = kernel.parsed()
    ctx = CompileCtx(session=session, kernel_name=name)
    frame = Frame(
        fn=kernel.fn,
        file=parsed.file,
        first_line=parsed.first_line,
        indent=parsed.indent,
        lines=list(parsed.lines),
        globals=kernel.fn.__globals__,
        closure=kernel.closure(),
        is_kernel=True,
    )
    ctx.frames.append(frame)
    tree = parsed.tree
    try:
        ctx.returns = parse_returns(kernel.return_annotation, session)
    except TypeError as exc:
        raise QuadrantsSyntaxError(f"invalid return annotation: {exc}", ctx.loc(tree)) from None
    ctx.blocks.append([])
    with ctx.scope(function_boundary=True):
        for param_name, b in zip(kernel.param_names, bound):
            ctx.bind(param_name, ArgBinding(_param_value(ctx, param_name, b), param_name))
        _lower_body(ctx, tree)
    if ctx.returns and not frame.returned:
        raise QuadrantsSyntaxError(
            "Kernel has a return type but does not have a return statement", ctx.loc(tree)
        )
    ctx.flush_serial()
    return ir.Program(
        name=name,
        args=tuple(ctx.args),
        returns=ctx.returns,
        kernel_vars=tuple(ctx.kernel_vars),
        items=tuple(ctx.items),
        debug=session.options.debug,
        fast_math=session.options.fast_math,
    )


def _param_value(ctx: CompileCtx, name: str, b):
    if b.spec is None:
        return b.value  # template: a compile-time value
    index = len(ctx.args)
    ctx.args.append(b.spec)
    if isinstance(b.spec, ir.NdarrayArg):
        return NdarrayValue(index, b.spec.dtype, b.spec.ndim, name)
    return ir.ArgRef(index, b.spec.dtype)


def _lower_body(ctx: CompileCtx, tree: ast.FunctionDef) -> None:
    """Lower the body; unexpected internal failures become compile errors at the statement being lowered."""
    for stmt in tree.body:
        if ctx.frame.returned:
            break
        try:
            visit_block(ctx, [stmt])
        except (QuadrantsCompilationError, NotImplementedError, TypeError, ValueError):
            raise
        except Exception as exc:  # an internal error must still point at the user's code
            raise QuadrantsCompilationError(
                f"internal compiler error while lowering this statement: {type(exc).__name__}: {exc}",
                ctx.loc(stmt),
            ) from exc
