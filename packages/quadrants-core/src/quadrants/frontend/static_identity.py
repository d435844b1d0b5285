"""``is`` / ``is not`` inside ``qd.static(...)`` (docs/language.md, "Compile-time evaluation").

As upstream 1.3.3 allows it, an identity comparison in kernel code has one use: asking whether a kernel's template
argument (``qd.template()`` or ``qd.Tensor``) is ``None``, written with the parameter's own name and a literal
``None`` (``qd.static(x is None)``, ``qd.static(None is not x)``). Any other identity comparison inside
``qd.static`` (two constants, an enum member, a local, a func parameter) is upstream's ``QuadrantsSyntaxError``;
``==`` compares values, and ``in`` / ``not in`` stay allowed inside ``qd.static``.
"""

from __future__ import annotations

import ast

from quadrants.errors import QuadrantsSyntaxError
from quadrants.frontend.values import ArgBinding

__all__ = ["check_static_identity"]


def _none_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _compared_name(left: ast.AST, right: ast.AST) -> ast.AST | None:
    """The operand compared with a literal ``None``, or ``None`` when neither side is one."""
    if _none_literal(right):
        return left
    if _none_literal(left):
        return right
    return None


def check_static_identity(ctx, node: ast.AST, op_node: ast.cmpop, left: ast.AST, right: ast.AST) -> None:
    """Raise upstream's error unless ``left op right`` compares a template parameter of the kernel with ``None``."""
    other = _compared_name(left, right)
    allowed = (
        ctx.frame.is_kernel
        and len(ctx.frames) == 1  # in the kernel's own body, not in a func it calls
        and isinstance(other, ast.Name)
        and other.id in ctx.template_params
        and isinstance(ctx.lookup_local(other.id), ArgBinding)  # the parameter itself, not a local of that name
    )
    if not allowed:
        word = "is" if isinstance(op_node, ast.Is) else "is not"
        raise QuadrantsSyntaxError(
            f'Operator "{word}" inside `qd.static` compares a direct kernel argument against `None`. The argument '
            "must be a parameter of the kernel annotated qd.template() (or qd.Tensor), written by its name; compare "
            "other values with == inside qd.static",
            ctx.loc(node),
        )
