"""Task functions and the launch entry: a whole :class:`~quadrants.ir.nodes.Program` → one ``llvmlite.ir`` module.

For task ``k`` of a program the module defines (``P`` is a per-module name prefix):

* serial block: ``P_task_k(ctx)`` runs the body once;
* parallel loop: ``P_range_k(ctx, start, end, arrays...)`` runs flat lanes ``[start, end)`` (the last axis innermost,
  as one counted loop per row segment so that it vectorises; ndarray bases are ``noalias`` parameters when the
  caller promises distinct arguments), ``P_worker_k(ctx)`` claims chunks from an atomic counter until none is left,
  and ``P_task_k(ctx)`` evaluates the bounds once, then runs small loops inline and hands large ones to
  ``qd_parallel(worker, ctx, nthreads, 0)`` (the host binds it to its thread pool, ``cpu/pool.py``: the caller
  claims chunks too and waits only for the workers that joined);
* ``P_launch(ctx) -> i64`` runs every task in program order and stops at the first failed run-time check, returning
  the status word.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import i64 as _I64
from quadrants.ir.ops import Op
from quadrants.ir.reductions import find_reductions, find_var_reductions, identity, written_kernel_vars
from quadrants.ir.walk import contains, iter_reached_stmts, iter_stmts as walk_stmts, iter_tasks
from quadrants_llvm.builder import numerics as nm, spmd
from quadrants_llvm.builder.calls import declare_functions, define_functions
from quadrants_llvm.builder.exprs import emit_expr
from quadrants_llvm.builder.function import FunctionEmitter, Tables
from quadrants_llvm.builder.lane_cost import LIGHT_COST, lane_cost
from quadrants_llvm.builder.layout import Layout
from quadrants_llvm.builder.reductions import (
    PRIVATE_LIMIT,
    find_lane_owned,
    find_privatizable,
    private_capacity,
    update_count,
)
from quadrants_llvm.builder.stmts import emit_block, emit_counted_loop
from quadrants_llvm.builder.types import I1, I8, I32, I64, PTR, VOID, const, intrinsic, mem_type, reg_type
from quadrants_llvm.target import TargetInfo

__all__ = ["ModuleInfo", "build_module"]

# a parallel loop whose body has no inner loop runs inline below this many lanes (dispatch costs microseconds)
LIGHT_SERIAL_LANES = 4096
CHUNKS_PER_THREAD = 8  # dynamic chunks: balances threads that start late or share a core
LIGHT_MIN_CHUNK = 1024
PRINT_CAPACITY = 1 << 16  # words of print records per launch on print_buffer targets (512 KiB of the context)


@dataclass
class ModuleInfo:
    """What the host needs besides the machine code: names, the context layout and the check/print tables."""

    module: ll.Module
    prefix: str
    layout: Layout
    tables: Tables
    tasks: list
    written_args: frozenset[int]
    rows_per_lane: dict[int, int] = field(default_factory=dict)  # task -> rows of a row-blocked lane (grid targets)


class _Builder:
    def __init__(self, program: N.Program, target: TargetInfo, prefix: str, debug: bool, fast_math: bool, noalias):
        self.program, self.target, self.prefix = program, target, prefix
        self.debug, self.fast_math, self.noalias = debug, fast_math, noalias
        self.module = ll.Module(name=prefix)
        self.module.triple = target.triple
        if target.data_layout:
            self.module.data_layout = target.data_layout
        self.tasks = list(iter_tasks(program.items))
        printing = target.print_buffer and contains(program.items, N.Print, program.functions)
        self.layout = Layout.of(program, self.tasks, PRINT_CAPACITY if printing else 0)
        self.tables = Tables()
        self.kernel_var_ids = frozenset(v.id for v in program.kernel_vars)
        self.functions: list[ll.Function] = []  # the program's functions (builder/calls.py)
        self.rows_per_lane: dict[int, int] = {}  # filled by builder/grid.py for its row-blocked tasks

    def emitter(self, fn, **kw) -> FunctionEmitter:
        em = FunctionEmitter(
            self.module,
            fn,
            target=self.target,
            program=self.program,
            layout=self.layout,
            tables=self.tables,
            debug=self.debug,
            fast_math=self.fast_math,
            **kw,
        )
        em.functions = self.functions
        return em

    def function(self, name: str, ret, params) -> ll.Function:
        fn = ll.Function(self.module, ll.FunctionType(ret, params), name=f"{self.prefix}_{name}")
        fn.attributes.add("nounwind")
        return fn

    # ------------------------------------------------------------------------------------------------ serial
    def serial_task(self, k: int, item: N.SerialBlock) -> ll.Function:
        fn = self.function(f"task_{k}", VOID, [PTR])
        em = self.emitter(fn)
        em.capture_interrupt_epoch()
        emit_block(em, item.body)
        if not em.terminated():
            em.b.ret_void()
        em.finish()
        return fn

    # ---------------------------------------------------------------------------------------------- parallel
    def used_arrays(self, item: N.ParallelFor) -> list[int]:
        used = {s.arg for s in walk_stmts(item.body) if isinstance(s, (N.Load, N.Store, N.AtomicRMW))}
        return sorted(used)

    def range_fn(
        self, k: int, item: N.ParallelFor, arrays: list[int], private: tuple = (), owned: frozenset = frozenset()
    ) -> ll.Function:
        fn = self.function(f"range_{k}{'_priv' if private else ''}", VOID, [PTR, I64, I64] + [PTR] * len(arrays))
        # one copy of the (vectorised) loop: called from the worker and the inline path, never inlined into them
        fn.linkage = "internal"
        fn.attributes.add("noinline")
        fn.args[0].add_attribute("noalias")
        # a called function reaches the arrays through the context, not through these parameters: no noalias then
        if self.noalias and not _calls(item):
            for a in fn.args[3:]:
                a.add_attribute("noalias")
        for param, arg in zip(fn.args[3:], arrays, strict=True):
            _mark_dereferenceable(param, self.program.args[arg])
        written = written_kernel_vars(item.body, self.kernel_var_ids)
        em = self.emitter(fn, array_params=dict(zip(arrays, fn.args[3:], strict=True)), written_kvars=written)
        reductions = self._accumulators(em, item)
        real = {a: em.base(a) for a in private}
        capacity = private_capacity(self.program, private)
        for a in private:
            em.array_params[a] = self._private_copy(em, a, capacity)
        em.private = frozenset(private)
        em.lane_owned = owned
        slots = self.layout.tasks[k]
        d = len(item.vars)
        begins = [em.entry_value(("begin", a), _slot_loader(em, slots.begins + a)) for a in range(d)]
        extents = [em.entry_value(("extent", a), _slot_loader(em, slots.extents + a)) for a in range(d)]
        start, end = fn.args[1], fn.args[2]
        if not private and spmd.supports(em, item):
            start = spmd.emit_groups(em, item, begins, extents, start, end)  # whole lane groups; the rest below
        if d == 0:
            emit_block(em, item.body)
        elif d == 1:
            lo = em.b.trunc(em.b.add(begins[0], start), I32)
            hi = em.b.trunc(em.b.add(begins[0], end), I32)
            emit_counted_loop(em, item.vars[0], lo, hi, lambda: emit_block(em, item.body))
        else:
            self._segments(em, item, begins, extents, start, end)
        self._flush_reductions(em, reductions)
        for a in private:
            self._flush_private(em, a, real[a])
        em.b.ret_void()
        em.finish()
        return fn

    def _accumulators(self, em, item: N.ParallelFor) -> dict:
        """One private accumulator per reduction target of ``item`` (``{target: (alloca, op, dtype)}``).

        A target is an ndarray element ``(arg, indices)`` or a kernel var (``N.Var``); see :mod:`.reductions`.
        """
        if self.debug or _calls(item):
            return {}
        targets: dict = {}
        for arg, indices in find_reductions(item, self.program):
            # find_reductions keys by (arg, indices); the op is the same for every atomic on that arg
            op = next(s.op for s in walk_stmts(item.body) if isinstance(s, N.AtomicRMW) and s.arg == arg)
            targets[(arg, indices)] = (op, self.program.args[arg].dtype, f"acc{arg}")
        for var, op in find_var_reductions(item).items():
            targets[var] = (op, var.dtype, f"acc_{var.name}")
        reductions = {}
        for target, (op, dtype, name) in targets.items():
            acc = em.alloca(reg_type(dtype), name=name)
            em.eb.store(const(identity(op, dtype), dtype), acc)
            em.reductions[target] = acc
            reductions[target] = (acc, op, dtype)
        return reductions

    def _segments(self, em, item, begins, extents, start, end) -> None:
        """Walk ``[start, end)`` row segment by row segment: decode the outer indices once per segment."""
        b = em.b
        pos = em.alloca(I64, name="pos")
        b.store(start, pos)
        head, seg, done = em.new_block("seg.head"), em.new_block("seg.body"), em.new_block("seg.end")
        b.branch(head)
        b.position_at_end(head)
        p = b.load(pos, typ=I64)
        b.cbranch(b.icmp_signed("<", p, end), seg, done)
        b.position_at_end(seg)
        last = len(extents) - 1
        j = b.urem(p, extents[last])
        outer = b.udiv(p, extents[last])
        for axis in range(last - 1, -1, -1):
            i = outer if axis == 0 else b.urem(outer, extents[axis])
            if axis:
                outer = b.udiv(outer, extents[axis])
            em.write_var(item.vars[axis], b.trunc(b.add(begins[axis], i), I32))
        remaining = b.sub(end, p)
        j_end = b.add(j, remaining)
        j_end = b.select(b.icmp_signed("<", j_end, extents[last]), j_end, extents[last])
        b.store(b.add(p, b.sub(j_end, j)), pos)
        lo = b.trunc(b.add(begins[last], j), I32)
        hi = b.trunc(b.add(begins[last], j_end), I32)
        emit_counted_loop(em, item.vars[last], lo, hi, lambda: emit_block(em, item.body))
        b.branch(head)
        b.position_at_end(done)

    def _flush_reductions(self, em, reductions) -> None:
        from quadrants_llvm.builder.atomics import emit_atomic_rmw

        em.reductions = {}
        for target, (acc, op, dtype) in reductions.items():
            value = em.b.load(acc, typ=reg_type(dtype))
            em.at_target(target, lambda ptr, v=value, o=op, t=dtype: emit_atomic_rmw(em, o, t, ptr, [v]))

    def _size(self, em, arg: int, builder):
        size = ll.Constant(I64, 1)
        for axis in range(self.program.args[arg].ndim):
            size = builder.mul(size, em.shape(arg, axis))
        return size

    def _private_copy(self, em, arg: int, capacity: int):
        dtype = self.program.args[arg].dtype
        t = mem_type(dtype)
        buf = em.alloca(t, name=f"private{arg}", count=capacity)
        nbytes = em.eb.mul(self._size(em, arg, em.eb), ll.Constant(I64, dtype.np.itemsize))
        memset = intrinsic(self.module, "llvm.memset", VOID, [PTR, I8, I64, I1], [PTR, I64])
        em.eb.call(memset, [buf, ll.Constant(I8, 0), nbytes, ll.Constant(I1, 0)])
        return buf

    def _flush_private(self, em, arg: int, real) -> None:
        """Add every non-zero entry of the private copy to the real array (one atomic per touched element)."""
        from quadrants_llvm.builder.atomics import emit_atomic_rmw

        dtype = self.program.args[arg].dtype
        t = mem_type(dtype)
        bits = ll.IntType(dtype.bits)
        b = em.b
        size = self._size(em, arg, b)
        idx = em.alloca(I64, name="flush")
        b.store(ll.Constant(I64, 0), idx)
        head, body, add, latch, done = (em.new_block(n) for n in ("fl.head", "fl.body", "fl.add", "fl.latch", "fl.end"))
        b.branch(head)
        b.position_at_end(head)
        i = b.load(idx, typ=I64)
        b.cbranch(b.icmp_signed("<", i, size), body, done)
        b.position_at_end(body)
        v = b.load(b.gep(em.array_params[arg], [i], inbounds=True, source_etype=t), typ=t)
        raw = b.bitcast(v, bits) if dtype.is_float else v
        b.cbranch(b.icmp_unsigned("!=", raw, ll.Constant(bits, 0)), add, latch)
        b.position_at_end(add)
        emit_atomic_rmw(em, Op.ATOMIC_ADD, dtype, b.gep(real, [i], inbounds=True, source_etype=t), [v])
        b.branch(latch)
        b.position_at_end(latch)
        b.store(b.add(i, ll.Constant(I64, 1)), idx)
        b.branch(head)
        b.position_at_end(done)

    def _call_range(self, em, fns, args) -> None:
        """Call the private-copy variant when every privatised array is small (at most ``PRIVATE_LIMIT`` elements),
        or fits its copy and the chunk ``[args[1], args[2])`` updates them at least half as often as the copies have
        elements (reductions.LARGE_PRIVATE_LIMIT); else the plain one."""
        plain, priv, private, updates = fns
        b = em.b
        if priv is None or plain is None:  # one variant only (_static_variants)
            b.call(plain or priv, args)
            return
        capacity = private_capacity(self.program, private)
        small = fits = None
        total = ll.Constant(I64, 0)
        for a in private:
            size = self._size(em, a, b)
            total = b.add(total, size)
            ok = b.icmp_signed("<=", size, ll.Constant(I64, PRIVATE_LIMIT))
            small = ok if small is None else b.and_(small, ok)
            ok = b.icmp_signed("<=", size, ll.Constant(I64, capacity))
            fits = ok if fits is None else b.and_(fits, ok)
        lanes = b.sub(args[2], args[1])
        worth = b.icmp_signed(">=", b.mul(lanes, ll.Constant(I64, 2 * updates)), total)
        use = b.or_(small, b.and_(fits, worth)) if capacity > PRIVATE_LIMIT else small
        with b.if_else(use) as (then, otherwise):
            with then:
                b.call(priv, args)
            with otherwise:
                b.call(plain, args)

    def _static_variants(self, private: tuple) -> tuple[bool, bool]:
        """Which range functions a task needs, ``(plain, private copy)``, decided at build time where the privatised
        arrays' sizes are (fields): :meth:`_call_range`'s test then has one answer, and building, optimising and
        generating code for the variant it never calls is a first call's time spent for nothing (issue 23: mgpcg's
        ``restrict`` into its small coarse levels)."""
        if not private:
            return True, False
        shapes = [self.program.args[a].shape for a in private]
        if any(shape is None for shape in shapes):
            return True, True
        sizes = [math.prod(shape) for shape in shapes]
        capacity = private_capacity(self.program, private)
        if all(size <= PRIVATE_LIMIT for size in sizes):
            return False, True
        if capacity <= PRIVATE_LIMIT or any(size > capacity for size in sizes):
            return True, False
        return True, True

    def worker_fn(self, k: int, range_fn, arrays: list[int]) -> ll.Function:
        fn = self.function(f"worker_{k}", VOID, [PTR])
        fn.linkage = "internal"
        em = self.emitter(fn)
        slots = self.layout.tasks[k]
        b = em.b
        total = b.load(em.slot_ptr(slots.total, b), typ=I64)
        chunk = b.load(em.slot_ptr(slots.chunk, b), typ=I64)
        counter = em.slot_ptr(slots.counter, b)
        bases = [em.base(a) for a in arrays]
        head, work, done = em.new_block("claim"), em.new_block("work"), em.new_block("done")
        b.branch(head)
        b.position_at_end(head)
        em.poll_interrupt()  # between chunks: a Ctrl-C stops the claims (cpu/interrupt.py)
        s = b.atomic_rmw("add", counter, chunk, "monotonic")
        b.cbranch(b.icmp_signed("<", s, total), work, done)
        b.position_at_end(work)
        e = b.add(s, chunk)
        e = b.select(b.icmp_signed("<", e, total), e, total)
        self._call_range(em, range_fn, [em.ctx, s, e, *bases])
        b.branch(head)
        b.position_at_end(done)
        b.ret_void()
        em.finish()
        return fn

    def parallel_task(self, k: int, item: N.ParallelFor) -> ll.Function:
        arrays = self.used_arrays(item)
        # a task that calls a program function gets none of these analyses: they see only the task's own body
        calls = _calls(item)
        private = (
            ()
            if self.debug or calls or not self.target.private_arrays
            else find_privatizable(item, self.program, find_reductions(item, self.program))
        )
        # atomics at each lane's own elements are plain updates (only where arguments never overlap: noalias)
        owned = find_lane_owned(item) if self.noalias and not self.debug and not calls else frozenset()
        private = tuple(a for a in private if a not in owned)
        need_plain, need_priv = self._static_variants(private)
        range_fn = (
            self.range_fn(k, item, arrays, owned=owned) if need_plain else None,
            self.range_fn(k, item, arrays, private, owned) if need_priv else None,
            private,
            update_count(item, private),
        )
        worker = self.worker_fn(k, range_fn, arrays)
        fn = self.function(f"task_{k}", VOID, [PTR])
        em = self.emitter(fn)
        em.capture_interrupt_epoch()  # before the workers start: they compare against it
        b = em.b
        slots = self.layout.tasks[k]
        total = ll.Constant(I64, 1)
        for axis, (lo_e, hi_e) in enumerate(zip(item.begins, item.ends, strict=True)):
            lo = nm.convert(em, lo_e.dtype, _I64, emit_expr(em, lo_e))
            hi = nm.convert(em, hi_e.dtype, _I64, emit_expr(em, hi_e))
            ext = b.sub(hi, lo)
            ext = b.select(b.icmp_signed("<", ext, ll.Constant(I64, 0)), ll.Constant(I64, 0), ext)
            b.store(lo, em.slot_ptr(slots.begins + axis, b))
            b.store(ext, em.slot_ptr(slots.extents + axis, b))
            total = b.mul(total, ext)
        b.store(total, em.slot_ptr(slots.total, b))
        # a call of a program function (a recursion of unknown depth) weighs like a loop
        heavy = any(isinstance(s, (N.RangeFor, N.Loop, N.Call)) for s in walk_stmts(item.body))
        # a loop-free body: thresholds scaled down by how much heavier than a trivial lane it is (lane_cost.py)
        scale = 1 if heavy else max(1, lane_cost(item.body) // LIGHT_COST)
        threshold = 2 if heavy else max(2, LIGHT_SERIAL_LANES // scale)
        inline, parallel, done = em.new_block("inline"), em.new_block("parallel"), em.new_block("done")
        b.cbranch(b.icmp_signed("<", total, ll.Constant(I64, threshold)), inline, parallel)
        b.position_at_end(inline)
        self._call_range(em, range_fn, [em.ctx, ll.Constant(I64, 0), total, *[em.base(a) for a in arrays]])
        b.branch(done)
        b.position_at_end(parallel)
        nthreads = b.load(em.slot_ptr(self.layout.nthreads, b), typ=I64)
        pieces = b.mul(nthreads, ll.Constant(I64, CHUNKS_PER_THREAD))
        chunk = b.sdiv(b.add(total, b.sub(pieces, ll.Constant(I64, 1))), pieces)
        min_chunk = ll.Constant(I64, 1 if heavy else max(1, LIGHT_MIN_CHUNK // scale))
        chunk = b.select(b.icmp_signed("<", chunk, min_chunk), min_chunk, chunk)
        b.store(chunk, em.slot_ptr(slots.chunk, b))
        b.store(ll.Constant(I64, 0), em.slot_ptr(slots.counter, b))
        needed = b.sdiv(b.add(total, b.sub(chunk, ll.Constant(I64, 1))), chunk)
        threads = b.select(b.icmp_signed("<", needed, nthreads), needed, nthreads)
        dispatch = self.module.globals.get("qd_parallel") or ll.Function(
            self.module, ll.FunctionType(VOID, [PTR, PTR, I32, I32]), name="qd_parallel"
        )
        b.call(dispatch, [worker, em.ctx, b.trunc(threads, I32), ll.Constant(I32, 0)])
        b.branch(done)
        b.position_at_end(done)
        b.ret_void()
        em.finish()
        return fn

    # ------------------------------------------------------------------------------------------------ launch
    def build(self) -> ModuleInfo:
        self.functions[:] = declare_functions(self)
        define_functions(self, self.functions, emit_block)
        if self.target.threads == "grid":
            from quadrants_llvm.builder.grid import build_grid_tasks

            build_grid_tasks(self)
        else:
            task_fns = []
            for k, item in enumerate(self.tasks):
                if isinstance(item, N.ParallelFor):
                    task_fns.append(self.parallel_task(k, item))
                else:
                    task_fns.append(self.serial_task(k, item))
            self.launch_fn(task_fns)
        written = frozenset(
            s.arg
            for t in self.tasks
            for s in iter_reached_stmts(t.body, self.program)
            if isinstance(s, (N.Store, N.AtomicRMW))
        )
        return ModuleInfo(self.module, self.prefix, self.layout, self.tables, self.tasks, written, self.rows_per_lane)

    def launch_fn(self, task_fns) -> None:
        fn = self.function("launch", I64, [PTR])
        em = self.emitter(fn)
        b = em.b
        status_ptr = em.slot_ptr(self.layout.status, b)
        for k, task in enumerate(task_fns):
            b.call(task, [em.ctx])
            # a failed check (debug) or a Ctrl-C (any mode, cpu/interrupt.py) ends the launch after this task
            if (self.debug or self.target.interrupts) and k + 1 < len(task_fns):
                status = b.load(status_ptr, typ=I64)
                stop, go = em.new_block("stop"), em.new_block("next")
                b.cbranch(b.icmp_unsigned("!=", status, ll.Constant(I64, 0)), stop, go)
                b.position_at_end(stop)
                b.ret(status)
                b.position_at_end(go)
        b.ret(b.load(status_ptr, typ=I64))
        em.finish()


def _calls(item) -> bool:
    """Whether a task calls a program function (whose accesses its own body does not show)."""
    return contains([item], N.Call)


def _slot_loader(em, slot: int):
    return lambda eb: eb.load(em.slot_ptr(slot, eb), typ=I64)


def _mark_dereferenceable(param, spec: N.NdarrayArg) -> None:
    """A field's base pointer addresses its whole storage (the shape is static): telling LLVM lets it load a guarded
    element unconditionally (``if i != j: ... x[j]`` in a loop vectorises with plain and interleaved loads instead
    of masked gathers)."""
    if spec.shape is None:
        return
    count = 1
    for n in spec.shape:
        count *= n
    item = max(1, spec.dtype.bits // 8)  # u1 is stored as a byte
    if count > 0:
        param.attributes.dereferenceable = count * item
        param.attributes.align = item  # a field's storage is an aligned allocation of its own


def build_module(
    program: N.Program, target: TargetInfo, prefix: str, *, debug: bool, fast_math: bool, noalias: bool = True
) -> ModuleInfo:
    """Build the LLVM module of ``program`` (see the module docstring for what it defines)."""
    return _Builder(program, target, prefix, debug, fast_math, noalias).build()
