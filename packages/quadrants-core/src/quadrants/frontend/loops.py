"""Loops (docs/semantics.md §10): parallel top-level for-loops become :class:`ParallelFor` tasks, every other loop is
serial; ``qd.static`` loops are unrolled at compile time.

A for-loop's iterator is first normalised into a list of axes ``(begin, end)`` of i32 run-time values (``range``,
``qd.ndrange``, an ndarray struct-for, each optionally wrapped in ``qd.grouped``), then lowered one way for parallel
and one way for serial loops.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass

import numpy as np

from quadrants.errors import QuadrantsIndexError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import func_exits, intrinsics as qi, typing_rules as tr
from quadrants.frontend.context import Loop
from quadrants.frontend.exprs import evaluate
from quadrants.frontend.matrix import MatrixValue
from quadrants.frontend.values import LocalBinding, NdarrayValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = ["LOOP_HANDLERS"]

_WARN_BOUNDS = {dtypes.i64, dtypes.u32, dtypes.u64, dtypes.f16, dtypes.f32, dtypes.f64}


@dataclass
class Axes:
    """A normalised iteration space: per-axis bounds, whether the target is one index vector, visit order."""

    begins: list
    ends: list
    grouped: bool
    order: tuple | None = None
    struct_for: bool = False  # over the elements of an ndarray, a field or an SNode (upstream's struct-for)
    zero_d: bool = False  # a struct-for over a 0-d field: one iteration with an empty index


def _struct_for_axes(begins: list, ends: list, grouped: bool) -> Axes:
    """The axes of a struct-for; a 0-d container runs its body once, with an empty index (``x[I]`` is ``x[None]``)."""
    if not begins:
        return Axes([ir.Const(0, dtypes.i32)], [ir.Const(1, dtypes.i32)], grouped, struct_for=True, zero_d=True)
    return Axes(begins, ends, grouped, struct_for=True)


def _bound(ctx, value, node):
    """A range bound as an i32 run-time value (§10: other types are converted, with a warning for lossy ones)."""
    if not is_runtime(value) and isinstance(value, float):
        ctx.warn("Casting range_for boundary values to i32", node)
        return ir.Const(int(value), dtypes.i32)
    if not is_runtime(value) and isinstance(value, np.integer):  # a host numpy int is a plain int, as upstream
        value = int(value)
    value = tr.to_expr(ctx, value, node)
    if value.dtype == dtypes.i32:
        return value
    if value.dtype in _WARN_BOUNDS:
        ctx.warn(f"Casting range_for boundary values from {value.dtype} to i32", node)
    return tr.cast(ctx, value, dtypes.i32)


def _called(ctx, node: ast.AST, fn) -> bool:
    if not isinstance(node, ast.Call):
        return False
    evaluate_quiet = ctx.lower.evaluate_quiet

    try:
        return evaluate_quiet(ctx, node.func) is fn
    except Exception:
        return False


def _range_axes(ctx, node: ast.Call, stmt: ast.For) -> Axes:
    if node.keywords:
        raise QuadrantsSyntaxError("range() takes no keyword arguments", ctx.loc(node))
    args = [evaluate(ctx, a) for a in node.args]
    if len(args) not in (1, 2):  # located at the for statement, as upstream
        raise QuadrantsSyntaxError(f"Range should have 1 or 2 arguments, found {len(args)}", ctx.loc(stmt))
    begin, end = (0, args[0]) if len(args) == 1 else args
    return Axes([_bound(ctx, begin, node)], [_bound(ctx, end, node)], grouped=False)


def _spec_axes(ctx, spec, node, grouped: bool) -> Axes:
    if isinstance(spec, qi.GroupedSpec):
        return _spec_axes(ctx, spec.inner, node, grouped=True)
    if isinstance(spec, NdarrayValue):
        if spec.view is not None:  # as upstream: a view is no loop range (its indices are range(v.size))
            raise QuadrantsTypeError(
                "Cannot loop over the object <class 'quadrants.lang.buffer_view.BufferView'> in Quadrants scope. Only "
                "Quadrants fields (via template) or dense arrays (via types.ndarray) are supported; loop over a "
                "view's indices with `for i in range(v.size)`",
                ctx.loc(node),
            )
        if spec.index_offset:  # a field with offset=: its indices run from offset to offset + shape
            begins = [ir.Const(int(o), dtypes.i32) for o in spec.index_offset]
            ends = [ir.Const(int(o) + int(e), dtypes.i32) for o, e in zip(spec.index_offset, spec.shape)]
            return Axes(begins, ends, grouped, struct_for=True)
        zero = ir.Const(0, dtypes.i32)
        return _struct_for_axes([zero] * spec.ndim, [_bound(ctx, e, node) for e in spec.shape], grouped)
    loop_shape = getattr(spec, "_qd_loop_shape", None)  # a field of structs or an SNode: its compile-time shape
    if loop_shape is not None:
        begin = getattr(spec, "_qd_loop_begin", None) or (0,) * len(loop_shape)
        begins = [ir.Const(int(b), dtypes.i32) for b in begin]
        ends = [ir.Const(int(b) + int(e), dtypes.i32) for b, e in zip(begin, loop_shape)]
        return _struct_for_axes(begins, ends, grouped)
    if isinstance(spec, qi.NdrangeSpec):
        begins, ends = [], []
        for axis in spec.axes:
            if isinstance(axis, (tuple, list)):
                if len(axis) != 2:
                    raise QuadrantsSyntaxError(qi.NDRANGE_AXIS_ERROR, ctx.loc(node))
                b, e = axis
            else:
                b, e = 0, axis
            begins.append(_bound(ctx, b, node))
            ends.append(_bound(ctx, e, node))
        return Axes(begins, ends, grouped, spec.order)
    if isinstance(spec, range) and spec.step == 1:
        return Axes([_bound(ctx, spec.start, node)], [_bound(ctx, spec.stop, node)], grouped)
    raise QuadrantsSyntaxError(
        "for-loops iterate over range(), qd.ndrange(), qd.grouped() or an ndarray; unroll a Python sequence with "
        "qd.static(...)",
        ctx.loc(node),
    )


def _target_names(ctx, target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in target.elts):
        return [e.id for e in target.elts]
    raise QuadrantsSyntaxError("a for-loop target must be a name or a tuple of names", ctx.loc(target))


def _bind_targets(ctx, names: list[str], index_values: list, axes: Axes, node) -> None:
    if axes.zero_d:
        index_values = []
    if axes.grouped:
        if len(names) != 1:
            raise QuadrantsSyntaxError("qd.grouped(...) binds a single index vector target", ctx.loc(node))
        # upstream's I is a full i32 vector (I + 1, I.x, I < n, I.cast(float) ...), not only an index
        ctx.bind(names[0], MatrixValue(tuple(index_values), (len(index_values),)))
        return
    if len(names) != len(index_values) and axes.struct_for:
        raise QuadrantsIndexError(
            f"Number of struct-for indices does not match loop variable dimensionality ({len(names)} != "
            f'{len(index_values)}). Maybe you wanted to use "for I in qd.grouped(x)" to group all indices into a '
            "single vector I?",
            ctx.loc(node),
        )
    if len(names) != len(index_values):
        raise QuadrantsSyntaxError(
            "Ndrange for loop with number of the loop variables not equal to the dimension of the ndrange is not "
            f"supported: the loop has {len(index_values)} axes but {len(names)} target(s); use qd.grouped(...) for "
            "one index vector",
            ctx.loc(node),
        )
    for name, value in zip(names, index_values):
        ctx.bind(name, LocalBinding(value.var))
        ctx.loop_var_ids.add(value.var.id)


# (outer, inner) iterator wrappers that upstream refuses in a for statement, and its messages
_NESTING_ERRORS = {
    ("static", "static"): "'qd.static' cannot be nested",
    ("grouped", "grouped"): "'qd.grouped' cannot be nested",
    ("grouped", "static"): "'qd.static' is not allowed inside 'qd.grouped'",
    ("ndrange", "static"): "No decorator is allowed inside 'qd.ndrange'",
    ("ndrange", "grouped"): "No decorator is allowed inside 'qd.ndrange'",
    ("ndrange", "ndrange"): "No decorator is allowed inside 'qd.ndrange'",
}


def _wrapper(ctx, node: ast.AST) -> str:
    """Which of qd.static / qd.grouped / qd.ndrange ``node`` calls ("" for none)."""
    for name in ("static", "grouped", "ndrange"):
        if _called(ctx, node, getattr(qi, name)):
            return name
    return ""


def _check_iterator_nesting(ctx, node: ast.For) -> None:
    outer = _wrapper(ctx, node.iter)
    if not outer or len(node.iter.args) != 1:
        return
    message = _NESTING_ERRORS.get((outer, _wrapper(ctx, node.iter.args[0])))
    if message is not None:
        raise QuadrantsSyntaxError(message, ctx.loc(node.iter))


def _for(ctx, node: ast.For) -> None:
    if node.orelse:
        raise QuadrantsSyntaxError("'else' clause for 'for' not supported", ctx.loc(node))
    _check_iterator_nesting(ctx, node)
    config = ctx.pending_loop_config or {}
    ctx.pending_loop_config = None
    if _called(ctx, node.iter, qi.static):
        _static_for(ctx, node)
        return
    if _called(ctx, node.iter, builtins.range):
        axes = _range_axes(ctx, node.iter, node)
    else:
        axes = _spec_axes(ctx, evaluate(ctx, node.iter), node.iter, grouped=False)
    names = _target_names(ctx, node.target)
    for name in names:  # upstream's rule: a loop variable is a new variable, never one already visible
        if ctx.lookup_local(name) is not None:
            raise QuadrantsSyntaxError(
                f"Variable '{name}' is already declared in the outer scope and cannot be used as loop variable",
                ctx.loc(node),
            )
    if ctx.top_level and not config.get("serialize", False):
        _parallel_for(ctx, node, axes, names, config)
    else:
        _serial_for(ctx, node, axes, names)


def _body(ctx, node: ast.For, loop: Loop, bind) -> list:
    visit_block = ctx.lower.visit_block

    ctx.loops.append(loop)
    ctx.runtime_depth += 1
    ctx.for_depth += 1
    try:
        with ctx.nested(), ctx.block() as body, ctx.scope():
            bind()
            visit_block(ctx, node.body)
    finally:
        ctx.for_depth -= 1
        ctx.runtime_depth -= 1
        ctx.loops.pop()
    return body


def _parallel_for(ctx, node: ast.For, axes: Axes, names: list[str], config: dict) -> None:
    index_vars = [
        ctx.new_var(names[k] if k < len(names) and not axes.grouped else f"I{k}", dtypes.i32)
        for k in range(len(axes.begins))
    ]
    refs = [ir.LocalRef(v) for v in index_vars]
    loop = Loop(parallel=True, lanes=(tuple(refs), tuple(axes.begins), tuple(axes.ends)), config=dict(config))
    saved_parallel, ctx.parallel_loop = ctx.parallel_loop, loop
    try:
        body = _body(ctx, node, loop, lambda: _bind_targets(ctx, names, refs, axes, node))
    finally:
        ctx.parallel_loop = saved_parallel
    if loop.has_continue:
        # `continue` ends the lane's iteration: a one-trip serial loop gives it a target
        once = ctx.new_var("continue_scope", dtypes.i32)
        body = [ir.RangeFor(once, ir.Const(0, dtypes.i32), ir.Const(1, dtypes.i32), tuple(body), ctx.loc(node))]
    body = [*loop.prologue, *body]
    ctx.flush_serial()
    items = [ir.ParallelFor(tuple(index_vars), tuple(axes.begins), tuple(axes.ends), tuple(body), ctx.loc(node))]
    for finish in loop.finishers:  # library features that rewrite the task (qd.simt: frontend/simt_lowering.py)
        items = finish(ctx, items)
    ctx.items.extend(items)


def _serial_for(ctx, node: ast.For, axes: Axes, names: list[str]) -> None:
    """One serial loop over the flattened iteration space (so ``break`` leaves the whole ndrange)."""
    i32 = dtypes.i32
    zero = ir.Const(0, i32)
    begins = [ctx.temp(b, node, "begin") for b in axes.begins]
    extents = []
    for b, e in zip(begins, axes.ends):
        e = ctx.temp(e, node, "end")
        extent = ir.OpExpr(Op.SUB, (e, b), i32)
        extents.append(ir.OpExpr(Op.MAX, (extent, zero), i32))
    if len(extents) == 1:
        flat_var = ctx.new_var(names[0] if not axes.grouped else "I0", i32)
        flat_begin, flat_end = begins[0], ctx.temp(ir.OpExpr(Op.ADD, (begins[0], extents[0]), i32), node, "end")
    else:
        flat_var = ctx.new_var("flat_index", i32)
        total = extents[0]
        for e in extents[1:]:
            total = ir.OpExpr(Op.MUL, (total, e), i32)
        flat_begin, flat_end = zero, ctx.temp(total, node, "trip_count")
        extents = [ctx.temp(e, node, "extent") for e in extents]
    order = list(axes.order) if axes.order else list(range(len(extents)))
    index_refs: list = [None] * len(extents)

    def bind():
        if len(extents) == 1:
            index_refs[0] = ir.LocalRef(flat_var)
        else:
            # decompose the flat index: the last axis of `order` varies fastest
            rest = ir.LocalRef(flat_var)
            for axis in reversed(order):
                local = ir.OpExpr(Op.MOD, (rest, extents[axis]), i32)
                value = ir.OpExpr(Op.ADD, (begins[axis], local), i32)
                index_refs[axis] = ir.LocalRef(ctx.declare(f"i{axis}", value, node))
                rest = ir.OpExpr(Op.FLOORDIV, (rest, extents[axis]), i32)
        _bind_targets(ctx, names, index_refs, axes, node)

    returns = func_exits.returns_so_far(ctx)
    body = _body(ctx, node, Loop(parallel=False), bind)
    ctx.emit(ir.RangeFor(flat_var, flat_begin, flat_end, tuple(body), ctx.loc(node)))
    func_exits.after_loop(ctx, returns, node)


def _static_items(iterable) -> list:
    """The items of a ``qd.static`` loop; ``qd.grouped(qd.ndrange(...))`` gives compile-time index vectors (upstream's
    idiom for a dimension-generic stencil: ``for offset in qd.static(qd.grouped(qd.ndrange(3, 3)))``)."""
    if isinstance(iterable, qi.GroupedSpec) and isinstance(iterable.inner, qi.NdrangeSpec):
        tuples = [t if isinstance(t, tuple) else (t,) for t in iterable.inner]
        return [MatrixValue(t, (len(t),)) for t in tuples]
    return list(iterable)


def _static_for(ctx, node: ast.For) -> None:
    """``for v in qd.static(iterable)``: unrolled; ``v`` is a Python value; each copy of the body is a block."""
    assign_name, visit_block = ctx.lower.assign_name, ctx.lower.visit_block

    iterable = evaluate(ctx, node.iter)
    if is_runtime(iterable):
        raise QuadrantsSyntaxError("qd.static(...) loops need a compile-time iterable", ctx.loc(node))
    try:
        items = _static_items(iterable)
    except TypeError:
        raise QuadrantsSyntaxError(f"cannot unroll over {type(iterable).__name__}", ctx.loc(node)) from None
    names = _target_names(ctx, node.target)
    loop = Loop(parallel=False, static=True, runtime_depth=ctx.runtime_depth)
    ctx.loops.append(loop)
    ctx.for_depth += 1
    try:
        for item in items:
            with ctx.scope():
                values = [item] if len(names) == 1 else list(item)
                if len(values) != len(names):
                    raise QuadrantsSyntaxError("cannot unpack the qd.static item into the loop target", ctx.loc(node))
                for name, value in zip(names, values):
                    assign_name(ctx, name, value, node, static=True)
                visit_block(ctx, node.body)
            exit_, loop.static_exit = loop.static_exit, ""
            if exit_ == "break":  # compile-time break: no more copies of the body
                break
    finally:
        ctx.for_depth -= 1
        ctx.loops.pop()


def _while(ctx, node: ast.While) -> None:
    from quadrants.frontend.graph import is_do_while, lower_do_while

    visit_block = ctx.lower.visit_block

    if is_do_while(ctx, node):
        lower_do_while(ctx, node)
        return
    if node.orelse:
        raise QuadrantsSyntaxError("'else' clause for 'while' not supported", ctx.loc(node))
    returns = func_exits.returns_so_far(ctx)
    ctx.loops.append(Loop(parallel=False))
    ctx.runtime_depth += 1
    ctx.while_depth += 1
    try:
        with ctx.nested(), ctx.block() as body, ctx.scope():
            cond = evaluate(ctx, node.test)
            if is_runtime(cond) or isinstance(cond, MatrixValue):
                cond = tr.check_condition(ctx, cond, node.test, "while condition")
                stop = ir.OpExpr(Op.LOGICAL_NOT, (cond,), dtypes.u1)
                ctx.emit(ir.If(stop, (ir.Break(ctx.loc(node)),), (), ctx.loc(node)))
            elif not cond:
                ctx.emit(ir.Break(ctx.loc(node)))
            visit_block(ctx, node.body)
    finally:
        ctx.while_depth -= 1
        ctx.runtime_depth -= 1
        ctx.loops.pop()
    ctx.emit(ir.Loop(tuple(body), ctx.loc(node)))
    func_exits.after_loop(ctx, returns, node)


def _innermost_loop(ctx, node, word: str) -> Loop | None:
    """The loop ``break``/``continue`` leaves; None when it is a ``qd.static`` loop, which is left at compile time
    (the rest of the unrolled body is not lowered), as upstream."""
    if not ctx.loops:
        raise QuadrantsSyntaxError(f"'{word}' outside loop", ctx.loc(node))
    loop = ctx.loops[-1]
    if loop.static:
        if ctx.runtime_depth > loop.runtime_depth:
            raise QuadrantsSyntaxError(
                f"You are trying to `{word}` a static `for` loop, but the `{word}` statement is inside a non-static "
                f"`if`. Make the condition compile-time (qd.static(...)) or use a run-time loop",
                ctx.loc(node),
            )
        loop.static_exit = word
        return None
    return loop


def _break(ctx, node: ast.Break) -> None:
    loop = _innermost_loop(ctx, node, "break")
    if loop is None:
        return
    if loop.parallel:
        raise QuadrantsSyntaxError(
            "Cannot break in the outermost loop: it is parallel; serialize it with "
            "qd.loop_config(serialize=True) or move the loop into a serial one",
            ctx.loc(node),
        )
    ctx.emit(ir.Break(ctx.loc(node)))


def _continue(ctx, node: ast.Continue) -> None:
    loop = _innermost_loop(ctx, node, "continue")
    if loop is None:
        return
    loop.has_continue = True
    ctx.emit(ir.Continue(ctx.loc(node)))


LOOP_HANDLERS = {ast.For: _for, ast.While: _while, ast.Break: _break, ast.Continue: _continue}
