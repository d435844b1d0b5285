"""Compatibility module: upstream's ``quadrants.lang._kernel_types`` names.

``KernelBatchedArgType`` and ``LaunchStats`` forward to :mod:`quadrants.runtime.launch_stats` (``kernel.launch_stats``),
``SrcLlCacheObservations`` to :mod:`quadrants.fastcache.observations` (``kernel.src_ll_cache_observations``).
"""

from __future__ import annotations

from quadrants.fastcache.observations import CacheObservations as SrcLlCacheObservations
from quadrants.runtime.launch_stats import ArgKind as KernelBatchedArgType, LaunchStats

__all__ = ["KernelBatchedArgType", "LaunchStats", "SrcLlCacheObservations"]
