"""Introspection for tools (conformance repro blocks, bug reports)."""

from __future__ import annotations

__all__ = ["compiled_programs"]


def compiled_programs() -> list[tuple[str, str]]:
    """``(kernel name, printed IR)`` of every specialization compiled since the latest ``qd.init``."""
    from quadrants.runtime.state import RUNTIME

    return list(RUNTIME.session.compiled) if RUNTIME.session is not None else []
