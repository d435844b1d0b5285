"""Compatibility module: upstream's ``graph_api``, the syntactic view of the graph constructs' two spellings.

Every name forwards to :mod:`quadrants.frontend.graph_spellings`, whose deprecation message is the one the frontend
emits when a kernel uses ``qd.graph_do_while`` / ``qd.graph_parallel_context`` / ``qd.graph_parallel``
(docs/upstream-compatibility.md).
"""

from quadrants.frontend.graph_spellings import is_deprecated_spelling, matches, warn_if_deprecated

__all__ = ["matches", "is_deprecated_spelling", "warn_if_deprecated"]
