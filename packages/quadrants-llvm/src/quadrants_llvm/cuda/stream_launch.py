"""Launches of a :class:`~quadrants_llvm.cuda.executable.CudaExecutable` that involve streams (docs/streams.md).

Two cases leave the executable's own path: a launch under ``kernel(..., qd_stream=s)`` (the thread's launch stream,
:func:`quadrants_llvm.cuda.streams.current`), and a program whose tasks carry ``qd.stream_parallel()`` block numbers
(``ParallelFor.stream`` / ``SerialBlock.stream``).

* **Launch contexts.** A launch context (argument words, status, return slots, print records) is written by the
  launch's argument copy and read by its kernels. The default stream keeps the executable's own context; a launch on
  a user stream uses a context of its own per (executable, stream) (:class:`Slot`), so the same kernel launched on two
  streams at once never overwrites the arguments the other is about to read.
* **Graphs.** A program of several tasks without blocks launches on a user stream as one CUDA graph, as on the
  default stream; the graph is built for the stream's launch context (graphs are keyed by the context address).
* **Blocks.** :func:`plan` cuts the task list into steps; a step of several blocks forks (each block's stream waits
  for an event recorded on the launch stream), launches each block's tasks in order on its own stream, and joins (the
  launch stream waits for an event recorded on each block's stream), as upstream does. Nothing waits on the host.

The executable's lock is held throughout; its ``ctx_ptr`` / ``params`` / ``_stream`` are pointed at the slot and the
block streams for the duration of the launch (every method that reads them runs under that lock), so the argument
packing, task launch, status check and return read-back code is the executable's own.
"""

from __future__ import annotations

import contextlib
import ctypes
import weakref

from quadrants.ir import nodes as N

__all__ = ["plan", "Slot", "launch"]


def plan(task_streams) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """The steps of a task list whose task ``k`` belongs to block ``task_streams[k]`` (0: none).

    A step is a tuple of groups, a group a tuple of task indices run in order on one stream; the groups of a step
    run concurrently and the step ends when all have (the join). A maximal run of tasks in blocks is one step with a
    group per block (in the order blocks first appear); a task outside any block is a step of its own.
    """
    steps: list = []
    run: dict[int, list[int]] = {}
    for k, block in enumerate(task_streams):
        if block:
            run.setdefault(block, []).append(k)
            continue
        if run:
            steps.append(tuple(tuple(g) for g in run.values()))
            run = {}
        steps.append(((k,),))
    if run:
        steps.append(tuple(tuple(g) for g in run.values()))
    return tuple(steps)


def task_streams(task_items) -> tuple[int, ...]:
    """The block number of each task (0 for a task outside ``qd.stream_parallel()`` and for graph containers)."""
    return tuple(item.stream if isinstance(item, (N.ParallelFor, N.SerialBlock)) else 0 for item in task_items)


class Slot:
    """A launch context of one executable for one user stream: device words and the kernel-parameter block."""

    __slots__ = ("__weakref__", "_param", "_params", "ctx_ptr", "dev", "params")

    def __init__(self, dev, nbytes: int):
        self.dev = dev
        self.ctx_ptr = dev.alloc(nbytes)
        self._param = ctypes.c_uint64(self.ctx_ptr)
        self._params = (ctypes.c_void_p * 1)(ctypes.addressof(self._param))
        self.params = ctypes.addressof(self._params)

    def __del__(self):
        with contextlib.suppress(Exception):
            self.dev.free(self.ctx_ptr)


def _slot(exe, stream) -> Slot:
    """``exe``'s launch context on ``stream``; the latest one is remembered on ``exe`` by the stream's uid (never
    reused) and a weak reference, which spares the weak-key lookup when a kernel keeps launching on the same stream
    and still lets the stream's ``destroy`` free the context."""
    last = getattr(exe, "_stream_slot", None)
    if last is not None and last[0] == stream.uid:
        slot = last[1]()
        if slot is not None:
            return slot
    slot = stream.slots.get(exe)
    if slot is None:
        slot = stream.slots[exe] = Slot(exe.dev, exe.layout.size * 8)
    exe._stream_slot = (stream.uid, weakref.ref(slot))
    return slot


def launch(exe, args, stream) -> tuple:
    """Run every task of ``exe`` for ``args`` on ``stream`` (``None``: the default stream), blocks on streams of
    their own; returns the return values (reading them waits, like every host read)."""
    streams = exe.dev.streams
    steps = exe.stream_steps
    with exe._lock:
        exe.dev.current()
        saved = exe.ctx_ptr, exe.params, exe._stream
        try:
            if stream is None:
                streams.on_default()
                streams.default_work()
            else:
                slot = _slot(exe, stream)  # first: its zero fill is default-stream work the stream must wait for
                streams.on_stream(stream)
                exe.ctx_ptr, exe.params, exe._stream = slot.ctx_ptr, slot.params, stream.handle
            exe._pack_args(args)
            if exe._checking:  # a host-decided check fails: task by task with status reads, no forks
                steps = [[range(len(exe.tasks))]]
            elif stream is not None and exe._flat_graph and all(len(step) == 1 for step in steps):
                # several tasks and no blocks: one graph launch on the stream, as on the default stream
                graph = exe._device_graph(exe.program.items, args)
                if graph is not None:
                    graph.launch()
                    exe.last_runner = "cuda-graph"
                    return exe._returns()
            forked = False
            for step in steps:
                if len(step) == 1:
                    for k in step[0]:
                        exe._run(k, args)
                    continue
                forked = True
                children = streams.group_streams(stream, len(step))
                streams.fork(stream, children)
                for child, group in zip(children, step, strict=True):
                    exe._stream = child.handle
                    for k in group:
                        exe._run(k, args)
                exe._stream = saved[2] if stream is None else stream.handle
                streams.join(stream, children)
            exe.last_runner = "streams" if forked else "tasks"
            return exe._returns()
        finally:
            exe.ctx_ptr, exe.params, exe._stream = saved
