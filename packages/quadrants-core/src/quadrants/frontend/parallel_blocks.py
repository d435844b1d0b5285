"""``with qd.stream_parallel():``, ``with qd.graph.parallel_context():`` and ``with qd.graph.parallel():`` in kernels.

They say that the loops inside may run concurrently (on CUDA upstream puts them on separate streams or graph
branches). Their semantics here is **program order**: the body runs exactly as if the ``with`` line were absent, so
every backend gives the results of the serial order (docs/streams.md); llvm-cuda runs the tasks of different
``qd.stream_parallel()`` blocks on streams of their own (the tasks carry the block number), which a program whose
blocks do not race cannot tell apart. The frontend checks upstream's placement rules.
Outside kernels they are no-op context managers.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses

from quadrants.errors import QuadrantsSyntaxError
from quadrants.frontend.graph_markers import is_checkpoint, is_do_while
from quadrants.frontend.graph_spellings import deprecation_message

__all__ = [
    "stream_parallel",
    "graph_parallel_context",
    "graph_parallel",
    "lower_with_block",
    "check_stream_parallel_body",
]


@contextlib.contextmanager
def stream_parallel():
    """Run the top-level for-loops of this block concurrently where the backend can (program order here)."""
    yield


@contextlib.contextmanager
def graph_parallel_context():
    """A fork/join region of ``qd.graph.parallel()`` sections in a ``graph=True`` kernel (program order here)."""
    yield


@contextlib.contextmanager
def graph_parallel():
    """One section of a ``qd.graph.parallel_context()`` region (program order here)."""
    yield


def _target(ctx, node: ast.With):
    if len(node.items) != 1 or not isinstance(node.items[0].context_expr, ast.Call):
        return None, None
    call = node.items[0].context_expr
    try:
        fn = ctx.lower.evaluate_quiet(ctx, call.func)
    except Exception:
        return None, None
    return fn, call


def _no_args(ctx, call, name: str):
    if call.args or call.keywords:
        raise QuadrantsSyntaxError(f"{name} takes no arguments", ctx.loc(call))


def _is_stream_parallel_block(stmt: ast.stmt) -> bool:
    """``with qd.stream_parallel():`` (by the name the call spells, as upstream recognises it)."""
    if not (isinstance(stmt, ast.With) and len(stmt.items) == 1):
        return False
    call = stmt.items[0].context_expr
    func = call.func if isinstance(call, ast.Call) else None
    return (isinstance(func, ast.Attribute) and func.attr == "stream_parallel") or (
        isinstance(func, ast.Name) and func.id == "stream_parallel"
    )


def check_stream_parallel_body(ctx, body: list[ast.stmt]) -> None:
    """As upstream: a kernel that uses ``qd.stream_parallel()`` holds nothing else at its top level (a docstring
    aside); the blocks run on streams of their own, so code between them would have no defined order."""
    if not any(_is_stream_parallel_block(s) for s in body):
        return
    for k, stmt in enumerate(body):
        docstring = k == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        if not docstring and not _is_stream_parallel_block(stmt):
            raise QuadrantsSyntaxError(
                "When using qd.stream_parallel(), all top-level statements in the kernel must be 'with "
                "qd.stream_parallel():' blocks. Move the other statements to a separate kernel launched after "
                "this one (launches keep program order)",
                ctx.loc(stmt),
            )


def _lower_stream_parallel(ctx, node, call):
    _no_args(ctx, call, "qd.stream_parallel()")
    if ctx.func_stack:
        raise QuadrantsSyntaxError(
            "qd.stream_parallel() can only be used inside @qd.kernel, not @qd.func", ctx.loc(node)
        )
    if ctx.graph_enabled:
        raise QuadrantsSyntaxError(
            "qd.stream_parallel() is not compatible with graph=True kernels. Streams and graphs cannot be combined; "
            "remove graph=True or the qd.stream_parallel() block.",
            ctx.loc(node),
        )
    # the block's tasks carry its number (ParallelFor.stream / SerialBlock.stream): a backend with streams runs each
    # block on a stream of its own (llvm-cuda), the others ignore it. Flushing the serial statements on both sides
    # keeps a block's statements out of its neighbours' serial tasks.
    ctx.flush_serial()
    start = len(ctx.items)
    ctx.lower.visit_block(ctx, node.body)
    ctx.flush_serial()
    number = ctx.features["stream_blocks"] = ctx.features.get("stream_blocks", 0) + 1
    ctx.items[start:] = [dataclasses.replace(item, stream=number) for item in ctx.items[start:]]


def _lower_parallel_context(ctx, node, call):
    _no_args(ctx, call, "qd.graph.parallel_context()")
    if ctx.func_stack:
        raise QuadrantsSyntaxError(
            "qd.graph.parallel_context() can only be used inside @qd.kernel, not @qd.func", ctx.loc(node)
        )
    if not ctx.graph_enabled:
        raise QuadrantsSyntaxError("qd.graph.parallel_context() requires @qd.kernel(graph=True)", ctx.loc(node))
    if ctx.checkpoints:
        raise QuadrantsSyntaxError(
            "qd.graph.parallel_context() cannot be used in a checkpoints=True kernel", ctx.loc(node)
        )
    if ctx.features.get("parallel_context"):
        raise QuadrantsSyntaxError("qd.graph.parallel_context() regions cannot be nested", ctx.loc(node))
    _check_region(ctx, node.body)
    ctx.features["parallel_context"] = True
    try:
        ctx.lower.visit_block(ctx, node.body)
    finally:
        ctx.features["parallel_context"] = False


_REGION_BODY = "The qd.graph.parallel_context() region body may contain only 'with qd.graph.parallel():' blocks"


def _is_static(ctx, expr) -> bool:
    from quadrants.frontend.intrinsics import static

    if not isinstance(expr, ast.Call):
        return False
    try:
        return ctx.lower.evaluate_quiet(ctx, expr.func) is static
    except Exception:
        return False


def _check_region(ctx, body) -> None:
    """A region holds ``with qd.graph.parallel():`` sections, possibly under ``if qd.static(...)`` or
    ``for ... in qd.static(...)`` (compile-time structure only)."""
    for stmt in body:
        if isinstance(stmt, ast.If) and _is_static(ctx, stmt.test):
            _check_region(ctx, stmt.body)
            _check_region(ctx, stmt.orelse)
            continue
        if isinstance(stmt, ast.For) and _is_static(ctx, stmt.iter):
            _check_region(ctx, stmt.body)
            continue
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue
        fn, _ = _target(ctx, stmt) if isinstance(stmt, ast.With) else (None, None)
        if fn is not graph_parallel:
            raise QuadrantsSyntaxError(_REGION_BODY, ctx.loc(stmt))
        _check_section(ctx, stmt.body)


def _check_section(ctx, body) -> None:
    """A section holds task work: no graph constructs (upstream's restriction)."""
    for node in (n for stmt in body for n in ast.walk(stmt)):
        if is_do_while(ctx, node):
            raise QuadrantsSyntaxError(
                "qd.graph.do_while() cannot appear inside a qd.graph.parallel section", ctx.loc(node)
            )
        if is_checkpoint(ctx, node):
            raise QuadrantsSyntaxError(
                "qd.checkpoint() cannot appear inside a qd.graph.parallel section", ctx.loc(node)
            )
        if isinstance(node, ast.With) and _target(ctx, node)[0] in (graph_parallel, graph_parallel_context):
            raise QuadrantsSyntaxError(
                "qd.graph.parallel sections cannot be nested (nor contain a parallel_context)", ctx.loc(node)
            )


def _lower_parallel_section(ctx, node, call):
    _no_args(ctx, call, "qd.graph.parallel()")
    if not ctx.features.get("parallel_context"):
        raise QuadrantsSyntaxError(
            "qd.graph.parallel() can only be used directly inside a qd.graph.parallel_context() region", ctx.loc(node)
        )
    ctx.lower.visit_block(ctx, node.body)


_LOWERING = {
    stream_parallel: _lower_stream_parallel,
    graph_parallel_context: _lower_parallel_context,
    graph_parallel: _lower_parallel_section,
}


def _warn_flat_name(ctx, call) -> None:
    """``qd.graph_parallel_context()`` / ``qd.graph_parallel()``: upstream's deprecated flat spellings."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name in ("graph_parallel_context", "graph_parallel"):
        ctx.warn(deprecation_message(name), call, DeprecationWarning)


def lower_with_block(ctx, node: ast.With) -> bool:
    """Lower ``node`` when it is one of the parallel blocks; False otherwise."""
    fn, call = _target(ctx, node)
    lower = _LOWERING.get(fn) if fn is not None and _hashable(fn) else None
    if lower is None:
        return False
    _warn_flat_name(ctx, call)
    if node.items[0].optional_vars is not None:
        raise QuadrantsSyntaxError("'with ... as ...' is not supported in kernel code", ctx.loc(node))
    lower(ctx, node, call)
    return True


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
