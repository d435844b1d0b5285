"""Lowering a SIMT task (frontend/simt.py) into plain IR that every backend runs: barriers become phase breaks.

The task ``for i in range(n)`` with ``block_dim = B`` becomes::

    for slot in range(min(n_blocks, SLOTS)):          # parallel
        blk = slot
        while blk < n_blocks:                         # the blocks of this slot, one after another
            for t in range(B): <phase 1 for lane t>   # the statements up to the first barrier
            for t in range(B): <phase 2 for lane t>   # ... up to the next one
            blk += SLOTS

A statement that contains a barrier (or a ``break``/``continue`` out of such a statement) runs at *block level*: its
condition or bounds are evaluated for lane 0 and its body is lowered the same way, phase by phase, so barriers may
sit in ``if`` statements and loops whose conditions are the same for every lane of the block (the rule CUDA has).
Each phase recomputes the original loop variables from ``blk * B + t``; a local declared in one phase and used in
another (or at block level) lives in a per-lane scratch array between phases. A runtime check rejects an iteration
count that is not a multiple of ``B`` before the task runs.

The slot loop carries ``ParallelFor.simt_block = B`` and each phase loop ``RangeFor.simt_phase``: a GPU backend may run
a slot on a thread block and a phase's lanes on its threads (quadrants_llvm/builder/simt_blocks.py); the others run
the loops as they are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend.simt import DEFAULT_BLOCK_DIM, SLOTS, Barrier, SimtTask, scratch_array
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = ["lower_simt_task", "simt_task", "emit_barrier"]

_I32 = dtypes.i32
_NESTED = ("then", "orelse", "body")


# ---------------------------------------------------------------------------------------------------- tasks


def _block_dim(ctx, loop, node) -> int:
    value = loop.config.get("block_dim", DEFAULT_BLOCK_DIM)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise QuadrantsTypeError(f"qd.loop_config(block_dim=...) must be a positive int, got {value!r}", ctx.loc(node))
    return value


def simt_task(ctx, node, what: str) -> SimtTask | None:
    """The SIMT state of the enclosing parallel loop (made on first use); ``None`` in serial code."""
    loop = ctx.parallel_loop
    if loop is None:
        return None
    key = ("simt", id(loop))
    task = ctx.task_state.get(key)
    if task is None:
        task = SimtTask(loop, _block_dim(ctx, loop, node), ctx.new_var("simt_slot", _I32), ctx.loc(node))
        ctx.task_state[key] = task
        loop.finishers.append(lambda c, items: lower_simt_task(c, task, items))
    return task


def emit_barrier(ctx, node) -> None:
    """``block.sync()``: a barrier in a SIMT task; nothing in serial code (one thread is its own block)."""
    task = simt_task(ctx, node, "qd.simt.block.sync()")
    if task is not None:
        ctx.emit(Barrier(ctx.loc(node)))


# ------------------------------------------------------------------------------------------------- analysis


def _has_barrier(stmt) -> bool:
    if isinstance(stmt, Barrier):
        return True
    return any(_has_barrier(s) for attr in _NESTED for s in getattr(stmt, attr, ()))


def _escapes(stmt) -> bool:
    """A ``break``/``continue`` in ``stmt`` that leaves the loop enclosing ``stmt``."""
    if isinstance(stmt, (ir.Break, ir.Continue)):
        return True
    if isinstance(stmt, (ir.RangeFor, ir.Loop)):
        return False
    return any(_escapes(s) for attr in ("then", "orelse") for s in getattr(stmt, attr, ()))


_DECLARES = {
    ir.Decl: "var",
    ir.Load: "var",
    ir.AtomicRMW: "var",
    ir.VarAtomicRMW: "var",
    ir.RangeFor: "var",
    ir.ReadClock: "var",
}


def _usage(node, declared: set, used: set, written: set) -> None:
    """Var ids declared in ``node``, var ids read or assigned in it and, of those, the assigned ones (any node, nested
    ones included)."""
    if isinstance(node, (tuple, list)):
        for n in node:
            _usage(n, declared, used, written)
        return
    if isinstance(node, ir.LocalRef):
        used.add(node.var.id)
        return
    if not dataclasses.is_dataclass(node) or isinstance(node, (ir.Var, ir.SrcLoc)):
        return
    attr = _DECLARES.get(type(node))
    if attr is not None and getattr(node, attr) is not None:
        declared.add(getattr(node, attr).id)
    if isinstance(node, ir.Assign):
        used.add(node.var.id)
        written.add(node.var.id)
    if isinstance(node, ir.VarAtomicRMW):
        used.add(node.target.id)
        written.add(node.target.id)
    for f in dataclasses.fields(node):
        if f.name not in ("var", "target", "loc"):
            _usage(getattr(node, f.name), declared, used, written)


def _vars_of(node, out: dict) -> None:
    """``var id -> Var`` of every var declared in ``node``."""
    if isinstance(node, (tuple, list)):
        for n in node:
            _vars_of(n, out)
        return
    if not dataclasses.is_dataclass(node) or isinstance(node, (ir.Var, ir.SrcLoc)):
        return
    attr = _DECLARES.get(type(node))
    if attr is not None and getattr(node, attr) is not None:
        var = getattr(node, attr)
        out[var.id] = var
    for f in dataclasses.fields(node):
        if f.name != "loc":
            _vars_of(getattr(node, f.name), out)


# ------------------------------------------------------------------------------------------------- segments


@dataclass
class _Phase:
    stmts: list
    declared: set = field(default_factory=set)
    used: set = field(default_factory=set)
    written: set = field(default_factory=set)  # assigned in the phase: the crossing ones are saved at its end


@dataclass
class _Eval:
    """Block-level values computed for lane 0 (an ``if`` condition, loop bounds)."""

    exprs: tuple
    flags: tuple = ()
    declared: set = field(default_factory=set)
    used: set = field(default_factory=set)
    written: set = field(default_factory=set)


@dataclass
class _Block:
    """A statement that runs at block level: ``If``, ``RangeFor``, ``Loop``, ``Break`` or ``Continue``."""

    stmt: object
    eval: _Eval | None
    parts: tuple  # lists of segments: (then, orelse) / (body,) / ()


def _segment(ctx, stmts, in_block_loop: bool) -> list:
    out, phase = [], []

    def flush():
        if phase:
            out.append(_Phase(list(phase)))
            phase.clear()

    for s in stmts:
        if isinstance(s, Barrier):
            flush()
            continue
        if not (_has_barrier(s) or (in_block_loop and _escapes(s))):
            phase.append(s)
            continue
        flush()
        if isinstance(s, ir.If):
            parts = (_segment(ctx, s.then, in_block_loop), _segment(ctx, s.orelse, in_block_loop))
            out.append(_Block(s, _Eval((s.cond,)), parts))
        elif isinstance(s, ir.RangeFor):
            out.append(_Block(s, _Eval((s.begin, s.end)), (_segment(ctx, s.body, True),)))
        elif isinstance(s, ir.Loop):
            out.append(_Block(s, None, (_segment(ctx, s.body, True),)))
        elif isinstance(s, (ir.Break, ir.Continue)):
            out.append(_Block(s, None, ()))
        else:
            raise QuadrantsSyntaxError(
                f"qd.simt.block.sync() cannot be used inside a {type(s).__name__} statement", s.loc
            )
    flush()
    return out


def _units(segments):
    """Every phase and block-level evaluation, in program order."""
    for seg in segments:
        if isinstance(seg, _Phase):
            yield seg
            continue
        if seg.eval is not None:
            yield seg.eval
        for part in seg.parts:
            yield from _units(part)


# ------------------------------------------------------------------------------------------------- emission


class _Emitter:
    def __init__(self, ctx, task: SimtTask, pf: ir.ParallelFor, crossing: dict):
        self.ctx, self.task, self.pf = ctx, task, pf
        self.block_dim = task.block_dim
        self.blk = ctx.new_var("simt_block", _I32)
        self.crossing = crossing  # var id -> Var
        self.lane_arrays = {
            vid: scratch_array(ctx, task, var.dtype, (task.block_dim,), f"lane_{var.name}")
            for vid, var in crossing.items()
        }
        self.flags: list[ir.Var] = []

    # ---------------------------------------------------------------------------------------------- lanes
    def _task_vars(self, t) -> list:
        """Assign the original loop variables of lane ``t`` of the current block (row-major, last axis fastest)."""
        linear = ir.OpExpr(
            Op.ADD, (ir.OpExpr(Op.MUL, (ir.LocalRef(self.blk), ir.Const(self.block_dim, _I32)), _I32), t), _I32
        )
        out, rest = [], linear
        for var, begin, end in reversed(list(zip(self.pf.vars, self.pf.begins, self.pf.ends))):
            extent = ir.OpExpr(Op.SUB, (end, begin), _I32)
            out.append(ir.Assign(var, ir.OpExpr(Op.ADD, (begin, ir.OpExpr(Op.MOD, (rest, extent), _I32)), _I32)))
            rest = ir.OpExpr(Op.FLOORDIV, (rest, extent), _I32)
        return out

    def _lane_index(self, t) -> tuple:
        return (ir.LocalRef(self.task.slot), t)

    def _restore(self, unit, t) -> list:
        out = []
        for vid in sorted((unit.used - unit.declared) & self.crossing.keys()):
            var = self.crossing[vid]
            tmp = self.ctx.new_var(f"{var.name}_in", var.dtype)
            out += [ir.Load(tmp, self.lane_arrays[vid].arg, self._lane_index(t)), ir.Assign(var, ir.LocalRef(tmp))]
        return out

    def _save(self, unit, t) -> list:
        # a crossing var only read in this phase still has its value in the scratch array
        vids = sorted((unit.declared | unit.written) & self.crossing.keys())
        return [ir.Store(self.lane_arrays[v].arg, self._lane_index(t), ir.LocalRef(self.crossing[v])) for v in vids]

    def _redeclare(self, node):
        """A crossing var is declared once per slot: its declarations in a phase become assignments."""
        if isinstance(node, tuple):
            out = []
            for s in node:
                out.extend(self._redeclare_stmt(s))
            return tuple(out)
        return node

    def _redeclare_stmt(self, s) -> list:
        changes = {a: self._redeclare(getattr(s, a)) for a in _NESTED if hasattr(s, a)}
        if changes:
            s = dataclasses.replace(s, **changes)
        var = getattr(s, "var", None) if type(s) in _DECLARES else None
        if var is None or var.id not in self.crossing or isinstance(s, ir.RangeFor):
            return [s]
        if isinstance(s, ir.Decl):
            return [ir.Assign(var, s.value, s.loc)]
        tmp = self.ctx.new_var(f"{var.name}_new", var.dtype)
        return [dataclasses.replace(s, var=tmp), ir.Assign(var, ir.LocalRef(tmp), s.loc)]

    # -------------------------------------------------------------------------------------------- segments
    def phase(self, unit: _Phase) -> ir.RangeFor:
        t = self.ctx.new_var("simt_lane", _I32)
        lane = ir.LocalRef(t)
        body = [
            *self._task_vars(lane),
            *self._restore(unit, lane),
            *self._redeclare(tuple(unit.stmts)),
            *self._save(unit, lane),
        ]
        loc = unit.stmts[0].loc if unit.stmts and hasattr(unit.stmts[0], "loc") else None
        return ir.RangeFor(t, ir.Const(0, _I32), ir.Const(self.block_dim, _I32), tuple(body), loc, simt_phase=True)

    def evaluate(self, unit: _Eval) -> list:
        zero = ir.Const(0, _I32)
        flags = tuple(self.ctx.new_var("simt_uniform", e.dtype) for e in unit.exprs)
        self.flags.extend(flags)
        unit.flags = flags
        return [
            *self._task_vars(zero),
            *self._restore(unit, zero),
            *(ir.Assign(f, e) for f, e in zip(flags, unit.exprs)),
        ]

    def segments(self, segs) -> list:
        out = []
        for seg in segs:
            if isinstance(seg, _Phase):
                out.append(self.phase(seg))
                continue
            s = seg.stmt
            if seg.eval is not None:
                out += self.evaluate(seg.eval)
            if isinstance(s, ir.If):
                then, orelse = (tuple(self.segments(p)) for p in seg.parts)
                out.append(ir.If(ir.LocalRef(seg.eval.flags[0]), then, orelse, s.loc))
            elif isinstance(s, ir.RangeFor):
                begin, end = (ir.LocalRef(f) for f in seg.eval.flags)
                out.append(ir.RangeFor(s.var, begin, end, tuple(self.segments(seg.parts[0])), s.loc))
            elif isinstance(s, ir.Loop):
                out.append(ir.Loop(tuple(self.segments(seg.parts[0])), s.loc))
            else:
                out.append(s)
        return out


def _extent_product(pf: ir.ParallelFor) -> ir.Expr:
    total = None
    for begin, end in zip(pf.begins, pf.ends):
        extent = ir.OpExpr(Op.MAX, (ir.OpExpr(Op.SUB, (end, begin), _I32), ir.Const(0, _I32)), _I32)
        total = extent if total is None else ir.OpExpr(Op.MUL, (total, extent), _I32)
    return total if total is not None else ir.Const(1, _I32)


def lower_simt_task(ctx, task: SimtTask, items: list) -> list:
    """Replace the ParallelFor of ``task`` (the last item) with its block-phase form and a size check."""
    pf = items[-1]
    segments = _segment(ctx, pf.body, in_block_loop=False)
    units = list(_units(segments))
    for unit in units:
        stmts = unit.stmts if isinstance(unit, _Phase) else unit.exprs
        _usage(tuple(stmts), unit.declared, unit.used, unit.written)
    declared_in = {}
    for k, unit in enumerate(units):
        for vid in unit.declared:
            declared_in.setdefault(vid, k)
    crossing_ids = {
        vid for k, unit in enumerate(units) for vid in unit.used if vid in declared_in and declared_in[vid] != k
    }
    all_vars: dict = {}
    _vars_of(tuple(pf.body), all_vars)
    crossing = {vid: all_vars[vid] for vid in sorted(crossing_ids) if vid in all_vars}
    em = _Emitter(ctx, task, pf, crossing)
    inner = em.segments(segments)
    B = ir.Const(task.block_dim, _I32)
    total = _extent_product(pf)
    n_blocks = ir.OpExpr(Op.FLOORDIV, (total, B), _I32)
    slots = ir.Const(SLOTS, _I32)
    zero = ir.Const(0, _I32)
    body = [
        *(ir.Decl(v, ir.Const(0, v.dtype)) for v in pf.vars),
        *(ir.Decl(v, ir.Const(0, v.dtype)) for v in crossing.values()),
        *(ir.Decl(v, ir.Const(0, v.dtype)) for v in em.flags),
        ir.Decl(em.blk, ir.LocalRef(task.slot)),
        ir.Loop(
            (
                ir.If(ir.OpExpr(Op.GE, (ir.LocalRef(em.blk), n_blocks), dtypes.u1), (ir.Break(pf.loc),), ()),
                *inner,
                ir.Assign(em.blk, ir.OpExpr(Op.ADD, (ir.LocalRef(em.blk), slots), _I32)),
            ),
            pf.loc,
        ),
    ]
    divisible = ir.OpExpr(Op.EQ, (ir.OpExpr(Op.MOD, (total, B), _I32), zero), dtypes.u1)
    check = ir.Check(
        divisible,
        "runtime",
        f"a parallel loop that uses qd.simt block features must run a multiple of block_dim={task.block_dim} "
        "iterations; pad the range or set qd.loop_config(block_dim=...) to a divisor of it",
        task.loc,
    )
    slots_used = ir.OpExpr(Op.MIN, (n_blocks, slots), _I32)
    lowered = ir.ParallelFor((task.slot,), (zero,), (slots_used,), tuple(body), pf.loc, simt_block=task.block_dim)
    return [*items[:-1], ir.SerialBlock((check,), task.loc), lowered]
