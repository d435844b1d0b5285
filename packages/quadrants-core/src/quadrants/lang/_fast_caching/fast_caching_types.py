"""Compatibility module: upstream's ``quadrants.lang._fast_caching.fast_caching_types``; forwards to
:mod:`quadrants.compat.source_hashing`."""

from __future__ import annotations

from quadrants.compat.source_hashing import HashedFunctionSourceInfo

__all__ = ["HashedFunctionSourceInfo"]
