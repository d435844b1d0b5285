"""``qd.profiler.memory_profiler``: upstream prints the device memory pool; here: the session's device arrays are
owned by the backends, so it reports that no pool statistics are kept (docs/profiler.md)."""

from __future__ import annotations

__all__ = ["print_memory_profiler_info"]


def print_memory_profiler_info() -> None:
    """Print the memory profiler report (no pool statistics are kept by this implementation)."""
    print("Memory profiler: device memory pool statistics are not kept by this implementation")
