"""Compile IR expressions and statements into nested Python closures, once per program (in ``load``).

Each node becomes one closure ``fn(st)`` over a :class:`~quadrants_ref.state.TaskState`; dispatch on node types
happens here, at compile time, through the tables :data:`EXPR_COMPILERS` and :data:`STMT_COMPILERS`. Operations go
through :data:`quadrants.ir.numerics.OP_HANDLERS`, and operations whose operands are all constants are folded with
those same handlers, so folding can never disagree with run time.

Control flow (masks, see :mod:`quadrants_ref.state`):

* ``If`` with a uniform condition runs one branch with the current mask; otherwise it splits the mask, skips a branch
  no lane takes, and merges the lanes that did not ``break``/``continue`` afterwards.
* ``Loop``/``RangeFor`` repeat while any lane is active; ``Break`` moves the active lanes into the loop's break set
  and ``Continue`` drops them until the next iteration. ``RangeFor`` bounds may differ per lane: lane ``k`` runs
  ``end[k] - begin[k]`` iterations (the fast path, uniform bounds, is a plain Python ``range``).
* ``Decl``/``Load`` write every lane without a mask: the declared var is scoped to the enclosing block, so values
  of inactive lanes are never observed. ``Assign`` writes active lanes only.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from quadrants.errors import QuadrantsAssertionError, QuadrantsRuntimeError
from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType
from quadrants.ir.numerics import OP_HANDLERS, convert, convert_scalar
from quadrants.ir.ops import Op
from quadrants.ir.print_format import PrintLayout
from quadrants_ref.atomics import apply_atomic, combine, elementwise_ufunc
from quadrants_ref.calls import make_call
from quadrants_ref.memory import block_view, check_bounds, gather, linear_index, scatter
from quadrants_ref.races import ATOMIC
from quadrants_ref.state import TaskState, and_not, is_uniform, last_active, normalize, or_mask

__all__ = ["Scope", "compile_expr", "compile_block", "compile_function", "EXPR_COMPILERS", "STMT_COMPILERS"]

Fn = Callable[[TaskState], object]


@dataclass
class Scope:
    """Compile-time facts about the task being compiled."""

    kernel_var_ids: frozenset[int]
    parallel: bool = False
    task_vars: dict[int, int] = field(default_factory=dict)  # var id -> axis of a ParallelFor
    task_var_order: tuple[int, ...] = ()
    written_args: frozenset[int] = frozenset()
    view_loads: frozenset[int] = frozenset()  # id() of loads that may return views (quadrants_ref.views)
    arg_dtypes: tuple = ()  # element/scalar type of every program argument
    functions: object = None  # the program's functions (a quadrants_ref.calls.FunctionTable)


# ---------------------------------------------------------------------------------------------------- expressions


def _constant(value) -> Fn:
    def const(st):
        return value

    const.value = value  # marks the closure as a compile-time constant for folding
    return const


def _typed_scalar(value, dtype: DataType):
    return np.asarray(convert_scalar(value, dtype), dtype=dtype.np)[()]


def _compile_const(cx: Scope, e: N.Const) -> Fn:
    return _constant(_typed_scalar(e.value, e.dtype))


def _compile_local(cx: Scope, e: N.LocalRef) -> Fn:
    vid = e.var.id
    axis = cx.task_vars.get(vid)
    if axis is not None:
        return lambda st: st.lane(axis)
    return lambda st: st.locals[vid]


def _compile_arg(cx: Scope, e: N.ArgRef) -> Fn:
    index = e.index
    return lambda st: st.launch.scalars[index]


def _compile_shape(cx: Scope, e: N.Shape) -> Fn:
    arg, axis, make = e.arg, e.axis, e.dtype.np.type
    return lambda st: make(st.launch.shapes[arg][axis])


def _fold(handler, values, dtype: DataType):
    with np.errstate(all="ignore"):
        result = np.asarray(handler(list(values), dtype))
    return convert(result, dtype)[()]


def _compile_op(cx: Scope, e: N.OpExpr) -> Fn:
    fns = [compile_expr(cx, a) for a in e.args]
    handler, dtype = OP_HANDLERS[e.op], e.dtype
    if all(hasattr(f, "value") for f in fns):
        try:
            return _constant(_fold(handler, [f.value for f in fns], dtype))
        except (TypeError, ValueError):
            pass  # an invalid constant operation fails at run time like any other
    if len(fns) == 1:
        (a,) = fns
        return lambda st: handler([a(st)], dtype)
    if len(fns) == 2:
        a, b = fns
        ufunc = _in_place_ufunc(e.op, dtype)
        if ufunc is not None and any(_yields_temporary(x) for x in e.args):
            return _compile_in_place(ufunc, handler, dtype, a, b, *(_yields_temporary(x) for x in e.args))
        return lambda st: handler([a(st), b(st)], dtype)
    return lambda st: handler([f(st) for f in fns], dtype)


# Binary ops whose handler is exactly one elementwise ufunc for these types, so writing the result into an operand
# that is a temporary gives the same values while saving an allocation (large temporaries cost page faults).
_IN_PLACE_ANY = {Op.ADD: np.add, Op.SUB: np.subtract, Op.MUL: np.multiply}
_IN_PLACE_FLOAT = {Op.TRUEDIV: np.divide}
_IN_PLACE_INT = {Op.BIT_AND: np.bitwise_and, Op.BIT_OR: np.bitwise_or, Op.BIT_XOR: np.bitwise_xor}


def _in_place_ufunc(op: Op, dtype: DataType):
    if dtype.is_bool:
        return None
    extra = _IN_PLACE_FLOAT if dtype.is_float else _IN_PLACE_INT
    return _IN_PLACE_ANY.get(op) or extra.get(op)


def _yields_temporary(e) -> bool:
    """True when ``e``'s lane array (if it is one) is a fresh array that nothing else references."""
    return isinstance(e, N.OpExpr) and len(e.args) == 2 and _in_place_ufunc(e.op, e.dtype) is not None


def _compile_in_place(ufunc, handler, dtype: DataType, a: Fn, b: Fn, a_temp: bool, b_temp: bool) -> Fn:
    npdt = dtype.np

    def in_place(st):
        x, y = a(st), b(st)
        if a_temp and type(x) is np.ndarray and x.ndim and x.dtype == npdt:
            return ufunc(x, y, out=x)
        if b_temp and type(y) is np.ndarray and y.ndim and y.dtype == npdt:
            return ufunc(x, y, out=y)
        return handler([x, y], dtype)

    return in_place


EXPR_COMPILERS: dict[type, Callable[[Scope, object], Fn]] = {
    N.Const: _compile_const,
    N.LocalRef: _compile_local,
    N.ArgRef: _compile_arg,
    N.Shape: _compile_shape,
    N.OpExpr: _compile_op,
}


def compile_expr(cx: Scope, e) -> Fn:
    """The closure computing expression ``e`` for every lane."""
    return EXPR_COMPILERS[type(e)](cx, e)


# ---------------------------------------------------------------------------------------------------------- blocks


def _may_exit(stmt) -> bool:
    """True when ``stmt`` can remove lanes from the current block (a break/continue not inside a nested loop)."""
    if isinstance(stmt, (N.Break, N.Continue)):
        return True
    if isinstance(stmt, N.If):
        return any(_may_exit(s) for s in stmt.then) or any(_may_exit(s) for s in stmt.orelse)
    return False


def _noop(st):
    return None


def compile_block(cx: Scope, stmts) -> Fn:
    """One closure running ``stmts`` in order, stopping when no lane is left."""
    fns = [STMT_COMPILERS[type(s)](cx, s) for s in stmts]
    if not fns:
        return _noop
    if not any(_may_exit(s) for s in stmts):
        if len(fns) == 1:
            return fns[0]

        def run_plain(st):
            for f in fns:
                f(st)

        return run_plain

    def run_exiting(st):
        for f in fns:
            f(st)
            if st.mask is False:
                return

    return run_exiting


# ------------------------------------------------------------------------------------------------- locals, memory


def _compile_decl(cx: Scope, s: N.Decl) -> Fn:
    vid, value = s.var.id, compile_expr(cx, s.value)

    def decl(st):
        st.locals[vid] = value(st)

    return decl


def _compile_assign(cx: Scope, s: N.Assign) -> Fn:
    vid, value = s.var.id, compile_expr(cx, s.value)
    track = cx.parallel and vid in cx.kernel_var_ids

    def assign(st):
        v = value(st)
        m = st.mask
        st.locals[vid] = v if m is None else np.where(m, v, st.locals[vid])
        if track:  # a kernel var keeps the value of the last writing lane (see executable.finish_parallel)
            st.kv_written[vid] = or_mask(st.kv_written.get(vid, False), m)

    return assign


def _lanes_plan(cx: Scope, indices) -> bool:
    """True when ``indices`` are exactly the task's loop vars in axis order (the block fast path applies)."""
    if not cx.task_var_order or len(indices) != len(cx.task_var_order):
        return False
    return all(isinstance(i, N.LocalRef) and i.var.id == v for i, v in zip(indices, cx.task_var_order, strict=True))


def _compile_load(cx: Scope, s: N.Load) -> Fn:
    vid, arg, loc = s.var.id, s.arg, s.loc
    idx_fns = [compile_expr(cx, i) for i in s.indices]
    plan = _lanes_plan(cx, s.indices)
    view_safe = arg not in cx.written_args or id(s) in cx.view_loads  # is a view still a valid snapshot?

    def load(st):
        if plan:
            view = block_view(st, arg)
            if view is not None:
                v = view.reshape(-1)
                if not (view_safe and st.launch.views_ok) and np.may_share_memory(v, view):
                    v = v.copy()
                st.locals[vid] = v
                return
        st.locals[vid] = gather(st.launch, arg, [f(st) for f in idx_fns], st.mask, st.n, loc)

    return load


def _store_block(view: np.ndarray, value, mask) -> None:
    if not is_uniform(value):
        value = value.reshape(view.shape)
    if mask is None:
        view[...] = value
    else:
        np.copyto(view, value, where=mask.reshape(view.shape))


def _compile_store(cx: Scope, s: N.Store) -> Fn:
    arg, loc = s.arg, s.loc
    idx_fns = [compile_expr(cx, i) for i in s.indices]
    value_fn = compile_expr(cx, s.value)
    plan = _lanes_plan(cx, s.indices)

    def store(st):
        value = value_fn(st)
        if plan:
            view = block_view(st, arg)
            if view is not None:
                _store_block(view, value, st.mask)
                return
        scatter(st.launch, arg, [f(st) for f in idx_fns], value, st.mask, st.n, loc)

    return store


def _per_active_lane(value, m: int, active, dtype: DataType) -> np.ndarray:
    if is_uniform(value):
        return np.full(m, value, dtype.np)
    return value if active is None else value[active]


def _compile_atomic(cx: Scope, s: N.AtomicRMW) -> Fn:
    arg, loc, op = s.arg, s.loc, s.op
    vid = s.var.id if s.var is not None else None
    idx_fns = [compile_expr(cx, i) for i in s.indices]
    operand_fns = [compile_expr(cx, o) for o in s.operands]
    plan = _lanes_plan(cx, s.indices)
    dtype = cx.arg_dtypes[arg]
    ufunc = elementwise_ufunc(op, dtype) if vid is None else None  # no old value wanted: update in place

    def atomic(st):
        operands = [f(st) for f in operand_fns]
        launch, mask, n = st.launch, st.mask, st.n
        if plan:
            view = block_view(st, arg)
            if view is not None and ufunc is not None:  # distinct elements, old values unused
                operand = operands[0] if is_uniform(operands[0]) else operands[0].reshape(view.shape)
                if mask is None:
                    ufunc(view, operand, out=view)
                else:
                    ufunc(view, operand, out=view, where=mask.reshape(view.shape))
                return
            if view is not None:  # the lanes hit distinct elements: one combine, no ordering question
                old = view.reshape(-1).copy()
                _store_block(view, combine(op, dtype, old, operands), mask)
                if vid is not None:
                    st.locals[vid] = old
                return
        idx = [f(st) for f in idx_fns]
        check_bounds(launch, arg, idx, mask, loc)
        lin = linear_index(idx, launch.shapes[arg])
        if launch.races is not None:
            launch.races.record(arg, lin, mask, n, ATOMIC, loc)
        active = None if mask is None else np.flatnonzero(mask)
        m = n if active is None else len(active)
        if isinstance(lin, np.ndarray):
            lin = np.broadcast_to(lin, (n,)) if active is None else np.broadcast_to(lin, (n,))[active]
        old = apply_atomic(launch.flats[arg], lin, [_per_active_lane(o, m, active, dtype) for o in operands], op, dtype)
        if vid is None:
            return
        if n == 1:
            st.locals[vid] = old[0]
        elif active is None:
            st.locals[vid] = old
        else:
            full = np.zeros(n, dtype.np)
            full[active] = old
            st.locals[vid] = full

    return atomic


def _compile_var_atomic(cx: Scope, s: N.VarAtomicRMW) -> Fn:
    """An atomic on a kernel var: the active lanes update its one shared value one after another in lane order."""
    tid, op, dtype = s.target.id, s.op, s.target.dtype
    vid = s.var.id if s.var is not None else None
    operand_fns = [compile_expr(cx, o) for o in s.operands]
    track = cx.parallel

    def var_atomic(st):
        operands = [f(st) for f in operand_fns]
        mask, n = st.mask, st.n
        cur = st.locals[tid]
        if not is_uniform(cur):  # a plain write in this task raced with the atomic: the last writer's value
            cur = cur[last_active(st.kv_written.get(tid), n)]
        cell = np.asarray([cur], dtype.np)
        active = None if mask is None else np.flatnonzero(mask)
        m = n if active is None else len(active)
        old = apply_atomic(cell, 0, [_per_active_lane(o, m, active, dtype) for o in operands], op, dtype)
        st.locals[tid] = cell[0]
        if track:
            st.kv_written[tid] = or_mask(st.kv_written.get(tid, False), mask)
        if vid is None:
            return
        if n == 1:
            st.locals[vid] = old[0]
        elif active is None:
            st.locals[vid] = old
        else:
            full = np.zeros(n, dtype.np)
            full[active] = old
            st.locals[vid] = full

    return var_atomic


# ---------------------------------------------------------------------------------------------------- control flow


def _as_bool(cond: np.ndarray) -> np.ndarray:
    return cond if cond.dtype == np.bool_ else cond != 0


def _compile_if(cx: Scope, s: N.If) -> Fn:
    cond_fn = compile_expr(cx, s.cond)
    then_fn, else_fn = compile_block(cx, s.then), compile_block(cx, s.orelse)
    has_else = bool(s.orelse)
    exits = _may_exit(s)

    def run_if(st):
        c = cond_fn(st)
        if is_uniform(c):
            (then_fn if c else else_fn)(st)
            return
        c = _as_bool(c)
        entry = st.mask
        if entry is None:  # every lane active: a condition that is all-true or all-false needs no mask at all
            taken = np.count_nonzero(c)
            if taken == st.n or taken == 0:
                (then_fn if taken else else_fn)(st)
                return
        then_mask = normalize(c if entry is None else entry & c)
        else_mask = normalize(~c if entry is None else entry & ~c)
        after = False
        if then_mask is not False:
            st.mask = then_mask
            then_fn(st)
            after = st.mask
        if else_mask is not False:
            if has_else:
                st.mask = else_mask
                else_fn(st)
                after = or_mask(after, st.mask)
            else:
                after = or_mask(after, else_mask)
        st.mask = normalize(after) if exits else entry

    return run_if


def _compile_loop(cx: Scope, s: N.Loop) -> Fn:
    body = compile_block(cx, s.body)

    def run_loop(st):
        entry, saved = st.mask, st.brk
        st.brk = False
        while True:
            m = and_not(entry, st.brk)
            if m is False:
                break
            st.mask = m
            body(st)
        st.brk, st.mask = saved, entry

    return run_loop


def _compile_range_for(cx: Scope, s: N.RangeFor) -> Fn:
    vid, make = s.var.id, s.var.dtype.np.type
    begin_fn, end_fn = compile_expr(cx, s.begin), compile_expr(cx, s.end)
    body = compile_block(cx, s.body)
    body_exits = any(_may_exit(x) for x in s.body)

    def run_uniform(st, begin: int, end: int):
        entry = st.mask
        local = st.locals
        if not body_exits:
            for k in range(begin, end):
                local[vid] = make(k)
                body(st)
            return
        for k in range(begin, end):
            m = and_not(entry, st.brk)
            if m is False:
                return
            st.mask = m
            local[vid] = make(k)
            body(st)

    def run_per_lane(st, begin, end):
        n, entry = st.n, st.mask
        b64 = np.broadcast_to(np.asarray(begin).astype(np.int64), (n,))
        count = np.broadcast_to(np.asarray(end).astype(np.int64), (n,)) - b64
        active_count = count if entry is None else count[entry]
        for j in range(int(active_count.max()) if active_count.size else 0):
            m = and_not(entry, st.brk)
            if m is False:
                return
            within = count > j
            m = normalize(within if m is None else m & within)
            if m is False:
                return
            st.mask = m
            st.locals[vid] = (b64 + j).astype(make)
            body(st)

    def run_range(st):
        begin, end = begin_fn(st), end_fn(st)
        entry, saved = st.mask, st.brk
        st.brk = False
        if is_uniform(begin) and is_uniform(end):
            run_uniform(st, int(begin), int(end))
        else:
            run_per_lane(st, begin, end)
        st.brk, st.mask = saved, entry

    return run_range


def _compile_break(cx: Scope, s: N.Break) -> Fn:
    def run_break(st):
        st.brk = or_mask(st.brk, st.mask)
        st.mask = False

    return run_break


def _compile_continue(cx: Scope, s: N.Continue) -> Fn:
    def run_continue(st):
        st.mask = False

    return run_continue


# --------------------------------------------------------------------------------------------- host-visible effects


def _compile_print(cx: Scope, s: N.Print) -> Fn:
    layout = PrintLayout.of(s)
    values = [compile_expr(cx, p) for p in s.parts if not isinstance(p, str)]

    def run_print(st):
        mask, n = st.mask, st.n
        lanes = range(n) if mask is None else np.flatnonzero(mask).tolist()
        take = np.asarray(lanes, dtype=np.intp)
        columns = []
        for fn in values:
            v = fn(st)
            columns.append([v] * len(lanes) if is_uniform(v) else v[take].tolist())
        rows = zip(*columns, strict=True) if columns else [()] * len(lanes)
        sys.stdout.write("".join(layout.render(row) for row in rows))  # looked up now so that capture works

    return run_print


def _compile_check(cx: Scope, s: N.Check) -> Fn:
    cond_fn = compile_expr(cx, s.cond)
    error = QuadrantsAssertionError if s.kind == "assert" else QuadrantsRuntimeError
    message, loc = s.message, s.loc

    def run_check(st):
        c = cond_fn(st)
        if is_uniform(c):
            failed = not c
        else:
            bad = ~_as_bool(c)
            if st.mask is not None:
                bad &= st.mask
            failed = bool(bad.any())
        if failed:
            raise error(message, loc)

    return run_check


def _compile_set_return(cx: Scope, s: N.SetReturn) -> Fn:
    index, value_fn = s.index, compile_expr(cx, s.value)

    def set_return(st):
        v = value_fn(st)
        st.launch.returns[index] = v if is_uniform(v) else v[last_active(st.mask, st.n)]

    return set_return


def _compile_read_clock(cx: Scope, s: N.ReadClock) -> Fn:
    """``qd.clock_counter()``: the host's monotonic clock in nanoseconds. The lanes of a task run in lock step, so
    one read serves them all (as a GPU warp reads its multiprocessor's clock once)."""
    vid = s.var.id

    def read_clock(st):
        st.locals[vid] = np.int64(time.monotonic_ns())

    return read_clock


def _compile_call(cx: Scope, s: N.Call) -> Fn:
    return make_call(cx.functions, s, tuple(compile_expr(cx, a) for a in s.args))


def compile_function(cx: Scope, fn: N.Function) -> tuple[Fn, tuple[Fn, ...]]:
    """The body closure and result closures of a program function, in scope ``cx`` (see quadrants_ref.calls)."""
    return compile_block(cx, fn.body), tuple(compile_expr(cx, r) for r in fn.results)


STMT_COMPILERS: dict[type, Callable[[Scope, object], Fn]] = {
    N.Decl: _compile_decl,
    N.Assign: _compile_assign,
    N.Load: _compile_load,
    N.Store: _compile_store,
    N.AtomicRMW: _compile_atomic,
    N.VarAtomicRMW: _compile_var_atomic,
    N.If: _compile_if,
    N.RangeFor: _compile_range_for,
    N.Loop: _compile_loop,
    N.Break: _compile_break,
    N.Continue: _compile_continue,
    N.Print: _compile_print,
    N.Check: _compile_check,
    N.SetReturn: _compile_set_return,
    N.ReadClock: _compile_read_clock,
    N.Call: _compile_call,
}
