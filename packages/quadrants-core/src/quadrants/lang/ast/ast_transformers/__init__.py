"""``quadrants.lang.ast.ast_transformers``: compatibility package; only ``graph_api`` exists
(docs/upstream-compatibility.md)."""

from quadrants.lang.ast.ast_transformers import graph_api

__all__ = ["graph_api"]
