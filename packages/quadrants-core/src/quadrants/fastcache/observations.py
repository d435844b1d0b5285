"""``kernel._primal.src_ll_cache_observations`` (docs/semantics.md §18.5): what fastcache did for a kernel.

Each flag becomes True the first time its event happens for any call of the kernel and stays True until the next
``qd.init()`` (the flags are kept per kernel and per session generation, like the specialization table).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CacheObservations", "observations_of", "replace_observations", "CompiledKernelData"]

_ATTR = "_qd_fastcache_observations"


@dataclass
class CacheObservations:
    """The four observation flags; see docs/semantics.md §18.5 for when each becomes True."""

    cache_key_generated: bool = False
    cache_validated: bool = False
    cache_loaded: bool = False
    cache_stored: bool = False

    def as_tuple(self) -> tuple[bool, bool, bool, bool]:
        """``(generated, validated, loaded, stored)``: the order of the table in docs/semantics.md §18.6."""
        return (self.cache_key_generated, self.cache_validated, self.cache_loaded, self.cache_stored)


def observations_of(kernel, session) -> CacheObservations:
    """The flags of ``kernel`` for ``session`` (the current one, or None); a new ``qd.init()`` starts a fresh,
    all-False set."""
    held = kernel.__dict__.get(_ATTR)
    if held is None or (session is not None and held[0] != session.generation):
        held = (session.generation if session is not None else None, CacheObservations())
        kernel.__dict__[_ATTR] = held
    return held[1]


def replace_observations(kernel, session, value: CacheObservations) -> None:
    """Set the flags of ``kernel`` for ``session`` (a program resets them to watch one call)."""
    kernel.__dict__[_ATTR] = (session.generation if session is not None else None, value)


@dataclass(frozen=True)
class CompiledKernelData:
    """``kernel._primal._last_compiled_kernel_data``: the specialization a kernel's latest launch ran. A fastcache
    hit restores the same printed program that the compile stored, so the dumps of the two are equal."""

    name: str
    ir_text: str

    def _debug_dump_to_string(self) -> str:
        return self.ir_text
