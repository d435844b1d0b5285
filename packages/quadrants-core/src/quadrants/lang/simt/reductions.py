"""``qd.simt.reductions``: the subgroup reductions and scans (also reachable as ``qd.simt.subgroup.*``)."""

from __future__ import annotations

from quadrants.lang.simt._names import functions_of

_F = functions_of("subgroup")
_NAMES = [
    f"{prefix}_{op}{tiled}"
    for op in ("add", "min", "max")
    for prefix in ("reduce", "reduce_all", "segmented_reduce")
    for tiled in ("", "_tiled")
] + [
    f"{kind}_{op}{tiled}"
    for kind in ("inclusive", "exclusive")
    for op in ("add", "mul", "min", "max", "and", "or", "xor")
    for tiled in ("", "_tiled")
]
globals().update({name: _F[name] for name in _NAMES})

__all__ = sorted(_NAMES)
