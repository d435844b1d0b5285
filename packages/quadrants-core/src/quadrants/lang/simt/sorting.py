"""``qd.simt.sorting``: sorting (key, value) pairs across the lanes of a subgroup or tile."""

from __future__ import annotations

from quadrants.lang.simt._names import functions_of

_F = functions_of("subgroup")
bitonic_sort_kv, bitonic_sort_kv_tiled = _F["bitonic_sort_kv"], _F["bitonic_sort_kv_tiled"]

__all__ = ["bitonic_sort_kv", "bitonic_sort_kv_tiled"]
