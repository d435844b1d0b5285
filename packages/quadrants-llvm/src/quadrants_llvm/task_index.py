"""Which compiled task a program item is, for the graph runner's ``run_task(ctx, item)`` (CPU and CUDA executables).

The runner hands over the very item objects the executable was built from, so identity finds them. An item that is
only equal to one of them (the same task from another copy of the program) is looked up by value; that table is made
on first need, because hashing an item hashes its whole IR tree: building it for every executable took a quarter of a
Genesis robot's warm build (0.28 of 1.2 s, thirty kernels loaded from fastcache).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["TaskIndex"]


class TaskIndex:
    """``index(item)``: the position of ``item`` among the executable's task items (the first equal one)."""

    def __init__(self, items: Sequence) -> None:
        self._items = tuple(items)
        self._by_id = {id(item): (item, k) for k, item in enumerate(self._items)}
        self._by_value: dict | None = None

    def __call__(self, item) -> int:
        hit = self._by_id.get(id(item))
        if hit is not None and hit[0] is item:
            return hit[1]
        if self._by_value is None:
            self._by_value = {}
            for k, task in enumerate(self._items):
                self._by_value.setdefault(task, k)
        return self._by_value[item]
