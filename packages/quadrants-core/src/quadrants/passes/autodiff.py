"""Reverse-mode autodiff: build the adjoint of a kernel from existing IR nodes (docs/autodiff.md).

``make_adjoint(program, grads)`` returns a new :class:`~quadrants.ir.nodes.Program` whose arguments are the primal
ones followed by one gradient ndarray per index in ``grads`` (the ``.grad`` companion of that argument, same element
type and axes) and then the adstacks (:mod:`quadrants.passes.autodiff_stack`). The adjoint first replays what the
kernel computes into kernel-level locals (their definitions, and the parallel loops that reduce into them), then runs
the tasks of the primal in reverse order; each task becomes

1. the **hoisted declarations**: every local of the task, an adjoint local per float local, and the slots below,
   declared once at the top so that a value computed in one branch or loop body is visible where it is reversed;
2. the **forward sweep**: the primal statements again, with global writes removed (the adjoint never changes primal
   data; it reads what the forward launch left), ``v = e`` saving the old ``v`` in a slot, ``if`` saving its
   condition and ``for`` saving its bounds;
3. the **reverse sweep**: the statements in reverse order, each restoring the state from before it and adding its
   chain-rule contributions (rules in :mod:`quadrants.ir.derivatives`) to the adjoints of its operands. A load of an
   array with a gradient atomically adds the adjoint of the loaded value into the gradient; a store reads (and then
   clears) the gradient of its element; an atomic update reads it; a reduction ``s += e`` into a kernel-level local
   reads the adjoint of ``s``.

A serial ``for`` inside a task runs backwards: iteration ``j`` is re-run forward and then reversed. When the body
carries state from one iteration to the next (a local assigned in the body, declared before it and read there other
than by its own accumulation ``s = s + e``), the state at the start of iteration ``j`` is popped from an adstack that
the forward sweep filled, or, where the stack cannot be sized before the launch, recomputed from the state saved at
loop entry (quadratic in the trip count).

What cannot be differentiated raises :class:`NotDifferentiableError` (a ``QuadrantsCompilationError`` that is also the
``RuntimeError`` upstream raises) naming the construct: ``while`` loops, ``break``/``continue``, graph kernels
(``do_while``, checkpoints), reductions other than ``+=``/``-=`` into kernel-level locals, kernel-level locals assigned
after their declaration. A parallel loop that reads an array with a gradient at an element another lane writes raises
upstream's ``RuntimeError`` (``QuadrantsRuntimeError``) "Cross-iteration read-after-write ...".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import replace

from quadrants.errors import QuadrantsCompilationError
from quadrants.ir.derivatives import DERIVATIVE_RULES, NOT_DIFFERENTIABLE
from quadrants.ir.dtypes import i32
from quadrants.ir.nodes import (
    ArgRef,
    Assign,
    AtomicRMW,
    Break,
    Call,
    Checkpoint,
    Const,
    Continue,
    Decl,
    DoWhile,
    Expr,
    If,
    Load,
    LocalRef,
    Loop,
    NdarrayArg,
    OpExpr,
    ParallelFor,
    Program,
    RangeFor,
    ReadClock,
    SerialBlock,
    Shape,
    Stmt,
    Store,
    Var,
    VarAtomicRMW,
)
from quadrants.ir.ops import Op
from quadrants.ir.walk import iter_stmts, iter_tasks
from quadrants.passes import autodiff_stack as adstack
from quadrants.passes.autodiff_lanes import check_cross_lane_access
from quadrants.passes.autodiff_util import (
    accumulator_only,
    add,
    all_items,
    all_stmts,
    check_nested_ranges,
    distinct,
    float_vars,
    host_defs,
    max_var_id,
    reduced,
    refs,
    rename,
    renumbered,
    shared_kernel_vars,
    stmt_exprs,
    walk_expr,
    zero,
)

__all__ = [
    "make_adjoint",
    "build_adjoint",
    "build_adjoint_plan",
    "adjoint_name",
    "differentiable_args",
    "NotDifferentiableError",
]

_max_var_id = max_var_id  # the name forward mode imports
_accumulator_only = accumulator_only  # the name the unit tests import


class NotDifferentiableError(QuadrantsCompilationError, RuntimeError):
    """A construct autodiff cannot differentiate: a located compilation error that is also the ``RuntimeError``
    upstream raises for it (its C++ transform stops with "Not supported")."""


_PREFIX = "reverse-mode autodiff (kernel.grad / qd.ad.Tape)"


def adjoint_name(name: str) -> str:
    """The adjoint program's name (upstream names its grad kernels ``<kernel>_reverse_grad``)."""
    return f"{name}_reverse_grad"


def differentiable_args(program: Program) -> tuple[int, ...]:
    """Indices of the arguments that can have a gradient companion: float ndarrays."""
    return tuple(k for k, a in enumerate(program.args) if isinstance(a, NdarrayArg) and a.dtype.is_float)


def make_adjoint(program: Program, grads: Iterable[int], ad_stack_size: int = 0) -> Program:
    """The adjoint of ``program``: gradients flow into the companions of the arguments listed in ``grads``."""
    return build_adjoint(program, grads, ad_stack_size)[0]


def build_adjoint(
    program: Program, grads: Iterable[int], ad_stack_size: int = 0, loops: bool = True
) -> tuple[Program, tuple[adstack.StackSpec, ...]]:
    """The adjoint of ``program`` and the specs of its adstack arguments (the launch allocates them,
    :func:`quadrants.passes.autodiff_stack.stack_shapes`); ``ad_stack_size`` is ``qd.init``'s option (0: each stack
    as deep as its loop's trip count; loops whose trip count is data are recomputed); ``loops=False``
    (``qd.init(ad_stack_experimental_enabled=False)``, upstream's default) refuses a run-time ``range`` loop nested
    in a loop, as upstream does."""
    adjoint, specs, _ = _build(program, grads, ad_stack_size, loops, measure=False)
    return adjoint, specs


def build_adjoint_plan(
    program: Program, grads: Iterable[int], ad_stack_size: int = 0, loops: bool = True
) -> tuple[Program, tuple[adstack.StackSpec, ...], Program | None]:
    """:func:`build_adjoint`, where loops whose trip count is data get stacks too, sized by the returned *sizing
    program* (``None`` when no loop needs one): the primal arguments and an i32 array with one slot per such loop,
    into which the tasks' forward sweeps write each loop's largest trip count (atomic max; the array starts at 0)."""
    return _build(program, grads, ad_stack_size, loops, measure=True)


def reject_calls(program: Program, prefix: str) -> None:
    """A program that calls a function (a recursive ``@qd.real_func``) has no derivative here, as upstream, whose
    gradient kernels refuse real funcs: the error points at the first call."""
    for task in iter_tasks(program.items):
        for s in iter_stmts(task.body):
            if isinstance(s, Call):
                raise NotDifferentiableError(
                    f"{prefix} does not support a recursive @qd.real_func ('{program.functions[s.func].name}'); "
                    "compute the recursion in a kernel without gradients, or write it as a loop",
                    s.loc,
                )


def _build(program: Program, grads, ad_stack_size: int, loops: bool, measure: bool):
    reject_calls(program, _PREFIX)
    grads = tuple(grads)
    for k in grads:
        spec = program.args[k]
        if not (isinstance(spec, NdarrayArg) and spec.dtype.is_float):
            raise ValueError(f"argument {k} of {program.name} is not a float ndarray: it has no gradient")
    grad_arg = {k: len(program.args) + i for i, k in enumerate(grads)}
    # a field's gradient has the field's shape: the static shape travels with it (constant strides, docs/ir.md)
    new_args = program.args + tuple(
        NdarrayArg(f"{spec.name}.grad", spec.dtype, spec.ndim, spec.shape) for spec in (program.args[k] for k in grads)
    )
    ids = itertools.count(max_var_id(program) + 1)
    # kernel vars that only their own serial block uses are ordinary locals of that block's adjoint
    kernel_vars = shared_kernel_vars(program)
    # float kernel vars carry their adjoint across tasks in an adjoint kernel var (tasks add into it atomically)
    kv_adj = {v: Var(next(ids), f"{v.name}_adj", v.dtype) for v in program.kernel_vars if v in float_vars(kernel_vars)}
    stacks = adstack.AdStacks(len(new_args), host_defs(program, kernel_vars), ad_stack_size, measure)
    replay = _replay(program, kernel_vars, grad_arg, ids, kv_adj)
    replay.insert(0, SerialBlock(tuple(Decl(adj, zero(adj.dtype)) for adj in kv_adj.values())))
    items, sizing = [], []
    for item in reversed(program.items):
        if isinstance(item, (DoWhile, Checkpoint)):
            raise NotDifferentiableError(
                f"{_PREFIX} does not support graph kernels (qd.graph.do_while / qd.checkpoint); differentiate the "
                "kernels the graph would launch instead",
                item.loc,
            )
        if isinstance(item, ParallelFor):
            check_cross_lane_access(program, item, grad_arg, kernel_vars)
        if not loops:
            check_nested_ranges(item)
        task = _Task(grad_arg, ids, kernel_vars, kv_adj, stacks, item)
        new_body = task.adjoint_body(item.body)
        sizing_body = task.sizing_body(len(program.args))
        if sizing_body:
            sizing.insert(0, _like(item, sizing_body))
        if not new_body:
            continue
        if isinstance(item, ParallelFor):
            items.append(ParallelFor(item.vars, item.begins, item.ends, new_body, loc=item.loc))
        else:
            items.append(SerialBlock(new_body, loc=item.loc))
    replay = [r for r in replay if r.body]
    kernel_var_decls = tuple(v for v in program.kernel_vars if v in kernel_vars) + tuple(kv_adj.values())
    adjoint = Program(
        adjoint_name(program.name),
        new_args + tuple(stacks.args),
        (),
        kernel_var_decls,
        tuple(replay + items),
        debug=program.debug,
        fast_math=program.fast_math,
    )
    sizing_program = None
    if sizing:
        sizing_program = Program(
            f"{program.name}_adstack_sizing",
            (*program.args, NdarrayArg("adstack_trips", i32, 1)),
            (),
            kernel_var_decls,
            tuple(replay + sizing),
            debug=program.debug,
            fast_math=program.fast_math,
        )
    return adjoint, tuple(stacks.specs), sizing_program


def _like(item, body):
    """A task like ``item`` (same loop, or serial) with another body."""
    if isinstance(item, ParallelFor):
        return ParallelFor(item.vars, item.begins, item.ends, body, loc=item.loc)
    return SerialBlock(body, loc=item.loc)


# ------------------------------------------------------------------------------------------------------ helpers


def _replay(program: Program, kernel_vars: frozenset[Var], grad_arg, ids, kv_adj) -> list:
    """The items that compute the kernel vars again at the start of the adjoint, in the primal's order: the
    definitions from serial code, and a forward-only copy of each parallel loop that reduces into one. Later tasks
    read them (loop bounds, values) and the adjoint never changes primal data, so they come out as in the forward
    launch. An atomic's old value is re-read from its element."""
    out: list = []
    for item in all_items(program.items):
        if isinstance(item, ParallelFor) and reduced(item):
            task = _Task(grad_arg, ids, kernel_vars, kv_adj, None, item, replay=True)
            copy = ParallelFor(item.vars, item.begins, item.ends, task.replay_body(item.body), loc=item.loc)
            out.append(renumbered(copy, ids))
        if not isinstance(item, SerialBlock):
            continue
        defs: list[Stmt] = []
        for stmt in item.body:
            var = getattr(stmt, "var", None)
            if var not in kernel_vars or isinstance(stmt, (Assign, VarAtomicRMW)):
                continue
            if isinstance(stmt, AtomicRMW):
                stmt = Load(var, stmt.arg, stmt.indices, loc=stmt.loc)
            if not all(refs(e) <= kernel_vars for e in stmt_exprs(stmt)):
                raise NotDifferentiableError(
                    f"{_PREFIX} does not support the kernel-level variable '{var.name}' computed from other locals "
                    "of a serial block; compute it inside the loop that uses it",
                    stmt.loc,
                )
            defs.append(stmt)
        out.append(SerialBlock(tuple(defs)))
    for stmt in all_stmts(program):
        if isinstance(stmt, Assign) and stmt.var in kernel_vars:
            raise NotDifferentiableError(
                f"{_PREFIX} does not support assigning the kernel-level variable '{stmt.var.name}' after its "
                "declaration; accumulate into it with += in a parallel loop, or use a field or ndarray element",
                stmt.loc,
            )
    return out


class _Task:
    """The adjoint of one task body (a parallel loop's or a serial block's); with ``replay``, the forward-only copy
    that recomputes the kernel vars a parallel loop reduces into."""

    def __init__(self, grad_arg, ids, kernel_vars, kv_adj, stacks, item, replay: bool = False):
        self.grad_arg = grad_arg
        self.ids = ids
        self.kernel_vars = kernel_vars
        self.kv_adj = kv_adj  # float kernel var -> its adjoint kernel var (accumulated with atomics)
        self.stacks = stacks  # the program's adstacks (None: recompute every loop)
        self.lanes = stacks.task_lanes(item) if stacks is not None else None
        self.lane = adstack.lane_index(item)
        self.local_defs = adstack.single_definitions(item.body) if stacks is not None else {}
        self.replay = replay
        self.pushing = not replay  # whether a loop's forward sweep generated now fills its stack
        self.sizing: int | None = None  # while building the sizing body: the argument of the trip counts
        self.body: tuple[Stmt, ...] = ()
        self.hoisted: dict[Var, None] = {}  # ordered set of locals declared at the top of the task
        self.adj: dict[Var, Var] = {}  # float local -> its adjoint local
        self.slots: dict[tuple, Var] = {}  # (id of a statement, role) -> hoisted slot
        self.loop_stacks: dict[int, adstack.LoopStack | None] = {}

    # ---------------------------------------------------------------------------------------------- locals
    def fresh(self, name: str, dtype) -> Var:
        return Var(next(self.ids), name, dtype)

    def slot(self, stmt, role, name: str, dtype) -> Var:
        key = (id(stmt), role)
        var = self.slots.get(key)
        if var is None:
            var = self.slots[key] = self.fresh(name, dtype)
            self.hoisted[var] = None
        return var

    def declare(self, body: tuple[Stmt, ...]) -> None:
        for stmt in iter_stmts(body):
            self._check(stmt)
            var = getattr(stmt, "var", None)
            if isinstance(stmt, (Decl, Load, AtomicRMW, VarAtomicRMW, ReadClock)) and var is not None:
                if var in self.kernel_vars:
                    continue
                self.hoisted[var] = None
                if var.dtype.is_float and isinstance(stmt, (Decl, Load)) and not self.replay:
                    adj = self.fresh(f"{var.name}_adj", var.dtype)
                    self.adj[var] = adj
                    self.hoisted[adj] = None

    def adjoint_body(self, body: tuple[Stmt, ...]) -> tuple[Stmt, ...]:
        body = self.body = distinct(body)
        self.declare(body)
        forward = self.fwd_block(body)
        reverse = self.rev_block(body)
        decls = [Decl(v, zero(v.dtype)) for v in self.hoisted]
        return tuple(decls) + forward + reverse

    def sizing_body(self, trips_arg: int) -> tuple[Stmt, ...]:
        """The forward sweep of the task (after :meth:`adjoint_body`) recording the largest trip count of each of
        its loops with measured stacks into ``trips_arg``; ``()`` when it has none."""
        if not any(st is not None and st.measured is not None for st in self.loop_stacks.values()):
            return ()
        self.sizing, self.pushing = trips_arg, False
        forward = self.fwd_block(self.body)
        self.sizing, self.pushing = None, True
        return tuple(Decl(v, zero(v.dtype)) for v in self.hoisted) + forward

    def replay_body(self, body: tuple[Stmt, ...]) -> tuple[Stmt, ...]:
        body = distinct(body)
        self.declare(body)
        forward = self.fwd_block(body)
        return tuple(Decl(v, zero(v.dtype)) for v in self.hoisted) + forward

    def _check(self, stmt) -> None:
        if isinstance(stmt, Loop):
            raise NotDifferentiableError(
                f"{_PREFIX} does not support while loops; use a for loop over a range", stmt.loc
            )
        if isinstance(stmt, (Break, Continue)):
            word = "break" if isinstance(stmt, Break) else "continue"
            raise NotDifferentiableError(
                f"{_PREFIX} does not support '{word}' in a loop; use an if statement over the loop body", stmt.loc
            )
        if isinstance(stmt, VarAtomicRMW) and (
            stmt.target not in self.kernel_vars or (stmt.target.dtype.is_float and stmt.op is not Op.ATOMIC_ADD)
        ):
            raise NotDifferentiableError(
                f"{_PREFIX} supports only '+=' / '-=' reductions into the kernel-level variable "
                f"'{stmt.target.name}' (here: {stmt.op.value}); reduce into a 0-d field or ndarray element instead",
                stmt.loc,
            )

    def active(self, expr: Expr) -> bool:
        """Whether a gradient can flow through ``expr``: it reads a float local that has an adjoint."""
        return expr.dtype.is_float and any(
            isinstance(e, LocalRef) and (e.var in self.adj or e.var in self.kv_adj) for e in walk_expr(expr)
        )

    # ---------------------------------------------------------------------------------------- forward sweep
    def fwd_block(self, stmts) -> tuple[Stmt, ...]:
        out: list[Stmt] = []
        for s in stmts:
            out.extend(self.fwd(s))
        return tuple(out)

    def fwd(self, s: Stmt) -> list[Stmt]:
        if isinstance(s, VarAtomicRMW):
            if self.replay:  # the replay computes the reduction; the adjoint's sweep must not add it again
                if s.var is None:
                    return [s]
                # the old value's local is hoisted (declared at the body's top): the atomic declares a fresh one
                old = self.fresh(s.var.name, s.var.dtype)
                return [replace(s, var=old), Assign(s.var, LocalRef(old))]
            return [Assign(s.var, LocalRef(s.target))] if s.var is not None else []
        if getattr(s, "var", None) in self.kernel_vars:
            return []  # defined by the replay (an assignment to a kernel var was refused)
        if isinstance(s, Decl):
            return [Assign(s.var, s.value, loc=s.loc)]
        if isinstance(s, Assign):
            save = self.slot(s, "save", f"{s.var.name}_saved", s.var.dtype)
            return [Assign(save, LocalRef(s.var)), Assign(s.var, s.value, loc=s.loc)]
        if isinstance(s, Load) or (isinstance(s, AtomicRMW) and s.var is not None):
            # the primal value; an atomic's old value is approximated by the element's current value (upstream
            # drops atomics from the adjoint)
            tmp = self.fresh(s.var.name, s.var.dtype)
            return [Load(tmp, s.arg, s.indices, loc=s.loc), Assign(s.var, LocalRef(tmp))]
        if isinstance(s, ReadClock):  # the var is hoisted (declared at the body's top): read into a fresh one
            tmp = self.fresh(s.var.name, s.var.dtype)
            return [ReadClock(tmp, loc=s.loc), Assign(s.var, LocalRef(tmp))]
        if isinstance(s, If):
            cond = self.slot(s, "cond", "cond", s.cond.dtype)
            then, orelse = self.fwd_block(s.then), self.fwd_block(s.orelse)
            return [Assign(cond, s.cond), If(LocalRef(cond), then, orelse, loc=s.loc)]
        if isinstance(s, RangeFor):
            return self.fwd_loop(s)
        return []  # stores, atomics without a result, prints, checks, returns: no effect in the adjoint

    def fwd_loop(self, s: RangeFor) -> list[Stmt]:
        begin = self.slot(s, "begin", "begin", s.begin.dtype)
        end = self.slot(s, "end", "end", s.end.dtype)
        out: list[Stmt] = [Assign(begin, s.begin), Assign(end, s.end)]
        stack = self.loop_stacks.get(id(s)) if self.sizing is not None else None
        if stack is not None and stack.measured is not None:
            out.append(adstack.record_trips(stack, self.sizing, LocalRef(begin), LocalRef(end), s.loc))
        for var in self.carried(s):
            out.append(Assign(self.slot(s, ("entry", var.id), f"{var.name}_entry", var.dtype), LocalRef(var)))
        out.append(self.loop_copy(s, LocalRef(begin), LocalRef(end), push=self.pushing))
        return out

    def loop_copy(self, s: RangeFor, begin: Expr, end: Expr, push: bool) -> RangeFor:
        """``for v' in range(begin, end): <forward sweep of the body with v renamed v'>`` (a fresh loop var, so
        that the copies of a loop in the adjoint each declare their own). With ``push``, each iteration first saves
        the carried state on the loop's adstack; loops nested in the copy never do (their reverse sweeps run inside
        this loop's reverse, which re-runs each iteration forward)."""
        var = self.fresh(s.var.name, s.var.dtype)
        stack = self.stack_of(s) if push else None
        pushing, self.pushing = self.pushing, False
        body = self.fwd_block(s.body)
        self.pushing = pushing
        if stack is not None:
            body = tuple(adstack.push(stack, self.lane, s.loc)) + body
        return RangeFor(var, begin, end, rename(body, {s.var: var}), loc=s.loc)

    def carried(self, s: RangeFor) -> list[Var]:
        """Locals declared before the loop and assigned in its body (their value flows between iterations)."""
        declared = {getattr(t, "var", None) for t in iter_stmts(s.body) if not isinstance(t, Assign)}
        seen: dict[Var, None] = {}
        for t in iter_stmts(s.body):
            if isinstance(t, Assign) and t.var not in declared:
                seen[t.var] = None
        return list(seen)

    def needs_state(self, s: RangeFor) -> bool:
        """Whether reversing iteration ``j`` needs the carried state at its start (not only accumulators)."""
        return not all(accumulator_only(v, s.body) for v in self.carried(s))

    def stack_of(self, s: RangeFor) -> adstack.LoopStack | None:
        """The adstacks of ``s`` (made on first use), or ``None``: no state to keep or not sizable before launch."""
        if id(s) not in self.loop_stacks:
            found = None
            if self.lanes is not None and not self.replay and self.needs_state(s):
                top = self.slot(s, "top", "adstack_top", i32)
                found = self.stacks.loop_stack(s, self.carried(s), self.lanes, top, self.local_defs)
            self.loop_stacks[id(s)] = found
        return self.loop_stacks[id(s)]

    # ---------------------------------------------------------------------------------------- reverse sweep
    def rev_block(self, stmts) -> tuple[Stmt, ...]:
        out: list[Stmt] = []
        for s in reversed(stmts):
            out.extend(self.rev(s))
        return tuple(out)

    def has_adjoint(self, var: Var) -> bool:
        return var in self.adj or var in self.kv_adj

    def take_adjoint(self, var: Var) -> tuple[list[Stmt], Expr]:
        """Read and clear the adjoint of ``var`` (it is about to be overwritten or declared)."""
        adj = self.adj.get(var) or self.kv_adj[var]
        seed = self.fresh(f"{var.name}_seed", var.dtype)
        return [Decl(seed, LocalRef(adj)), Assign(adj, zero(var.dtype))], LocalRef(seed)

    def rev(self, s: Stmt) -> list[Stmt]:
        if isinstance(s, (Decl, Assign)):
            out: list[Stmt] = []
            if isinstance(s, Assign):
                out.append(Assign(s.var, LocalRef(self.slot(s, "save", "", s.var.dtype))))
            if self.has_adjoint(s.var):
                take, seed = self.take_adjoint(s.var)
                out += take + self.backprop(s.value, seed)
            return out
        if isinstance(s, Load):
            if not self.has_adjoint(s.var):
                return []
            take, seed = self.take_adjoint(s.var)
            if s.arg not in self.grad_arg or s.stop_grad:  # qd.stop_grad: the adjoint ends here
                return take
            return [*take, AtomicRMW(None, Op.ATOMIC_ADD, self.grad_arg[s.arg], s.indices, (seed,), loc=s.loc)]
        if isinstance(s, Store):
            return self.rev_write(s, s.value, clear=True)
        if isinstance(s, AtomicRMW):
            return self.rev_write(s, s.operands[0], clear=False) if len(s.operands) == 1 else []
        if isinstance(s, VarAtomicRMW):
            # s += e: the adjoint of e is the adjoint of s (read, not cleared: s keeps its other contributions)
            if s.target not in self.kv_adj:
                return []
            return self.backprop(s.operands[0], LocalRef(self.kv_adj[s.target]))
        if isinstance(s, If):
            cond = self.slot(s, "cond", "", s.cond.dtype)
            then, orelse = self.rev_block(s.then), self.rev_block(s.orelse)
            return [If(LocalRef(cond), then, orelse, loc=s.loc)] if then or orelse else []
        if isinstance(s, RangeFor):
            return self.rev_loop(s)
        return []

    def rev_write(self, s, value: Expr, clear: bool) -> list[Stmt]:
        """A store or atomic update of ``arg[indices]``: its value's adjoint is the element's gradient (upstream
        treats every atomic op like an add here)."""
        if s.arg not in self.grad_arg or not value.dtype.is_float:
            return []
        grad = self.grad_arg[s.arg]
        g = self.fresh("grad_elem", value.dtype)
        out: list[Stmt] = [Load(g, grad, s.indices, loc=s.loc)]
        if clear:  # the stored value replaced the old one: the old value's gradient is zero from here back
            out.append(Store(grad, s.indices, zero(value.dtype), loc=s.loc))
        return out + self.backprop(value, LocalRef(g))

    def rev_loop(self, s: RangeFor) -> list[Stmt]:
        begin = LocalRef(self.slot(s, "begin", "", s.begin.dtype))
        end = LocalRef(self.slot(s, "end", "", s.end.dtype))
        carried = self.carried(s)
        entry = {v: self.slot(s, ("entry", v.id), "", v.dtype) for v in carried}
        restore = [Assign(v, LocalRef(slot)) for v, slot in entry.items()]
        it_dtype = s.var.dtype
        r = self.fresh(f"{s.var.name}_rev", it_dtype)
        j = self.fresh(s.var.name, it_dtype)
        count = OpExpr(Op.SUB, (end, begin), it_dtype)
        body: list[Stmt] = [
            Decl(j, OpExpr(Op.SUB, (OpExpr(Op.SUB, (end, Const(1, it_dtype)), it_dtype), LocalRef(r)), it_dtype))
        ]
        stack = self.stack_of(s)
        if stack is not None:  # the state at the start of iteration j: the top of the adstack
            body += adstack.pop(stack, self.lane, self.fresh)
        elif self.needs_state(s):  # ... else from the loop entry, iterations begin .. j-1 again
            body += restore
            body.append(self.loop_copy(s, begin, LocalRef(j), push=False))
        pushing, self.pushing = self.pushing, True
        forward = self.fwd_block(s.body)
        self.pushing = pushing
        body += rename(forward + self.rev_block(s.body), {s.var: j})
        zero_it = Const(0, it_dtype)
        trips = OpExpr(Op.MAX, (count, zero_it), it_dtype)
        return [RangeFor(r, zero_it, trips, tuple(body), loc=s.loc), *restore]

    # ------------------------------------------------------------------------------------------- chain rule
    def backprop(self, expr: Expr, seed: Expr) -> list[Stmt]:
        """Statements adding ``seed * d expr / d x`` to the adjoint of every local ``x`` that ``expr`` reads."""
        if not self.active(expr):
            return []
        if isinstance(expr, LocalRef):
            adj = self.adj.get(expr.var) or self.kv_adj[expr.var]
            if seed.dtype != adj.dtype:
                seed = OpExpr(Op.CAST, (seed,), adj.dtype)
            if expr.var in self.kv_adj:  # a kernel var: every lane of a parallel task may add to its adjoint
                return [VarAtomicRMW(None, Op.ATOMIC_ADD, adj, (seed,))]
            return [Assign(adj, add(LocalRef(adj), seed))]
        if isinstance(expr, (Const, ArgRef, Shape)):
            return []
        if expr.op in NOT_DIFFERENTIABLE:  # upstream's adjoint stops there ("Not supported.")
            raise NotDifferentiableError(f"{_PREFIX} does not support {NOT_DIFFERENTIABLE[expr.op]}")
        rule = DERIVATIVE_RULES.get(expr.op)
        if rule is None:
            raise NotDifferentiableError(f"{_PREFIX}: the operation '{expr.op.value}' has no derivative")
        out: list[Stmt] = []
        for arg, contribution in zip(expr.args, rule(seed, expr.args, expr), strict=True):
            if contribution is None or not self.active(arg):
                continue
            if isinstance(arg, LocalRef):
                out += self.backprop(arg, contribution)
                continue
            t = self.fresh("partial", contribution.dtype)
            out.append(Decl(t, contribution))
            out += self.backprop(arg, LocalRef(t))
        return out
