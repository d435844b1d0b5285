"""``qd.GraphStatus``: what a ``checkpoints=True`` kernel call returns (docs/semantics.md §17.3)."""

from __future__ import annotations

__all__ = ["GraphStatus"]


class GraphStatus:
    """What a ``checkpoints=True`` kernel call returns: whether it yielded, and at which checkpoint label.

    There is deliberately no ``__eq__`` (identity comparison) and no ``__bool__`` (always truthy): test
    ``status.yielded``.
    """

    __slots__ = ("yielded", "checkpoint")  # noqa: RUF023 - the order is part of docs/semantics.md §17.1

    def __init__(self, yielded: bool, checkpoint=None):
        self.yielded = yielded
        self.checkpoint = checkpoint

    def __repr__(self) -> str:
        if not self.yielded:
            return "GraphStatus(yielded=False)"
        return f"GraphStatus(yielded=True, checkpoint={self.checkpoint!r})"
