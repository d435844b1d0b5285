"""``qd.simt``: block, subgroup and warp programming in parallel loops (docs/simt.md).

``block`` (barrier, shared arrays, indices, block reductions), ``subgroup`` (32-lane shuffles, ballots, reductions,
scans, sorts), ``warp`` (the CUDA-named forms) and ``grid`` (fences). They run on every backend with the same
semantics: iterations are grouped into blocks of ``qd.loop_config(block_dim=...)`` and subgroups of 32.
"""

from __future__ import annotations

from typing import TYPE_CHECKING as TYPE_CHECKING  # re-exported, as upstream

from quadrants.lang.simt import block, grid, reductions, sorting, subgroup, tile_slicing, warp

__all__ = ["warp", "subgroup", "block", "grid", "reductions", "sorting", "tile_slicing", "Tile16x16", "Tile32x32"]


class _Tile:
    """Upstream's register tiles (``qd.simt.Tile16x16`` / ``Tile32x32``): not implemented (docs/simt.md)."""

    def __init__(self, size: int):
        self._size = size

    def __getattr__(self, name):
        raise NotImplementedError(
            f"qd.simt.Tile{self._size}x{self._size}.{name}: register tiles are not implemented by this "
            "implementation; use qd.simt.block.SharedArray and ordinary loops (docs/simt.md)"
        )

    def __call__(self, *args, **kwargs):
        raise NotImplementedError(
            f"qd.simt.Tile{self._size}x{self._size}: register tiles are not implemented by this implementation"
        )


Tile16x16 = _Tile(16)
Tile32x32 = _Tile(32)
