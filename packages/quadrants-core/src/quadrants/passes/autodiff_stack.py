"""Reverse-mode autodiff's adstack: per-lane stacks of the values a serial loop carries between iterations.

When the body of a serial ``for`` inside a task carries state (a local assigned in the body, declared before the loop
and read in the body other than by its own accumulation), the reverse sweep needs that state at the start of every
iteration, last iteration first. The forward sweep pushes the carried locals at the start of each iteration; the
reverse sweep pops them before re-running and reversing that iteration (linear cost; without a stack the state is
recomputed from the loop entry, quadratic in the trip count).

Each (loop, local) pair has its own stack: a hidden 2-d ndarray argument of the adjoint indexed ``[lane, top]``, where
``lane`` is the linear index of the parallel loop's iteration (0 in serial code) and ``top`` a local of the task that
the loop's stacks share. The shape is decided at each launch (:func:`stack_shapes`): the task's lane count, and as
depth the ``ad_stack_size`` option of ``qd.init`` when it is set, else the loop's trip count (upstream's default
determines the size automatically too). A push past the depth raises upstream's "Adstack overflow ..." error.

A loop gets stacks only where the task's lane count is known on the host before the launch (its bounds are built from
constants, scalar arguments, ndarray shapes and kernel-level locals defined from those). When ``ad_stack_size`` is 0
the depth is the loop's trip count: computed on the host when its bounds are built like that too, else *measured*:
a sizing program (the tasks' forward sweeps, recording the largest trip count of each such loop with an atomic max)
runs before the adjoint. Any other loop is reversed by recomputation.
"""

from __future__ import annotations

from dataclasses import dataclass

from quadrants.ir import dtypes
from quadrants.ir.nodes import (
    ArgRef,
    Assign,
    AtomicRMW,
    Check,
    Const,
    Decl,
    Expr,
    Load,
    LocalRef,
    NdarrayArg,
    OpExpr,
    ParallelFor,
    RangeFor,
    Shape,
    Stmt,
    Store,
    Var,
)
from quadrants.ir.numerics import fold
from quadrants.ir.ops import Op
from quadrants.ir.walk import iter_stmts

__all__ = ["OVERFLOW", "AdStacks", "StackSpec", "LoopStack", "stack_shapes", "evaluate"]

OVERFLOW = (
    "Adstack overflow: a reverse-mode autodiff kernel pushed more elements than the adstack capacity allows. A serial "
    "loop of the kernel runs more iterations than ad_stack_size; raise ad_stack_size in qd.init (or leave it at 0 to "
    "size the stack from the loop bounds)"
)
_I32 = dtypes.i32


@dataclass(frozen=True)
class StackSpec:
    """One stack: adjoint argument ``arg`` of element type ``dtype``, shaped ``(prod(lanes), depth)`` at launch."""

    arg: int
    dtype: dtypes.DataType
    lanes: tuple[Expr, ...]  # the extent of each axis of the task (host-evaluable); () in serial code
    depth: Expr | None  # the loop's trip count (host-evaluable), or None: ad_stack_size or measured
    measured: int | None = None  # the loop's slot in the sizing program's output (its largest trip count)


@dataclass(frozen=True)
class LoopStack:
    """The stacks of one loop: the shared top-of-stack local and one stack argument per carried local."""

    top: Var
    arrays: dict[Var, int]
    measured: int | None = None  # slot of the loop's largest trip count in the sizing program (data bounds)


def _sub(a: Expr, b: Expr) -> Expr:
    return OpExpr(Op.SUB, (a, b), a.dtype)


def _as_i32(e: Expr) -> Expr:
    return e if e.dtype == _I32 else OpExpr(Op.CAST, (e,), _I32)


class AdStacks:
    """The stacks of one adjoint program: new arguments numbered from ``first_arg``; ``defs`` maps each kernel-level
    local to its definition (for host evaluation); ``size`` is the ``ad_stack_size`` option (0: from the bounds)."""

    def __init__(self, first_arg: int, defs: dict[Var, Expr], size: int, measure: bool = False):
        self.first_arg, self.defs, self.size = first_arg, defs, size
        self.measure = measure  # loops whose bounds are data are sized by a sizing launch (else recomputed)
        self.measured = 0  # how many loops the sizing launch measures
        self.args: list[NdarrayArg] = []
        self.specs: list[StackSpec] = []

    def host_expr(self, expr: Expr, local_defs: dict[Var, Expr] | None = None) -> Expr | None:
        """``expr`` with kernel-level locals (and the task's single-definition locals in ``local_defs``) replaced by
        their definitions, when the result reads only constants, scalar arguments and shapes (the host can evaluate
        it before the launch); else ``None``."""
        if isinstance(expr, (Const, ArgRef, Shape)):
            return expr
        if isinstance(expr, LocalRef):
            d = self.defs.get(expr.var)
            if d is None and local_defs is not None:
                d = local_defs.get(expr.var)
            return None if d is None else self.host_expr(d, local_defs)
        if isinstance(expr, OpExpr):
            args = [self.host_expr(a, local_defs) for a in expr.args]
            return None if any(a is None for a in args) else OpExpr(expr.op, tuple(args), expr.dtype)
        return None

    def extent(self, begin: Expr, end: Expr, local_defs: dict[Var, Expr] | None = None) -> Expr | None:
        b, e = self.host_expr(begin, local_defs), self.host_expr(end, local_defs)
        if b is None or e is None:
            return None
        return OpExpr(Op.MAX, (_sub(_as_i32(e), _as_i32(b)), Const(0, _I32)), _I32)

    def task_lanes(self, item) -> tuple[Expr, ...] | None:
        """The host-evaluable extents of a task's axes (``()`` for serial code), or ``None``."""
        if not isinstance(item, ParallelFor):
            return ()
        extents = tuple(self.extent(b, e) for b, e in zip(item.begins, item.ends, strict=True))
        return None if any(x is None for x in extents) else extents

    def loop_stack(self, loop: RangeFor, carried: list[Var], lanes, top: Var, local_defs) -> LoopStack | None:
        """New stacks for ``carried`` of ``loop`` (in a task whose extents are ``lanes``; ``local_defs``: the task's
        locals that are declared once and never assigned), or ``None`` when their depth cannot be known before the
        launch."""
        depth = self.extent(loop.begin, loop.end, local_defs)
        measured = None
        if depth is None and self.size <= 0:
            if not self.measure:
                return None
            measured, self.measured = self.measured, self.measured + 1
        arrays = {}
        for var in carried:
            arg = self.first_arg + len(self.args)
            self.args.append(NdarrayArg(f"adstack_{var.name}", var.dtype, 2))
            self.specs.append(StackSpec(arg, var.dtype, lanes, depth, measured))
            arrays[var] = arg
        return LoopStack(top, arrays, measured)


def single_definitions(body) -> dict[Var, Expr]:
    """The locals of a task body that one declaration defines and nothing assigns (the frontend keeps a loop's
    bounds in such locals): their value is their declaration's expression."""
    defs: dict[Var, Expr] = {}
    assigned: set[Var] = set()
    for stmt in iter_stmts(body):
        if isinstance(stmt, Decl):
            defs[stmt.var] = stmt.value
        elif isinstance(stmt, Assign):
            assigned.add(stmt.var)
    return {v: e for v, e in defs.items() if v not in assigned}


def lane_index(item) -> Expr:
    """The linear index of the current lane of a task (row-major over its axes; 0 in serial code)."""
    if not isinstance(item, ParallelFor):
        return Const(0, _I32)
    index: Expr | None = None
    for var, begin, end in zip(item.vars, item.begins, item.ends, strict=True):
        offset = _sub(_as_i32(LocalRef(var)), _as_i32(begin))
        if index is None:
            index = offset
        else:
            extent = _sub(_as_i32(end), _as_i32(begin))
            index = OpExpr(Op.ADD, (OpExpr(Op.MUL, (index, extent), _I32), offset), _I32)
    return index


def _slot(stack: LoopStack, arg: int, lane: Expr) -> tuple[Expr, Expr]:
    """The element ``[lane, top]`` of a stack, the depth clamped into the array: after an overflow (reported by the
    push's check) the launch must not touch memory outside it."""
    last = OpExpr(Op.SUB, (Shape(arg, 1, _I32), Const(1, _I32)), _I32)
    return (lane, OpExpr(Op.MIN, (LocalRef(stack.top), last), _I32))


def push(stack: LoopStack, lane: Expr, loc) -> list[Stmt]:
    """Save the carried locals on their stacks (one more level; overflow is an error)."""
    top = LocalRef(stack.top)
    first = next(iter(stack.arrays.values()))
    fits = OpExpr(Op.LT, (top, Shape(first, 1, _I32)), dtypes.u1)
    out: list[Stmt] = [Check(fits, "runtime", OVERFLOW, loc)]
    out += [Store(arg, _slot(stack, arg, lane), LocalRef(var), loc=loc) for var, arg in stack.arrays.items()]
    out.append(Assign(stack.top, OpExpr(Op.ADD, (top, Const(1, _I32)), _I32)))
    return out


def pop(stack: LoopStack, lane: Expr, fresh) -> list[Stmt]:
    """Restore the carried locals from the top of their stacks (one level fewer)."""
    top = LocalRef(stack.top)
    out: list[Stmt] = [Assign(stack.top, OpExpr(Op.SUB, (top, Const(1, _I32)), _I32))]
    for var, arg in stack.arrays.items():
        tmp = fresh(var.name, var.dtype)
        out += [Load(tmp, arg, _slot(stack, arg, lane)), Assign(var, LocalRef(tmp))]
    return out


def evaluate(expr: Expr, values) -> int:
    """The value of a host-evaluable expression (:meth:`AdStacks.host_expr`) for the launch ``values``."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, ArgRef):
        return values[expr.index]
    if isinstance(expr, Shape):
        return int(values[expr.arg].shape[expr.axis])
    args = [evaluate(a, values) for a in expr.args]
    return fold(expr.op, args, [a.dtype for a in expr.args], expr.dtype)


def stack_shapes(specs, values, size: int, measured=()) -> list[tuple[int, int]]:
    """The shape of each stack for one launch with launch ``values``, option ``ad_stack_size`` = ``size`` and the
    largest trip counts the sizing launch ``measured``."""
    shapes = []
    for spec in specs:
        lanes = 1
        for extent in spec.lanes:
            lanes *= int(evaluate(extent, values))
        if size > 0:
            depth = size
        elif spec.depth is not None:
            depth = int(evaluate(spec.depth, values))
        else:
            depth = int(measured[spec.measured])
        shapes.append((max(lanes, 1), max(depth, 1)))
    return shapes


def record_trips(stack: LoopStack, size_arg: int, begin: Expr, end: Expr, loc) -> Stmt:
    """The sizing program's statement for a loop with measured stacks: the largest trip count so far."""
    trips = OpExpr(Op.MAX, (_sub(_as_i32(end), _as_i32(begin)), Const(0, _I32)), _I32)
    return AtomicRMW(None, Op.ATOMIC_MAX, size_arg, (Const(stack.measured, _I32),), (trips,), loc=loc)
