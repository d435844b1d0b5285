"""``qd.graph.do_while`` and ``qd.checkpoint`` as Python objects (docs/semantics.md §16–§17).

In kernel code the frontend recognises these objects by identity (``frontend/graph.py``) and the deprecated flat
spelling by its source (``frontend/graph_spellings.py``); here is what Python scope sees when it calls them.
"""

from __future__ import annotations

import contextlib

from quadrants.errors import QuadrantsSyntaxError, caller_loc

__all__ = ["do_while", "graph_do_while", "checkpoint"]


def do_while(cond) -> bool:
    """``while qd.graph.do_while(c):`` in a ``graph=True`` kernel; not callable from Python scope."""
    raise QuadrantsSyntaxError(
        "qd.graph.do_while() can only be used as `while qd.graph.do_while(c):` in a kernel", caller_loc()
    )


# the deprecated flat spelling is the same object, as upstream (qd.graph_do_while is qd.graph.do_while): the frontend
# tells the spellings apart by the source (frontend/graph_spellings.py) and warns for the flat one
graph_do_while = do_while


@contextlib.contextmanager
def checkpoint(cp_id=None, yield_on=None):
    """``with qd.checkpoint(cp_id, yield_on=flag):`` in a checkpoint kernel; a no-op context manager in Python."""
    yield
