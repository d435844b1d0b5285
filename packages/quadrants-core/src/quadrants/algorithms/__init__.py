"""``qd.algorithms``: sort, reduce, scan, select and reduce-by-key as kernel-language functions called at the top
level of a kernel, their scratch sizes, and upstream's deprecated ``PrefixSumExecutor`` / ``parallel_sort``
(docs/algorithms.md)."""

from __future__ import annotations

from quadrants.algorithms._funcs import (
    exclusive_scan_add,
    exclusive_scan_max,
    exclusive_scan_min,
    reduce_add,
    reduce_by_key_add,
    reduce_max,
    reduce_min,
    select_items as select,
    sort,
)
from quadrants.algorithms._legacy import PrefixSumExecutor, parallel_sort
from quadrants.algorithms._slots import (
    exclusive_scan_scratch_slots,
    reduce_by_key_scratch_slots,
    reduce_scratch_slots,
    select_scratch_slots,
    sort_scratch_slots,
)

__all__ = [
    "PrefixSumExecutor",
    "exclusive_scan_add",
    "exclusive_scan_max",
    "exclusive_scan_min",
    "exclusive_scan_scratch_slots",
    "parallel_sort",
    "reduce_add",
    "reduce_by_key_add",
    "reduce_by_key_scratch_slots",
    "reduce_max",
    "reduce_min",
    "reduce_scratch_slots",
    "select",
    "select_scratch_slots",
    "sort",
    "sort_scratch_slots",
]


def __dir__() -> list[str]:
    """``dir(qd.algorithms)``: its public names."""
    return sorted(__all__)
