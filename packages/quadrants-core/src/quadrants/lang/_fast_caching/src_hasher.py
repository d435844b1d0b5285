"""Compatibility module: upstream's ``quadrants.lang._fast_caching.src_hasher.create_cache_key``.

The key of one kernel call combines the three hashers of this package: the kernel's source
(:mod:`~quadrants.lang._fast_caching.function_hasher`), the call's arguments
(:mod:`~quadrants.lang._fast_caching.args_hasher`) and the session's options and device
(:mod:`~quadrants.lang._fast_caching.config_hasher`). They are reached through their modules, as upstream's are, so a
test can substitute one. Upstream's entry storage (``store`` / ``load``) has no counterpart: fastcache entries here
have their own format (docs/fastcache.md).
"""

from __future__ import annotations

from quadrants.fastcache.keys import digest
from quadrants.lang._fast_caching import args_hasher, config_hasher, function_hasher

__all__ = ["create_cache_key"]


def create_cache_key(raise_on_templated_floats: bool, kernel_source_info, args, arg_metas) -> str | None:
    """The cache key of calling the kernel at ``kernel_source_info`` with ``args``, or ``None`` when not cacheable."""
    args_hash = args_hasher.hash_args(raise_on_templated_floats, args, arg_metas)
    if isinstance(args_hash, args_hasher.FastcacheSkip):
        return None
    return digest(
        [
            function_hasher.hash_kernel(kernel_source_info),
            args_hash,
            config_hasher.hash_compile_config(),
            config_hasher.hash_device_caps(),
        ]
    )
