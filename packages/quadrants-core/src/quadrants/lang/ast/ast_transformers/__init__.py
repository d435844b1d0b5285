"""``quadrants.lang.ast.ast_transformers``: compatibility package; only ``graph_api`` exists
(docs/upstream-compatibility.md)."""
