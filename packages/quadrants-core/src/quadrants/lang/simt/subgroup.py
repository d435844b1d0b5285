"""``qd.simt.subgroup``: operations over the 32 lanes of a subgroup (or a ``2**log2_size`` tile of it).

The subgroup is 32 lanes on every backend; ``group_size()`` and ``log2_group_size()`` are compile-time ints. See
docs/simt.md.
"""

from __future__ import annotations

from quadrants.frontend.simt_api import group_size as group_size, log2_group_size as log2_group_size
from quadrants.lang.simt import reductions as _reductions, sorting as _sorting
from quadrants.lang.simt._names import functions_of

_F = functions_of("subgroup")
_OWN = [
    "sync",
    "barrier",
    "mem_fence",
    "memory_barrier",
    "elect",
    "ballot",
    "ballot_first_n",
    "ballot_full_subgroup",
    "all_true",
    "any_true",
    "all_equal",
    "all_true_tiled",
    "any_true_tiled",
    "all_equal_tiled",
    "broadcast",
    "broadcast_first",
    "lanemask_lt",
    "lanemask_le",
    "lanemask_eq",
    "lanemask_gt",
    "lanemask_ge",
    "invocation_id",
    "shuffle",
    "shuffle_xor",
    "shuffle_up",
    "shuffle_down",
]
globals().update({name: _F[name] for name in _OWN})
globals().update({name: getattr(_reductions, name) for name in _reductions.__all__})
globals().update({name: getattr(_sorting, name) for name in _sorting.__all__})

__all__ = sorted([*_OWN, "group_size", "log2_group_size", *_reductions.__all__, *_sorting.__all__])
