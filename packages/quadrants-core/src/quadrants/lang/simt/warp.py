"""``qd.simt.warp``: CUDA-style warp functions (32 lanes; the ``mask`` arguments are accepted, every lane is active).

See docs/simt.md for the block model they run in on every backend.
"""

from __future__ import annotations

from quadrants.lang.simt._names import functions_of

_F = functions_of("warp")
all_nonzero, any_nonzero, unique, ballot = _F["all_nonzero"], _F["any_nonzero"], _F["unique"], _F["ballot"]
shfl_sync_i32, shfl_sync_f32 = _F["shfl_sync_i32"], _F["shfl_sync_f32"]
shfl_up_i32, shfl_up_f32 = _F["shfl_up_i32"], _F["shfl_up_f32"]
shfl_down_i32, shfl_down_f32 = _F["shfl_down_i32"], _F["shfl_down_f32"]
shfl_xor_i32 = _F["shfl_xor_i32"]
match_any, match_all, active_mask, sync = _F["match_any"], _F["match_all"], _F["active_mask"], _F["sync"]

__all__ = [
    "all_nonzero",
    "any_nonzero",
    "unique",
    "ballot",
    "shfl_sync_i32",
    "shfl_sync_f32",
    "shfl_up_i32",
    "shfl_up_f32",
    "shfl_down_i32",
    "shfl_down_f32",
    "shfl_xor_i32",
    "match_any",
    "match_all",
    "active_mask",
    "sync",
]
