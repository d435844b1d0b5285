"""Lowering one kernel specialization: bind the parameters, lower the body, assemble the :class:`Program`."""

from __future__ import annotations

import ast
import typing

from quadrants.errors import QuadrantsCompilationError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import typing_rules as tr
from quadrants.frontend.arg_order import canonical_arg_order, remap
from quadrants.frontend.compound_types import MatrixType
from quadrants.frontend.context import CompileCtx, Frame
from quadrants.frontend.matrix import MatrixValue
from quadrants.frontend.values import ArgBinding, NdarrayValue, is_runtime
from quadrants.ir import nodes as ir

__all__ = ["build_program", "emit_kernel_return", "parse_returns", "flat_returns"]


def parse_returns(annotation, ctx_or_session) -> tuple:
    """Return types from a kernel's return annotation (``None``, a dtype, a vector/matrix type, ``tuple[...]``)."""
    from quadrants.frontend.annotations import to_dtype

    ip, fp = ctx_or_session.default_ip, ctx_or_session.default_fp

    def one(t):
        return t.resolved(fp) if isinstance(t, MatrixType) else to_dtype(t, ip, fp)

    if annotation is None or annotation is type(None):
        return ()
    origin = typing.get_origin(annotation)
    if origin is tuple or isinstance(annotation, tuple):
        items = typing.get_args(annotation) if origin is tuple else annotation
        return tuple(one(t) for t in items)
    return (one(annotation),)


def flat_returns(layout: tuple) -> tuple:
    """Scalar return slots of a return layout (vector/matrix returns take one slot per component)."""
    out = []
    for t in layout:
        if isinstance(t, MatrixType):
            size = 1
            for s in t.shape:
                size *= s
            out.extend([t.dtype] * size)
        else:
            out.append(t)
    return tuple(out)


def emit_kernel_return(ctx: CompileCtx, value, node: ast.Return) -> None:
    if not ctx.return_layout:
        if value is None:
            return
        raise QuadrantsSyntaxError(
            "A kernel with a return value must be annotated, e.g. `def k(...) -> qd.i32:`", ctx.loc(node)
        )
    values = value if isinstance(value, tuple) else (value,)
    if value is None or len(values) != len(ctx.return_layout):
        raise QuadrantsTypeError(
            f"the kernel returns {len(ctx.return_layout)} value(s) by its annotation but this return gives "
            f"{0 if value is None else len(values)}",
            ctx.loc(node),
        )
    slot = 0
    for v, rtype in zip(values, ctx.return_layout):
        if isinstance(rtype, MatrixType):
            if not isinstance(v, MatrixValue) or v.shape != rtype.shape:
                raise QuadrantsTypeError(f"the kernel must return a {rtype} here", ctx.loc(node))
            parts, dtype = v.items, rtype.dtype
        elif is_runtime(v) or isinstance(v, (bool, int, float)):
            parts, dtype = (v,), rtype
        else:
            raise QuadrantsTypeError(f"cannot return a {type(v).__name__} from a kernel", ctx.loc(node))
        for part in parts:
            ctx.emit(ir.SetReturn(slot, tr.implicit(ctx, part, dtype, node), ctx.loc(node)))
            slot += 1


def build_program(kernel, session, bound: list, name: str):
    """Lower ``kernel`` for the given bound arguments (one :class:`~quadrants.runtime.args.Bound` per parameter).

    Returns ``(ctx, program)``: the context carries what the launcher needs besides the program (``arg_sources``,
    ``member_reads``).
    """
    parsed = kernel.parsed()
    ctx = CompileCtx(session=session, kernel_name=name)
    frame = Frame.of(kernel, is_kernel=True)
    ctx.frames.append(frame)
    tree = parsed.tree
    from quadrants.frontend.graph import GraphInfo, uses_do_while

    ctx.graph_enabled, ctx.checkpoints = kernel.graph, kernel.checkpoints
    ctx.uses_do_while = kernel.graph and uses_do_while(tree)
    ctx.graph = GraphInfo([], [])
    try:
        ctx.return_layout = parse_returns(kernel.return_annotation, session)
        ctx.returns = flat_returns(ctx.return_layout)
    except TypeError as exc:
        raise QuadrantsSyntaxError(f"invalid return annotation: {exc}", ctx.loc(tree)) from None
    if kernel.checkpoints and ctx.return_layout:
        raise QuadrantsSyntaxError(
            "checkpoints=True kernels return qd.GraphStatus; remove the return annotation", ctx.loc(tree)
        )
    ctx.blocks.append([])
    with ctx.scope(function_boundary=True):
        for position, (param_name, b) in enumerate(zip(kernel.param_names, bound)):
            ctx.bind(param_name, ArgBinding(_param_value(ctx, param_name, b, position), param_name))
        _lower_body(ctx, tree)
    if ctx.return_layout and not frame.returned:
        raise QuadrantsSyntaxError("Kernel has a return type but does not have a return statement", ctx.loc(tree))
    ctx.flush_serial()
    items = tuple(ctx.items)
    mapping = canonical_arg_order(ctx, bound)
    if mapping is not None:
        items = remap(items, mapping)
        _remap_graph_tables(ctx.graph, mapping)
    return ctx, ir.Program(
        name=name,
        args=tuple(ctx.args),
        returns=ctx.returns,
        kernel_vars=tuple(ctx.kernel_vars),
        items=items,
        debug=session.options.debug,
        fast_math=session.options.fast_math,
    )


def _remap_graph_tables(graph, mapping: dict[int, int]) -> None:
    import dataclasses

    graph.levels = [dataclasses.replace(lv, cond_cpp_arg_id=mapping[lv.cond_cpp_arg_id]) for lv in graph.levels]
    for cp in graph.checkpoints:
        if cp.yield_on_arg >= 0:
            cp.yield_on_arg = mapping[cp.yield_on_arg]


def _param_value(ctx: CompileCtx, name: str, b, position: int):
    from quadrants.frontend.structs import StructRef, is_data_oriented, is_dataclass_instance

    if b.spec is None:
        value = b.value  # template or struct: a compile-time value
        if is_data_oriented(value) or is_dataclass_instance(value):
            if b.key[0] == "t" and is_dataclass_instance(value):
                ctx.warn(
                    f"passing a @dataclasses.dataclass instance into a qd.Template-annotated kernel parameter "
                    f"('{name}') is deprecated; annotate the parameter with the dataclass type",
                    None,
                    DeprecationWarning,
                )
            return StructRef(position, name, (), value)
        return ctx.host_value(value)
    index = ctx.add_arg(b.spec, ("param", position))
    if isinstance(b.spec, ir.NdarrayArg):
        elem = b.element_shape
        return NdarrayValue(index, b.spec.dtype, b.spec.ndim - len(elem), name, elem)
    return ir.ArgRef(index, b.spec.dtype)


def _lower_body(ctx: CompileCtx, tree: ast.FunctionDef) -> None:
    """Lower the body; unexpected internal failures become compile errors at the statement being lowered."""
    from quadrants.frontend.graph import visit_graph_body

    for stmt in tree.body:
        if ctx.frame.returned:
            break
        try:
            visit_graph_body(ctx, [stmt])
        except (QuadrantsCompilationError, NotImplementedError, TypeError, ValueError):
            raise
        except Exception as exc:  # an internal error must still point at the user's code
            raise QuadrantsCompilationError(
                f"internal compiler error while lowering this statement: {type(exc).__name__}: {exc}",
                ctx.loc(stmt),
            ) from exc
