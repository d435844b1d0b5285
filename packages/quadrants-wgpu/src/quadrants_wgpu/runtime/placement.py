"""Binding plans at run time: what a task does when the adapter's binding limits rule out one storage buffer per
ndarray (the shader side is :mod:`quadrants_wgpu.wgsl.placement`; docs/backends/wgpu.md#binding-limits).

A task's plan is made on a bind group cache miss, from the sizes of the launch's buffers (:func:`plan`):

* an ndarray larger than ``max-storage-buffer-binding-size`` (allocations may go up to ``max-buffer-size``) is bound
  as windows of the largest power of two bytes within the binding size;
* while the bindings still exceed ``max-storage-buffers-per-shader-stage`` (three are the argument, kernel-var and
  status buffers), the cheapest of the other arrays to copy (bytes, twice for written ones) move to the arena, a
  per-slot-set buffer bound once per element type among them. Each dispatch of such a task copies its arena arrays
  in before and the written ones back after (:func:`copy_in`, :func:`copy_out`), so other tasks, later launches and
  host reads see the arrays' own buffers.

The plan (offsets included) keys the task's shader variants, so a launch with the same sizes reuses the variant
without emitting again. Only tasks over a limit pay: the normal path is the bind group cache lookup it always was.
The plan also names the arguments that share one buffer with a written one (:mod:`quadrants_wgpu.wgsl.aliases`):
such a launch gets a variant that binds the buffer once, keyed and cached the same way.
"""

from __future__ import annotations

import math

from quadrants.errors import QuadrantsRuntimeError
from quadrants_wgpu.runtime.memory import create_buffer
from quadrants_wgpu.wgsl.aliases import find_aliases
from quadrants_wgpu.wgsl.placement import BindingPlan

__all__ = ["FIXED_BINDINGS", "plan", "ensure_arena", "copy_in", "copy_out", "window"]

FIXED_BINDINGS = 3  # qd_args, qd_kv, qd_status
_ARENA_MIN = 1 << 16  # the first arena of a slot set (grown by doubling, up to the binding size)


def plan(name: str, shader, buffers: dict, limits: tuple[int, int]) -> BindingPlan:
    """The placements of ``shader``'s arrays (its default bindings ``(arg, read-only)`` and their storage element
    types) for the launch's ``buffers`` (by argument) under ``limits`` = ``(max binding bytes, max buffers)``.

    A buffer passed as several arguments, one written, is first made one binding (:func:`find_aliases`); the limits
    then count and place its owner only (an alias sits where its owner does, in the arena too)."""
    max_binding, max_buffers = limits[0] & ~15, limits[1]  # & ~15: the arena is a whole number of 16-byte blocks
    log2 = max_binding.bit_length() - 1  # windows of a power of two bytes: the dispatcher shifts and masks
    aliases = find_aliases(shader.bindings, buffers)
    ro, elems, members = _owners(shader, aliases)
    sizes = {arg: buffers[arg].size for arg in ro}
    chunks = {a: math.ceil(n / (1 << log2)) for a, n in sizes.items() if n > max_binding}
    windows = tuple((a, n, log2) for a, n in sorted(chunks.items()))
    count = FIXED_BINDINGS + sum(chunks.get(a, 1) for a in sizes)
    if count <= max_buffers:
        return BindingPlan(chunks=windows, aliases=aliases)
    cost = {arg: sizes[arg] * (1 if ro[arg] else 2) for arg in sizes}
    candidates = iter(sorted((a for a in sizes if a not in chunks), key=lambda a: (cost[a], a)))
    arena: list[tuple[int, int]] = []
    views: set[str] = set()
    placed: dict[tuple, int] = {}  # (buffer, element type) -> offset: an array passed twice has one place
    end = 0
    while count + len(views) > max_buffers:
        arg = next(candidates, None)
        if arg is None:
            raise QuadrantsRuntimeError(
                f"kernel {name}: a task needs {count + len(views)} storage buffers ({len(chunks)} ndarrays larger "
                f"than max-storage-buffer-binding-size are bound as several windows, the others share "
                f"{len(views)} bindings), more than the adapter's max-storage-buffers-per-shader-stage "
                f"({max_buffers}); pass fewer or smaller arrays to one kernel"
            )
        key = (id(buffers[arg]), elems[arg])
        if key not in placed:
            placed[key] = end
            end += sizes[arg]  # a multiple of 16 (runtime/memory.py)
        arena += [(m, placed[key]) for m in members[arg]]  # the aliases too: copied back when they are written
        views.add(elems[arg])
        count -= 1
    if end > max_binding:
        raise QuadrantsRuntimeError(
            f"kernel {name}: a task uses more ndarrays than the adapter's max-storage-buffers-per-shader-stage "
            f"({max_buffers}) allows, so {len(arena)} of them share one buffer, but together they take {end} bytes, "
            f"more than max-storage-buffer-binding-size ({max_binding}); pass fewer or smaller arrays to one kernel"
        )
    return BindingPlan(tuple(sorted(arena)), windows, aliases)


def _owners(shader, aliases) -> tuple[dict, dict, dict]:
    """Per argument with a binding of its own (an owner or an unaliased one): read-only?, its storage element type
    and its group (itself first, then its aliases). A group is read-only only when every member is, and its element
    type is that of an atomic member, else of a written one (what :func:`share_bindings` will declare)."""
    owner = dict(aliases)
    ro: dict[int, bool] = {}
    elems: dict[int, str] = {}
    rank: dict[int, tuple] = {}
    members: dict[int, list[int]] = {}
    for (arg, arg_ro), elem in zip(shader.bindings, shader.elems, strict=True):
        head = owner.get(arg, arg)
        ro[head] = ro.get(head, True) and arg_ro
        members.setdefault(head, [head])
        if arg != head:
            members[head].append(arg)
        r = ("atomic" in elem, not arg_ro)
        if head not in rank or r > rank[head]:
            rank[head], elems[head] = r, elem
    return ro, elems, members


def arena_bytes(plan_: BindingPlan, buffers: dict) -> int:
    """Bytes of the arena ``plan_`` fills."""
    return max((offset + buffers[arg].size for arg, offset in plan_.arena), default=0)


def ensure_arena(dev, slots, size: int, max_binding: int):
    """The slot set's arena, grown (doubling, up to ``max_binding``) to at least ``size`` bytes."""
    if slots.arena is None or slots.arena.size < size:
        grown = max(size, _ARENA_MIN, 2 * (slots.arena.size if slots.arena is not None else 0))
        slots.arena = create_buffer(dev, min(grown, max_binding & ~15))
    return slots.arena


def window(buffer, chunk: int, log2: int) -> dict:
    """The bind group resource of window ``chunk`` of ``buffer``."""
    offset = chunk << log2
    return {"buffer": buffer, "offset": offset, "size": min(1 << log2, buffer.size - offset)}


def _distinct(ctx, placements):
    seen = set()
    for arg, offset in placements:
        if offset not in seen:  # aliased arguments share their place
            seen.add(offset)
            yield ctx.arrays[arg].buffer, offset


def copy_in(ctx, placements) -> None:
    """Record copies of the arena arrays ``(arg, offset)`` into the arena (ends the open compute pass: copies are
    recorded outside passes)."""
    if ctx.cpass is not None:
        ctx.cpass.end()
        ctx.cpass = None
    for buf, at in _distinct(ctx, placements):
        ctx.encoder.copy_buffer_to_buffer(buf, 0, ctx.slots.arena, at, buf.size)


def copy_out(ctx, placements, written) -> None:
    """Record copies of the arena arrays the task writes (``written``: argument indices) back into their buffers,
    after its dispatch."""
    back = [(arg, offset) for arg, offset in placements if arg in written]
    if not back:
        return
    ctx.cpass.end()
    ctx.cpass = None
    for buf, at in _distinct(ctx, back):
        ctx.encoder.copy_buffer_to_buffer(ctx.slots.arena, at, buf, 0, buf.size)
