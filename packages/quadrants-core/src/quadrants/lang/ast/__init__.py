"""``quadrants.lang.ast``: upstream's path of its AST frontend, kept for the one module upstream programs and tests
import from it (``ast_transformers.graph_api``). This implementation's frontend is ``quadrants.frontend``
(docs/upstream-compatibility.md)."""

from quadrants.lang.ast import ast_transformers

__all__ = ["ast_transformers"]
