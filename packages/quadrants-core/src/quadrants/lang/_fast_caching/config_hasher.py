"""Compatibility module: upstream's ``quadrants.lang._fast_caching.config_hasher``; forwards to
:mod:`quadrants.compat.source_hashing` (over :func:`quadrants.fastcache.keys.compile_config`)."""

from __future__ import annotations

from quadrants.compat.source_hashing import hash_compile_config, hash_device_caps

__all__ = ["hash_compile_config", "hash_device_caps"]
