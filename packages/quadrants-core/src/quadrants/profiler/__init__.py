"""``qd.profiler``: per-kernel timings (``qd.init(kernel_profiler=True)``) and upstream's other profiler entry points
(docs/profiler.md)."""

from __future__ import annotations

from quadrants.profiler import kernel_metrics, kernel_profiler, memory_profiler, scoped_profiler
from quadrants.profiler.kernel_metrics import CuptiMetric, get_predefined_cupti_metrics
from quadrants.profiler.kernel_profiler import (
    clear_kernel_profiler_info,
    get_kernel_profiler_total_time,
    print_kernel_profiler_info,
    query_kernel_profiler_info,
    set_kernel_profiler_toolkit,
)
from quadrants.profiler.memory_profiler import print_memory_profiler_info
from quadrants.profiler.scoped_profiler import clear_scoped_profiler_info, print_scoped_profiler_info

__all__ = [
    "CuptiMetric",
    "clear_kernel_profiler_info",
    "clear_scoped_profiler_info",
    "collect_kernel_profiler_metrics",
    "get_kernel_profiler_total_time",
    "get_predefined_cupti_metrics",
    "kernel_metrics",
    "kernel_profiler",
    "memory_profiler",
    "print_kernel_profiler_info",
    "print_memory_profiler_info",
    "print_scoped_profiler_info",
    "query_kernel_profiler_info",
    "scoped_profiler",
    "set_kernel_profiler_metrics",
    "set_kernel_profiler_toolkit",
]


def set_kernel_profiler_metrics(metric_list=None) -> None:
    """Choose CUPTI metrics (upstream, CUDA only): hardware counters are not collected here; accepted and ignored."""


def collect_kernel_profiler_metrics(metric_list=None):
    """A context manager collecting CUPTI metrics (upstream, CUDA only): here it collects nothing."""
    import contextlib

    return contextlib.nullcontext()
