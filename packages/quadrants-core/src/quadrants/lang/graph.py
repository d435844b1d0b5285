"""``qd.graph``: the graph-structuring constructs of ``graph=True`` kernels (docs/semantics.md §16–§17).

``qd.graph.do_while`` is a frontend intrinsic, ``qd.graph.parallel_context`` / ``qd.graph.parallel`` are blocks the
frontend lowers; the other graph names (``qd.checkpoint``, ``qd.GraphStatus``) live at the top level of ``qd``, as
upstream. The module holds exactly these three public names (upstream's ``qd.graph``).
"""

from quadrants.frontend.graph_intrinsics import do_while
from quadrants.frontend.parallel_blocks import graph_parallel as parallel, graph_parallel_context as parallel_context

__all__ = ["do_while", "parallel", "parallel_context"]
