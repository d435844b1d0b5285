"""Compatibility module: upstream's ``quadrants.lang._kernel_types`` names.

``KernelBatchedArgType``, ``LaunchStats`` and ``LaunchObservations`` forward to :mod:`quadrants.runtime.launch_stats`
(``kernel.launch_stats``, ``kernel.launch_observations``),
``SrcLlCacheObservations`` to :mod:`quadrants.fastcache.observations` (``kernel.src_ll_cache_observations``).
"""

from __future__ import annotations

from quadrants.fastcache.observations import CacheObservations as SrcLlCacheObservations
from quadrants.runtime.launch_stats import ArgKind as KernelBatchedArgType, LaunchObservations, LaunchStats

__all__ = ["KernelBatchedArgType", "LaunchStats", "LaunchObservations", "SrcLlCacheObservations"]
