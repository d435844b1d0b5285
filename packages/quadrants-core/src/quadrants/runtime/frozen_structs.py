"""Kernel arguments whose read members can never change: frozen dataclasses all the way down.

The launcher computes a compound argument's specialization key and member bindings by walking the members the
kernel reads (``runtime/members.py``), at every call, because members may be rebound between calls. A frozen
dataclass whose members are arrays, primitives, dtypes and further frozen dataclasses (or tuples of them) cannot be
rebound, so the walk of its first launch holds for every later one: the launcher reuses it, as it does for
``@qd.data_oriented(stable_members=True)`` objects (docs/compound-types.md). Genesis passes its whole solver state
this way, some fifty arrays per kernel call.

The answer is cached per instance (by identity, checked against a weak reference, so a recycled id is not mistaken
for the object it once named). :class:`FrozenMemo` keeps what the launcher computed from such an instance (its key
component, its members' launch values) until the instance dies.
"""

from __future__ import annotations

import dataclasses
import enum
import weakref

import numpy as np

from quadrants.ir.dtypes import DataType

__all__ = ["is_deeply_frozen", "FrozenMemo"]

_LEAVES = (bool, int, float, str, bytes, type(None), np.generic, enum.Enum, DataType)
_CACHE: dict[int, tuple] = {}  # id -> (weak reference, answer)


def _frozen_dataclass(value) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return params is not None and params.frozen and not isinstance(value, type)


def _immutable(value, depth: int = 0) -> bool:
    if depth > 32:
        return False
    if isinstance(value, _LEAVES) or getattr(type(value), "_is_quadrants_ndarray", False):
        return True  # an array's identity, dtype, shape and storage are fixed
    if isinstance(value, tuple):
        return all(_immutable(v, depth + 1) for v in value)
    if _frozen_dataclass(value):
        return all(_immutable(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    return False  # anything else may change (data_oriented objects, lists, torch tensors, …)


def is_deeply_frozen(value) -> bool:
    """Whether ``value`` is a frozen dataclass whose members, recursively, cannot change."""
    entry = _CACHE.get(id(value))
    if entry is not None and entry[0]() is value:
        return entry[1]
    answer = _frozen_dataclass(value) and _immutable(value)
    key = id(value)
    try:
        ref = weakref.ref(value, lambda _: _CACHE.pop(key, None))
    except TypeError:  # no weak references (__slots__ without __weakref__): answer again next time
        return answer
    _CACHE[key] = (ref, answer)
    return answer


class FrozenMemo:
    """Values computed from deeply frozen objects, by object and a key; an object's entries are dropped when it dies
    (a weak-reference callback runs before its id can name another object)."""

    def __init__(self) -> None:
        self._by_id: dict[int, dict] = {}
        self._refs: dict[int, weakref.ref] = {}

    def get(self, obj, key):
        entries = self._by_id.get(id(obj))
        return None if entries is None else entries.get(key)

    def put(self, obj, key, value) -> None:
        oid = id(obj)
        if oid not in self._refs:
            try:
                self._refs[oid] = weakref.ref(obj, lambda _, oid=oid: self._drop(oid))
            except TypeError:
                return  # not weakly referenceable: not memoised
            self._by_id[oid] = {}
        self._by_id[oid][key] = value

    def _drop(self, oid: int) -> None:
        self._refs.pop(oid, None)
        self._by_id.pop(oid, None)

    def clear(self) -> None:
        self._refs.clear()
        self._by_id.clear()
