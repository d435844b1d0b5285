"""Compatibility module: upstream's ``quadrants.lang._fast_caching.function_hasher``; forwards to
:mod:`quadrants.compat.source_hashing` (source hashes as fastcache computes them)."""

from __future__ import annotations

from quadrants.compat.source_hashing import (
    hash_functions,
    hash_source as hash_kernel,
    read_lines as _read_file,
    validate_hashed_function_infos,
)

__all__ = ["_read_file", "hash_kernel", "hash_functions", "validate_hashed_function_infos"]
