"""Forward-mode autodiff: the dual program of a kernel, for ``qd.ad.FwdMode`` (docs/autodiff.md).

``make_dual(program, duals)`` returns a program that computes everything ``program`` computes and, beside every float
local ``v``, its tangent ``dv`` (a Jacobian-vector product carried forward). Its arguments are the primal ones
followed by one dual ndarray per index in ``duals`` (the ``.dual`` companion of that argument). A load of an array
with a dual reads the tangent from the dual; a store writes the tangent of the stored value into the dual; an atomic
add adds it. The control flow is kept as it is (forward mode needs no reversal), so loops of every kind, ``break``
and ``continue`` work. Tangents of operations come from the reverse-mode table (:mod:`quadrants.ir.derivatives`)
with a unit seed: ``d f(x1, .., xn) = sum_k (df/dxk) dxk``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import replace

from quadrants.ir.derivatives import DERIVATIVE_RULES, NOT_DIFFERENTIABLE
from quadrants.ir.nodes import (
    Assign,
    AtomicRMW,
    Checkpoint,
    Const,
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
    SerialBlock,
    Stmt,
    Store,
    Var,
    VarAtomicRMW,
)
from quadrants.ir.ops import Op
from quadrants.passes.autodiff import NotDifferentiableError, _max_var_id, reject_calls
from quadrants.passes.autodiff_util import walk_expr

__all__ = ["make_dual", "dual_name"]

_PREFIX = "forward-mode autodiff (qd.ad.FwdMode)"


def dual_name(name: str) -> str:
    """The dual program's name (upstream names its forward-mode kernels ``<kernel>_forward_grad``)."""
    return f"{name}_forward_grad"


def make_dual(program: Program, duals: Iterable[int]) -> Program:
    """The dual of ``program``: tangents flow from and into the companions of the arguments listed in ``duals``."""
    reject_calls(program, _PREFIX)
    duals = tuple(duals)
    for k in duals:
        spec = program.args[k]
        if not (isinstance(spec, NdarrayArg) and spec.dtype.is_float):
            raise ValueError(f"argument {k} of {program.name} is not a float ndarray: it has no dual")
    dual_arg = {k: len(program.args) + i for i, k in enumerate(duals)}
    new_args = program.args + tuple(
        NdarrayArg(f"{program.args[k].name}.dual", program.args[k].dtype, program.args[k].ndim, program.args[k].shape)
        for k in duals
    )
    builder = _Dual(dual_arg, itertools.count(_max_var_id(program) + 1), frozenset(program.kernel_vars))
    items = builder.items(program.items)
    kernel_vars = program.kernel_vars + tuple(builder.tangent[v] for v in program.kernel_vars if v in builder.tangent)
    return replace(program, name=dual_name(program.name), args=new_args, items=items, kernel_vars=kernel_vars)


def _zero(dtype) -> Const:
    return Const(0.0, dtype)


class _Dual:
    def __init__(self, dual_arg: dict[int, int], ids, kernel_vars: frozenset[Var]):
        self.dual_arg = dual_arg
        self.ids = ids
        self.kernel_vars = kernel_vars
        self.tangent: dict[Var, Var] = {}  # float local -> its tangent local

    def items(self, items) -> tuple:
        out = []
        for item in items:
            if isinstance(item, (ParallelFor, SerialBlock)):
                out.append(replace(item, body=self.block(item.body)))
            elif isinstance(item, (DoWhile, Checkpoint)):
                out.append(replace(item, body=self.items(item.body)))
            else:
                out.append(item)
        return tuple(out)

    def fresh(self, var: Var, suffix: str) -> Var:
        return Var(next(self.ids), f"{var.name}{suffix}", var.dtype)

    def block(self, stmts) -> tuple[Stmt, ...]:
        out: list[Stmt] = []
        for s in stmts:
            out.extend(self.stmt(s))
        return tuple(out)

    def declares_tangent(self, var: Var) -> Var | None:
        """A new tangent local for ``var`` (of a kernel var: a kernel var too, declared beside it)."""
        if not var.dtype.is_float:
            return None
        dv = self.tangent[var] = self.fresh(var, "_dual")
        return dv

    def stmt(self, s: Stmt) -> list[Stmt]:
        handler = _HANDLERS.get(type(s))
        return handler(self, s) if handler is not None else [s]

    def decl(self, s: Decl) -> list[Stmt]:
        dv = self.declares_tangent(s.var)
        return [s] if dv is None else [Decl(dv, self.jvp(s.value)), s]

    def assign(self, s: Assign) -> list[Stmt]:
        dv = self.tangent.get(s.var)
        return [s] if dv is None else [Assign(dv, self.jvp(s.value)), s]

    def load(self, s: Load) -> list[Stmt]:
        dv = self.declares_tangent(s.var)
        if dv is None:
            return [s]
        if s.arg in self.dual_arg and not s.stop_grad:  # qd.stop_grad: a zero tangent
            return [s, Load(dv, self.dual_arg[s.arg], s.indices, loc=s.loc)]
        return [s, Decl(dv, _zero(dv.dtype))]

    def store(self, s: Store) -> list[Stmt]:
        if s.arg in self.dual_arg and s.value.dtype.is_float:
            return [Store(self.dual_arg[s.arg], s.indices, self.jvp(s.value), loc=s.loc), s]
        return [s]

    def var_atomic(self, s: VarAtomicRMW) -> list[Stmt]:
        out: list[Stmt] = []
        if s.target in self.tangent and any(self.active(e) for e in s.operands):
            if s.op is not Op.ATOMIC_ADD:
                raise NotDifferentiableError(
                    f"{_PREFIX} supports only additions into a local declared outside the parallel loop; got "
                    f"'{s.op.value}'",
                    s.loc,
                )
            out.append(VarAtomicRMW(None, Op.ATOMIC_ADD, self.tangent[s.target], (self.jvp(s.operands[0]),)))
        out.append(s)
        dv = self.declares_tangent(s.var) if s.var is not None else None
        return out if dv is None else [*out, Decl(dv, _zero(dv.dtype))]

    def branch(self, s: If) -> list[Stmt]:
        return [replace(s, then=self.block(s.then), orelse=self.block(s.orelse))]

    def loop(self, s: RangeFor | Loop) -> list[Stmt]:
        return [replace(s, body=self.block(s.body))]

    def atomic(self, s: AtomicRMW) -> list[Stmt]:
        out: list[Stmt] = []
        if s.arg in self.dual_arg and s.operands and s.operands[0].dtype.is_float:
            if s.op is not Op.ATOMIC_ADD:
                raise NotDifferentiableError(
                    f"{_PREFIX} supports only atomic adds (+=, -=, qd.atomic_add/sub) into fields with a dual; got "
                    f"'{s.op.value}'",
                    s.loc,
                )
            out.append(AtomicRMW(None, Op.ATOMIC_ADD, self.dual_arg[s.arg], s.indices, (self.jvp(s.operands[0]),)))
        out.append(s)
        if s.var is not None:
            dv = self.declares_tangent(s.var)
            if dv is not None:
                out.append(Decl(dv, _zero(dv.dtype)))  # the old value's tangent is not tracked
        return out

    # ------------------------------------------------------------------------------------------------ tangents
    def active(self, expr: Expr) -> bool:
        if isinstance(expr, LocalRef):
            return expr.var in self.tangent
        if isinstance(expr, OpExpr) and expr.op is Op.BITCAST:
            # reinterpreted bits carry their source's dependence even through an int (bit_cast(bit_cast(x, i32) + 1,
            # f32)), so the jvp meets the bit cast and refuses it, as upstream's make_dual does
            reads = (e.var for e in walk_expr(expr) if isinstance(e, LocalRef))
            return expr.dtype.is_float and any(v in self.tangent for v in reads)
        if isinstance(expr, OpExpr):
            return expr.dtype.is_float and any(self.active(a) for a in expr.args)
        return False

    def jvp(self, expr: Expr) -> Expr:
        """The tangent of ``expr`` (an expression of its type)."""
        if not expr.dtype.is_float or not self.active(expr):
            return _zero(expr.dtype) if expr.dtype.is_float else expr
        if isinstance(expr, LocalRef):
            return LocalRef(self.tangent[expr.var])
        if expr.op in NOT_DIFFERENTIABLE:  # upstream's dual transform stops there ("Not supported.")
            raise NotDifferentiableError(f"{_PREFIX} does not support {NOT_DIFFERENTIABLE[expr.op]}")
        rule = DERIVATIVE_RULES.get(expr.op)
        if rule is None:
            raise NotDifferentiableError(f"{_PREFIX}: the operation '{expr.op.value}' has no derivative")
        partials = rule(Const(1.0, expr.dtype), expr.args, expr)
        total: Expr | None = None
        for arg, partial in zip(expr.args, partials, strict=True):
            if partial is None or not self.active(arg):
                continue
            term: Expr = OpExpr(Op.MUL, (partial, self.jvp(arg)), arg.dtype)
            if term.dtype != expr.dtype:
                term = OpExpr(Op.CAST, (term,), expr.dtype)
            total = term if total is None else OpExpr(Op.ADD, (total, term), expr.dtype)
        return total if total is not None else _zero(expr.dtype)


# statement type -> how its dual is built (other statements are kept as they are)
_HANDLERS = {
    Decl: _Dual.decl,
    Assign: _Dual.assign,
    Load: _Dual.load,
    Store: _Dual.store,
    AtomicRMW: _Dual.atomic,
    VarAtomicRMW: _Dual.var_atomic,
    If: _Dual.branch,
    RangeFor: _Dual.loop,
    Loop: _Dual.loop,
}
