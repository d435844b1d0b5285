"""The two source spellings of the graph constructs: ``qd.graph.<name>`` and the deprecated flat ``qd.graph_<name>``.

The frontend recognises ``do_while``, ``parallel_context`` and ``parallel`` by the object a call resolves to
(``graph_markers.call_target``), so any import alias works. This module holds what is purely about spelling: which
flat name belongs to which construct, the deprecation message the frontend emits for a flat spelling, and a
syntactic matcher over a call's ``func`` node (for tools that look at source without a kernel context, and for
upstream's ``graph_api`` compatibility module).
"""

from __future__ import annotations

import ast
import warnings

__all__ = ["FLAT_NAMES", "deprecation_message", "matches", "is_deprecated_spelling", "warn_if_deprecated"]

# construct (its attribute under qd.graph) -> deprecated flat name at the top level of qd
FLAT_NAMES = {
    "do_while": "graph_do_while",
    "parallel_context": "graph_parallel_context",
    "parallel": "graph_parallel",
}
_CONSTRUCT_OF_FLAT = {flat: name for name, flat in FLAT_NAMES.items()}


def deprecation_message(flat_or_name: str) -> str:
    """The warning for a flat spelling, given the flat name (``graph_do_while``) or the construct (``do_while``)."""
    name = _CONSTRUCT_OF_FLAT.get(flat_or_name, flat_or_name)
    return f"qd.{FLAT_NAMES[name]}() is deprecated; use qd.graph.{name}()"


def _names_graph(value: ast.expr) -> bool:
    """``graph`` in ``<anything>.graph.<name>`` or the bare name ``graph`` (``from quadrants import graph``)."""
    return (isinstance(value, ast.Attribute) and value.attr == "graph") or (
        isinstance(value, ast.Name) and value.id == "graph"
    )


def is_deprecated_spelling(func: ast.expr, name: str) -> bool:
    """Whether ``func`` is spelled ``<x>.graph_<name>`` or ``graph_<name>``."""
    flat = FLAT_NAMES[name]
    return (isinstance(func, ast.Attribute) and func.attr == flat) or (isinstance(func, ast.Name) and func.id == flat)


def matches(func: ast.expr, name: str) -> bool:
    """Whether ``func`` spells construct ``name``: ``qd.graph.<name>``, ``graph.<name>`` or the flat spelling."""
    if isinstance(func, ast.Attribute) and func.attr == name and _names_graph(func.value):
        return True
    return is_deprecated_spelling(func, name)


def warn_if_deprecated(func: ast.expr, name: str) -> None:
    """A ``DeprecationWarning`` (the frontend's message) when ``func`` uses the flat spelling of ``name``."""
    if is_deprecated_spelling(func, name):
        warnings.warn(deprecation_message(name), DeprecationWarning, stacklevel=2)
