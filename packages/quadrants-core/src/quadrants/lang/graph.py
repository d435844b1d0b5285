"""``qd.graph``: the public names of graph kernels (docs/semantics.md §16–§17), assembled from their homes.

``do_while`` and ``checkpoint`` are frontend intrinsics, ``GraphStatus`` is a runtime value and
``GraphDoWhileLevel`` is a graph-table record of the IR layer.
"""

from __future__ import annotations

from quadrants.frontend.graph_intrinsics import checkpoint, do_while, graph_do_while
from quadrants.frontend.parallel_blocks import graph_parallel as parallel, graph_parallel_context as parallel_context
from quadrants.ir.graph_tables import GraphDoWhileLevel
from quadrants.runtime.graph_status import GraphStatus

__all__ = [
    "GraphStatus",
    "GraphDoWhileLevel",
    "do_while",
    "graph_do_while",
    "checkpoint",
    "parallel",
    "parallel_context",
]
