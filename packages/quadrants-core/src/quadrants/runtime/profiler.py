"""Kernel and task timings of ``qd.init(kernel_profiler=True)`` (docs/profiler.md).

Each launch of a kernel is timed on the host from the start of the launch to the end of ``qd.sync()`` (so queued GPU
work is included; compilation is not), and so is each of its tasks (a parallel loop or serial block, what upstream
calls an offloaded task): under the profiler a launch walks its tasks one by one through the backend's launch
primitives, with a sync after each, instead of the backend's whole-program fast path or device graph. Records are
kept per session.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_tasks

__all__ = ["KernelRecords", "TaskTimer", "records_of", "task_names", "timed"]


@dataclass
class KernelRecords:
    """Launch times in seconds, by kernel name and by task name, in launch order; ``details`` says where a task comes
    from and how the backend launched it last."""

    times: dict[str, list[float]] = field(default_factory=dict)
    tasks: dict[str, list[float]] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.times.setdefault(name, []).append(seconds)

    def add_task(self, name: str, seconds: float, detail: str) -> None:
        self.tasks.setdefault(name, []).append(seconds)
        self.details[name] = detail

    def clear(self) -> None:
        self.times.clear()
        self.tasks.clear()
        self.details.clear()


def records_of(session) -> KernelRecords:
    """The session's records (made on first use)."""
    if session.profiler is None:
        session.profiler = KernelRecords()
    return session.profiler


def timed(session, name: str, launch):
    """Run ``launch()``, time it (including a sync) and record it under ``name``."""
    from quadrants.runtime.state import sync

    start = time.perf_counter()
    result = launch()
    sync()
    records_of(session).add(name, time.perf_counter() - start)
    return result


def _kind(item) -> str:
    if isinstance(item, N.SerialBlock):
        return "serial"
    return "simt_blocks" if item.simt_block else "range_for"


def task_names(kernel: str, program: N.Program) -> dict[int, tuple[str, str]]:
    """``id(task) -> (name, source)`` for every task of ``program``, in program order: ``<kernel>.task_<k>_<kind>``
    (kinds ``range_for``, ``serial``, ``simt_blocks``) and ``file:line`` of the loop or block."""
    names = {}
    for k, item in enumerate(iter_tasks(program.items)):
        loc = item.loc
        names[id(item)] = (f"{kernel}.task_{k}_{_kind(item)}", f"{loc.file}:{loc.line}" if loc else "")
    return names


class TaskTimer:
    """An executable seen through the profiler: ``run_task`` is timed (with a sync after it, or on the device by the
    backend's ``time_task(ctx, item)`` where it has one) and recorded per task;
    every other attribute is the executable's own. ``run_items_on_device`` is hidden, so that the host runner walks
    the tasks one by one. A backend that offers ``describe_task(ctx, item)`` (launch dimensions, say) adds it to the
    task's detail."""

    run_items_on_device = None

    def __init__(self, exe, names: dict[int, tuple[str, str]], records: KernelRecords, sync):
        self._exe, self._names, self._records, self._sync = exe, names, records, sync
        self._describe = getattr(exe, "describe_task", None)
        self._device_time = getattr(exe, "time_task", None)  # runs the task, returns its device seconds or None

    def __getattr__(self, name: str):
        return getattr(self._exe, name)

    def run_task(self, ctx, item) -> None:
        start = time.perf_counter()
        seconds = None
        if self._device_time is not None:
            seconds = self._device_time(ctx, item)  # device time between events around the task (llvm-cuda)
        else:
            self._exe.run_task(ctx, item)
        if seconds is None:
            self._sync()
            seconds = time.perf_counter() - start
        name, source = self._names.get(id(item), (f"task_{id(item)}", ""))
        how = self._describe(ctx, item) if self._describe is not None else ""
        self._records.add_task(name, seconds, ", ".join(part for part in (source, how) if part))
