"""Compatibility module: upstream's ``quadrants.lang._fast_caching.args_hasher``; forwards to
:mod:`quadrants.compat.args_hashing` (the project's fastcache argument rules, :mod:`quadrants.fastcache.narrow`)."""

from __future__ import annotations

from quadrants.compat.args_hashing import FastcacheSkip, hash_args

__all__ = ["FastcacheSkip", "hash_args"]
