"""The loaded program: compute pipelines per task and the launch primitives (docs/architecture.md (the path of one
kernel call)).

A launch records every task into one command encoder (one compute pass, one dispatch per task; wgpu inserts the
barriers that make each dispatch see the previous one's writes) and submits once. It only waits for the device when
something must come back: a debug/``Check`` status, ``print`` records, return values, a kernel var needed to size
a later dispatch, or ``read_i32`` for the graph runner. Writes then reach the host through the queue's ordering
(``to_numpy`` copies after every earlier submission).
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from quadrants.errors import QuadrantsAssertionError, QuadrantsRuntimeError, out_of_bound_access
from quadrants.ir import nodes as N
from quadrants.ir.numerics import convert_scalar, to_python
from quadrants.ir.walk import iter_tasks
from quadrants_wgpu.runtime import placement
from quadrants_wgpu.runtime.bounds import evaluate, is_static, uses_kernel_vars
from quadrants_wgpu.runtime.device import Device, read_ranges
from quadrants_wgpu.runtime.memory import WgpuArray, create_buffer
from quadrants_wgpu.runtime.placement import FIXED_BINDINGS
from quadrants_wgpu.wgsl.emit import EmittedProgram, emit_program, emit_variant
from quadrants_wgpu.wgsl.names import from_words, to_words
from quadrants_wgpu.wgsl.placement import BindingPlan
from quadrants_wgpu.wgsl.stmts import STATUS_FAIL, STATUS_INDEX, STATUS_PRINT_CURSOR, STATUS_PRINT_DATA

__all__ = ["WgpuExecutable", "Launch"]

_BIND_CACHE = 64
# Workgroups of a task that combines per-workgroup partial results (a reduction): each workgroup ends with a tree
# of barriers and one atomic, so a task reducing 2^28 elements should not run 2^20 workgroups of one element per
# lane. On a GPU about two waves of workgroups (an H100 holds ~1000 of 256 lanes at a time). On a software
# rasterizer a barrier costs tens of microseconds per workgroup (lavapipe: 2^20 f32 summed in 160 ms with 4096
# workgroups, 6 ms with 256); 256 workgroups are 65536 lanes, so up to that many iterations each lane still runs
# one, as without the cap (lavapipe ends an invocation after 65535 loop iterations in all).
REDUCTION_GROUPS = {"gpu": 2048, "software": 256}


class _Task:
    """One task's pipeline, its bindings and how to size its dispatch.

    ``emit(plan)`` emits the task again with a :class:`BindingPlan`: for a launch whose arrays exceed the adapter's
    binding limits (:meth:`variant`, runtime/placement.py). A task over the storage-buffer limit whatever the sizes
    gets no pipeline of its default shader (the device would refuse its layout)."""

    def __init__(self, dev: Device, item, shader, emit=None):
        self.item = item
        self.dev = dev
        self.emit = emit
        self.shader = shader
        self.arrays = tuple(arg for arg, _ in shader.bindings)  # every ndarray the task uses
        self.written = frozenset(arg for arg, ro in shader.bindings if not ro)
        self.pipeline = self.layout = None
        if FIXED_BINDINGS + len(shader.bindings) <= _limits(dev)[1]:
            self.pipeline, self.layout = dev.pipeline(shader.wgsl, shader.bindings)
        self.variants = {BindingPlan(): (shader, self.pipeline, self.layout)}
        self.bind_groups: dict[tuple, tuple] = {}
        self.parallel = isinstance(item, N.ParallelFor)
        self.static_n: int | None = None
        self.needs_kv = False
        self.max_groups = dev.device.limits["max-compute-workgroups-per-dimension"]
        if getattr(shader, "reduces", False):
            self.max_groups = min(self.max_groups, REDUCTION_GROUPS["software" if dev.is_software else "gpu"])
        if self.parallel:
            exprs = (*item.begins, *item.ends)
            self.needs_kv = any(uses_kernel_vars(e) for e in exprs)
            if all(is_static(e) for e in exprs):
                self.static_n = _count(item, {}, {}, None)

    def variant(self, buffers: dict):
        """``(plan, shader, pipeline, layout)`` for the launch's array ``buffers`` (by argument)."""
        plan = placement.plan(self.emit.name, self.shader, buffers, _limits(self.dev))
        hit = self.variants.get(plan)
        if hit is None or hit[1] is None:
            shader = self.emit(plan)
            hit = self.variants[plan] = (shader, *self.dev.pipeline(shader.wgsl, shader.bindings))
        return (plan, *hit)


class _Emit:
    """Emits task ``index`` of the program again with a binding plan (:func:`emit_variant`)."""

    def __init__(self, program: N.Program, emitted: EmittedProgram, index: int, item, dev: Device):
        self.name = program.name
        self._args = (program, emitted, index, item, dev.target)

    def __call__(self, plan: BindingPlan):
        return emit_variant(*self._args, plan)


def _limits(dev: Device) -> tuple[int, int]:
    """``(max-storage-buffer-binding-size, max-storage-buffers-per-shader-stage)`` of the device."""
    limits = dev.device.limits
    return limits["max-storage-buffer-binding-size"], limits["max-storage-buffers-per-shader-stage"]


def _count(item: N.ParallelFor, scalars, shapes, kernel_var) -> int:
    n = 1
    for b, e in zip(item.begins, item.ends, strict=True):
        lo = int(evaluate(b, scalars, shapes, kernel_var))
        hi = int(evaluate(e, scalars, shapes, kernel_var))
        n *= max(0, hi - lo)
    return n


class _Slots:
    """The per-launch device buffers: arguments and shapes, kernel vars and returns, status and prints.

    Each launch in flight holds a set of its own, so launches of one executable from several threads never share
    argument or return storage (the sets are recycled through a free list when a launch ends).
    """

    __slots__ = ("arena", "args", "kv", "status", "words", "written")

    def __init__(self, dev: Device, layout):
        self.args = create_buffer(dev, layout.args_words * 4)
        self.kv = create_buffer(dev, layout.kv_words * 4)
        self.status = create_buffer(dev, layout.status_words * 4)
        self.words = np.zeros(layout.args_words, np.uint32)
        self.written: np.ndarray | None = None  # what the args buffer holds (only launches on this set write it)
        self.arena = None  # arrays of tasks over the binding limit, copied in per dispatch (runtime/placement.py)

    def write_args(self, dev: Device) -> None:
        """Upload ``words`` unless the args buffer already holds them (a loop calling a kernel with the same
        arguments then skips one ``write_buffer``, a staging allocation and copy per launch)."""
        if self.written is not None and np.array_equal(self.written, self.words):
            return
        dev.queue.write_buffer(self.args, 0, self.words)
        self.written = self.words.copy()


class Launch:
    """One launch in flight: bound arguments, the open encoder/pass and kernel-var values read back so far."""

    __slots__ = ("arrays", "cpass", "encoder", "keep", "kv_cache", "scalars", "shapes", "slots")

    def __init__(self, slots: _Slots):
        self.slots = slots
        self.arrays: dict[int, WgpuArray] = {}
        self.scalars: dict[int, Any] = {}
        self.shapes: dict[int, tuple] = {}
        self.encoder = None
        self.cpass = None
        self.kv_cache: np.ndarray | None = None
        self.keep: list = []


class WgpuExecutable:
    """Implements :class:`quadrants.backend.Executable` (and the ``launch`` fast path) for one program."""

    def __init__(self, program: N.Program, emitted: EmittedProgram, dev: Device):
        if any(len(s.elems) != len(s.bindings) for s in emitted.shaders):  # an artifact from before binding plans
            emitted = emit_program(program, dev.target)
        self.program = program
        self.emitted = emitted
        self.dev = dev
        layout = emitted.layout
        self.layout = layout
        self._tasks_by_id: dict[int, tuple[Any, _Task]] = {}
        self._tasks: list[_Task] = []
        items = iter_tasks(program.items)
        for k, (item, shader) in enumerate(zip(items, emitted.shaders, strict=True)):
            task = _Task(dev, item, shader, _Emit(program, emitted, k, item, dev))
            self._tasks.append(task)
            self._tasks_by_id[id(item)] = (item, task)
        self._free_slots: list[_Slots] = [_Slots(dev, layout)]
        self._needs_status = program.debug or layout.print_capacity > 0 or bool(emitted.tables.checks)

    # ----------------------------------------------------------------------------------------------- binding

    def begin(self, args: list) -> Launch:
        """Bind arguments: write scalars and shapes into the args buffer; clear return slots and status."""
        program, layout = self.program, self.layout
        if len(args) != len(program.args):
            raise TypeError(f"{program.name} takes {len(program.args)} arguments, got {len(args)}")
        try:
            slots = self._free_slots.pop()  # atomic under the GIL: two threads never get the same set
        except IndexError:
            slots = _Slots(self.dev, layout)
        ctx = Launch(slots)
        words = slots.words
        for k, (spec, value) in enumerate(zip(program.args, args, strict=True)):
            if isinstance(spec, N.NdarrayArg):
                arr = self._bind_array(spec, value)
                ctx.arrays[k] = arr
                ctx.shapes[k] = arr.shape
                off = layout.shape_offsets[k]
                for axis, n in enumerate(arr.shape):
                    words[off + axis] = n
            else:
                v = convert_scalar(value, spec.dtype)
                ctx.scalars[k] = v
                off = layout.scalar_offsets[k]
                for j, w in enumerate(to_words(v, spec.dtype)):
                    words[off + j] = w
        slots.write_args(self.dev)
        if program.returns or self._needs_status:  # otherwise the encoder is created by the first dispatch
            ctx.encoder = self.dev.device.create_command_encoder()
            if program.returns:
                ctx.encoder.clear_buffer(slots.kv)
            if self._needs_status:
                ctx.encoder.clear_buffer(slots.status)
        return ctx

    @staticmethod
    def _bind_array(spec: N.NdarrayArg, value) -> WgpuArray:
        if not isinstance(value, WgpuArray):
            raise TypeError(f"argument {spec.name} must be a WgpuArray, got {type(value).__name__}")
        if value.dtype != spec.dtype or len(value.shape) != spec.ndim:
            raise TypeError(
                f"argument {spec.name} expects {spec.dtype} with ndim={spec.ndim}, "
                f"got {value.dtype} with ndim={len(value.shape)}"
            )
        return value

    def _bind_group(self, task: _Task, ctx: Launch):
        """``(pipeline, bind group, plan)`` of the task for the launch's buffers."""
        slots = ctx.slots
        buffers = (slots.args, slots.kv, slots.status, *(ctx.arrays[a].buffer for a in task.arrays))
        key = tuple(id(b) for b in buffers)
        hit = task.bind_groups.get(key)
        if hit is not None and (not hit[2].arena or hit[4] is slots.arena):  # an arena plan: bound to this arena
            return hit[0], hit[1], hit[2]
        pipeline, group, plan = self._new_group(task, ctx)
        if len(task.bind_groups) >= _BIND_CACHE:
            task.bind_groups.pop(next(iter(task.bind_groups)))
        # holding the buffers keeps their ids from being reused
        task.bind_groups[key] = (pipeline, group, plan, buffers, slots.arena)
        return pipeline, group, plan

    def _new_group(self, task: _Task, ctx: Launch):
        """The pipeline for the launch's buffer sizes (arrays over one binding are bound as windows, arrays over the
        storage-buffer limit share the arena: runtime/placement.py), a bind group of its bindings, and the plan."""
        slots = ctx.slots
        buffers = {a: ctx.arrays[a].buffer for a in task.arrays}
        plan, shader, pipeline, layout = task.variant(buffers)
        if plan.arena:
            max_binding = _limits(self.dev)[0]
            placement.ensure_arena(self.dev, slots, placement.arena_bytes(plan, buffers), max_binding)
        resources = [{"buffer": slots.args}, {"buffer": slots.kv}, {"buffer": slots.status}]
        for source, _ in shader.bindings:
            if isinstance(source, int):
                resources.append({"buffer": ctx.arrays[source].buffer})
            elif isinstance(source, tuple):
                arg, chunk = source
                resources.append(placement.window(ctx.arrays[arg].buffer, chunk, plan.placement(arg).chunk_log2))
            else:  # an arena view
                resources.append({"buffer": slots.arena})
        entries = [{"binding": k, "resource": r} for k, r in enumerate(resources)]
        return pipeline, self.dev.device.create_bind_group(layout=layout, entries=entries), plan

    # ------------------------------------------------------------------------------------------------- tasks

    def _task(self, item) -> _Task:
        hit = self._tasks_by_id.get(id(item))
        if hit is not None and hit[0] is item:
            return hit[1]
        for task in self._tasks:  # an equal item from another copy of the program
            if task.item == item:
                self._tasks_by_id[id(item)] = (item, task)
                return task
        raise KeyError("run_task: the item is not a task of this program")

    def _kernel_var(self, ctx: Launch, var: N.Var):
        if ctx.kv_cache is None:
            self._flush(ctx)
            (view,) = read_ranges(self.dev, [(ctx.slots.kv, 0, self.layout.kv_words * 4)])
            ctx.kv_cache = np.frombuffer(view, np.uint32).copy()
        off = self.layout.kv_offsets[var.id]
        return from_words(ctx.kv_cache[off : off + 2], var.dtype)

    def _groups(self, task: _Task, ctx: Launch) -> int:
        if not task.parallel:
            return 1
        n = task.static_n
        if n is None:
            n = _count(task.item, ctx.scalars, ctx.shapes, lambda v: self._kernel_var(ctx, v))
        if n >= 1 << 31:
            raise QuadrantsRuntimeError(f"a parallel loop of {n} iterations exceeds the wgpu backend's 2^31 limit")
        wg = task.shader.workgroup_size
        return min(math.ceil(n / wg), task.max_groups)

    def run_task(self, ctx: Launch, item) -> None:
        """Record one task's dispatch into the launch's compute pass."""
        self._dispatch(ctx, self._task(item))

    def _dispatch(self, ctx: Launch, task: _Task) -> None:
        groups = self._groups(task, ctx)
        if groups == 0:
            return
        if ctx.encoder is None:
            ctx.encoder = self.dev.device.create_command_encoder()
        pipeline, group, plan = self._bind_group(task, ctx)
        if plan.arena:
            placement.copy_in(ctx, plan.arena)
        if ctx.cpass is None:
            ctx.cpass = ctx.encoder.begin_compute_pass()
        ctx.cpass.set_pipeline(pipeline)
        ctx.cpass.set_bind_group(0, group)
        ctx.cpass.dispatch_workgroups(groups, 1, 1)
        if plan.arena:
            placement.copy_out(ctx, plan.arena, task.written)
        ctx.kv_cache = None  # any task may assign kernel vars

    def _close_pass(self, ctx: Launch):
        if ctx.cpass is not None:
            ctx.cpass.end()
            ctx.cpass = None
        enc, ctx.encoder = ctx.encoder, None
        return enc

    def _flush(self, ctx: Launch) -> None:
        enc = self._close_pass(ctx)
        if enc is not None:
            self.dev.queue.submit([enc.finish()])

    def read_i32(self, ctx: Launch, arg: int) -> int:
        """Element 0 of a 0-d i32 ndarray argument, after all work recorded so far."""
        enc = self._close_pass(ctx)
        (view,) = read_ranges(self.dev, [(ctx.arrays[arg].buffer, 0, 4)], enc)
        return int(np.frombuffer(view, np.int32)[0])

    # --------------------------------------------------------------------------------------------------- end

    def end(self, ctx: Launch) -> tuple:
        """Submit; read back status, prints and returns when the program has any; raise run-time failures."""
        enc = self._close_pass(ctx)
        layout = self.layout
        ranges = []
        if self._needs_status:
            ranges.append((ctx.slots.status, 0, layout.status_words * 4))
        if self.program.returns:
            ranges.append((ctx.slots.kv, 0, layout.kv_words * 4))
        if not ranges:
            if enc is not None:
                self.dev.queue.submit([enc.finish()])
            self._free_slots.append(ctx.slots)  # later submissions on the queue run after this one
            return ()
        views = read_ranges(self.dev, ranges, enc)
        self._free_slots.append(ctx.slots)
        if self._needs_status:
            status = np.frombuffer(views[0], np.uint32)
            self._write_prints(status)
            self._raise_failure(ctx, status)
        if not self.program.returns:
            return ()
        kv = np.frombuffer(views[-1], np.uint32)
        out = []
        for k, dtype in enumerate(self.program.returns):
            off = layout.return_offsets[k]
            out.append(to_python(from_words(kv[off : off + 2], dtype), dtype))
        return tuple(out)

    def launch(self, args: list) -> tuple:
        """Fast path for programs without graph nodes: every task in one submission."""
        ctx = self.begin(args)
        for task in self._tasks:
            self._dispatch(ctx, task)
        return self.end(ctx)

    # -------------------------------------------------------------------------------------------- reporting

    def _raise_failure(self, ctx: Launch, status: np.ndarray) -> None:
        check_id = int(status[STATUS_FAIL])
        if check_id == 0:
            return
        info = self.emitted.tables.checks[check_id - 1]
        if info.kind == "assert":
            raise QuadrantsAssertionError(info.message, info.loc)
        if info.kind != "bounds":
            raise QuadrantsRuntimeError(info.message, info.loc)
        values = [int(x) for x in status[STATUS_INDEX : STATUS_INDEX + info.ndim].view(np.int32)]
        raise out_of_bound_access(self.program.args[info.arg].name, values, tuple(ctx.shapes[info.arg]), info.loc)

    def _write_prints(self, status: np.ndarray) -> None:
        prints = self.emitted.tables.prints
        if not prints:
            return
        cursor = int(status[STATUS_PRINT_CURSOR])
        capacity = self.layout.print_capacity
        data = status[STATUS_PRINT_DATA:]
        pos, lines = 0, []
        while pos < min(cursor, capacity):
            info = prints[int(data[pos]) - 1]
            if pos + info.words > capacity:
                break
            lines.append(_format_record(info, data[pos + 1 : pos + info.words]))
            pos += info.words
        if cursor > capacity:
            lines.append(f"[quadrants wgpu: print buffer full, {cursor - pos} words of output dropped]\n")
        if lines:
            sys.stdout.write("".join(lines))  # looked up now so that capture works


def _format_record(info, words: np.ndarray) -> str:
    values, k = [], 0
    for dtype in info.layout.dtypes:
        n = 2 if dtype.bits == 64 else 1
        values.append(from_words(words[k : k + n], dtype))
        k += n
    return info.layout.render(values)
