"""The reference executable: compiled tasks and the launch primitives the core graph runner drives.

``ParallelFor``: the bounds are evaluated once (they only use arguments, constants, shapes and kernel vars); the
lanes are the product of the axis extents (none if any extent is <= 0) with the last axis varying fastest, laid out
in the launch's lane order (``ascending``, ``reversed`` or ``shuffled`` with ``CompileOptions.seed``). Scatters with
duplicate targets and atomics apply in that order, which is how the suite exposes order-dependent (racy) programs.

``SerialBlock``: one lane. Kernel vars live in the launch: a task starts with their current values, a serial block
writes them back, and a parallel task keeps the value of the last lane (in lane order) that assigned each one.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np

from quadrants.backend import CompileOptions
from quadrants.ir import nodes as N
from quadrants.ir.numerics import convert_scalar, to_python
from quadrants.ir.walk import iter_stmts, iter_tasks
from quadrants_ref.array import RefArray
from quadrants_ref.calls import FunctionTable
from quadrants_ref.compiler import Scope, compile_block, compile_expr, compile_function
from quadrants_ref.races import RaceRecorder
from quadrants_ref.state import Launch, TaskState, is_uniform, last_active
from quadrants_ref.views import view_safe_loads, written_args

__all__ = ["RefExecutable", "iter_tasks"]

_ORDERS = ("ascending", "reversed", "shuffled")


class _SerialTask:
    def __init__(self, item: N.SerialBlock, scope: Scope):
        self.body = compile_block(scope, item.body)
        self.kernel_var_ids = scope.kernel_var_ids

    def __call__(self, launch: Launch) -> None:
        st = TaskState(launch, 1)
        self.body(st)
        for vid in self.kernel_var_ids:
            if vid in st.locals:
                v = st.locals[vid]
                launch.kvars[vid] = v if is_uniform(v) else v.reshape(-1)[0]


class _ParallelTask:
    def __init__(self, item: N.ParallelFor, scope: Scope):
        bounds_scope = Scope(
            kernel_var_ids=scope.kernel_var_ids, arg_dtypes=scope.arg_dtypes, functions=scope.functions
        )
        self.begins = [compile_expr(bounds_scope, e) for e in item.begins]
        self.ends = [compile_expr(bounds_scope, e) for e in item.ends]
        self.var_type = item.vars[0].dtype.np if item.vars else np.dtype(np.int32)
        self.var_names = tuple(getattr(v, "name", f"i{k}") for k, v in enumerate(item.vars))
        scope.parallel = True
        scope.task_vars = {v.id: k for k, v in enumerate(item.vars)}
        scope.task_var_order = tuple(v.id for v in item.vars)
        if any(isinstance(s, N.Call) for s in iter_stmts(item.body)):
            # a called function may write any array between a load and a read of it: every load copies
            scope.written_args = frozenset(range(len(scope.arg_dtypes)))
        else:
            scope.written_args = written_args(item.body)
            scope.view_loads = view_safe_loads(item.body)
        self.body = compile_block(scope, item.body)

    def __call__(self, launch: Launch) -> None:
        st0 = TaskState(launch, 1)
        begins = [int(f(st0)) for f in self.begins]
        ends = [int(f(st0)) for f in self.ends]
        extents = [max(0, e - b) for b, e in zip(begins, ends, strict=True)]
        n = math.prod(extents)
        if n == 0:
            return
        order = launch.order
        perm = launch.rng.permutation(n) if order == "shuffled" else None
        st = TaskState(launch, n)
        st.lane_maker = lambda: self._lanes(begins, extents, n, order, perm)
        if launch.check_races:  # every access through gather/scatter/atomic, recorded (quadrants_ref.races)
            launch.races = RaceRecorder(
                launch.names, launch.shapes, lambda pos: _describe_lane(st, self.var_names, pos)
            )
        elif order != "shuffled":
            slices = tuple(slice(b, e) for b, e in zip(begins, ends, strict=True))
            st.block = (slices, begins, ends, order == "reversed")
        try:
            self.body(st)
            if launch.races is not None:
                launch.races.check()
        finally:
            launch.races = None
        for vid, written in st.kv_written.items():
            v = st.locals[vid]
            launch.kvars[vid] = v if is_uniform(v) else v[last_active(written, n)]

    def _lanes(self, begins, extents, n, order, perm) -> list[np.ndarray]:
        t = self.var_type
        if len(extents) == 1:
            b = begins[0]
            if order == "ascending":
                return [np.arange(b, b + n, dtype=t)]
            if order == "reversed":
                return [np.arange(b + n - 1, b - 1, -1, dtype=t)]
            return [(perm + b).astype(t)]
        if order == "ascending":
            flat = np.arange(n)
        elif order == "reversed":
            flat = np.arange(n - 1, -1, -1)
        else:
            flat = perm
        coords = np.unravel_index(flat, extents)
        return [(c + b).astype(t) for c, b in zip(coords, begins, strict=True)]


def _describe_lane(st: TaskState, names: tuple[str, ...], pos: int) -> str:
    """``(i=3, j=0)``: the loop variable values of lane ``pos`` of a parallel task."""
    values = [int(st.lane(axis)[pos]) for axis in range(len(names))]
    return "(" + ", ".join(f"{name}={v}" for name, v in zip(names, values, strict=True)) + ")"


class RefExecutable:
    """Implements :class:`quadrants.backend.Executable` for one program."""

    def __init__(self, program: N.Program, options: CompileOptions | None = None):
        self.program = program
        self.options = options or CompileOptions()
        if self.options.lane_order not in _ORDERS:
            raise ValueError(f"lane_order must be one of {_ORDERS}, got {self.options.lane_order!r}")
        self._kernel_var_ids = frozenset(v.id for v in program.kernel_vars)
        self._arg_dtypes = tuple(spec.dtype for spec in program.args)
        self._functions = FunctionTable(program.functions, self._compile_function)
        self._by_item: dict[Any, Any] = {}
        self._by_id: dict[int, tuple[Any, Any]] = {}
        for item in iter_tasks(program.items):
            self._task(item)

    def _compile_function(self, table: FunctionTable, fn: N.Function):
        # no task vars (no block fast path) and no load views: every load in a function copies
        every_arg = frozenset(range(len(self._arg_dtypes)))
        scope = Scope(self._kernel_var_ids, arg_dtypes=self._arg_dtypes, written_args=every_arg, functions=table)
        return compile_function(scope, fn)

    def _compile_task(self, item):
        scope = Scope(kernel_var_ids=self._kernel_var_ids, arg_dtypes=self._arg_dtypes, functions=self._functions)
        if isinstance(item, N.ParallelFor):
            return _ParallelTask(item, scope)
        if isinstance(item, N.SerialBlock):
            return _SerialTask(item, scope)
        raise TypeError(f"run_task expects a ParallelFor or SerialBlock, got {type(item).__name__}")

    def _task(self, item):
        hit = self._by_id.get(id(item))
        if hit is not None and hit[0] is item:
            return hit[1]
        try:
            task = self._by_item.get(item)  # an equal item from another copy of the program (e.g. unpickled)
        except TypeError:
            task = None
        if task is None:
            task = self._compile_task(item)
            with contextlib.suppress(TypeError):
                self._by_item[item] = task
        self._by_id[id(item)] = (item, task)  # keeps ``item`` alive so its id is not reused
        return task

    # ------------------------------------------------------------------------------------------ launch primitives

    def begin(self, args: list) -> Launch:
        """Bind one value per program argument: a RefArray (or NumPy array) per ndarray, a Python scalar per scalar."""
        program = self.program
        if len(args) != len(program.args):
            raise TypeError(f"{program.name} takes {len(program.args)} arguments, got {len(args)}")
        launch = Launch(program, args, self.options)
        for k, (spec, value) in enumerate(zip(program.args, args, strict=True)):
            if isinstance(spec, N.NdarrayArg):
                self._bind_array(launch, k, spec, value)
            else:
                launch.scalars[k] = np.asarray(convert_scalar(value, spec.dtype), dtype=spec.dtype.np)[()]
        bound = [a for a in launch.arrays if a is not None and a.size]
        for i, a in enumerate(bound):
            if any(np.may_share_memory(a, b) for b in bound[i + 1 :]):
                launch.views_ok = False  # aliased arguments: loads must snapshot
        return launch

    @staticmethod
    def _bind_array(launch: Launch, k: int, spec: N.NdarrayArg, value) -> None:
        arr = value.array if isinstance(value, RefArray) else value
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"argument {spec.name} must be a RefArray, got {type(value).__name__}")
        if arr.dtype != spec.dtype.np or arr.ndim != spec.ndim:
            raise TypeError(
                f"argument {spec.name} expects {spec.dtype} with ndim={spec.ndim}, got {arr.dtype} with ndim={arr.ndim}"
            )
        if not arr.flags.c_contiguous:
            raise ValueError(f"argument {spec.name}: the reference backend needs C-contiguous storage")
        launch.arrays[k] = arr
        launch.flats[k] = arr.reshape(-1)
        launch.shapes[k] = arr.shape

    def run_task(self, ctx: Launch, item) -> None:
        """Run one ParallelFor/SerialBlock; run-time errors raise here (bounds, Check)."""
        task = self._task(item)
        with np.errstate(all="ignore"):
            task(ctx)

    def read_i32(self, ctx: Launch, arg: int) -> int:
        return int(ctx.arrays[arg].reshape(-1)[0])

    def end(self, ctx: Launch) -> tuple:
        """The return values as Python scalars of the declared types (0 for a slot never set)."""
        out = []
        for value, dtype in zip(ctx.returns, self.program.returns, strict=True):
            out.append(convert_scalar(0, dtype) if value is None else to_python(value, dtype))
        return tuple(out)
