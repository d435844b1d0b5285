"""``qd.simt``: block, subgroup and warp programming in parallel loops (docs/simt.md).

``block`` (barrier, shared arrays, indices, block reductions), ``subgroup`` (32-lane shuffles, ballots, reductions,
scans, sorts), ``warp`` (the CUDA-named forms), ``grid`` (fences) and the register tiles ``Tile16x16`` /
``Tile32x32`` (one matrix row per subgroup lane, with loads, stores, rank-1 updates, Cholesky and triangular solves).
They run on every backend with the same semantics: iterations are grouped into blocks of
``qd.loop_config(block_dim=...)`` and subgroups of 32.
"""

from __future__ import annotations

from typing import TYPE_CHECKING as TYPE_CHECKING  # re-exported, as upstream

from quadrants.frontend.tiles import Tile16x16, Tile32x32
from quadrants.lang.simt import block, grid, reductions, sorting, subgroup, tile_slicing, warp

__all__ = ["warp", "subgroup", "block", "grid", "reductions", "sorting", "tile_slicing", "Tile16x16", "Tile32x32"]
