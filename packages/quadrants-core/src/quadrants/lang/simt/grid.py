"""``qd.simt.grid``: grid-wide memory fences (docs/simt.md)."""

from __future__ import annotations

from quadrants.lang.simt._names import arch_uses_spv, functions_of

_F = functions_of("grid")
mem_fence, memfence = _F["mem_fence"], _F["memfence"]

__all__ = ["mem_fence", "memfence", "arch_uses_spv"]
