"""``qd.experimental``: upstream's experimental names (``real_func``), docs/misc-functions.md."""

from __future__ import annotations

from quadrants.runtime.function_kinds import real_func

__all__ = ["real_func"]
