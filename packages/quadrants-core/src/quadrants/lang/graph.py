"""``qd.graph.do_while``, ``qd.checkpoint`` and ``qd.GraphStatus`` (SEMANTICS.md §16–§17).

In kernel code these names are recognised by the frontend; the objects here are what Python scope sees.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass

__all__ = ["GraphStatus", "GraphDoWhileLevel", "do_while", "graph_do_while", "checkpoint"]


class GraphStatus:
    """What a ``checkpoints=True`` kernel call returns: whether it yielded, and at which checkpoint label.

    There is deliberately no ``__eq__`` (identity comparison) and no ``__bool__`` (always truthy): test
    ``status.yielded``.
    """

    __slots__ = ("yielded", "checkpoint")  # noqa: RUF023 - the order is part of SEMANTICS.md §17.1

    def __init__(self, yielded: bool, checkpoint=None):
        self.yielded = yielded
        self.checkpoint = checkpoint

    def __repr__(self) -> str:
        if not self.yielded:
            return "GraphStatus(yielded=False)"
        return f"GraphStatus(yielded=True, checkpoint={self.checkpoint!r})"


@dataclass(frozen=True)
class GraphDoWhileLevel:
    """One ``qd.graph.do_while`` level of a compiled specialization (SEMANTICS.md §16.3)."""

    cond_arg_name: str
    parent_id: int
    cond_cpp_arg_id: int
    checkpoint_id: int


def do_while(cond) -> bool:
    """``while qd.graph.do_while(c):`` in a ``graph=True`` kernel; not callable from Python scope."""
    from quadrants.errors import QuadrantsSyntaxError

    raise QuadrantsSyntaxError("qd.graph.do_while() can only be used as `while qd.graph.do_while(c):` in a kernel")


def graph_do_while(cond) -> bool:
    """Deprecated flat alias of :func:`do_while`."""
    warnings.warn("qd.graph_do_while() is deprecated; use qd.graph.do_while()", DeprecationWarning, stacklevel=2)
    return do_while(cond)


@contextlib.contextmanager
def checkpoint(cp_id=None, yield_on=None):
    """``with qd.checkpoint(cp_id, yield_on=flag):`` in a checkpoint kernel; a no-op context manager in Python."""
    yield
