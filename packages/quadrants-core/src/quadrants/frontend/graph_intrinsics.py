"""``qd.graph.do_while`` and ``qd.checkpoint`` as Python objects (docs/semantics.md §16–§17).

In kernel code the frontend recognises these objects by identity (``frontend/graph.py``); here is what Python scope
sees when it calls them.
"""

from __future__ import annotations

import contextlib
import warnings

from quadrants.errors import QuadrantsSyntaxError, caller_loc
from quadrants.frontend.graph_spellings import deprecation_message

__all__ = ["do_while", "graph_do_while", "checkpoint"]


def do_while(cond) -> bool:
    """``while qd.graph.do_while(c):`` in a ``graph=True`` kernel; not callable from Python scope."""
    raise QuadrantsSyntaxError(
        "qd.graph.do_while() can only be used as `while qd.graph.do_while(c):` in a kernel", caller_loc()
    )


def graph_do_while(cond) -> bool:
    """Deprecated flat alias of :func:`do_while`."""
    warnings.warn(deprecation_message("do_while"), DeprecationWarning, stacklevel=2)
    return do_while(cond)


@contextlib.contextmanager
def checkpoint(cp_id=None, yield_on=None):
    """``with qd.checkpoint(cp_id, yield_on=flag):`` in a checkpoint kernel; a no-op context manager in Python."""
    yield
