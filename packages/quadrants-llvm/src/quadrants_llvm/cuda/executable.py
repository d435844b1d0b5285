"""``CudaExecutable``: one program loaded on the device (``cuModuleLoadData``) and its launch primitives.

Every task is a kernel ``qd_task_k(ctx)`` whose only parameter is the device address of the launch context (the
layout of :mod:`quadrants_llvm.builder.layout`, in device memory). A launch packs the argument words on the host with
one ``struct.pack_into`` (which also zeroes the status and return slots), copies them to the context with
``cuMemcpyHtoDAsync`` (skipped when the words are those of the previous launch and nothing on the device changes
them) and queues one ``cuLaunchKernel`` per task on the default stream: serial blocks on one thread,
parallel loops on a grid of 256-thread blocks sized by the lane count where the host can compute it
(:mod:`~quadrants_llvm.cuda.lane_grid`), at most the occupancy-sized grid (the kernels walk their lanes with
grid-stride loops). Nothing waits for the device unless the program returns values (the return slots are copied
back), prints (the print records of the launch context are copied back and written to ``sys.stdout`` when the
launch ends), runs in debug mode (the status word is read after every task, so a failed check stops the launch
like on llvm-cpu), or a host copy is asked for. ``begin``/``run_task``/``read_i32``/``end`` serve the core graph
runner (``graph=True`` kernels): the same kernels, with ``read_i32`` reading the condition ndarray from the device.
"""

from __future__ import annotations

import ctypes
import logging
import operator
import os
import struct
import sys
import threading

import numpy as np

from quadrants.ir import nodes as N
from quadrants_llvm.builder import lane_split, simt_blocks
from quadrants_llvm.builder.layout import MAX_ERR_INDICES
from quadrants_llvm.cpu import host
from quadrants_llvm.cpu.launcher import arg_format, make_pack, return_format, slow_pack
from quadrants_llvm.cuda import graph_plan, host_values, lane_grid, split_compile
from quadrants_llvm.cuda.driver import check, fit_threads
from quadrants_llvm.cuda.profile_events import device_events
from quadrants_llvm.cuda.stream_launch import launch as launch_on_streams, plan as stream_plan, task_streams
from quadrants_llvm.cuda.streams import current as current_stream
from quadrants_llvm.task_index import TaskIndex

_is = operator.is_

__all__ = ["CudaExecutable", "BLOCK"]

BLOCK = lane_grid.BLOCK  # threads per block of a parallel task
GRAPHS_PER_PROGRAM = 8  # instantiated graphs kept per item tree (one per set of grid sizes); beyond: full grids
_LOG = logging.getLogger("quadrants_llvm.cuda")
_LOGGED: set = set()


def _device_graphs_enabled() -> bool:
    """``QD_CUDA_GRAPHS=0`` keeps every program on per-task launches (the host runner for ``do_while``)."""
    return os.environ.get("QD_CUDA_GRAPHS", "1") != "0"


def _log_simt_once(reason: str) -> None:
    if ("simt", reason) not in _LOGGED:
        _LOGGED.add(("simt", reason))
        _LOG.warning("llvm-cuda: a qd.simt task runs each block on one thread (builder/simt_blocks.py): %s", reason)


def _log_once(reason: str) -> None:
    if reason not in _LOGGED:
        _LOGGED.add(reason)
        _LOG.warning("llvm-cuda: a graph program runs on the host graph runner: %s", reason)


class CudaExecutable:
    """Implements :class:`quadrants.backend.Executable` with the ``launch`` fast path."""

    def __init__(self, artifact, dev, timings: dict[str, float]):
        self.dev = dev
        cu = dev.cu
        self.program: N.Program = artifact.program
        self.options = artifact.options  # a device graph compiles its condition kernels with the same options
        self.condition_kernels: dict | str | None = None  # cuda/device_graph.py: task index -> fused kernel, or why not
        self.block_loops: dict | str | None = None  # cuda/device_graph.py: loop index -> one-block kernel, or why not
        self.layout = artifact.layout
        self.checks = artifact.checks
        self.prints = artifact.prints
        # The status word is read back (a device sync) after each task only where a check can fail: every check under
        # debug=True, else only the checks the language always makes (kind "runtime", e.g. a qd.simt block loop
        # whose range is not a multiple of block_dim) that the host cannot decide before the launch. Those it can
        # (cuda/host_values.py) are evaluated per distinct argument words: a launch reads the status after each task
        # (``_checking``) only when one of them fails, so that the error and what ran before it are the device's.
        facts = host_values.scan(self.program)
        runtime = [c for c in self.checks if c["kind"] == "runtime"]
        known = all(facts.decided(host_values.check_key(c["message"], c["loc"])) for c in runtime)
        self.read_status = artifact.debug or not known
        self._host_checks = () if self.read_status else tuple(host_values.evaluator(c) for c in facts.conditions())
        decided = frozenset() if self.read_status else frozenset(k for k in facts.checks if facts.decided(k))
        # whether a Check statement is one of those (graphs run only when they pass: cuda/device_graph.py)
        self.check_passed = lambda s: host_values.check_key(s.message, s.loc) in decided
        self._checking = self.read_status
        self._check_memo = None
        # QD_CUDA_HOST_KVARS=1: the host also writes the kernel variables it knows and skips the serial tasks that
        # only declare them (and check); opt-in until it has run on a GPU (docs/backends/gpu.md)
        host_kvars = not self.read_status and os.environ.get("QD_CUDA_HOST_KVARS", "0") == "1"
        values = facts.kernel_var_values if host_kvars else {}
        self._kvar_words = host_values.KernelVarWords(values, self.layout.kernel_vars) if values else None
        self._kvar_bytes = self._kvar_last = self._kvar_buffer = None
        self.timings = timings
        # one module, or one per task where the tasks were compiled apart (cuda/split_compile.py)
        self.modules = split_compile.load_parts(dev, artifact.code)
        self.ctx_ptr = dev.alloc(self.layout.size * 8)
        self.host = (ctypes.c_int64 * max(1, self.layout.packed_end))()
        self.host_addr = ctypes.addressof(self.host)
        self.packed_bytes = self.layout.packed_end * 8
        self._param = ctypes.c_uint64(self.ctx_ptr)
        self._params = (ctypes.c_void_p * 1)(ctypes.addressof(self._param))
        self.params = ctypes.addressof(self._params)
        self._pack_all = make_pack(self.program, struct.Struct(arg_format(self.program)).pack_into)
        self._unpack = struct.Struct(return_format(self.program)).unpack_from
        self.ret_bytes = len(self.program.returns) * 8
        self.ret_buf = (ctypes.c_int64 * max(1, len(self.program.returns) + 1))()
        self._launch_kernel = cu.cuLaunchKernel
        self._copy_in = dev.copy_args  # cuMemcpyHtoDAsync, or staged through page-locked memory (cuda/arg_ring.py)
        self._writer = getattr(dev, "arg_writer", None)  # changed words by stream writes (cuda/arg_writes.py)
        self._stream = dev.stream
        self._ok = cu.CUresult.CUDA_SUCCESS
        # One launch at a time: the argument buffer at ctx_ptr, the host staging buffer and the print/return
        # read-back are shared by every launch of this executable; launches queue on one stream anyway.
        self._lock = threading.Lock()
        # (function, full grid, block) per task; a parallel task's grid shrinks to its lane count where the host can
        # compute that from the arguments (cuda/lane_grid.py): small loops launch one block, not a full device
        self.tasks = []
        self._counters = []
        self._heavy = []
        self._per_lane = []  # threads per lane (builder/lane_split.py's sub-lane split: the build's own test)
        fast_math = bool(artifact.options.fast_math or artifact.program.fast_math)
        simt_on = getattr(artifact, "simt_blocks", False)  # as compiled (artifacts cached before the field: False)
        per_task = len(self.modules) == len(artifact.kernels)
        # rows per thread of each row-blocked task (artifacts cached before the field: none)
        self._rows = getattr(artifact, "rows_per_lane", ()) or (1,) * len(artifact.kernels)
        rows = zip(artifact.task_items, artifact.kernels, artifact.serial, strict=True)
        for k, (item, name, serial) in enumerate(rows):
            fn = dev.function(self.modules[k if per_task else 0], name)
            # a SIMT slot loop runs a slot per block of threads_for(B) threads (builder/simt_blocks.py): its lanes
            # are slots, each using the whole block, so the grid counts slots
            simt = simt_blocks.slot_block(item) if simt_on and not serial else 0
            if simt_on and not serial and item.simt_block and not simt:
                _log_simt_once(simt_blocks.why_one_thread(item))
            threads = fit_threads(dev, fn, simt_blocks.threads_for(simt)) if simt else BLOCK
            grid, block = (1, 1) if serial else (dev.grid_size(fn, threads), threads)
            self.tasks.append((fn, grid, block))
            self._counters.append(None if serial else lane_grid.lane_counter(facts.bounds.get(id(item), item)))
            self._heavy.append(not serial and not simt and lane_grid.heavy(item))
            split = None if serial or simt else lane_split.plan(item, fast_math)
            self._per_lane.append(threads if simt else 1 if split is None else split.most)
        # The argument copy is skipped when the packed words equal the previous copy's into the executable's own
        # context and the device never writes that part: no return slots, no print cursor, no status read (a
        # status is only written by a failing check, and only checks whose status is read are compiled in).
        self._home_ctx = self.ctx_ptr
        self._skip_same = not (self.ret_bytes or self.layout.print_capacity or self.read_status)
        self._last_words = None
        # the arguments of the latest launch whose words the home context holds (held until the next launch: an
        # identity test is only sound while the objects live)
        self._last_args = None
        self._grid_words = self._grid_memo = None  # grids() of the words packed last
        self._array_args = tuple(isinstance(spec, N.NdarrayArg) for spec in self.program.args)
        self._sms = dev.sms
        self.full_grids = tuple((grid, block) for _, grid, block in self.tasks)
        host_side = bool(self._host_checks) or self._kvar_words is not None
        # grids that no argument changes (bounds of constants, or unknown: the full grid) are sized once; otherwise
        # once per distinct packed words
        fixed = not host_side and all(c is None or getattr(c, "constant", False) for c in self._counters)
        self._fixed_grids = tuple(self.grid(k, ()) for k in range(len(self.tasks))) if fixed else None
        # tasks that only run checks the host has passed (and, with the kernel variables, only declare those): nothing
        # to launch while the checks pass
        only = (facts.host_only if self._kvar_words is not None else facts.check_only) if host_side else ()
        self.skippable = frozenset(k for k, item in enumerate(artifact.task_items) if id(item) in only)
        # Device graphs (docs/backends/gpu.md#cuda-graphs), built on first use: the whole flat task list, and per
        # item tree of a graph program; a string is the reason none could be built. ``last_runner`` says what ran.
        self._graphs: dict = {}
        self._checkpointed: dict[int, bool] = {}  # id(item tree) -> graph_plan.has_checkpoint (a walk per launch)
        self._ptx_version = graph_plan.ptx_version(artifact.code[:4096].decode("ascii", "replace"))
        self.last_runner = "tasks"
        self._events = None  # qd.profiler's task timer (time_task), made on first use
        # a flat program of several tasks launches as one graph, unless the status is read after every task
        self._flat_graph = len(self.tasks) > 1 and not self.read_status
        self._task = TaskIndex(artifact.task_items)  # the graph runner's item -> task number
        # streams (docs/streams.md): launches on a qd.create_stream() stream and programs with qd.stream_parallel()
        # blocks go through cuda/stream_launch.py; once any stream exists the default-stream path below joins them
        self._streams = dev.streams
        blocks = task_streams(artifact.task_items)
        self._streamed = any(blocks) and not self.read_status  # a status read after every task: one stream
        self.stream_steps = stream_plan(blocks if self._streamed else [0] * len(self.tasks))

    def __del__(self):
        try:
            for graph in self._graphs.values():
                if not isinstance(graph, str):
                    graph.close()
            self.dev.free(self.ctx_ptr)
            for module in self.modules:
                self.dev.cu.cuModuleUnload(module)
        except Exception:  # interpreter shutdown: the driver may be gone already
            pass

    # ----------------------------------------------------------------------------------------------------- helpers
    def _pack_args(self, args) -> None:
        if len(args) != len(self._array_args):
            raise TypeError(f"{self.program.name} takes {len(self._array_args)} arguments, got {len(args)}")
        skip = self._skip_same and self.ctx_ptr == self._home_ctx
        last, self._last_args = self._last_args, None
        if skip and last is not None and all(map(_is, args, last)):
            # the very objects of the previous launch (Genesis's memoized compound arguments): the same words, which
            # the context holds already, and the same grids and check results
            self._last_args = last
            self._settle_checks(args)
            return
        try:
            self._pack_all(self.host, args)  # generated: one pack_into of every word (cpu/launcher.py)
        except (OverflowError, struct.error):
            slow_pack(self.host, self.layout, self.program, args)
        words = ctypes.string_at(self.host_addr, self.packed_bytes) if skip or self._fixed_grids is None else None
        if words != self._grid_words:  # lane counts come from scalar arguments and shapes: all in these words
            self._grid_words, self._grid_memo, self._check_memo = words, None, None
        self._settle_checks(args)
        if skip:
            if words != self._last_words:
                held, self._last_words = self._last_words, None
                writer = self._writer
                if held is None or writer is None or not writer.update(self.ctx_ptr, held, words, self._stream):
                    err = self._copy_in(self.ctx_ptr, self.host_addr, self.packed_bytes, self._stream)[0]
                    check((err,), "cuMemcpyHtoDAsync")
                self._last_words = words
            # else the context holds these words already (copies and launches are ordered on the stream)
            self._last_args = tuple(args)
            return
        err = self._copy_in(self.ctx_ptr, self.host_addr, self.packed_bytes, self._stream)[0]
        if err != self._ok:
            check((err,), "cuMemcpyHtoDAsync")

    def _settle_checks(self, args) -> None:
        """Whether this launch checks on the device (``_checking``); if not, the kernel variables the host knows are
        written into the context (a launch that checks runs every task, which write them on the device)."""
        self._checking = self.read_status or not self._checks_pass(args)
        if self._kvar_words is not None:
            if self._checking:
                self._kvar_last = None  # every task runs: the device writes the variables itself
            else:
                self._write_kernel_vars()

    def _checks_pass(self, args) -> bool:
        """Whether every run-time check the host decides passes for ``args`` (once per distinct argument words)."""
        if not self._host_checks and self._kvar_words is None:
            return True
        if self._check_memo is None:
            try:
                self._check_memo = all(bool(passes(args)) for passes in self._host_checks)
                if self._kvar_words is not None:
                    self._kvar_bytes = self._kvar_words.pack(args)
            except (TypeError, ValueError, AttributeError, IndexError, OverflowError):
                self._check_memo = False  # an argument the host cannot read: the device checks, task by task
        return self._check_memo

    def _write_kernel_vars(self) -> None:
        """Copy the kernel variables the host computed into the launch context (on the launch's stream, before its
        tasks), unless that context holds these very words already (the device never writes them: the tasks that
        would are skipped, or write the same values)."""
        words = self._kvar_words
        if self._kvar_last == (self.ctx_ptr, self._kvar_bytes):
            return
        self._kvar_buffer = ctypes.create_string_buffer(self._kvar_bytes, len(self._kvar_bytes))
        dst = self.ctx_ptr + 8 * words.first
        err = self._copy_in(dst, ctypes.addressof(self._kvar_buffer), len(self._kvar_bytes), self._stream)[0]
        if err != self._ok:
            self._kvar_last = None
            check((err,), "cuMemcpyHtoDAsync")
        self._kvar_last = (self.ctx_ptr, self._kvar_bytes)

    def grid(self, k: int, args) -> tuple[int, int]:
        """``(blocks, threads per block)`` task ``k`` launches with for ``args``."""
        _, full, block = self.tasks[k]
        counter = self._counters[k]
        if counter is None:
            return full, block
        return lane_grid.launch_dims(
            counter, args, block, full, self._sms, self._heavy[k], self._per_lane[k], self._rows[k]
        )

    def grids(self, args) -> tuple[tuple[int, int], ...]:
        """The launch dimensions of every task for ``args``, the arguments packed last (computed once where no
        argument changes them: lane counts of constant bounds or unknown; else once per distinct packed words)."""
        if self._fixed_grids is not None:
            return self._fixed_grids
        memo = self._grid_memo
        if memo is None:
            memo = self._grid_memo = tuple(self.grid(k, args) for k in range(len(self.tasks)))
        return memo

    def _run(self, k: int, args) -> None:
        if k in self.skippable and not self._checking:
            return  # its checks passed on the host (and its variables are written: _write_kernel_vars)
        grid, block = self.grids(args)[k]
        err = self._launch_kernel(self.tasks[k][0], grid, 1, 1, block, 1, 1, 0, self._stream, self.params, 0)[0]
        if err != self._ok:
            check((err,), f"cuLaunchKernel(task {k})")
        if self._checking:
            self._check_status(args)

    def _check_status(self, args) -> None:
        words = np.zeros(1 + MAX_ERR_INDICES, dtype=np.int64)
        self.dev.to_host(words.ctypes.data, self.ctx_ptr, 8)
        status = int(words[0])
        if status:
            self._last_words = None  # the device wrote the status: the next launch copies its words again
            self.dev.to_host(words[1:].ctypes.data, self.ctx_ptr + self.layout.errors * 8, MAX_ERR_INDICES * 8)
            shapes = {k: getattr(a, "shape", ()) for k, a in enumerate(args)}
            raise host.runtime_error(self.checks[status - 1], words[1:].tolist(), shapes)

    def _flush_prints(self) -> None:
        """Format the print records of the finished launch and write them to ``sys.stdout`` (pytest capture too)."""
        lay = self.layout
        cursor = np.zeros(1, dtype=np.int64)
        self.dev.to_host(cursor.ctypes.data, self.ctx_ptr + lay.print_cursor * 8, 8)
        used = min(int(cursor[0]), lay.print_capacity)
        words = np.zeros(max(1, used), dtype=np.int64)
        if used:
            self.dev.to_host(words.ctypes.data, self.ctx_ptr + lay.print_data * 8, used * 8)
        text = "".join(host.format_records(self.prints, words, int(cursor[0]), lay.print_capacity))
        if text:
            sys.stdout.write(text)

    def _returns(self) -> tuple:
        if self.layout.print_capacity:
            self._flush_prints()
        if not self.ret_bytes:
            return ()
        self.dev.to_host(ctypes.addressof(self.ret_buf), self.ctx_ptr + 8, self.ret_bytes)
        return self._unpack(self.ret_buf, 0)

    # ------------------------------------------------------------------------------------------ launch primitives
    def launch(self, args) -> tuple:
        """Run every task of a program without graph nodes; returns the return values."""
        stream = current_stream() if self._streams.live else None
        if stream is not None or self._streamed:  # kernel(..., qd_stream=s) or qd.stream_parallel() blocks
            return launch_on_streams(self, args, stream)
        with self._lock:
            self.dev.current()
            if self._streams.live:  # after the work queued on other streams (cuda/streams.py)
                self._streams.on_default()
                self._streams.default_work()
            self._pack_args(args)
            graph = self._device_graph(self.program.items, args) if self._flat_graph and not self._checking else None
            if graph is not None:
                graph.launch()  # one cuGraphLaunch instead of one cuLaunchKernel per task
                self.last_runner = "cuda-graph"
            else:
                for k in range(len(self.tasks)):
                    self._run(k, args)
                self.last_runner = "tasks"
            return self._returns()

    def _device_graph(self, items: tuple, args):
        """The instantiated CUDA graph of ``items`` for the grid sizes ``args`` call for (built once per set of
        sizes, at most :data:`GRAPHS_PER_PROGRAM` sets), or ``None`` with the reason logged once."""
        reason = self._graphs.get(id(items))  # the program's own item tuples, alive as long as this executable
        if isinstance(reason, str):
            return None
        # the graph's nodes point at the launch context: a user stream's context (cuda/stream_launch.py) has its own
        grids = self.grids(args)
        key = (id(items), grids, self.ctx_ptr)
        graph = self._graphs.get(key)
        if graph is None and self._graph_count(items) >= GRAPHS_PER_PROGRAM:  # counted only on a miss
            grids = self.full_grids  # many shapes: one more graph on the full grids serves them all
            key = (id(items), grids, self.ctx_ptr)
            graph = self._graphs.get(key)
        if graph is None:
            if not _device_graphs_enabled():
                graph = "QD_CUDA_GRAPHS=0"
            else:
                from quadrants_llvm.cuda.device_graph import DeviceGraph, GraphUnavailable

                try:
                    graph = DeviceGraph(self, items, self._ptx_version, grids)
                except GraphUnavailable as exc:
                    graph = str(exc)
                except Exception as exc:  # a driver refusal: keep the per-task launches, say why
                    graph = f"building the CUDA graph failed: {type(exc).__name__}: {exc}"
            if isinstance(graph, str):
                self._graphs[id(items)] = graph  # no graph for this item tree, whatever the sizes
                _log_once(graph)
                return None
            self._graphs[key] = graph
        return graph

    def _graph_count(self, items: tuple) -> int:
        """Graphs instantiated for ``items`` so far (one per set of grid sizes)."""
        return sum(1 for k in self._graphs if isinstance(k, tuple) and k[0] == id(items))

    def run_items_on_device(self, ctx, items: tuple, state) -> bool:
        """Run a graph program's whole item tree as one CUDA graph (``do_while`` loops as conditional WHILE nodes,
        no host round trip per iteration); ``False`` when it must stay on the host runner (the reason is logged)."""
        checkpointed = self._checkpointed.get(id(items))  # the program's own item tuples: ids stay theirs
        if checkpointed is None:
            checkpointed = self._checkpointed[id(items)] = graph_plan.has_checkpoint(items)
        reason = graph_plan.device_graph_obstacle(state.resume_point, self._checking, checkpointed)
        graph = None
        if reason is None:
            graph = self._device_graph(items, ctx)
            reason = self._graphs.get(id(items)) if graph is None else None
        if graph is None:
            self.last_runner = f"host: {reason}"
            return False
        graph.launch()  # queued and not waited for, loops included: a later wait turns Ctrl-C into their abort
        self.last_runner = "cuda-graph"
        return True

    def begin(self, args: list):
        """Start a graph launch: holds the executable until :meth:`end` or :meth:`abort`."""
        if len(args) != len(self.program.args):
            raise TypeError(f"{self.program.name} takes {len(self.program.args)} arguments, got {len(args)}")
        self._lock.acquire()
        try:
            self.dev.current()
            if self._streams.live:  # after the work queued on other streams (cuda/streams.py)
                self._streams.on_default()
                self._streams.default_work()
            self._pack_args(args)
        except BaseException:
            self._lock.release()
            raise
        return list(args)

    def abort(self, ctx) -> None:
        """A launch begun with :meth:`begin` failed: release the executable (core's graph runner calls this)."""
        self._lock.release()

    def run_task(self, ctx, item) -> None:
        self._run(self._task(item), ctx)

    def time_task(self, ctx, item) -> float | None:
        """Run task ``item`` between two CUDA events and return the device time between them in seconds
        (``qd.profiler``'s task rows, as upstream times its offloaded tasks); ``None`` once the driver refused the
        events (the task still ran; the profiler then times it on the host)."""
        if self._events is None:
            self._events = device_events(self.dev.cu)
        if not self._events:
            self.run_task(ctx, item)
            return None
        self._events.begin(self._stream)
        self.run_task(ctx, item)
        return self._events(self._stream)

    def describe_task(self, ctx, item) -> str:
        """How task ``item`` launches for the arguments of the launch ``ctx`` (``qd.profiler``'s task detail)."""
        grid, block = self.grids(ctx)[self._task(item)]
        return f"{grid} x {block} threads"

    def read_i32(self, ctx, arg: int) -> int:
        out = np.zeros(1, dtype=np.int32)
        self.dev.to_host(out.ctypes.data, ctx[arg].ptr, 4)
        return int(out[0])

    def end(self, ctx) -> tuple:
        try:
            return self._returns()
        finally:
            self._lock.release()
