"""Timing helpers shared by the benchmark modules and ``cuda_worker.py`` (which upstream's interpreter runs too, so
this module imports nothing from Quadrants): the best of repeats for bulk work, the median of batches for latency."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def _nothing() -> None:
    pass


def best(fn: Callable[[], object], repeat: int = 5, sync: Callable[[], object] = _nothing) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``fn`` after one warm-up call (which compiles), each followed by
    ``sync`` (``qd.sync`` where a backend's launches return before the work is done)."""
    fn()
    sync()
    fastest = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync()
        fastest = min(fastest, time.perf_counter() - t0)
    return fastest


def best_batch(
    fn: Callable[[], object], batch: int = 10, repeat: int = 5, sync: Callable[[], object] = _nothing
) -> float:
    """Seconds per call of the fastest of ``repeat`` batches of ``batch`` back-to-back calls, each batch followed by
    one ``sync``: the device's time for bulk work (its bandwidth) without the host's launch and sync latency, which a
    single timed call of a sub-millisecond kernel would add to it."""
    fn()
    sync()
    fastest = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        sync()
        fastest = min(fastest, (time.perf_counter() - t0) / batch)
    return fastest


def per_call(fn: Callable[[], object], calls: int = 2000, sync: Callable[[], object] = _nothing) -> float:
    """Median seconds per call over five batches of ``calls`` calls, each batch followed by ``sync``."""
    fn()
    sync()
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        sync()
        samples.append((time.perf_counter() - t0) / calls)
    return statistics.median(samples)
