"""Compatibility module: upstream's ``quadrants.lang.kernel_arguments.ArgMetadata`` (used by its argument hasher);
forwards to :mod:`quadrants.compat.args_hashing`."""

from __future__ import annotations

from quadrants.compat.args_hashing import ArgMetadata

__all__ = ["ArgMetadata"]
