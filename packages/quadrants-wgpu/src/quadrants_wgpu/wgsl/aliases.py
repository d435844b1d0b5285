"""One buffer reaching a task through several ndarray arguments (``step(x, x)``, two views of one ndarray).

A task's shader normally binds each ndarray argument it uses on its own binding, read-only when the task only reads
it. When a launch passes one buffer as several arguments and the task writes through at least one of them, that
layout fails twice over: WebGPU refuses a buffer bound both read-only and writable in one dispatch (usage-scope
validation), and two bindings of one buffer are two WGSL variables, which the compiled shader may assume do not
overlap (SPIR-V gives undefined behaviour to a write through one memory object and an access of the same location
through another unless both are declared aliased), so a lane's store through one could be missed by its load through
the other.

So the runtime (:func:`find_aliases`, from the launch's buffers) makes a variant where every such argument after
the first is an *alias* of the first (its *owner*; :attr:`~.placement.BindingPlan.aliases`): the buffer is bound
once, under the owner's binding, and :func:`share_bindings` gives every member of the group the union of their uses,
so the one declaration suits them all (``read_write`` when any writes; atomic words when any needs them) and each
member's accessors address the same variable. Arguments that share a buffer but are only read keep their separate
read-only bindings (read-only usages combine freely), and a launch without shared buffers keeps the default shader.
"""

from __future__ import annotations

from quadrants_wgpu.wgsl.packing import ArgUse

__all__ = ["find_aliases", "share_bindings"]


def find_aliases(bindings, buffers: dict) -> tuple[tuple[int, int], ...]:
    """``(arg, owner)`` for each argument whose buffer an earlier argument of the task also binds, in a group where at
    least one binding is writable. ``bindings``: the default shader's ``(source, read-only?)`` (sources other than
    whole arguments are ignored); ``buffers``: the launch's buffer by argument."""
    groups: dict[int, list[tuple[int, bool]]] = {}
    for source, ro in bindings:
        if isinstance(source, int):
            groups.setdefault(id(buffers[source]), []).append((source, ro))
    out = []
    for members in groups.values():
        if len(members) > 1 and not all(ro for _, ro in members):
            owner = min(arg for arg, _ in members)
            out += [(arg, owner) for arg, _ in members if arg != owner]
    return tuple(sorted(out))


def share_bindings(uses: dict[int, ArgUse]) -> None:
    """Give every member of each alias group (``use.owner``) the union of the group's loads, stores and atomic ops,
    so the owner's declaration and every member's accessors agree on one storage type."""
    groups: dict[int, list[ArgUse]] = {}
    for arg, use in uses.items():
        if use.owner is not None:
            if use.owner not in uses:
                raise AssertionError(f"argument {arg} aliases argument {use.owner}, which the task does not use")
            groups.setdefault(use.owner, [uses[use.owner]]).append(use)
    for members in groups.values():
        loads = any(u.loads for u in members)
        stores = any(u.stores for u in members)
        ops = set().union(*(u.atomic_ops for u in members))
        for u in members:
            u.loads, u.stores, u.atomic_ops = loads, stores, set(ops)
