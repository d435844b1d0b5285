"""Compatibility module: fastcache names that user code imports by upstream's path (docs/semantics.md §18.4).

Each name forwards to its home in :mod:`quadrants.fastcache`.
"""

from __future__ import annotations

from quadrants.fastcache.narrow import FIELD_METADATA_CACHE_VALUE

__all__ = ["FIELD_METADATA_CACHE_VALUE"]
