"""Whether kernel code is being lowered right now (upstream's "Quadrants scope" versus "Python scope").

Upstream runs a kernel's Python body to build its IR, so code it calls can ask whether it runs inside a kernel
(``qd.lang.util.in_quadrants_scope()``). Here the body is lowered from its syntax tree, and Python code runs during
that only when kernel code calls it on compile-time values (``qd.static``, host helpers); :func:`lowering_kernel`
marks that time, per thread (kernels may compile on several threads).
"""

from __future__ import annotations

import functools
import threading

__all__ = ["in_kernel_scope", "lowering_kernel"]

_STATE = threading.local()


def in_kernel_scope() -> bool:
    """True while a kernel (with the funcs it inlines) is being lowered on this thread."""
    return getattr(_STATE, "depth", 0) > 0


def lowering_kernel(fn):
    """Decorate the function that lowers one kernel: :func:`in_kernel_scope` is True while it runs."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        _STATE.depth = getattr(_STATE, "depth", 0) + 1
        try:
            return fn(*args, **kwargs)
        finally:
            _STATE.depth -= 1

    return wrapped
