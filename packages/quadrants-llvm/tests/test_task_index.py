"""task_index.py: the graph runner's item -> task number, by identity first and by value only when needed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from quadrants_llvm.task_index import TaskIndex


@dataclass(frozen=True)
class Item:
    name: str
    hashed: list  # counts the hashes of this item (excluded from equality)

    def __eq__(self, other):
        return isinstance(other, Item) and other.name == self.name

    def __hash__(self):
        self.hashed.append(1)
        return hash(self.name)


def test_items_are_found_by_identity_without_hashing_them():
    hashed: list = []
    items = [Item("a", hashed), Item("b", hashed), Item("a", hashed)]
    index = TaskIndex(items)
    assert [index(item) for item in items] == [0, 1, 2]  # the second "a" is its own task, not the first
    assert hashed == []


def test_an_equal_item_from_elsewhere_is_found_by_value_as_the_first_equal_task():
    hashed: list = []
    index = TaskIndex([Item("a", hashed), Item("b", hashed), Item("a", hashed)])
    assert index(Item("b", [])) == 1
    assert index(Item("a", [])) == 0
    assert len(hashed) == 3  # the table by value was made once, on the first miss


def test_an_unknown_item_is_a_key_error():
    index = TaskIndex([Item("a", [])])
    with pytest.raises(KeyError):
        index(Item("z", []))
