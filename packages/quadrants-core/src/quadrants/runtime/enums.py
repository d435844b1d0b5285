"""Upstream's enumerations, reachable as ``qd.types.enums.*`` (and ``qd.Layout``, ``qd.Format``,
``qd.DeviceCapability``): ``Layout``, ``Format``, ``AutodiffMode``, ``SNodeGradType``, ``BoundaryMode``.

Member names and values are upstream 1.3.3's, so code that passes or compares them keeps working. What they select
here: ``Layout`` is the memory layout of vector/matrix ndarray elements (``AOS``: components innermost; the only
layout this implementation stores); ``BoundaryMode`` is upstream's ndarray accessor bounds policy. ``Format`` (image
texel formats), ``AutodiffMode`` and ``SNodeGradType`` (autodiff, out of scope: docs/semantics.md §1) are provided as
values only. ``DeviceCapability`` names upstream's SPIR-V device capability strings.
"""

from __future__ import annotations

import enum

__all__ = ["Layout", "Format", "AutodiffMode", "SNodeGradType", "BoundaryMode", "DeviceCapability", "to_boundary_enum"]


class _Enum(enum.IntEnum):
    """An int-valued enum that prints as upstream's (``Layout.AOS``, not ``0``)."""

    __str__ = enum.Enum.__str__


class Layout(_Enum):
    """Memory layout of the components of vector/matrix elements."""

    AOS = 0
    SOA = 1
    NULL = 2


class AutodiffMode(_Enum):
    """Upstream's autodiff modes (values only: kernels here do not carry a mode; docs/autodiff.md)."""

    FORWARD = 0
    REVERSE = 1
    NONE = 2
    VALIDATION = 3


class SNodeGradType(_Enum):
    """Upstream's gradient SNode kinds (``qd.ad.clear_all_gradients(gradient_type=...)`` reads ADJOINT and DUAL)."""

    PRIMAL = 0
    ADJOINT = 1
    DUAL = 2
    ADJOINT_CHECKBIT = 3


class BoundaryMode(_Enum):
    """What an out-of-range accessor index does: ``UNSAFE`` (unchecked) or ``CLAMP``."""

    UNSAFE = 0
    CLAMP = 1


# upstream's texel formats, in upstream's order (the value is the position)
_FORMATS = [
    "unknown",
    "r8",
    "rg8",
    "rgba8",
    "rgba8srgb",
    "bgra8",
    "bgra8srgb",
    "r8u",
    "rg8u",
    "rgba8u",
    "r8i",
    "rg8i",
    "rgba8i",
    "r16",
    "rg16",
    "rgb16",
    "rgba16",
    "r16u",
    "rg16u",
    "rgb16u",
    "rgba16u",
    "r16i",
    "rg16i",
    "rgb16i",
    "rgba16i",
    "r16f",
    "rg16f",
    "rgb16f",
    "rgba16f",
    "r32u",
    "rg32u",
    "rgb32u",
    "rgba32u",
    "r32i",
    "rg32i",
    "rgb32i",
    "rgba32i",
    "r32f",
    "rg32f",
    "rgb32f",
    "rgba32f",
    "depth16",
    "depth24stencil8",
    "depth32f",
]
Format = _Enum("Format", [(name, k) for k, name in enumerate(_FORMATS)], module=__name__)
Format.__doc__ = "Image texel formats (upstream's names and values)."


class DeviceCapability:
    """Upstream's SPIR-V device capability names (``"spirv_has_int64"``, …), as string constants."""

    spirv_version_1_3 = "spirv_version=66304"
    spirv_version_1_4 = "spirv_version=66560"
    spirv_version_1_5 = "spirv_version=66816"
    spirv_has_int8 = "spirv_has_int8"
    spirv_has_int16 = "spirv_has_int16"
    spirv_has_int64 = "spirv_has_int64"
    spirv_has_float16 = "spirv_has_float16"
    spirv_has_float64 = "spirv_has_float64"
    spirv_has_atomic_int64 = "spirv_has_atomic_int64"
    spirv_has_atomic_float16 = "spirv_has_atomic_float16"
    spirv_has_atomic_float16_add = "spirv_has_atomic_float16_add"
    spirv_has_atomic_float16_minmax = "spirv_has_atomic_float16_minmax"
    spirv_has_atomic_float = "spirv_has_atomic_float"
    spirv_has_atomic_float_add = "spirv_has_atomic_float_add"
    spirv_has_atomic_float_minmax = "spirv_has_atomic_float_minmax"
    spirv_has_atomic_float64 = "spirv_has_atomic_float64"
    spirv_has_atomic_float64_add = "spirv_has_atomic_float64_add"
    spirv_has_atomic_float64_minmax = "spirv_has_atomic_float64_minmax"
    spirv_has_variable_ptr = "spirv_has_variable_ptr"
    spirv_has_physical_storage_buffer = "spirv_has_physical_storage_buffer"
    spirv_has_subgroup_basic = "spirv_has_subgroup_basic"
    spirv_has_subgroup_vote = "spirv_has_subgroup_vote"
    spirv_has_subgroup_arithmetic = "spirv_has_subgroup_arithmetic"
    spirv_has_subgroup_ballot = "spirv_has_subgroup_ballot"
    spirv_has_non_semantic_info = "spirv_has_non_semantic_info"
    spirv_has_no_integer_wrap_decoration = "spirv_has_no_integer_wrap_decoration"


def to_boundary_enum(boundary: str) -> BoundaryMode:
    """``"clamp"`` or ``"unsafe"`` as a :class:`BoundaryMode`."""
    modes = {"clamp": BoundaryMode.CLAMP, "unsafe": BoundaryMode.UNSAFE}
    if boundary not in modes:
        raise ValueError(f"Invalid boundary argument: {boundary}. Valid options: 'unsafe', 'clamp'")
    return modes[boundary]
