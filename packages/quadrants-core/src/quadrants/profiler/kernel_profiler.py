"""``qd.profiler`` kernel timings: ``print_kernel_profiler_info``, ``query_kernel_profiler_info``, … (docs/profiler.md).

Enable with ``qd.init(kernel_profiler=True)``. One record per kernel launch and one per task of it (a parallel loop or
serial block: upstream's offloaded task). A kernel is timed on the host to the end of a sync; a task on the device where
the backend can (CUDA events on llvm-cuda), else on the host too.
"""

from __future__ import annotations

from dataclasses import dataclass

from quadrants.runtime.profiler import records_of
from quadrants.runtime.state import current_session

__all__ = [
    "KernelProfilerQueryResult",
    "print_kernel_profiler_info",
    "query_kernel_profiler_info",
    "clear_kernel_profiler_info",
    "get_kernel_profiler_total_time",
    "set_kernel_profiler_toolkit",
]


@dataclass(frozen=True)
class KernelProfilerQueryResult:
    """Launches of one kernel: ``counter``, and ``min`` / ``max`` / ``avg`` times in milliseconds."""

    counter: int
    min: float
    max: float
    avg: float


def _records():
    return records_of(current_session())


def query_kernel_profiler_info(name: str) -> KernelProfilerQueryResult:
    """The statistics of kernel ``name``, or of task ``name`` (``<kernel>.task_<k>_<kind>``; zeros when it never
    ran)."""
    records = _records()
    times = records.times.get(name) or records.tasks.get(name, [])
    if not times:
        return KernelProfilerQueryResult(0, 0.0, 0.0, 0.0)
    ms = [t * 1000.0 for t in times]
    return KernelProfilerQueryResult(len(ms), min(ms), max(ms), sum(ms) / len(ms))


def get_kernel_profiler_total_time() -> float:
    """Seconds spent in every recorded launch."""
    return sum(sum(times) for times in _records().times.values())


def clear_kernel_profiler_info() -> None:
    """Forget every record."""
    _records().clear()


def set_kernel_profiler_toolkit(toolkit_name: str = "default") -> bool:
    """Only the ``"default"`` (host timer) toolkit exists here; returns whether ``toolkit_name`` is it."""
    return toolkit_name == "default"


def _count_rows(times: dict, total: float, details: dict | None = None) -> None:
    for name, ts in sorted(times.items(), key=lambda kv: -sum(kv[1])):
        share = 100.0 * sum(ts) / total if total else 0.0
        ms = [t * 1000.0 for t in ts]
        detail = f"  ({details[name]})" if details and details.get(name) else ""
        print(
            f"[{share:6.2f}% {sum(ts):7.3f} s {len(ts):6d}x |{min(ms):9.3f} {sum(ms) / len(ms):9.3f} "
            f"{max(ms):9.3f} ms] {name}{detail}"
        )


def print_kernel_profiler_info(mode: str = "count") -> None:
    """Print per-kernel statistics (``mode="count"``) or every launch (``mode="trace"``)."""
    if mode not in ("count", "trace"):
        raise ValueError(f"mode must be 'count' or 'trace', got {mode!r}")
    session = current_session()
    times = records_of(session).times
    total = sum(sum(t) for t in times.values())
    rule = "=" * 73
    print(rule)
    print(f"Kernel Profiler({mode}, default) @ {session.backend_id}")
    print(rule)
    if mode == "count":
        print("[      %     total   count |      min       avg       max   ] Kernel name")
        print("-" * 73)
        _count_rows(times, total)
        tasks = records_of(session).tasks
        if tasks:
            print("-" * 73)
            print("Tasks (device time where the backend measures it, else to the end of a sync; source, launch)")
            _count_rows(tasks, sum(sum(t) for t in tasks.values()), records_of(session).details)
    else:
        print("[ # ] time (ms)   Kernel name")
        print("-" * 73)
        k = 0
        for name, ts in times.items():
            for t in ts:
                print(f"[{k:3d}] {t * 1000.0:9.3f}   {name}")
                k += 1
    print("-" * 73)
    print(f"[100.00%] Total execution time: {total:7.3f} s   number of results: {len(times)}")
    print(rule)
