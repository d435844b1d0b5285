"""Call-table rows of the library features written in the kernel language (``qd.random``, …).

:func:`quadrants.frontend.calls.call_table` merges these rows; each feature module owns its lowering functions, so
adding one touches this table and not the core call dispatch.
"""

from __future__ import annotations

from quadrants.frontend import random as rng

__all__ = ["library_rows"]

VALUES = "values"  # the row kinds of frontend/calls.py (not imported: calls imports this module)


def library_rows() -> dict[object, tuple[object, str]]:
    """``callable -> (lower, kind)`` rows, in the format of :func:`quadrants.frontend.calls.call_table`."""
    return {
        rng.random: (rng.lower_random, VALUES),
        rng.randn: (rng.lower_randn, VALUES),
    }
