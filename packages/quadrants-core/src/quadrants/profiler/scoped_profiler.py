"""``qd.profiler.scoped_profiler``: upstream's profiler of its own C++ compile phases. This implementation has no
such scopes (``QD_LOG`` explains compilation and caching instead, docs/configuration.md)."""

from __future__ import annotations

__all__ = ["print_scoped_profiler_info", "clear_scoped_profiler_info"]


def print_scoped_profiler_info() -> None:
    """Print the scoped profiler report: no scopes are recorded here."""
    print("Scoped profiler: no scopes are recorded by this implementation (set QD_LOG to trace compilation)")


def clear_scoped_profiler_info() -> None:
    """Clear the scoped profiler records (there are none)."""
