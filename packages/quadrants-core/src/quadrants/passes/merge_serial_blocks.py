"""Adjacent serial blocks become one (docs/ir.md, "Passes").

A serial block is a task that runs its statements once, on one thread; two of them in a row run one after the other
whatever the backend, so one block holding both bodies in order does exactly what they did, with one task launch
fewer. On a GPU each task is a kernel launch of a few microseconds, and programs produce such pairs routinely: the
code between two parallel loops followed by a loop that ``qd.loop_config(serialize=True)`` keeps on one thread, or
the launch-time check a ``qd.simt`` loop puts in front of itself (Genesis's solver kernels had up to four pairs
each). Blocks of different ``qd.stream_parallel()`` streams stay apart, and items that are not tasks (``do_while``
loops, checkpoints) separate the blocks around them; their bodies are merged the same way.
"""

from __future__ import annotations

import dataclasses

from quadrants.ir.nodes import Item, Program, SerialBlock
from quadrants.ir.rewrite import map_item_blocks

__all__ = ["merge_serial_blocks"]


def _merge(items: tuple[Item, ...]) -> tuple[Item, ...]:
    out: list[Item] = []
    for item in items:
        last = out[-1] if out else None
        if isinstance(item, SerialBlock) and isinstance(last, SerialBlock) and last.stream == item.stream:
            out[-1] = dataclasses.replace(last, body=last.body + item.body)
        else:
            out.append(item)
    return tuple(out) if len(out) != len(items) else items


def merge_serial_blocks(program: Program) -> Program:
    """Return ``program`` with every run of adjacent serial blocks of one stream joined into one block."""
    return map_item_blocks(program, _merge)
