"""Python constructs that kernel code does not support: one table of node type -> (exception class, message)."""

from __future__ import annotations

import ast

from quadrants.errors import QuadrantsSyntaxError

__all__ = ["UNSUPPORTED", "unsupported", "immutable_argument"]

UNSUPPORTED: dict[type, tuple[type, str]] = {
    ast.Lambda: (QuadrantsSyntaxError, "lambda is not supported in kernel code; use a @qd.func"),
    ast.SetComp: (QuadrantsSyntaxError, "set comprehensions are not supported in kernel code"),
    ast.GeneratorExp: (QuadrantsSyntaxError, "generator expressions are not supported in kernel code"),
    ast.Set: (QuadrantsSyntaxError, "set literals are not supported in kernel code"),
    ast.Starred: (QuadrantsSyntaxError, "starred expressions are only supported as call arguments"),
    ast.NamedExpr: (QuadrantsSyntaxError, "the walrus operator := is not supported in kernel code"),
    ast.Await: (QuadrantsSyntaxError, "await is not supported in kernel code"),
    ast.Yield: (QuadrantsSyntaxError, "yield is not supported in kernel code"),
    ast.YieldFrom: (QuadrantsSyntaxError, "yield from is not supported in kernel code"),
    ast.Try: (QuadrantsSyntaxError, "try/except is not supported in kernel code"),
    ast.Raise: (QuadrantsSyntaxError, "raise is not supported in kernel code; use assert under qd.init(debug=True)"),
    ast.Delete: (QuadrantsSyntaxError, "del is not supported in kernel code"),
    ast.Global: (QuadrantsSyntaxError, "global declarations are not supported in kernel code"),
    ast.Nonlocal: (QuadrantsSyntaxError, "nonlocal declarations are not supported in kernel code"),
    ast.Import: (QuadrantsSyntaxError, "import is not supported in kernel code; import at module level"),
    ast.ImportFrom: (QuadrantsSyntaxError, "import is not supported in kernel code; import at module level"),
    ast.AsyncFor: (QuadrantsSyntaxError, "async for is not supported in kernel code"),
    ast.AsyncWith: (QuadrantsSyntaxError, "async with is not supported in kernel code"),
    ast.Match: (QuadrantsSyntaxError, "match statements are not supported in kernel code"),
}
if hasattr(ast, "TryStar"):
    UNSUPPORTED[ast.TryStar] = UNSUPPORTED[ast.Try]


def unsupported(ctx, node: ast.AST) -> Exception:
    """The error to raise for ``node``: upstream's ``Unsupported node "Raise"`` and what to do instead."""
    cls, message = UNSUPPORTED.get(
        type(node), (QuadrantsSyntaxError, f"{type(node).__name__} is not supported in kernel code")
    )
    return cls(f'Unsupported node "{type(node).__name__}": {message}', ctx.loc(node))


def immutable_argument(name: str, loc) -> QuadrantsSyntaxError:
    """Assigning to a kernel argument (upstream's wording)."""
    return QuadrantsSyntaxError(
        f'Kernel argument "{name}" is immutable in the kernel. If you want to change its value, please create a new '
        "variable.",
        loc,
    )
