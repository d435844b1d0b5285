"""Lowering one kernel specialization: bind the parameters, lower the body, assemble the :class:`Program`."""

from __future__ import annotations

import ast

from quadrants.errors import QuadrantsCompilationError, QuadrantsRuntimeError, QuadrantsSyntaxError
from quadrants.frontend import buffer_views, calls, stmts, struct_values
from quadrants.frontend.arg_order import canonical_arg_order, remap
from quadrants.frontend.context import CompileCtx, Frame, Lowering
from quadrants.frontend.graph import GraphInfo, uses_do_while, visit_graph_body
from quadrants.frontend.matrix import param_matrix
from quadrants.frontend.parallel_blocks import check_stream_parallel_body
from quadrants.frontend.returns import flat_returns, parse_returns
from quadrants.frontend.scope import lowering_kernel
from quadrants.frontend.structs import StructRef, is_data_oriented, is_dataclass_instance, member
from quadrants.frontend.values import ArgBinding, NdarrayValue
from quadrants.ir import nodes as ir

__all__ = ["build_program"]

# The entry points that lower modules reach through ``ctx.lower`` (frontend/context.py :class:`Lowering`): this
# module sits on top of the frontend and is the one place that ties the recursion together.
LOWERING = Lowering(
    call=calls.call,
    visit=stmts.visit,
    visit_block=stmts.visit_block,
    evaluate_quiet=stmts.evaluate_quiet,
    assign_name=stmts.assign_name,
)


@lowering_kernel  # qd.lang.util.in_quadrants_scope() is True meanwhile
def build_program(kernel, session, bound: list, name: str):
    """Lower ``kernel`` for the given bound arguments (one :class:`~quadrants.runtime.args.Bound` per parameter).

    Returns ``(ctx, program)``: the context carries what the launcher needs besides the program (``arg_sources``,
    ``member_reads``).
    """
    parsed = kernel.parsed()
    ctx = CompileCtx(session=session, kernel_name=name, lower=LOWERING)
    frame = Frame.of(kernel, is_kernel=True)
    ctx.frames.append(frame)
    tree = parsed.tree
    ctx.graph_enabled, ctx.checkpoints = kernel.graph, kernel.checkpoints
    ctx.uses_do_while = kernel.graph and uses_do_while(tree)
    ctx.graph = GraphInfo([], [])
    try:
        ctx.return_layout = parse_returns(kernel.return_annotation, session)
        ctx.returns = flat_returns(ctx.return_layout)
    except TypeError as exc:
        raise QuadrantsSyntaxError(
            f"invalid return annotation of kernel '{name}': {exc}; a kernel returns scalars, vectors, matrices, "
            "structs or a tuple of them (an ndarray is written in place through a parameter)",
            ctx.loc(tree),
        ) from None
    if kernel.checkpoints and ctx.return_layout:
        raise QuadrantsSyntaxError(
            "checkpoints=True kernels return qd.GraphStatus; remove the return annotation", ctx.loc(tree)
        )
    check_stream_parallel_body(ctx, tree.body)
    params = getattr(kernel, "_params", None) or ()
    ctx.template_params = frozenset(p.name for p in params if p.kind in ("template", "tensor"))
    ctx.blocks.append([])
    with ctx.scope(function_boundary=True):
        for position, (param_name, b) in enumerate(zip(kernel.param_names, bound)):
            clamp = position < len(params) and getattr(params[position], "boundary", "unsafe") == "clamp"
            ctx.bind(param_name, ArgBinding(_param_value(ctx, param_name, b, position, clamp), param_name))
        _lower_body(ctx, tree)
    if ctx.return_layout and not frame.returned:
        raise QuadrantsSyntaxError("Kernel has a return type but does not have a return statement", ctx.loc(tree))
    ctx.flush_serial()
    items = tuple(ctx.items)
    top_stopped = ctx.stopped.pop(id(ctx.blocks[0]), None)
    if top_stopped:  # qd.stop_grad at kernel level: every read of the field in the kernel
        items = ctx.mark_stopped(items, top_stopped)
    functions = tuple(ctx.functions)
    mapping = canonical_arg_order(ctx, bound)
    if mapping is not None:
        items = remap(items, mapping)
        functions = remap(functions, mapping)
        _remap_graph_tables(ctx.graph, mapping)
    return ctx, ir.Program(
        name=name,
        args=tuple(ctx.args),
        returns=ctx.returns,
        kernel_vars=tuple(ctx.kernel_vars),
        items=items,
        debug=session.options.debug,
        fast_math=session.options.fast_math,
        functions=functions,
    )


def _remap_graph_tables(graph, mapping: dict[int, int]) -> None:
    import dataclasses

    graph.levels = [dataclasses.replace(lv, cond_cpp_arg_id=mapping[lv.cond_cpp_arg_id]) for lv in graph.levels]
    for cp in graph.checkpoints:
        if cp.yield_on_arg >= 0:
            cp.yield_on_arg = mapping[cp.yield_on_arg]


def _param_value(ctx: CompileCtx, name: str, b, position: int, clamp: bool = False):
    if b.spec is None:
        if b.key[0] == "qs":  # a struct parameter (qd.types.struct / @qd.dataclass): one scalar per leaf
            return struct_values.param_struct(ctx, name, position, b.key[1])
        if b.key[0] == "qm":  # a vector/matrix parameter: one scalar per component
            return param_matrix(ctx, name, position, b.key[1])
        value = b.value  # template or struct: a compile-time value
        if buffer_views.is_buffer_view(value):  # v: qd.BufferView[...]: ndarray, offset and size arguments
            return buffer_views.ref_view(ctx, StructRef(position, name, (), value), None, member)
        if is_data_oriented(value) or is_dataclass_instance(value):
            if b.key[0] == "t" and is_dataclass_instance(value):
                ctx.warn(
                    f"passing a @dataclasses.dataclass instance into a qd.Template-annotated kernel parameter "
                    f"('{name}') is deprecated; annotate the parameter with the dataclass type",
                    None,
                    DeprecationWarning,
                )
            return StructRef(position, name, (), value, template=b.key[0] == "t")
        return ctx.host_value(value)
    index = ctx.add_arg(b.spec, ("param", position))
    if isinstance(b.spec, ir.NdarrayArg):
        elem = b.element_shape
        return NdarrayValue(index, b.spec.dtype, b.spec.ndim - len(elem), name, elem, clamp=clamp)
    return ir.ArgRef(index, b.spec.dtype)


def _lower_body(ctx: CompileCtx, tree: ast.FunctionDef) -> None:
    """Lower the body; unexpected internal failures become compile errors at the statement being lowered."""
    for stmt in tree.body:
        if ctx.frame.returned:
            break
        try:
            visit_graph_body(ctx, [stmt])
        except (QuadrantsCompilationError, NotImplementedError, TypeError, ValueError):
            raise
        except QuadrantsRuntimeError as exc:  # a host object the kernel cannot use (an unplaced field)
            if exc.loc is None:
                exc.loc = ctx.loc(stmt)
            raise
        except Exception as exc:  # an internal error must still point at the user's code
            raise QuadrantsCompilationError(
                f"internal compiler error while lowering this statement: {type(exc).__name__}: {exc}",
                ctx.loc(stmt),
            ) from exc
