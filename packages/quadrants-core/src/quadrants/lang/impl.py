"""Compatibility module: upstream's ``quadrants.lang.impl`` names that programs and tests import.

Each name forwards to its home: the runtime handle (``PyQuadrants`` is its class) and device queries to
:mod:`quadrants.compat.runtime_handle`,
``Kernel`` to :mod:`quadrants.runtime.kernel`, ``root`` and ``axes`` to :mod:`quadrants.runtime.snode`, the error
classes to :mod:`quadrants.errors`; ``field``, ``ndarray``, ``static``, ``zero``, … are the top-level objects, taken
from ``quadrants`` on first use.
"""

from __future__ import annotations

from quadrants.compat.runtime_handle import (
    PyQuadrants,
    current_cfg,
    default_cfg,
    get_cuda_compute_capability,
    get_max_shared_memory_bytes,
    get_runtime,
)
from quadrants.errors import QuadrantsRuntimeError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.lang._top_level import from_top_level, name_set
from quadrants.runtime.kernel import Kernel
from quadrants.runtime.snode import deactivate_all_snodes, root
from quadrants.runtime.snode_axes import axes

__all__ = [
    "get_runtime",
    "PyQuadrants",
    "current_cfg",
    "default_cfg",
    "get_cuda_compute_capability",
    "get_max_shared_memory_bytes",
    "Kernel",
    "root",
    "axes",
    "deactivate_all_snodes",
    "QuadrantsSyntaxError",
    "QuadrantsTypeError",
    "QuadrantsRuntimeError",
]


# names upstream's lang.impl shares with the top-level package (qd.lang.impl.field is qd.field), taken on first use
_FROM_TOP_LEVEL = name_set("field ndarray grouped static static_assert static_print stop_grad zero one")


def __getattr__(name: str):
    return from_top_level(__name__, _FROM_TOP_LEVEL, name)
