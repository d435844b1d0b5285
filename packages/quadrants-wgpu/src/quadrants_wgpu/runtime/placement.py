"""Binding plans at run time: what a task does when the adapter's binding limits rule out one storage buffer per
ndarray (the shader side is :mod:`quadrants_wgpu.wgsl.placement`; docs/backends/wgpu.md#binding-limits).

* At load, a task whose ndarrays need more bindings than ``max-storage-buffers-per-shader-stage`` leaves (three are
  the argument, kernel-var and status buffers) gets an arena plan (:func:`arena_plan`): some of its arrays are
  reached through a per-launch arena buffer. Each launch places those arrays in the arena (:func:`place`, their word
  offsets go into the args buffer), and each dispatch of such a task copies its arena arrays in before and the ones
  it writes back after (:func:`copy_in`, :func:`copy_out`), so tasks bound the normal way see every write.
* At a launch whose arrays include one larger than ``max-storage-buffer-binding-size`` (allocations may go up to
  ``max-buffer-size``), the task's shader is emitted again with that array split into windows (:func:`chunk_plan`),
  once per combination of window counts; the bind group cache keeps the choice for the same buffers.

Only tasks over a limit pay: the normal path is the bind group cache lookup it always was.
"""

from __future__ import annotations

import math

from quadrants.errors import QuadrantsRuntimeError
from quadrants_wgpu.runtime.memory import create_buffer
from quadrants_wgpu.wgsl.placement import BindingPlan

__all__ = ["FIXED_BINDINGS", "arena_plan", "chunk_plan", "place", "copy_in", "copy_out", "window"]

FIXED_BINDINGS = 3  # qd_args, qd_kv, qd_status
_ARENA_MIN = 1 << 16  # the first arena of a slot set (grown by doubling, up to the binding size)


def arena_plan(name: str, shader, limit: int, words: dict[int, int]) -> BindingPlan:
    """The arena placements that bring ``shader``'s bindings within ``limit`` (empty when they already fit).

    Read-only arrays go first (they are only copied in), later arguments before earlier ones; each arena array
    frees its binding, and each new element type among them takes one (its view)."""
    sources = [(arg, ro, elem) for (arg, ro), elem in zip(shader.bindings, shader.elems, strict=True)]
    if FIXED_BINDINGS + len(sources) <= limit:
        return BindingPlan()
    arena: list[int] = []
    views: set[str] = set()
    for arg, _, elem in sorted(sources, key=lambda s: (not s[1], -s[0])):
        arena.append(arg)
        views.add(elem)
        if FIXED_BINDINGS + len(sources) - len(arena) + len(views) <= limit:
            return BindingPlan(arena=tuple((a, words[a]) for a in sorted(arena)))
    raise QuadrantsRuntimeError(
        f"kernel {name}: a task's ndarrays have {len(views)} element types; with one binding each, plus the "
        f"{FIXED_BINDINGS} of the backend, they exceed the adapter's max-storage-buffers-per-shader-stage ({limit})"
    )


def chunk_plan(name: str, base: BindingPlan, direct, sizes: dict[int, int], limits) -> BindingPlan:
    """``base`` plus windows for the arrays of ``direct`` (arguments on their own bindings) whose buffers are
    larger than one binding; ``sizes``: buffer bytes by argument."""
    max_binding, max_buffers = limits
    log2 = max_binding.bit_length() - 1  # windows of a power of two bytes: the dispatcher shifts and masks
    chunks = tuple((a, math.ceil(sizes[a] / (1 << log2)), log2) for a in direct if sizes[a] > max_binding)
    if not chunks:
        return base
    bindings = len(direct) - len(chunks) + sum(n for _, n, _ in chunks) + FIXED_BINDINGS
    views = bool(base.arena)  # at least one arena view (bounded by the plan made at load)
    if bindings + views > max_buffers:
        raise QuadrantsRuntimeError(
            f"kernel {name}: ndarrays larger than max-storage-buffer-binding-size ({max_binding} bytes) are bound "
            f"as several windows, and this task's would need {bindings} bindings, more than the adapter's "
            f"max-storage-buffers-per-shader-stage ({max_buffers})"
        )
    return BindingPlan(base.arena, chunks)


def window(buffer, chunk: int, log2: int) -> dict:
    """The bind group resource of window ``chunk`` of ``buffer``."""
    offset = chunk << log2
    return {"buffer": buffer, "offset": offset, "size": min(1 << log2, buffer.size - offset)}


def place(name: str, dev, slots, arrays: dict, args, words, max_binding: int) -> dict[int, int]:
    """Byte offsets in the slot set's arena of the launch's arena arrays (one place per buffer, 16-byte aligned);
    their word offsets are written into ``words`` (the args buffer contents). Grows the arena when needed."""
    offsets: dict[int, int] = {}
    by_buffer: dict[int, int] = {}
    pos = 0
    for arg, word in args:
        buf = arrays[arg].buffer
        at = by_buffer.get(id(buf))
        if at is None:
            at = by_buffer[id(buf)] = pos
            pos += buf.size  # a multiple of 16 (runtime/memory.py)
        offsets[arg] = at
        words[word] = at // 4
    if pos > max_binding:
        raise QuadrantsRuntimeError(
            f"kernel {name}: its tasks use more ndarrays than the adapter's max-storage-buffers-per-shader-stage "
            f"allows, so some share one buffer, but those take {pos} bytes, more than max-storage-buffer-binding-size "
            f"({max_binding}); pass fewer or smaller arrays to one kernel"
        )
    if slots.arena is None or slots.arena.size < pos:
        size = max(pos, _ARENA_MIN, 2 * (slots.arena.size if slots.arena is not None else 0))
        slots.arena = create_buffer(dev, min(size, max_binding))
    return offsets


def _distinct(ctx, args):
    seen = set()
    for arg in args:
        buf = ctx.arrays[arg].buffer
        if id(buf) not in seen:
            seen.add(id(buf))
            yield buf, ctx.arena[arg]


def copy_in(ctx, args) -> None:
    """Record copies of ``args``' buffers into the arena (ends the open compute pass: copies are outside passes)."""
    if ctx.cpass is not None:
        ctx.cpass.end()
        ctx.cpass = None
    for buf, at in _distinct(ctx, args):
        ctx.encoder.copy_buffer_to_buffer(buf, 0, ctx.slots.arena, at, buf.size)


def copy_out(ctx, args) -> None:
    """Record copies of ``args`` (the arena arrays a task writes) back into their buffers after its dispatch."""
    if not args:
        return
    ctx.cpass.end()
    ctx.cpass = None
    for buf, at in _distinct(ctx, args):
        ctx.encoder.copy_buffer_to_buffer(ctx.slots.arena, at, buf, 0, buf.size)
