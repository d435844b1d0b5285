"""Reading the source of a kernel or func: the AST, the line offsets and the captured names."""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass

from quadrants.errors import QuadrantsSyntaxError

__all__ = ["ParsedFunction", "parse_function", "closure_values"]


@dataclass(frozen=True)
class ParsedFunction:
    """The ``ast.FunctionDef`` of a Python function plus where its block sits in its file."""

    tree: ast.FunctionDef
    file: str
    first_line: int
    indent: int
    lines: tuple[str, ...]
    source: str  # the dedented decorated block, '\n' line endings


def parse_function(fn) -> ParsedFunction:
    """Parse ``fn``'s source; failure to read it is a clear error (kernels need their source)."""
    try:
        lines, first_line = inspect.getsourcelines(fn)
        file = inspect.getsourcefile(fn) or inspect.getfile(fn)
    except (OSError, TypeError) as exc:
        raise QuadrantsSyntaxError(
            f"cannot read the source of {getattr(fn, '__qualname__', fn)!r} ({exc}); kernels and funcs must be "
            "defined in a file"
        ) from None
    raw = "".join(lines)
    dedented = textwrap.dedent(raw)
    first = next((ln for ln in lines if ln.strip()), "")
    indent = len(first) - len(first.lstrip())
    tree = ast.parse(dedented)
    fdef = next(n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return ParsedFunction(
        tree=fdef,
        file=file,
        first_line=first_line,
        indent=indent,
        lines=tuple(lines),
        source=dedented.replace("\r\n", "\n"),
    )


def closure_values(fn) -> dict:
    """The values of ``fn``'s free variables (cells that are still empty are skipped)."""
    code = fn.__code__
    out = {}
    for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
        try:
            out[name] = cell.cell_contents
        except ValueError:
            continue
    return out
