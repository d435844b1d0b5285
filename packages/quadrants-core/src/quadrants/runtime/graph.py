"""The host graph runner (docs/semantics.md §16.4): walks a Program's item tree with a backend's launch primitives.

Task items run through ``exe.run_task``; ``DoWhile`` nodes repeat while their 0-d i32 condition (read with
``exe.read_i32``) is non-zero; ``Checkpoint`` nodes are gated by the resume point and the first yield. The same
algorithm serves every backend; a backend may replace it with device-side execution but must match it.
"""

from __future__ import annotations

from dataclasses import dataclass

from quadrants.ir import nodes as ir

__all__ = ["RunState", "run_items", "run_program"]


@dataclass
class RunState:
    """Driver state of one launch: where a resume starts and which checkpoint yielded (-1: none)."""

    resume_point: int = 0
    yield_signal: int = -1


def run_program(exe, values: list, items: tuple, state: RunState) -> tuple:
    """One launch through ``begin`` / ``run_task`` / ``end``; the return values.

    A launch that fails before ``end`` (a run-time error raised by a task, Ctrl-C) is handed to the executable's
    optional ``abort(ctx)``, so that one holding a per-launch resource (a lock, a context buffer) can release it.
    An executable may run the whole tree on the device through its optional ``run_items_on_device(ctx, items,
    state)``, which returns ``False`` where it cannot (checkpoints, say): then this runner walks the tree.
    """
    ctx = exe.begin(values)
    try:
        on_device = getattr(exe, "run_items_on_device", None)
        if on_device is None or not on_device(ctx, items, state):
            run_items(exe, ctx, items, state)
    except BaseException:
        abort = getattr(exe, "abort", None)
        if abort is not None:
            abort(ctx)
        raise
    return exe.end(ctx)


def run_items(exe, ctx, items: tuple, state: RunState) -> None:
    """Run ``items`` in program order."""
    for item in items:
        if isinstance(item, ir.Checkpoint):
            _checkpoint(exe, ctx, item, state)
        elif isinstance(item, ir.DoWhile):
            _do_while(exe, ctx, item, state)
        else:
            exe.run_task(ctx, item)  # tasks and serial blocks are never gated themselves


def _do_while(exe, ctx, loop: ir.DoWhile, state: RunState) -> None:
    while True:
        run_items(exe, ctx, loop.body, state)
        state.resume_point = 0  # cleared at the first body boundary of any level
        if state.yield_signal != -1:
            break  # a yield exits every enclosing do_while
        if exe.read_i32(ctx, loop.cond_arg) == 0:
            break


def _checkpoint(exe, ctx, cp: ir.Checkpoint, state: RunState) -> None:
    if cp.id < state.resume_point or state.yield_signal != -1:
        return
    run_items(exe, ctx, cp.body, state)
    if cp.yield_on_arg >= 0 and exe.read_i32(ctx, cp.yield_on_arg) != 0:
        state.yield_signal = cp.id
