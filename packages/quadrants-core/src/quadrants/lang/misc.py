"""Compatibility module: upstream's ``quadrants.lang.misc`` names that programs and tests import.

``init`` / ``reset`` forward to :mod:`quadrants.runtime.state`, the extension query to
:mod:`quadrants.runtime.extensions`, the block/graph/hint functions upstream also exports here to their frontend
modules; ``get_host_arch_list`` is a one-line helper over ``ARCHS``.
"""

from __future__ import annotations

from quadrants.frontend.misc_api import assume_in_range, cache_read_only
from quadrants.frontend.parallel_blocks import graph_parallel, graph_parallel_context
from quadrants.frontend.simt_api import block_local, global_thread_idx
from quadrants.runtime.extensions import is_extension_supported
from quadrants.runtime.state import ARCHS, host_arch_name, init, reset

__all__ = [
    "init",
    "reset",
    "is_extension_supported",
    "get_host_arch_list",
    "block_local",
    "global_thread_idx",
    "graph_parallel",
    "graph_parallel_context",
    "assume_in_range",
    "cache_read_only",
]


def get_host_arch_list() -> list:
    """``[qd.x64]`` or ``[qd.arm64]``: the host CPU's arch (``qd.cpu`` is the same object)."""
    return [ARCHS[host_arch_name()]]
