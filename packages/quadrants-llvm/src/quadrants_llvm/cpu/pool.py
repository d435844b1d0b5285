"""The worker-thread pool behind ``qd_parallel(worker, ctx, nthreads, flags)``.

Generated code hands a parallel task to ``qd_parallel`` from native code (no Python on the launch path). The symbol
is bound to libgomp's ``GOMP_parallel``: a persistent pool whose idle threads spin briefly before sleeping, so the
next dispatch is cheap; every thread (the caller included) runs ``worker(ctx)``, which claims chunks of the flat
range from an atomic counter. Without libgomp a Python pool of persistent threads stands in: each thread calls the
worker through ``ctypes``, which releases the GIL, so the work still runs in parallel.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading

import llvmlite.binding as llvm

__all__ = ["bind_symbols", "thread_count", "pool_kind"]

_KIND = ""
_KEEP: list = []


def thread_count() -> int:
    """Worker threads per parallel task: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def pool_kind() -> str:
    """``"libgomp"`` or ``"python-threads"`` (after :func:`bind_symbols`)."""
    return _KIND


def _load_gomp() -> int:
    for name in (ctypes.util.find_library("gomp"), "libgomp.so.1", "libgomp.dylib"):
        if not name:
            continue
        try:
            llvm.load_library_permanently(name)
        except RuntimeError:
            continue
        addr = llvm.address_of_symbol("GOMP_parallel")
        if addr:
            return addr
    return 0


class _PythonPool:
    """Persistent threads that each run ``worker(ctx)``; the dispatching thread runs one share itself."""

    def __init__(self, n: int):
        self.n = n
        self.cv = threading.Condition()
        self.job = None
        self.generation = 0
        self.pending = 0
        for k in range(n - 1):
            threading.Thread(target=self._loop, name=f"qd-worker-{k}", daemon=True).start()

    def _loop(self) -> None:
        seen = 0
        while True:
            with self.cv:
                while self.generation == seen:
                    self.cv.wait()
                seen = self.generation
                job = self.job
            job[0](job[1])
            with self.cv:
                self.pending -= 1
                self.cv.notify_all()

    def dispatch(self, fn_addr: int, ctx: int, nthreads: int, flags: int) -> None:
        fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(fn_addr)
        with self.cv:
            self.job = (fn, ctx)
            self.pending = self.n - 1
            self.generation += 1
            self.cv.notify_all()
        fn(ctx)
        with self.cv:
            while self.pending:
                self.cv.wait()


def bind_symbols() -> None:
    """Bind ``qd_parallel`` for the JIT (idempotent)."""
    global _KIND
    if _KIND:
        return
    addr = _load_gomp()
    if addr:
        _KIND = "libgomp"
    else:
        pool = _PythonPool(thread_count())
        proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint)
        cb = proto(pool.dispatch)
        _KEEP.extend((pool, cb))
        addr = ctypes.cast(cb, ctypes.c_void_p).value
        _KIND = "python-threads"
    llvm.add_symbol("qd_parallel", addr)
