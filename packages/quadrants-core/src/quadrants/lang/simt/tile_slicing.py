"""``qd.simt.tile_slicing``: upstream's module name for the slice syntax of register tiles.

In kernel code ``t[:] = arr[r0:r1, c0:c1]``, ``arr[r0:r1, c0:c1] = t`` and the column ``arr[r0:r1, col]`` are
compile-time proxies made by the frontend (quadrants/frontend/tile_slices.py, docs/simt.md "Tiles"); this module
names them for code that checks what a slice is.
"""

from __future__ import annotations

from quadrants.frontend.tile_slices import ColumnSlice, TileSlice

__all__ = ["TileSlice", "ColumnSlice", "is_tile_slice"]


def is_tile_slice(value) -> bool:
    """Whether ``value`` is a tile slice or a column slice (only tile assignments and ``qd.outer`` take them)."""
    return isinstance(value, (TileSlice, ColumnSlice))
