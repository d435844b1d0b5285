"""``CpuExecutable``: one loaded program — machine code, its launch context and the launch primitives.

Two ways to run it (``quadrants/backend.py``): ``launch(args)``, generated per specialization
(:mod:`.launcher`), for programs without graph nodes; and ``begin``/``run_task``/``read_i32``/``end`` for the core
graph runner, where each ``run_task`` is one native call of ``P_task_k`` on the launch's own context buffer.
"""

from __future__ import annotations

import contextlib
import ctypes
import struct
import sys
import threading

import numpy as np

from quadrants.ir import nodes as N
from quadrants_llvm.builder.layout import INTERRUPTED, MAX_ERR_INDICES
from quadrants_llvm.cpu import host, interrupt
from quadrants_llvm.cpu.launcher import arg_format, make_launch, overlap_test, return_format, slow_pack
from quadrants_llvm.task_index import TaskIndex

__all__ = ["CpuExecutable", "LaunchContext"]

_ENTRY = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_void_p)
_TASK = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class LaunchContext:
    """State of one launch on the begin/run_task/end path: its own context buffer, its arguments and the task
    functions it calls (``tasks``: the alias-safe variant's where written ndarray arguments overlap)."""

    __slots__ = ("addr", "args", "buf", "tasks")

    def __init__(self, buf, addr: int, args: list, tasks: list):
        self.buf, self.addr, self.args, self.tasks = buf, addr, args, tasks


class CpuExecutable:
    """Implements :class:`quadrants.backend.Executable` (with the ``launch`` fast path)."""

    def __init__(self, artifact, addresses: dict[str, int], nthreads: int, timings: dict[str, float], reload=None):
        self.program: N.Program = artifact.program
        self.layout = artifact.layout
        self.checks = artifact.checks
        self.prints = artifact.prints
        self.written_args = artifact.written_args
        self.timings = timings
        self.nthreads = nthreads
        self.has_prints = bool(self.prints)
        self._reload = reload  # builds the alias-safe variant (no noalias) on first need
        self.noalias = reload is not None
        self._aliased = None
        prefix = artifact.prefix
        self.launch_c = _ENTRY(addresses[f"{prefix}_launch"])
        self._tasks = [_TASK(addresses[f"{prefix}_task_{k}"]) for k in range(len(artifact.task_items))]
        self._task = TaskIndex(artifact.task_items)  # the graph runner's item -> task number
        self.lines: list[str] = []
        self.buf, self.buf_addr = self._new_buffer()
        self.buf_lock = threading.Lock()  # who may use ``buf`` (the fast launch path); see launcher.make_launch
        self._pack = struct.Struct(arg_format(self.program)).pack_into
        self._unpack = struct.Struct(return_format(self.program)).unpack_from
        self.overlaps = overlap_test(self.program, self.written_args) if self.noalias else None
        self.launch = make_launch(self)

    def _new_buffer(self):
        buf = (ctypes.c_int64 * self.layout.size)()
        buf[self.layout.nthreads] = self.nthreads
        addr = ctypes.addressof(buf)
        if self.has_prints:
            host.register_sink(addr, self.prints, self.lines)
        return buf, addr

    def __del__(self):
        with contextlib.suppress(Exception):
            host.unregister_sink(self.buf_addr)

    # --------------------------------------------------------------------------------------------- shared helpers
    def flush_prints(self) -> None:
        text = "".join(self.lines)
        self.lines.clear()
        sys.stdout.write(text)

    def error(self, status: int, args, buf=None) -> BaseException:
        if status == INTERRUPTED:  # a Ctrl-C stopped the launch (cpu/interrupt.py)
            return interrupt.raise_interrupt()
        words = np.frombuffer(buf if buf is not None else self.buf, dtype=np.int64)
        err = self.layout.errors
        indices = words[err : err + MAX_ERR_INDICES].tolist()
        shapes = {k: getattr(a, "shape", ()) for k, a in enumerate(args)}
        return host.runtime_error(self.checks[status - 1], indices, shapes)

    def launch_aliased(self, args) -> tuple:
        """Run with the variant compiled without ``noalias`` (two overlapping ndarray arguments, one written)."""
        return self._alias_safe().launch(args)

    def _alias_safe(self) -> CpuExecutable:
        if self._aliased is None:
            self._aliased = self._reload()
        return self._aliased

    def _overlap(self, args) -> bool:
        """True when two ndarray arguments overlap and one of them is written (the fast path's test, for
        :meth:`begin`: graph programs and profiled launches)."""
        return self.overlaps is not None and self.overlaps(args)

    def _pack_into(self, buf, args) -> None:
        values = []
        for spec, value in zip(self.program.args, args, strict=True):
            if isinstance(spec, N.NdarrayArg):
                values.extend(value.packed)
            else:
                values.append(value)
        try:
            self._pack(buf, 0, *values)
        except (OverflowError, struct.error):
            slow_pack(buf, self.layout, self.program, args)

    def launch_private(self, args) -> tuple:
        """One launch with a context buffer of its own: safe beside a concurrent launch of the same executable."""
        ctx = self.begin(list(args))
        try:
            self.launch_c(ctx.addr)
            if self.has_prints and self.lines:
                self.flush_prints()
            status = ctx.buf[0]
            if status:
                raise self.error(status, ctx.args, ctx.buf)
            return self._unpack(ctx.buf, 8) if self.program.returns else ()
        finally:
            if self.has_prints:
                host.unregister_sink(ctx.addr)

    # ------------------------------------------------------------------------------------------ launch primitives
    def begin(self, args: list) -> LaunchContext:
        """Bind one value per program argument into a fresh context buffer."""
        if len(args) != len(self.program.args):
            raise TypeError(f"{self.program.name} takes {len(self.program.args)} arguments, got {len(args)}")
        buf = (ctypes.c_int64 * self.layout.size)()
        buf[self.layout.nthreads] = self.nthreads
        addr = ctypes.addressof(buf)
        self._pack_into(buf, args)
        if self.has_prints:
            host.register_sink(addr, self.prints, self.lines)
        tasks = self._alias_safe()._tasks if self._overlap(args) else self._tasks
        return LaunchContext(buf, addr, list(args), tasks)

    def run_task(self, ctx: LaunchContext, item) -> None:
        """Run one ParallelFor/SerialBlock; a failed run-time check raises here."""
        ctx.tasks[self._task(item)](ctx.addr)
        if self.has_prints and self.lines:
            self.flush_prints()
        status = ctx.buf[0]
        if status:
            host.unregister_sink(ctx.addr)
            raise self.error(status, ctx.args, ctx.buf)

    def read_i32(self, ctx: LaunchContext, arg: int) -> int:
        return int(ctx.args[arg].array.reshape(-1)[0])

    def end(self, ctx: LaunchContext) -> tuple:
        """The return values as Python scalars of the declared types (0 for a slot never set)."""
        if self.has_prints:
            host.unregister_sink(ctx.addr)
        return self._unpack(ctx.buf, 8) if self.program.returns else ()
