"""Scratch sizes of ``qd.algorithms`` (host functions; docs/algorithms.md).

The algorithms work in tiles of ``BLOCK_DIM`` elements. ``log256_max_n`` (the depth ``D``: counts up to ``256**D``) is
accepted as upstream defines it; the sizes returned are what this implementation needs, at least 1.
"""

from __future__ import annotations

__all__ = [
    "BLOCK_DIM",
    "RADIX_DIGITS",
    "depth_for",
    "sort_scratch_slots",
    "reduce_scratch_slots",
    "exclusive_scan_scratch_slots",
    "select_scratch_slots",
    "reduce_by_key_scratch_slots",
]

BLOCK_DIM = 256
RADIX_DIGITS = 256


def depth_for(n: int) -> int:
    """The smallest ``D >= 1`` with ``256**D >= n``."""
    depth, cap = 1, RADIX_DIGITS
    while cap < n:
        cap *= RADIX_DIGITS
        depth += 1
    return depth


def _check_depth(log256_max_n) -> int:
    if not isinstance(log256_max_n, int) or isinstance(log256_max_n, bool) or log256_max_n < 1:
        raise ValueError(f"log256_max_n must be an int >= 1, got {log256_max_n!r}")
    return log256_max_n


def _tiles(n) -> int:
    return (n + BLOCK_DIM - 1) // BLOCK_DIM


def sort_scratch_slots(n, log256_max_n: int | None = None) -> int:
    """``u32`` slots :func:`~quadrants.algorithms.sort` needs for ``n`` keys: one histogram of ``RADIX_DIGITS``
    counts per tile of ``BLOCK_DIM`` keys."""
    _check_depth(depth_for(n) if log256_max_n is None else log256_max_n)
    return max(1, _tiles(n) * RADIX_DIGITS)


def reduce_scratch_slots(n, log256_max_n: int | None = None) -> int:
    """Slots ``reduce_add/min/max`` need (they need none: the result is a reduction into one value); 1."""
    _check_depth(depth_for(n) if log256_max_n is None else log256_max_n)
    return 1


def exclusive_scan_scratch_slots(n, log256_max_n: int | None = None) -> int:
    """Slots ``exclusive_scan_add/min/max`` need: one partial per tile (``u32``, or ``u64`` for 8-byte dtypes)."""
    _check_depth(depth_for(n) if log256_max_n is None else log256_max_n)
    return max(1, _tiles(n))


def select_scratch_slots(n: int) -> int:
    """``u32`` slots :func:`~quadrants.algorithms.select` needs: one count per tile after ``n`` reserved slots."""
    return max(1, n + _tiles(n)) if n > 0 else 1


def reduce_by_key_scratch_slots(n: int) -> int:
    """``u32`` slots :func:`~quadrants.algorithms.reduce_by_key_add` needs: one run count per tile (and at least
    ``n``, upstream's layout)."""
    return max(1, n, _tiles(n)) if n > 0 else 1
