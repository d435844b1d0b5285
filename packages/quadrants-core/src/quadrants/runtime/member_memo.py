"""The launch fast path for compound arguments whose members may change: reuse a launch when no read member did.

Without it, every launch of a kernel that takes a dataclass or data_oriented argument walks the members the kernel
reads twice: once for the specialization key (``member_key``), once for the flat launch values (``source_value``),
converting and checking each member on the way. Genesis launches a handful of kernels per step, each reading some
fifty arrays through such arguments, so this walk was a quarter of its step time.

:class:`MemberMemo` remembers, per kernel, the outcome of the latest full walk for a given set of argument objects:
the compiled specialization, the flat launch values and the member objects the walk found. A later launch with the
same argument objects only fetches those members again (one ``operator.attrgetter`` call per argument) and compares
them *by identity* with the remembered ones. Identity is exact here, not a heuristic:

* the key and the launch values are functions of the member objects alone (an ndarray's or a field's dtype, shape
  and storage never change; a baked primitive is immutable), so the same objects give the same launch;
* the memo holds the member objects strongly, so an identity it compares against cannot be recycled by a new object;
* a member rebound to another object (``state.x = other``, even an equal one) fails the comparison, and the launch
  takes the full walk again, which computes the new key and values and replaces the entry.

A deeply frozen argument (runtime/frozen_structs.py: a frozen dataclass of arrays, primitives and further such
dataclasses) cannot have its members rebound, so the entry compares only its identity (through a weak reference);
its members' launch values, scalars included, are kept with the entry. An entry is dropped as soon as one of its
argument objects dies, so a state object (and the arrays it alone holds) the program lets go of is freed even though
some kernel launched with it.

What the full walk would read afresh each time is read afresh here too: plain parameters, run-time scalar members
(``template_primitives=False``: their value, not their identity, is the launch value) and gradient companions. The
random state and the SIMT scratch arrays are the session's for its whole life (allocated at first use, never
replaced), so an entry keeps them like a field's storage: Genesis's GPU kernels take over a hundred scratch arrays
each, and looking them up again was most of a launch's host time. Launches that copy NumPy members back are never
memoised. A destroyed SNode tree releases the storage of its fields; :func:`storage_released` bumps a counter that
retires every entry made before it. New member paths found by a compile, a new session and a reset of the kernel
clear the memo (:meth:`MemberMemo.clear`).
"""

from __future__ import annotations

import contextlib
import operator
import weakref
from typing import Any

import numpy as np

from quadrants.ir import nodes as ir
from quadrants.runtime.frozen_structs import is_deeply_frozen
from quadrants.runtime.members import resolve_path, scalar_member, source_value
from quadrants.runtime.ndarray import Ndarray

__all__ = ["MemberMemo", "storage_released"]

_RELEASES = [0]  # how many times field storage was released (SNode tree destroyed); entries remember the count
_MAX_ENTRIES = 64  # argument-object combinations remembered per kernel (a full table is emptied, then refilled)
_MAX_MISSES = 16  # identity misses of one combination after which it is no longer memoised (members that a
# property recomputes at every access never match)
_is = operator.is_
# argument sources whose launch value is fixed for the session (the memo is cleared with a new session): a field's
# storage, the random state, a SIMT scratch array (runtime/members.py)
_SESSION_FIXED = frozenset({"field", "random_state", "simt_scratch"})


def storage_released() -> None:
    """Retire every memo entry: some field's storage was freed (its SNode tree was destroyed)."""
    _RELEASES[0] += 1


def _getter(paths: list[tuple]):
    """A function from an object to the tuple of its members at ``paths`` (one C call when the paths are
    attribute chains)."""
    if not paths:
        return lambda obj: ()
    if all(isinstance(attr, str) for path in paths for attr in path):
        get = operator.attrgetter(*(".".join(path) for path in paths))
        return (lambda obj: (get(obj),)) if len(paths) == 1 else get
    return lambda obj: tuple(_raw(obj, path) for path in paths)


def _raw(obj, path: tuple):
    for attr in path:
        obj = obj[attr] if isinstance(attr, tuple) else getattr(obj, attr)
    return obj


class _Entry:
    """One remembered launch (see the module docstring)."""

    __slots__ = ("compiled", "getters", "leaves", "others", "params", "refs", "releases", "scalars", "values")

    def __init__(self, compiled, getters, leaves, values, params, scalars, others):
        self.compiled, self.getters, self.leaves = compiled, getters, leaves
        self.values, self.params, self.scalars, self.others = values, params, scalars, others
        self.releases = _RELEASES[0]
        self.refs: list = []  # weak references to the argument objects: their death drops the entry

    def holds(self, bound: list) -> bool:
        """Whether every compound argument of ``bound`` still has the members this entry found, by identity."""
        for (position, get), before in zip(self.getters, self.leaves):
            if get is None:  # a deeply frozen argument (held weakly): the same object has the same members
                if before() is not bound[position].value:
                    return False
                continue
            now = get(bound[position].value)
            if len(now) != len(before) or not all(map(_is, now, before)):
                return False
        return True


class MemberMemo:
    """Per-kernel memo of launches with compound arguments; ``reads`` is the kernel's ``{(position, class): {path:
    what}}`` table of read members (it only grows, at compiles; the kernel calls :meth:`clear` when it does)."""

    def __init__(self, reads: dict):
        self._reads = reads
        self._entries: dict[tuple, _Entry] = {}
        self._misses: dict[tuple, int] = {}

    def clear(self) -> None:
        self._entries.clear()
        self._misses.clear()

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def entry_key(bound: list) -> tuple:
        """The per-parameter key components plus the identity of each compound argument."""
        return tuple([b.key for b in bound] + [id(b.value) for b in bound if b.struct])

    def lookup(self, key: tuple, bound: list, session) -> tuple[Any, list] | None:
        """``(compiled, launch values)`` when the entry of ``key`` still holds, else None (take the full walk)."""
        entry = self._entries.get(key)
        if entry is None or entry.releases != _RELEASES[0]:
            return None
        try:
            holds = entry.holds(bound)
        except (AttributeError, LookupError, TypeError):  # a member was deleted: the full walk says so
            return None
        if not holds:
            self._misses[key] = self._misses.get(key, 0) + 1
            return None
        values = entry.values.copy()
        for k, position in entry.params:
            values[k] = bound[position].value
        for k, position, path, spec in entry.scalars:
            values[k] = scalar_member(resolve_path(bound[position].value, path), spec, path)
        if entry.others:
            specs = entry.compiled.program.args
            for k in entry.others:
                values[k] = source_value(entry.compiled.arg_sources[k], bound, session, specs[k], [])
        return entry.compiled, values

    def store(self, key: tuple, bound: list, compiled, values: list) -> None:
        """Remember the launch the full walk just prepared (``values``: its flat launch values, no NumPy syncs)."""
        if self._misses.get(key, 0) > _MAX_MISSES:
            return
        getters, leaves, checked = [], [], set()
        for position, b in enumerate(bound):
            if not b.struct:
                continue
            reads = self._reads.get((position, type(b.value)), {})
            if is_deeply_frozen(b.value):  # checked by identity alone
                try:
                    leaves.append(weakref.ref(b.value))
                except TypeError:  # no weak references: held, and so compared, by the entry itself
                    leaves.append(lambda value=b.value: value)
                getters.append((position, None))
                continue
            paths = [path for path, what in sorted(reads.items()) if what[0] != "scalar"]
            get = _getter(paths)
            found = get(b.value)
            if any(isinstance(v, np.ndarray) for v in found):  # copied in and out at each launch
                return
            getters.append((position, get))
            leaves.append(found)
            checked.update((position, path) for path, v in zip(paths, found) if isinstance(v, Ndarray))
        frozen = {position for position, get in getters if get is None}
        specs = compiled.program.args
        fixed, params, scalars, others = list(values), [], [], []
        for k, src in enumerate(compiled.arg_sources):
            kind = src[0]
            if kind == "param":
                params.append((k, src[1]))
            elif kind in _SESSION_FIXED or (kind == "member" and src[1] in frozen):
                continue  # fixed for the session, any member of a deeply frozen argument: kept in ``fixed``
            elif kind == "member" and isinstance(specs[k], ir.ScalarArg):
                scalars.append((k, src[1], src[2], specs[k]))
            elif kind == "member" and (src[1], src[2]) in checked:
                continue  # the storage of an ndarray whose identity the entry checks
            else:
                others.append(k)
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        entry = _Entry(compiled, tuple(getters), tuple(leaves), fixed, params, scalars, others)
        self._watch(key, entry, bound)
        self._entries[key] = entry

    def _watch(self, key: tuple, entry: _Entry, bound: list) -> None:
        """Drop ``entry`` when one of its compound argument objects dies (objects without weak references: never)."""
        entries = self._entries

        def drop(_, key=key, entry=entry):
            if entries.get(key) is entry:
                del entries[key]

        for b in bound:
            if b.struct:
                with contextlib.suppress(TypeError):
                    entry.refs.append(weakref.ref(b.value, drop))
