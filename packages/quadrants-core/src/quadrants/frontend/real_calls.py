"""Recursive ``@qd.real_func`` calls: an IR :class:`~quadrants.ir.nodes.Function` and :class:`~quadrants.ir.nodes.Call`
statements (docs/misc-functions.md, "Recursion").

Real funcs are inlined (frontend/funcs.py) unless a specialization reaches itself while it is being inlined: the
same func with the same compile-time arguments (run-time values count by their type only), directly or through
other funcs. Inlining such a call could never end, so the inner call raises :class:`Recursion`, which unwinds to the
inlining of that specialization; there the partly lowered body is dropped and the specialization is lowered once
as a function of the program instead, and every call of it (the recursive ones included) becomes a ``Call``.

What crosses the call: run-time values, flattened to scalars (a scalar, each component of a vector or matrix, each
leaf of a typed struct, the items of a tuple), in as parameters and out as results. A ``qd.types.ref`` parameter is
copied in and its final value comes back as one more result, which the call assigns to the caller's local.
Compile-time values (fields, ndarrays, ``qd.template()`` objects, Python numbers given to a ``qd.template()``
parameter) are part of the specialization and are bound in the body as they are. Results are the func's return
annotation, flattened the same way; a body that ends without a ``return`` gives zeros (as an inlined real func, and
as upstream).
"""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass

import numpy as np

from quadrants.errors import QuadrantsCompilationError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import struct_values, typing_rules as tr
from quadrants.frontend.annotations import RefType, ScalarType, parse_annotation
from quadrants.frontend.compound_types import MatrixType
from quadrants.frontend.context import Frame
from quadrants.frontend.matrix import MatrixValue
from quadrants.frontend.struct_types import StructType, leaf_paths
from quadrants.frontend.values import LocalBinding, MatrixBinding, is_runtime
from quadrants.ir import nodes as ir

__all__ = ["Recursion", "RealFunction", "lookup", "define", "emit_call"]


class Recursion(BaseException):
    """Raised by a real-func call that repeats a specialization being inlined; caught where that inlining began.

    A ``BaseException``, so that the frontend's ``except Exception`` handlers (compile-time evaluation, internal
    error wrapping) let it pass on its way up.
    """

    def __init__(self, func, key):
        super().__init__(getattr(func, "__name__", "func"))
        self.func, self.key = func, key

    def matches(self, func, key) -> bool:
        return self.func is func and self.key == key


@dataclass
class RealFunction:
    """One specialization lowered as a program function: its index, flat parameter and result dtypes, and the
    return layout used to rebuild the caller's value from the result locals."""

    index: int
    name: str
    param_dtypes: tuple
    result_layout: tuple  # parse_returns of the annotation
    tuple_result: bool


def lookup(ctx, func, key) -> RealFunction | None:
    """The function already made for this specialization (being lowered or done), or ``None``."""
    return ctx.real_functions.get((id(func), key))


def is_active(ctx, func, key) -> bool:
    """Whether this specialization is being inlined right now (a call of it would recurse)."""
    return any(f is func and k == key for f, k in ctx.func_stack)


# ----------------------------------------------------------------------------------------------- flat arguments


def _param_dtype(anno, value, ctx):
    """The scalar type of a run-time leaf of ``value`` passed to a parameter annotated ``anno``."""
    if isinstance(anno, ScalarType):
        return anno.dtype
    if isinstance(anno, MatrixType):
        return anno.resolved(ctx.default_fp, ctx.default_ip).dtype
    return None


def _split(ctx, func, name: str, anno, value, node):
    """``(leaves, rebuild)``: the run-time scalars of an argument (converted to their parameter types) and a function
    that rebuilds the value from one expression per leaf. Compile-time values have no leaves."""
    spec_dtype = _param_dtype(anno, value, ctx)
    if isinstance(anno, RefType):  # copied in, and out again after the call (_arguments marks it)
        if not isinstance(value, ir.LocalRef):
            raise QuadrantsSyntaxError(
                f"the qd.types.ref parameter '{name}' of @qd.real_func '{func.__name__}' takes a local variable of "
                "the caller; copy the value into a local first and write it back after the call",
                ctx.loc(node),
            )
        return [value], lambda refs: refs[0]
    if struct_values.is_struct(value):
        stype = getattr(value, "stype", None)
        if not isinstance(stype, StructType):
            raise QuadrantsTypeError(
                f"argument '{name}' of the recursive @qd.real_func '{func.__name__}' is an untyped struct; declare it "
                "with qd.types.struct(...) or @qd.dataclass",
                ctx.loc(node),
            )
        paths = leaf_paths(stype)
        leaves = [
            tr.implicit(ctx, tr.to_expr(ctx, v, node), dtype, node)
            for v, (_, dtype) in zip(struct_values.flat_leaves(ctx, value, stype, node), paths, strict=True)
        ]
        return leaves, lambda refs: struct_values.assemble(stype, dict(zip((p for p, _ in paths), refs, strict=True)))
    if isinstance(value, MatrixValue):
        dtype = spec_dtype or tr.matrix_dtype(ctx, value)
        leaves = [tr.implicit(ctx, tr.to_expr(ctx, v, node), dtype, node) for v in value.items]
        return leaves, lambda refs: MatrixValue(tuple(refs), value.shape)
    if isinstance(value, (tuple, list)):
        parts = [_split(ctx, func, name, None, v, node) for v in value]
        counts = [len(leaves) for leaves, _ in parts]

        def rebuild(refs):
            out, start = [], 0
            for (_, again), n in zip(parts, counts, strict=True):
                out.append(again(refs[start : start + n]))
                start += n
            return type(value)(out)

        return [leaf for leaves, _ in parts for leaf in leaves], rebuild
    if is_runtime(value) or (spec_dtype is not None and isinstance(value, (bool, int, float))):
        leaf = tr.implicit(ctx, value, spec_dtype, node, "Assign") if spec_dtype else value
        return [leaf], lambda refs: refs[0]
    return [], lambda refs: value  # compile-time: part of the specialization


def _arguments(ctx, func, bound, node):
    """``[(name, leaves, rebuild, is_ref)]`` for every bound argument, in parameter order; ``is_ref`` marks a
    ``qd.types.ref`` parameter, whose one leaf is the caller's local."""
    params = func.resolved_signature().parameters
    out = []
    for name, value in bound.arguments.items():
        anno = params[name].annotation
        spec = None if anno is inspect.Parameter.empty else parse_annotation(anno, ctx.default_ip, ctx.default_fp)
        leaves, rebuild = _split(
            ctx, func, name, spec if isinstance(spec, (ScalarType, RefType)) else anno, value, node
        )
        out.append((name, leaves, rebuild, isinstance(anno, RefType)))
    return out


# ---------------------------------------------------------------------------------------------------------- results


def _result_dtypes(layout) -> list:
    from quadrants.frontend.returns import flat_returns

    return list(flat_returns(layout))


def _rebuild_results(fn: RealFunction, refs: list):
    """The caller's value from the result locals: the return annotation's shape (scalar, vector, struct, tuple)."""
    values, start = [], 0
    for rtype in fn.result_layout:
        if isinstance(rtype, StructType):
            paths = leaf_paths(rtype)
            values.append(struct_values.assemble(rtype, {p: r for (p, _), r in zip(paths, refs[start:], strict=False)}))
            start += len(paths)
        elif isinstance(rtype, MatrixType):
            size = int(np.prod(rtype.shape))
            values.append(MatrixValue(tuple(refs[start : start + size]), tuple(rtype.shape)))
            start += size
        else:
            values.append(refs[start])
            start += 1
    if not fn.result_layout:
        return None
    return tuple(values) if fn.tuple_result or len(values) != 1 else values[0]


def _flatten_result(ctx, layout, value, node) -> list:
    """The return locals of a return scope (frontend/func_exits.py) as one expression per result."""
    values = value if isinstance(value, tuple) else (value,)
    out = []
    for rtype, v in zip(layout, values, strict=True):
        if isinstance(rtype, StructType):
            out.extend(tr.to_expr(ctx, x, node) for x in struct_values.flat_leaves(ctx, v, rtype, node))
        elif isinstance(rtype, MatrixType):
            out.extend(v.items)
        else:
            out.append(v)
    return out


# ------------------------------------------------------------------------------------------------- define, call


def define(ctx, func, key, bound, node) -> RealFunction:
    """Lower the specialization of ``func`` bound by ``bound`` as a program function (the first call's arguments give
    the parameter types) and return it; recursive calls inside its body find it through :func:`lookup`."""
    from quadrants.frontend import func_exits
    from quadrants.frontend.returns import parse_returns

    args = _arguments(ctx, func, bound, node)  # evaluated in the caller, so conversion warnings point there
    layout = parse_returns(func.return_annotation, ctx) if func.return_annotation is not None else ()
    anno = func.return_annotation
    tuple_result = typing.get_origin(anno) is tuple or isinstance(anno, tuple)
    param_dtypes = tuple(leaf.dtype for _, leaves, _, _ in args for leaf in leaves)
    fn = RealFunction(len(ctx.functions), func.__name__, param_dtypes, layout, tuple_result)
    ctx.functions.append(None)  # the slot is taken now: calls in the body refer to it by index
    if all(f is not func for f in ctx.reached_funcs):  # fastcache keys on the source of every func reached
        ctx.reached_funcs.append(func)
    ctx.real_functions[(id(func), key)] = fn
    frame = Frame.of(func, is_kernel=False)
    call_site = ctx.loc(node)  # in the caller's frame
    saved = ctx.runtime_depth, ctx.loops, ctx.parallel_loop, dict(ctx.task_state)
    ctx.runtime_depth, ctx.loops, ctx.parallel_loop = 0, [], None
    ctx.function_depth += 1
    ctx.func_stack.append((func, key))
    ctx.frames.append(frame)
    params: list[ir.Var] = []
    refs: list[ir.Var] = []  # qd.types.ref params: their final values are results after the return's
    try:
        with ctx.block() as body, ctx.nested(), ctx.scope(function_boundary=True):
            for name, leaves, rebuild, is_ref in args:
                vars_ = [ctx.new_var(f"{name}_{k}" if len(leaves) > 1 else name, x.dtype) for k, x in enumerate(leaves)]
                params.extend(vars_)
                refs.extend(vars_ if is_ref else ())
                _bind(ctx, name, rebuild([ir.LocalRef(v) for v in vars_]), node)
            scope = func_exits.open_scope(ctx, func, node)
            frame.return_scope = scope
            with ctx.block() as stmts, ctx.scope():
                ctx.lower.visit_block(ctx, func.parsed().tree.body)
            func_exits.close_scope(ctx, stmts, node)
            results = _flatten_result(ctx, layout, scope.value, node) if layout else []
            results += [ir.LocalRef(v) for v in refs]
    except QuadrantsCompilationError as exc:  # the message shows the chain of calls, as inlining does
        exc.add_call_site(call_site)
        raise
    finally:
        ctx.runtime_depth, ctx.loops, ctx.parallel_loop = saved[:3]
        ctx.function_depth -= 1
        ctx.task_state.clear()
        ctx.task_state.update(saved[3])
        ctx.frames.pop()
        ctx.func_stack.pop()
    ctx.functions[fn.index] = ir.Function(func.__name__, tuple(params), tuple(body), tuple(results), ctx.loc(node))
    return fn


def _bind(ctx, name: str, value, node) -> None:
    """A parameter in the function body: scalars and vectors bound to the param locals themselves (assignable),
    structs copied into locals, compile-time values as they are."""
    if isinstance(value, ir.LocalRef):
        ctx.bind(name, LocalBinding(value.var))
    elif isinstance(value, MatrixValue) and value.items and all(isinstance(v, ir.LocalRef) for v in value.items):
        ctx.bind(name, MatrixBinding(tuple(v.var for v in value.items), value.shape))
    elif struct_values.is_struct(value):
        ctx.bind(name, struct_values.declare_copy(ctx, name, value, node))
    else:
        ctx.bind(name, value)


def emit_call(ctx, fn: RealFunction, func, bound, node):
    """Emit a ``Call`` of ``fn`` with the run-time leaves of ``bound`` and return the rebuilt result value."""
    args = _arguments(ctx, func, bound, node)
    leaves = [leaf for _, xs, _, _ in args for leaf in xs]
    written_back = [xs[0].var for _, xs, _, is_ref in args if is_ref]
    if tuple(x.dtype for x in leaves) != fn.param_dtypes:
        raise QuadrantsTypeError(
            f"recursive call of @qd.real_func '{func.__name__}' passes run-time values of types "
            f"({', '.join(str(x.dtype) for x in leaves)}) where this specialization takes "
            f"({', '.join(str(t) for t in fn.param_dtypes)}); annotate the parameters with their types",
            ctx.loc(node),
        )
    dtypes = _result_dtypes(fn.result_layout)
    results = tuple(
        ctx.new_var(f"{fn.name}_ret{k}" if len(dtypes) > 1 else f"{fn.name}_ret", t) for k, t in enumerate(dtypes)
    )
    outs = tuple(ctx.new_var(f"{v.name}_out", v.dtype) for v in written_back)
    ctx.emit(ir.Call(fn.index, tuple(leaves), results + outs, ctx.loc(node)))
    if ctx.top_level and len(ctx.blocks) == 1:  # at kernel level, as ctx.define: later tasks may read the results
        ctx.kernel_vars.extend(results + outs)
        ctx.kernel_var_ids.update(v.id for v in results + outs)
    for var, out in zip(written_back, outs, strict=True):  # a qd.types.ref argument gets the callee's final value
        ctx.emit(ir.Assign(var, ir.LocalRef(out), ctx.loc(node)))
    return _rebuild_results(fn, [ir.LocalRef(v) for v in results])
