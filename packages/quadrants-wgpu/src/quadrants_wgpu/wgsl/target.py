"""What the device's WGSL accepts beyond the core language: the adapter features the device was created with.

WebGPU leaves 64-bit types, float atomics and f16 to optional *features*. The device requests every one of
:data:`SHADER_FEATURES` that the adapter offers (minus those switched off by ``QD_WGPU_DISABLE_FEATURES``,
docs/configuration.md); the emitter only looks at the resulting :class:`ShaderTarget`:

============================  ===============================================  =================================
adapter feature               with it                                          without it
============================  ===============================================  =================================
``shader-int64``              ``i64``/``u64`` values are WGSL ``i64``/``u64``  ``vec2<u32>`` pairs (:mod:`.i64`)
``shader-f64``                ``f64`` values (with ``shader-int64``), math     ``f64`` is unsupported
                              library :mod:`.mathlib64`
``shader-int64-atomic-all-``  ``atomic<i64/u64>`` (with ``shader-int64``),     64-bit add/and/or/xor on word
``ops``                       f64 atomics on the bits                          pairs, the rest unsupported
``shader-float32-atomic``     ``atomicAdd``/``atomicExchange`` on              compare-exchange loops on the
                              ``atomic<f32>``                                  bits
``shader-f16``                ``f16`` values                                   ``f16`` is unsupported
============================  ===============================================  =================================

``shader-f64`` is used only together with ``shader-int64``: moving an f64 between the 32-bit words of the argument
buffers and the value needs 64-bit integer bit casts (naga's ``bitcast<f64>(vec2<u32>)`` is component-wise).
``shader-int64-atomic-min-max`` alone (64-bit ``atomicMin``/``atomicMax`` only, e.g. Apple GPUs) is requested and
reported but not used: a task mixing those with the loads, stores and other atomics it needs could not be emitted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SHADER_FEATURES", "ShaderTarget", "parse_disabled"]

# Every adapter feature the backend requests when the adapter offers it, with what it is for (doctor, docs).
SHADER_FEATURES: dict[str, str] = {
    "shader-f16": "f16 values and arithmetic",
    "shader-f64": "f64 values, arithmetic and math functions (with shader-int64)",
    "shader-int64": "native i64/u64 (otherwise pairs of u32)",
    "shader-int64-atomic-all-ops": "native 64-bit atomics (with shader-int64)",
    "shader-int64-atomic-min-max": "requested and reported; not used alone",
    "shader-float32-atomic": "native f32 atomic add and exchange",
}


@dataclass(frozen=True)
class ShaderTarget:
    """The WGSL extensions the emitter may use (all off: core WGSL with every emulation)."""

    f16: bool = False
    f64: bool = False
    int64: bool = False
    int64_atomics: bool = False
    f32_atomic_add: bool = False
    # f32/f16 ``/`` and ``sqrt`` through the correctly rounding helpers of :mod:`.rounding`: the adapter's own are
    # not known to be IEEE (decided per adapter by :mod:`quadrants_wgpu.runtime.rounding`, not by a feature)
    corrected_div_sqrt: bool = False

    @classmethod
    def from_features(cls, features: Iterable[str], corrected_div_sqrt: bool = False) -> ShaderTarget:
        """The target of a device created with the adapter ``features`` (``corrected_div_sqrt``: see the field)."""
        have = frozenset(features)
        int64 = "shader-int64" in have
        return cls(
            corrected_div_sqrt=corrected_div_sqrt,
            f16="shader-f16" in have,
            f64=int64 and "shader-f64" in have,
            int64=int64,
            int64_atomics=int64 and "shader-int64-atomic-all-ops" in have,
            f32_atomic_add="shader-float32-atomic" in have,
        )


def parse_disabled(names: Iterable[str]) -> frozenset[str]:
    """The features named by ``QD_WGPU_DISABLE_FEATURES`` (``all`` for every one); unknown names raise ValueError."""
    wanted = {n.strip().lower() for n in names if n.strip()}
    if "all" in wanted:
        return frozenset(SHADER_FEATURES)
    unknown = sorted(wanted - set(SHADER_FEATURES))
    if unknown:
        raise ValueError(
            f"QD_WGPU_DISABLE_FEATURES: unknown feature(s) {', '.join(unknown)}; "
            f"known: all, {', '.join(SHADER_FEATURES)}"
        )
    return frozenset(wanted)
