"""Compatibility module: upstream's ``quadrants.lang.misc`` names that programs and tests import.

``init`` / ``reset`` forward to :mod:`quadrants.runtime.state`, the extension query to
:mod:`quadrants.runtime.extensions`, the block/graph/hint functions upstream also exports here to their frontend
modules; ``get_host_arch_list`` is a one-line helper over ``ARCHS``. The archs, axes, graph helpers and
``dump_compile_config`` / ``is_extension_enabled`` are the top-level objects, taken from ``quadrants`` on first use.
"""

from __future__ import annotations

from quadrants.frontend.misc_api import assume_in_range, cache_read_only
from quadrants.frontend.parallel_blocks import graph_parallel, graph_parallel_context
from quadrants.frontend.simt_api import block_local, global_thread_idx
from quadrants.lang._top_level import from_top_level, name_set
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


# names upstream's lang.misc shares with the top-level package (qd.lang.misc.cpu is qd.cpu), taken from it on first use
_FROM_TOP_LEVEL = name_set(
    "GraphStatus amdgpu arm64 checkpoint cpu cuda dump_compile_config extension gpu graph_do_while i ij ijk ijkl ijl "
    "ik ikl il is_extension_enabled j jk jkl jl k kl l loop_config metal python vulkan x64 x86_64"
)


def __getattr__(name: str):
    return from_top_level(__name__, _FROM_TOP_LEVEL, name)
