"""Shared helpers of the ``qd.simt`` modules: they assemble the kernel functions of frontend/simt_api.py."""

from __future__ import annotations

from quadrants.frontend.simt_api import FUNCTIONS

__all__ = ["functions_of", "arch_uses_spv"]


def functions_of(module: str) -> dict:
    """``{short name: function}`` of one ``qd.simt`` module (``"warp"``, ``"subgroup"``, ``"block"``, ``"grid"``)."""
    prefix = module + "."
    return {name[len(prefix) :]: fn for name, fn in FUNCTIONS.items() if name.startswith(prefix)}


def arch_uses_spv(arch) -> bool:
    """Whether ``arch`` compiles through SPIR-V in upstream (Vulkan, Metal); here: the wgpu archs."""
    return str(arch) in ("vulkan", "metal")
