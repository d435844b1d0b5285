"""Whether an adapter's f32 ``/`` and ``sqrt`` need the correctly rounding helpers (:mod:`..wgsl.rounding`).

WGSL lets a driver round ``x / y`` to within 2.5 ulp and ``sqrt`` to within 1 ulp; the semantics want IEEE results.
Whether a driver rounds correctly is measured, not announced (``scripts/probe_numerics.py``), so the decision is a
table of adapters, matched on ``adapter.info``: the first row that matches says whether the driver is exact. An
adapter no row matches gets the helpers (correct everywhere, a few dozen instructions per division). The variable
``QD_WGPU_EXACT_DIV`` overrides the table: ``1`` always corrects (CI runs the whole suite that way on lavapipe, so the
helpers stay tested on a machine without a GPU), ``0`` never does (to measure what the correction costs or changes).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ENV_VAR", "ADAPTERS", "AdapterRule", "Decision", "decide"]

ENV_VAR = "QD_WGPU_EXACT_DIV"


@dataclass(frozen=True)
class AdapterRule:
    """A row of :data:`ADAPTERS`: adapters whose ``info[key]`` equals ``value`` (an int: a PCI vendor id) or
    contains it (a string, case-insensitive)."""

    key: str
    value: str | int
    exact: bool  # the driver's f32 / and sqrt are correctly rounded
    evidence: str

    def matches(self, info: Mapping) -> bool:
        have = info.get(self.key)
        if isinstance(self.value, int):
            return have == self.value
        return self.value.lower() in str(have or "").lower()


ADAPTERS: tuple[AdapterRule, ...] = (
    AdapterRule("device", "llvmpipe", True, "Mesa lavapipe 22.3 (LLVM 15): / and sqrt exact on 2^20 random inputs"),
    AdapterRule("vendor_id", 0x10DE, False, "NVIDIA H100, Vulkan driver 580.159: / within 2 ulp, sqrt within 1 ulp"),
)
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class Decision:
    corrected: bool  # emit the correctly rounding helpers
    reason: str  # for doctor and the docs: which row or the variable decided


def decide(info: Mapping, environ: Mapping[str, str] = os.environ) -> Decision:
    """The decision for the adapter described by ``info`` (wgpu's ``adapter.info``). A malformed ``QD_WGPU_EXACT_DIV``
    raises ``ValueError`` naming it."""
    text = environ.get(ENV_VAR, "").strip().lower()
    if text in _TRUE:
        return Decision(True, f"{ENV_VAR}={text}")
    if text in _FALSE:
        return Decision(False, f"{ENV_VAR}={text}")
    if text:
        raise ValueError(f"{ENV_VAR}={text!r}: expected 1 (always correct f32 / and sqrt), 0 (never) or empty")
    for rule in ADAPTERS:
        if rule.matches(info):
            return Decision(not rule.exact, rule.evidence)
    return Decision(True, "adapter not measured: WGSL allows 2.5 ulp for / and 1 ulp for sqrt")
