"""``qd.simt.tile_slicing``: upstream's slicing support for register tiles (``Tile16x16`` / ``Tile32x32``).

The register tiles are not implemented here (docs/simt.md), so no value is ever a tile: these helpers report so.
"""

from __future__ import annotations

__all__ = ["try_tile_ref", "try_tile_slice"]


def try_tile_ref(value, _indices):
    """``None``: ``value`` is not a tile (tiles are not implemented)."""
    return None


def try_tile_slice(value, indices):
    """``None``: ``value`` is not a tile (tiles are not implemented)."""
    return None
