"""Reverse-mode autodiff: build the adjoint of a kernel from existing IR nodes (docs/autodiff.md).

``make_adjoint(program, grads)`` returns a new :class:`~quadrants.ir.nodes.Program` whose arguments are the primal
ones followed by one gradient ndarray per index in ``grads`` (the ``.grad`` companion of that argument, same element
type and axes). The adjoint runs the tasks of the primal in reverse order; each task becomes

1. the **hoisted declarations**: every local of the task, an adjoint local per float local, and the slots below,
   declared once at the top so that a value computed in one branch or loop body is visible where it is reversed;
2. the **forward sweep**: the primal statements again, with global writes removed (the adjoint never changes primal
   data; it reads what the forward launch left), ``v = e`` saving the old ``v`` in a slot, ``if`` saving its
   condition and ``for`` saving its bounds;
3. the **reverse sweep**: the statements in reverse order, each restoring the state from before it and adding its
   chain-rule contributions (rules in :mod:`quadrants.ir.derivatives`) to the adjoints of its operands. A load of an
   array with a gradient atomically adds the adjoint of the loaded value into the gradient; a store reads (and then
   clears) the gradient of its element; an atomic update reads it.

A serial ``for`` inside a task runs backwards: iteration ``j`` is re-run forward and then reversed. When the body
carries state from one iteration to the next (a local assigned in the body, declared before it and read there other
than by its own accumulation ``s = s + e``), the state at the start of iteration ``j`` is recomputed from the state
saved at loop entry (quadratic in the trip count, no extra memory; upstream keeps a stack instead).

What cannot be differentiated raises :class:`NotDifferentiableError` (a ``QuadrantsCompilationError`` that is also the
``RuntimeError`` upstream raises) naming the construct: ``while`` loops, ``break``/``continue``, graph kernels
(``do_while``, checkpoints), reductions into kernel-level locals, kernel-level locals assigned after their
declaration. A parallel loop that reads an array with a gradient at an element another lane writes raises upstream's
``RuntimeError`` (``QuadrantsRuntimeError``) "Cross-iteration read-after-write ...".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import replace

from quadrants.errors import QuadrantsCompilationError, QuadrantsRuntimeError
from quadrants.ir.derivatives import DERIVATIVE_RULES
from quadrants.ir.nodes import (
    ArgRef,
    Assign,
    AtomicRMW,
    Break,
    Check,
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
    Print,
    Program,
    RangeFor,
    SerialBlock,
    SetReturn,
    Shape,
    Stmt,
    Store,
    Var,
    VarAtomicRMW,
)
from quadrants.ir.ops import Op
from quadrants.ir.walk import iter_stmts, iter_tasks
from quadrants.passes.rewrite import _Mapper

__all__ = ["make_adjoint", "adjoint_name", "differentiable_args", "NotDifferentiableError"]


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


def make_adjoint(program: Program, grads: Iterable[int]) -> Program:
    """The adjoint of ``program``: gradients flow into the companions of the arguments listed in ``grads``."""
    grads = tuple(grads)
    for k in grads:
        spec = program.args[k]
        if not (isinstance(spec, NdarrayArg) and spec.dtype.is_float):
            raise ValueError(f"argument {k} of {program.name} is not a float ndarray: it has no gradient")
    grad_arg = {k: len(program.args) + i for i, k in enumerate(grads)}
    new_args = program.args + tuple(
        NdarrayArg(f"{program.args[k].name}.grad", program.args[k].dtype, program.args[k].ndim) for k in grads
    )
    ids = itertools.count(_max_var_id(program) + 1)
    # kernel vars that only their own serial block uses are ordinary locals of that block's adjoint
    kernel_vars = _shared_kernel_vars(program)
    prologue = list(_prologue(program, kernel_vars))
    # float kernel vars carry their adjoint across tasks in an adjoint kernel var (tasks add into it atomically)
    kv_adj = {v: Var(next(ids), f"{v.name}_adj", v.dtype) for v in program.kernel_vars if v in _float_vars(kernel_vars)}
    prologue += [Decl(adj, _zero(adj.dtype)) for adj in kv_adj.values()]
    items = []
    for item in reversed(program.items):
        if isinstance(item, (DoWhile, Checkpoint)):
            raise NotDifferentiableError(
                f"{_PREFIX} does not support graph kernels (qd.graph.do_while / qd.checkpoint); differentiate the "
                "kernels the graph would launch instead",
                item.loc,
            )
        if isinstance(item, ParallelFor):
            _check_cross_lane_access(program, item, grad_arg, kernel_vars)
        task = _Task(grad_arg, ids, kernel_vars, kv_adj)
        new_body = task.adjoint_body(item.body)
        if not new_body:
            continue
        if isinstance(item, ParallelFor):
            items.append(ParallelFor(item.vars, item.begins, item.ends, new_body, loc=item.loc))
        else:
            items.append(SerialBlock(new_body, loc=item.loc))
    if prologue:
        items.insert(0, SerialBlock(prologue))
    return Program(
        adjoint_name(program.name),
        new_args,
        (),
        tuple(v for v in program.kernel_vars if v in kernel_vars) + tuple(kv_adj.values()),
        tuple(items),
        debug=program.debug,
        fast_math=program.fast_math,
    )


# ------------------------------------------------------------------------------------------------------ helpers


def _max_var_id(program: Program) -> int:
    top = 0

    def see(var):
        nonlocal top
        if var is not None:
            top = max(top, var.id)

    for v in program.kernel_vars:
        see(v)
    for stmt in _all_stmts(program):
        see(getattr(stmt, "var", None))
    for item in _all_items(program.items):
        for v in getattr(item, "vars", ()):
            see(v)
    return top


def _all_items(items):
    for item in items:
        yield item
        if isinstance(item, (DoWhile, Checkpoint)):
            yield from _all_items(item.body)


_walk_stmts = iter_stmts


def _all_stmts(program: Program):
    for task in iter_tasks(program.items):
        yield from iter_stmts(task.body)


def _walk_expr(expr):
    """``expr`` and its sub-expressions (pre-order)."""
    stack = [expr]
    while stack:
        e = stack.pop()
        yield e
        if isinstance(e, OpExpr):
            stack.extend(e.args)


def _refs(expr: Expr) -> set[Var]:
    return {e.var for e in _walk_expr(expr) if isinstance(e, LocalRef)}


def _distinct(stmts: tuple[Stmt, ...]) -> tuple[Stmt, ...]:
    """A copy of ``stmts`` in which every statement is its own object (the pass keys its slots by statement
    identity, and a frontend may reuse one statement object in two places)."""
    out = []
    for s in stmts:
        changes = {f: _distinct(getattr(s, f)) for f in ("then", "orelse", "body") if hasattr(s, f)}
        out.append(replace(s, **changes))
    return tuple(out)


def _stmt_exprs(stmt: Stmt) -> list[Expr]:
    """The expressions a statement itself evaluates (not those of nested blocks)."""
    if isinstance(stmt, (Decl, Assign)):
        return [stmt.value]
    if isinstance(stmt, Load):
        return list(stmt.indices)
    if isinstance(stmt, Store):
        return [*stmt.indices, stmt.value]
    if isinstance(stmt, AtomicRMW):
        return [*stmt.indices, *stmt.operands]
    if isinstance(stmt, If):
        return [stmt.cond]
    if isinstance(stmt, RangeFor):
        return [stmt.begin, stmt.end]
    if isinstance(stmt, (Check, SetReturn)):
        return [stmt.cond if isinstance(stmt, Check) else stmt.value]
    if isinstance(stmt, VarAtomicRMW):
        return list(stmt.operands)
    if isinstance(stmt, Print):
        return [p for p in stmt.parts if not isinstance(p, str)]
    return []


def _float_vars(kernel_vars: frozenset[Var]) -> frozenset[Var]:
    """The float kernel vars (they get adjoint kernel vars)."""
    return frozenset(v for v in kernel_vars if v.dtype.is_float)


def _shared_kernel_vars(program: Program) -> frozenset[Var]:
    """The kernel vars read or written by a task other than the serial block that declares them."""
    kernel_vars = frozenset(program.kernel_vars)
    shared: set[Var] = set()
    for task in iter_tasks(program.items):
        declared = {getattr(s, "var", None) for s in task.body} if isinstance(task, SerialBlock) else set()
        used: set[Var] = set()
        for e in (*getattr(task, "begins", ()), *getattr(task, "ends", ())):
            used |= _refs(e)
        for stmt in iter_stmts(task.body):
            for e in _stmt_exprs(stmt):
                used |= _refs(e)
            if isinstance(stmt, (Assign, VarAtomicRMW)):
                used.add(stmt.var if isinstance(stmt, Assign) else stmt.target)
        shared |= (used & kernel_vars) - declared
    return frozenset(shared)


def _prologue(program: Program, kernel_vars: frozenset[Var]) -> tuple[Stmt, ...]:
    """The definitions of the kernel vars (the locals declared directly in serial code), evaluated again at the start
    of the adjoint: later tasks read them (loop bounds, values), and the adjoint never changes primal data, so they
    come out as in the forward launch. An atomic's old value is re-read from its element."""
    out: list[Stmt] = []
    for item in _all_items(program.items):
        if not isinstance(item, SerialBlock):
            continue
        for stmt in item.body:
            var = getattr(stmt, "var", None)
            if var not in kernel_vars or isinstance(stmt, (Assign, VarAtomicRMW)):
                continue
            if isinstance(stmt, AtomicRMW):
                stmt = Load(var, stmt.arg, stmt.indices, loc=stmt.loc)
            if not all(_refs(e) <= kernel_vars for e in _stmt_exprs(stmt)):
                raise NotDifferentiableError(
                    f"{_PREFIX} does not support the kernel-level variable '{var.name}' computed from other locals "
                    "of a serial block; compute it inside the loop that uses it",
                    stmt.loc,
                )
            out.append(stmt)
    for stmt in _all_stmts(program):
        if isinstance(stmt, Assign) and stmt.var in kernel_vars:
            raise NotDifferentiableError(
                f"{_PREFIX} does not support assigning the kernel-level variable '{stmt.var.name}' after its "
                "declaration; use a field or ndarray element instead",
                stmt.loc,
            )
    return tuple(out)


def _lane_dependent_vars(task: ParallelFor) -> set[Var]:
    """The locals of a parallel task whose value may differ between lanes: the loop indices, loaded values and
    what is computed from them (serial loop counters are the same on every lane)."""
    dependent = set(task.vars)
    changed = True
    while changed:
        changed = False
        for stmt in iter_stmts(task.body):
            var = getattr(stmt, "var", None)
            if var is None or var in dependent or isinstance(stmt, RangeFor):
                continue
            if isinstance(stmt, (Load, AtomicRMW, VarAtomicRMW)) or _refs(stmt.value) & dependent:
                dependent.add(var)
                changed = True
    return dependent


def _check_cross_lane_access(program: Program, task: ParallelFor, grad_arg, kernel_vars: frozenset[Var]) -> None:
    """Upstream's check for what the adjoint cannot get right: in one parallel loop, an array with a gradient that is
    written at one element and read at another by a different lane (``x[i] = x[i - 1] * 0.5``). The read value's
    adjoint would have to flow into another lane's write, which the adjoint does not do. Accesses at the same index
    (``x[i] = x[i] + d``), on disjoint uniform slices (``x[t + 1, i]`` from ``x[t, i]``) and chains along a serial
    loop inside one lane (``x[k, j + 1]`` from ``x[k, j]``) are fine."""
    reads: dict[int, list] = {}
    writes: dict[int, list] = {}
    for stmt in iter_stmts(task.body):
        if isinstance(stmt, Load) and stmt.arg in grad_arg:
            reads.setdefault(stmt.arg, []).append(stmt)
        elif isinstance(stmt, (Store, AtomicRMW)) and stmt.arg in grad_arg:
            writes.setdefault(stmt.arg, []).append(stmt)
    if not any(arg in reads for arg in writes):
        return
    lanes = {LocalRef(v) for v in task.vars}
    dependent = _lane_dependent_vars(task)

    def conflict(r, w) -> bool:
        pairs = list(zip(r.indices, w.indices, strict=False))
        if any(a == b and a in lanes for a, b in pairs):
            return False  # one axis is the lane's own index: different lanes never meet
        if any(a != b and _refs(a) <= kernel_vars and _refs(b) <= kernel_vars for a, b in pairs):
            return False  # different slices, the same on every lane
        return any(a != b and (_refs(a) | _refs(b)) & dependent for a, b in pairs)

    for arg, written in writes.items():
        for w in written:
            for r in reads.get(arg, ()):
                if conflict(r, w):
                    raise QuadrantsRuntimeError(
                        f"Cross-iteration read-after-write on the `needs_grad` global field "
                        f"`{program.args[arg].name}` at the offload-level loop body is not supported in reverse-mode "
                        "autodiff: the cross-iteration adjoint chain is not generated and the backward pass would "
                        "return wrong gradients. Restructure the kernel so that the parallel loop reads and writes "
                        "the field at the same index (in-place accumulation such as `out[i] = out[i] + x` is fine), "
                        "or read from one field and write another (double buffering)",
                        r.loc or w.loc,
                    )


def _zero(dtype) -> Const:
    if dtype.is_float:
        return Const(0.0, dtype)
    if dtype.is_bool:
        return Const(False, dtype)
    return Const(0, dtype)


def _add(a: Expr, b: Expr) -> Expr:
    return OpExpr(Op.ADD, (a, b), a.dtype)


def _accumulator_only(var: Var, body: tuple[Stmt, ...]) -> bool:
    """Whether ``var`` is only read by its own accumulations ``var = var + e`` / ``var = var - e`` in ``body`` (its
    value then influences nothing else in the body, so an iteration can be re-run without it)."""
    for stmt in _walk_stmts(body):
        if isinstance(stmt, Assign) and stmt.var == var:
            v = stmt.value
            if isinstance(v, OpExpr) and v.op in (Op.ADD, Op.SUB):
                a, b = v.args
                if a == LocalRef(var) and var not in _refs(b):
                    continue
                if v.op is Op.ADD and b == LocalRef(var) and var not in _refs(a):
                    continue
            if var in _refs(v):
                return False
            continue
        if any(var in _refs(e) for e in _stmt_exprs(stmt)):
            return False
    return True


class _Task:
    """The adjoint of one task body (a parallel loop's or a serial block's)."""

    def __init__(self, grad_arg: dict[int, int], ids, kernel_vars: frozenset[Var], kv_adj: dict[Var, Var]):
        self.grad_arg = grad_arg
        self.ids = ids
        self.kernel_vars = kernel_vars
        self.kv_adj = kv_adj  # float kernel var -> its adjoint kernel var (accumulated with atomics)
        self.hoisted: dict[Var, None] = {}  # ordered set of locals declared at the top of the task
        self.adj: dict[Var, Var] = {}  # float local -> its adjoint local
        self.slots: dict[tuple, Var] = {}  # (id of a statement, role) -> hoisted slot

    # ---------------------------------------------------------------------------------------------- locals
    def fresh(self, name: str, dtype) -> Var:
        return Var(next(self.ids), name, dtype)

    def slot(self, stmt, role: str, name: str, dtype) -> Var:
        key = (id(stmt), role)
        var = self.slots.get(key)
        if var is None:
            var = self.slots[key] = self.fresh(name, dtype)
            self.hoisted[var] = None
        return var

    def adjoint_body(self, body: tuple[Stmt, ...]) -> tuple[Stmt, ...]:
        body = _distinct(body)
        for stmt in _walk_stmts(body):
            self._check(stmt)
            var = getattr(stmt, "var", None)
            if isinstance(stmt, (Decl, Load, AtomicRMW)) and var is not None and var not in self.kernel_vars:
                self.hoisted[var] = None
                if var.dtype.is_float and not isinstance(stmt, AtomicRMW):
                    adj = self.fresh(f"{var.name}_adj", var.dtype)
                    self.adj[var] = adj
                    self.hoisted[adj] = None
        forward = self.fwd_block(body)
        reverse = self.rev_block(body)
        decls = [Decl(v, _zero(v.dtype)) for v in self.hoisted]
        return tuple(decls) + forward + reverse

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
        if isinstance(stmt, VarAtomicRMW) or (isinstance(stmt, Assign) and stmt.var in self.kernel_vars):
            raise NotDifferentiableError(
                f"{_PREFIX} does not support reductions into a local declared outside the parallel loop; accumulate "
                "into a 0-d field or ndarray element instead (loss[None] += ...)",
                stmt.loc,
            )

    def active(self, expr: Expr) -> bool:
        """Whether a gradient can flow through ``expr``: it reads a float local that has an adjoint."""
        return expr.dtype.is_float and any(
            isinstance(e, LocalRef) and (e.var in self.adj or e.var in self.kv_adj) for e in _walk_expr(expr)
        )

    # ---------------------------------------------------------------------------------------- forward sweep
    def fwd_block(self, stmts) -> tuple[Stmt, ...]:
        out: list[Stmt] = []
        for s in stmts:
            out.extend(self.fwd(s))
        return tuple(out)

    def fwd(self, s: Stmt) -> list[Stmt]:
        if getattr(s, "var", None) in self.kernel_vars:
            return []  # defined by the prologue (an assignment to a kernel var was refused)
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
        for var in self.carried(s):
            out.append(Assign(self.slot(s, ("entry", var.id), f"{var.name}_entry", var.dtype), LocalRef(var)))
        out.append(self.loop_copy(s, LocalRef(begin), LocalRef(end)))
        return out

    def loop_copy(self, s: RangeFor, begin: Expr, end: Expr) -> RangeFor:
        """``for v' in range(begin, end): <forward sweep of the body with v renamed v'>`` (a fresh loop var, so
        that the copies of a loop in the adjoint each declare their own)."""
        var = self.fresh(s.var.name, s.var.dtype)
        return RangeFor(var, begin, end, _rename(self.fwd_block(s.body), {s.var: var}), loc=s.loc)

    def carried(self, s: RangeFor) -> list[Var]:
        """Locals declared before the loop and assigned in its body (their value flows between iterations)."""
        declared = {getattr(t, "var", None) for t in _walk_stmts(s.body) if not isinstance(t, Assign)}
        seen: dict[Var, None] = {}
        for t in _walk_stmts(s.body):
            if isinstance(t, Assign) and t.var not in declared:
                seen[t.var] = None
        return list(seen)

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
        return [Decl(seed, LocalRef(adj)), Assign(adj, _zero(var.dtype))], LocalRef(seed)

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
            if s.arg not in self.grad_arg:
                return take
            return [*take, AtomicRMW(None, Op.ATOMIC_ADD, self.grad_arg[s.arg], s.indices, (seed,), loc=s.loc)]
        if isinstance(s, Store):
            return self.rev_write(s, s.value, clear=True)
        if isinstance(s, AtomicRMW):
            return self.rev_write(s, s.operands[0], clear=False) if len(s.operands) == 1 else []
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
            out.append(Store(grad, s.indices, _zero(value.dtype), loc=s.loc))
        return out + self.backprop(value, LocalRef(g))

    def rev_loop(self, s: RangeFor) -> list[Stmt]:
        begin = LocalRef(self.slot(s, "begin", "", s.begin.dtype))
        end = LocalRef(self.slot(s, "end", "", s.end.dtype))
        carried = self.carried(s)
        entry = {v: self.slot(s, ("entry", v.id), "", v.dtype) for v in carried}
        restore = [Assign(v, LocalRef(slot)) for v, slot in entry.items()]
        recompute = not all(_accumulator_only(v, s.body) for v in carried)
        it_dtype = s.var.dtype
        r = self.fresh(f"{s.var.name}_rev", it_dtype)
        j = self.fresh(s.var.name, it_dtype)
        count = OpExpr(Op.SUB, (end, begin), it_dtype)
        body: list[Stmt] = [
            Decl(j, OpExpr(Op.SUB, (OpExpr(Op.SUB, (end, Const(1, it_dtype)), it_dtype), LocalRef(r)), it_dtype))
        ]
        if recompute:  # the state at the start of iteration j: from the loop entry, iterations begin .. j-1 again
            body += restore
            body.append(self.loop_copy(s, begin, LocalRef(j)))
        body += _rename(self.fwd_block(s.body) + self.rev_block(s.body), {s.var: j})
        zero = Const(0, it_dtype)
        trips = OpExpr(Op.MAX, (count, zero), it_dtype)
        return [RangeFor(r, zero, trips, tuple(body), loc=s.loc), *restore]

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
            return [Assign(adj, _add(LocalRef(adj), seed))]
        if isinstance(expr, (Const, ArgRef, Shape)):
            return []
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


def _rename(stmts: tuple[Stmt, ...], mapping: dict[Var, Var]) -> tuple[Stmt, ...]:
    """``stmts`` with every read of a var in ``mapping`` reading its replacement."""
    refs = {v: LocalRef(w) for v, w in mapping.items()}

    def fn(e):
        return refs.get(e.var, e) if isinstance(e, LocalRef) else e

    return _Mapper(fn, None, None).block(stmts)
