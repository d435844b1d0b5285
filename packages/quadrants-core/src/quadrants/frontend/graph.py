"""Graph constructs (docs/semantics.md §16–§17): ``qd.graph.do_while`` levels, explicit and implicit checkpoints.

Graph bodies (the kernel body and every do_while body) are visited by :func:`visit_graph_body`, which auto-wraps
top-level for-loops into implicit checkpoints in ``checkpoints=True`` kernels and, in kernels that use do_while,
first checks the statement kinds of those bodies (§16.2: no plain ``while``, no ``return``, ...). Each construct
closes the current run of bare statements into a serial block, so every statement runs at the level where it is
written.
"""

from __future__ import annotations

import ast
import enum
import warnings

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import parallel_blocks
from quadrants.frontend.exprs import evaluate
from quadrants.frontend.graph_markers import call_target as _call_target, is_checkpoint, is_do_while
from quadrants.frontend.graph_spellings import deprecation_message, is_deprecated_spelling
from quadrants.frontend.values import NdarrayValue
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.graph_tables import CheckpointRecord, GraphDoWhileLevel, GraphInfo

__all__ = ["GraphInfo", "visit_graph_body", "lower_do_while", "lower_checkpoint", "is_do_while", "is_checkpoint"]


def uses_do_while(tree: ast.AST) -> bool:
    """Whether the kernel source mentions ``graph.do_while`` / ``graph_do_while`` anywhere (a syntactic check)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("do_while", "graph_do_while"):
            return True
        if isinstance(node, ast.Name) and node.id == "graph_do_while":
            return True
    return False


def visit_graph_body(ctx, body: list[ast.stmt]) -> None:
    """Lower the statements of the kernel body or of a do_while body."""
    visit = ctx.lower.visit

    if ctx.uses_do_while and ctx.frame.is_kernel and not ctx.level_stack and not ctx.checkpoint_stack:
        check_graph_statements(ctx, body, "the kernel body")  # do_while bodies are checked from here, recursively
    for stmt in body:
        if ctx.frame.returned:
            break
        if isinstance(stmt, ast.For) and ctx.checkpoints and ctx.checkpoint_depth == 0:
            _implicit_checkpoint(ctx, stmt)
            continue
        visit(ctx, stmt)


# what to do instead, per statement kind that a do_while kernel's bodies may not contain
_GRAPH_STATEMENT_HINTS = {
    ast.While: "move the loop into a for-loop (a plain while is serial code) or use while qd.graph.do_while(flag)",
    ast.Return: "write results into an ndarray parameter instead",
}


_GRAPH_REGIONS = (parallel_blocks.graph_parallel_context, parallel_blocks.graph_parallel)


def check_graph_statements(ctx, stmts: list[ast.stmt], where: str) -> None:
    """In a kernel that uses ``qd.graph.do_while`` (§16.2), the kernel body and every do_while body hold only
    for-loops, do_while loops, assignments, ``if`` blocks, expression statements (``@qd.func`` calls,
    ``qd.loop_config``) and ``qd.checkpoint`` / ``qd.graph.parallel_context`` / ``qd.graph.parallel`` blocks; the
    others are refused at the statement, with upstream's message."""
    for stmt in stmts:
        if isinstance(stmt, (ast.For, ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)):
            continue
        if is_do_while(ctx, stmt):
            check_graph_statements(ctx, stmt.body, "a qd.graph.do_while() body")
            continue
        if isinstance(stmt, ast.If):
            check_graph_statements(ctx, stmt.body, where)
            check_graph_statements(ctx, stmt.orelse, where)
            continue
        if isinstance(stmt, ast.With) and (
            is_checkpoint(ctx, stmt) or _call_target(ctx, stmt.items[0].context_expr) in _GRAPH_REGIONS
        ):  # a parallel_context region and its sections sit inside a do_while body (what a section holds is
            # checked where it is lowered: parallel_blocks)
            check_graph_statements(ctx, stmt.body, where)
            continue
        kind = type(stmt).__name__
        hint = _GRAPH_STATEMENT_HINTS.get(type(stmt), "move it into a for-loop or a @qd.func")
        raise QuadrantsSyntaxError(
            f"When a kernel uses qd.graph.do_while(), {where} may not contain a {kind} statement; {hint}",
            ctx.loc(stmt),
        )


def _open_items(ctx) -> None:
    ctx.flush_serial()
    ctx.item_stack.append([])


def _close_items(ctx) -> tuple:
    ctx.flush_serial()
    return tuple(ctx.item_stack.pop())


def _nested_items(ctx, stack: list[int], ident: int, lower_body) -> tuple:
    """Lower a graph node's body into its own item list while ``ident`` is on ``stack``; return the items."""
    _open_items(ctx)
    stack.append(ident)
    try:
        lower_body()
    finally:
        stack.pop()
    return _close_items(ctx)  # pops the item stack: read ctx.items only after this


def _scoped_graph_body(ctx, body: list[ast.stmt]):
    def lower():
        with ctx.scope():
            visit_graph_body(ctx, body)

    return lower


def _implicit_checkpoint(ctx, stmt: ast.For) -> None:
    visit = ctx.lower.visit

    cp_id = len(ctx.graph.checkpoints)
    ctx.graph.checkpoints.append(CheckpointRecord(None, None, -1))
    body = _nested_items(ctx, ctx.checkpoint_stack, cp_id, lambda: visit(ctx, stmt))
    ctx.items.append(ir.Checkpoint(cp_id, -1, body, ctx.loc(stmt)))


# ------------------------------------------------------------------------------------------------- conditions


def _chain_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _chain_text(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _flag(ctx, node: ast.AST, what: str, errors: dict) -> tuple[int, str]:
    """Resolve a do_while condition / yield_on flag: (flat arg index, introspection name)."""
    text = _chain_text(node)
    if text is None:
        raise QuadrantsSyntaxError(errors["form"], ctx.loc(node))
    try:
        value = evaluate(ctx, node)
    except Exception:  # a missing name or member: the same user error as a non-ndarray one (as upstream)
        value = None
    if not isinstance(value, NdarrayValue):
        raise QuadrantsSyntaxError(
            f"{what} got '{text}' which does not resolve to an ndarray kernel parameter of '{ctx.kernel_name}'; "
            "pass a 0-d i32 ndarray parameter (`flag`) or an ndarray member (`self.flag`, `params.flag`)",
            ctx.loc(node),
        )
    if value.ndim != 0 or value.dtype != dtypes.i32 or value.element_shape or value.static_shape is not None:
        raise QuadrantsSyntaxError(f"{what}: '{text}' must be a 0-d i32 ndarray", ctx.loc(node))
    name = text
    if value.name.startswith("__qd_") and value.name.count("__qd_") > 1 and _is_dataclass_chain(ctx, node):
        name = value.name
    return value.arg, name


def _is_dataclass_chain(ctx, node) -> bool:
    from quadrants.frontend.structs import StructRef

    base = node
    while isinstance(base, ast.Attribute):
        base = base.value
    root = evaluate(ctx, base) if isinstance(base, ast.Name) else None
    return isinstance(root, StructRef) and root.kind == "dataclass"


# -------------------------------------------------------------------------------------------------- do_while

_DO_WHILE_ERRORS = {
    "form": "qd.graph.do_while() argument must be an ndarray parameter name or attribute chain (e.g. c or "
    "self.counter), not an expression",
}


def lower_do_while(ctx, node: ast.While) -> None:
    call = node.test
    if not ctx.graph_enabled:
        raise QuadrantsSyntaxError("qd.graph.do_while() requires @qd.kernel(graph=True)", ctx.loc(node))
    if node.orelse:
        raise QuadrantsSyntaxError("'else' clause for 'while' not supported", ctx.loc(node))
    if ctx.for_depth > 0:
        raise QuadrantsSyntaxError(
            "qd.graph.do_while() must be at the kernel top level or directly nested inside another qd.graph.do_while()",
            ctx.loc(node),
        )
    if ctx.if_depth > 0 or ctx.while_depth > 0:
        raise QuadrantsSyntaxError("qd.graph.do_while() cannot appear under a runtime if", ctx.loc(node))
    if len(call.args) + len(call.keywords) != 1 or call.keywords:
        raise QuadrantsTypeError(
            f"qd.graph.do_while() takes 1 positional argument but {len(call.args) + len(call.keywords)} were given",
            ctx.loc(node),
        )
    if is_deprecated_spelling(call.func, "do_while") and not ctx.graph.alias_warned:
        # once per compiled specialization (docs/semantics.md §16.2), not once per source site
        ctx.graph.alias_warned = True
        loc = ctx.loc(node)
        warnings.warn_explicit(deprecation_message("do_while"), DeprecationWarning, loc.file, loc.line)
    arg, name = _flag(ctx, call.args[0], "qd.graph.do_while(...)", _DO_WHILE_ERRORS)
    level = len(ctx.graph.levels)
    parent = ctx.level_stack[-1] if ctx.level_stack else -1
    checkpoint_id = ctx.checkpoint_stack[-1] if ctx.checkpoint_stack else -1
    ctx.graph.levels.append(GraphDoWhileLevel(name, parent, arg, checkpoint_id))
    body = _nested_items(ctx, ctx.level_stack, level, _scoped_graph_body(ctx, node.body))
    ctx.items.append(ir.DoWhile(level, arg, body, ctx.loc(node)))


# ------------------------------------------------------------------------------------------------ checkpoints

_CHECKPOINT_ERRORS = {
    "form": "qd.checkpoint(yield_on=...) must reference a kernel ndarray argument (a parameter name or an attribute "
    "chain such as self.flag)",
}
_BARE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)


def _checkpoint_args(ctx, node: ast.With):
    call = node.items[0].context_expr
    if not call.args and not call.keywords:
        raise QuadrantsSyntaxError(
            "qd.checkpoint() takes two arguments: `qd.checkpoint(cp_id, yield_on=flag)`, a label and a 0-d i32 "
            "ndarray flag",
            ctx.loc(node),
        )
    if len(call.args) > 2:
        raise QuadrantsSyntaxError("qd.checkpoint() takes at most 2 positional arguments", ctx.loc(node))
    given = {}
    for name, value in zip(("cp_id", "yield_on"), call.args):
        given[name] = value
    for kw in call.keywords:
        if kw.arg not in ("cp_id", "yield_on"):
            raise QuadrantsSyntaxError(f"qd.checkpoint() got an unexpected keyword argument '{kw.arg}'", ctx.loc(node))
        if kw.arg in given:
            raise QuadrantsSyntaxError(
                f"qd.checkpoint() got `{kw.arg}` both positionally and as a keyword", ctx.loc(node)
            )
        given[kw.arg] = kw.value
    for name in ("cp_id", "yield_on"):
        if name not in given:
            raise QuadrantsSyntaxError(f"qd.checkpoint() is missing required argument `{name}`", ctx.loc(node))
    return given["cp_id"], given["yield_on"]


def _host_name(ctx, name: str):
    """``(True, value)`` when ``name`` is not a kernel local and names a closure value or module global of the
    kernel (closure first, as Python resolves it), else ``(False, None)``."""
    if ctx.lookup_local(name) is not None:
        return False, None
    for scope in (ctx.frame.closure, ctx.frame.globals):
        if name in scope:
            return True, scope[name]
    return False, None


def _label(ctx, node: ast.AST):
    """A label must resolve statically: an int literal, an int closure value or module global, or ``Name.attr`` of
    one (an ``IntEnum`` member or an int class attribute), as upstream resolves it."""
    value = None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        value = node.value
    elif isinstance(node, ast.Name):
        found, candidate = _host_name(ctx, node.id)
        value = candidate if found and isinstance(candidate, int) and not isinstance(candidate, bool) else None
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        found, owner = _host_name(ctx, node.value.id)
        candidate = getattr(owner, node.attr, None) if found else None
        ok = isinstance(candidate, int) and not isinstance(candidate, bool)
        value = candidate if ok or (isinstance(candidate, enum.Enum) and isinstance(candidate, int)) else None
    if value is None:
        raise QuadrantsSyntaxError(
            "qd.checkpoint() first argument must be an int literal or an IntEnum value (or an int constant of the "
            "kernel's module or closure)",
            ctx.loc(node),
        )
    return value


def lower_checkpoint(ctx, node: ast.With) -> None:
    if any(item.optional_vars is not None for item in node.items):
        raise QuadrantsSyntaxError("'with ... as ...' is not supported in kernel code", ctx.loc(node))
    # the call's own shape and label first, then where it stands (upstream checks in this order too)
    label_node, flag_node = _checkpoint_args(ctx, node)
    label = _label(ctx, label_node)
    if not ctx.graph_enabled:
        raise QuadrantsSyntaxError("qd.checkpoint() requires @qd.kernel(graph=True)", ctx.loc(node))
    if not ctx.checkpoints:
        raise QuadrantsSyntaxError(
            f"kernel '{ctx.kernel_name}' uses qd.checkpoint() but was not decorated with `checkpoints=True`",
            ctx.loc(node),
        )
    if not ctx.frame.is_kernel:
        raise QuadrantsSyntaxError("qd.checkpoint() can only be used inside @qd.kernel, not @qd.func", ctx.loc(node))
    if ctx.checkpoint_depth > 0 or ctx.for_depth > 0:
        raise QuadrantsSyntaxError("qd.checkpoint() cannot be nested inside another qd.checkpoint()", ctx.loc(node))
    if ctx.if_depth > 0 or ctx.while_depth > 0:
        raise QuadrantsSyntaxError(
            "qd.checkpoint() must be at the kernel top level or directly inside a qd.graph.do_while() body",
            ctx.loc(node),
        )
    if any(c.label is not None and c.label == label for c in ctx.graph.checkpoints):
        raise QuadrantsSyntaxError(
            f"qd.checkpoint(cp_id={label!r}, ...) declares a cp_id that is already used by another checkpoint in "
            f"kernel '{ctx.kernel_name}'; give every checkpoint its own label",
            ctx.loc(node),
        )
    for stmt in node.body:
        if isinstance(stmt, _BARE) and not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            kind = type(stmt).__name__
            raise QuadrantsSyntaxError(
                f"qd.checkpoint() body cannot contain a bare top-level {kind} statement (line "
                f"{ctx.loc(stmt).line}); wrap it in `for _ in range(1):`",
                ctx.loc(stmt),
            )
    arg, name = _flag(ctx, flag_node, "qd.checkpoint(yield_on=...)", _CHECKPOINT_ERRORS)
    cp_id = len(ctx.graph.checkpoints)
    ctx.graph.checkpoints.append(CheckpointRecord(label, name, arg))
    body = _nested_items(ctx, ctx.checkpoint_stack, cp_id, _scoped_graph_body(ctx, node.body))
    ctx.items.append(ir.Checkpoint(cp_id, arg, body, ctx.loc(node)))
