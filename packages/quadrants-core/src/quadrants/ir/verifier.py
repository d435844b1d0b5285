"""The IR verifier: checks that a :class:`~quadrants.ir.nodes.Program` is well formed, or raises.

Executors and backends may assume verified IR, so the verifier runs after every pass in tests and with
``debug=True``. It checks, in one walk:

* **scoping** — every local is declared (by ``Decl``, ``Load``, ``AtomicRMW.var``, ``VarAtomicRMW.var``,
  ``ReadClock``, ``RangeFor.var`` or ``ParallelFor.vars``) in an enclosing block before it is used, or is a kernel
  var; a var declared in an ``If`` branch or a loop body is not visible after it; declaration ids are unique; kernel
  vars are declared by exactly one ``Decl`` directly in a ``SerialBlock`` body; ``ParallelFor`` bounds use arguments
  and kernel vars only; a ``VarAtomicRMW`` targets a kernel var;
* **types** — declared and assigned values match their var, op arity and operand/result types follow ``OP_INFO``,
  argument references point at arguments of the right kind and type, indices are integral and one per axis;
* **control flow and graph** — ``Break``/``Continue`` only in a serial loop of the same task, ``SetReturn`` slots,
  do_while/checkpoint flags are 0-d i32 ndarrays, checkpoint ids and do_while levels are dense in source order.

Checks are dicts keyed by node type (:data:`_EXPR_CHECKS`, :data:`_STMT_CHECKS`, :data:`_ITEM_CHECKS`) and, for op
type rules, by ``Op`` and op category.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass, field

from quadrants.ir import dtypes
from quadrants.ir.nodes import (
    ArgRef,
    Assign,
    AtomicRMW,
    Break,
    Call,
    Check,
    Checkpoint,
    Const,
    Continue,
    Decl,
    DoWhile,
    Expr,
    Function,
    If,
    Item,
    Load,
    LocalRef,
    Loop,
    NdarrayArg,
    OpExpr,
    ParallelFor,
    Print,
    Program,
    RangeFor,
    ReadClock,
    ScalarArg,
    SerialBlock,
    SetReturn,
    Shape,
    Stmt,
    Store,
    Var,
    VarAtomicRMW,
)
from quadrants.ir.ops import ATOMIC_OPS, OP_INFO, Op
from quadrants.ir.print_format import PrintSpecError, default_spec, merge_spec

__all__ = ["IRVerificationError", "verify"]


class IRVerificationError(AssertionError):
    """Internal error: the IR is malformed. This is a compiler bug, never the user's fault."""


@dataclass
class _Ctx:
    program: Program
    kernel_vars: dict[int, Var]
    scopes: list[dict[int, Var]] = field(default_factory=list)
    declared: dict[int, Var] = field(default_factory=dict)
    kernel_decls: set[int] = field(default_factory=set)
    path: list[str] = field(default_factory=list)
    loop_depth: int = 0
    serial_top: bool = False  # the statement being checked sits directly in a SerialBlock body
    in_bounds: bool = False  # checking ParallelFor bounds: only arguments and kernel vars are visible
    next_checkpoint: int = 0
    next_level: int = 0
    in_function: bool = False  # checking a Function body: no kernel vars, no SetReturn

    def fail(self, message: str) -> None:
        where = " > ".join(self.path) or "program"
        raise IRVerificationError(f"{self.program.name}: {where}: {message}")


def _v(var: Var) -> str:
    return f"%{var.id} {var.name!r}" if var.name else f"%{var.id}"


# ---------------------------------------------------------------------------------------------------------- scoping


def _declare(var: Var, ctx: _Ctx, *, by_decl: bool = False) -> None:
    if not isinstance(var, Var):
        ctx.fail(f"expected a Var, got {var!r}")
    if var.id in ctx.declared:
        ctx.fail(f"var id %{var.id} is declared twice ({_v(ctx.declared[var.id])} and {_v(var)})")
    if var.id in ctx.kernel_vars:
        if not (by_decl and ctx.serial_top):
            where = "(Decl, Load, AtomicRMW, VarAtomicRMW or ReadClock) directly in a SerialBlock body"
            ctx.fail(f"kernel var {_v(var)} must be declared {where}")
        if var != ctx.kernel_vars[var.id]:
            ctx.fail(f"kernel var {_v(var)} declared as {var.dtype}, listed as {ctx.kernel_vars[var.id].dtype}")
        ctx.kernel_decls.add(var.id)
    ctx.declared[var.id] = var
    ctx.scopes[-1][var.id] = var


def _use(var: Var, ctx: _Ctx) -> None:
    if ctx.in_function and var.id in ctx.kernel_vars:
        ctx.fail(f"Function body uses kernel var {_v(var)}; a function sees only its params and the arguments")
    known = ctx.kernel_vars.get(var.id)
    if known is None and ctx.in_bounds:
        ctx.fail(f"ParallelFor bounds use task-local var {_v(var)}; only arguments and kernel vars are allowed")
    if known is None:
        known = next((scope[var.id] for scope in reversed(ctx.scopes) if var.id in scope), None)
    if known is None:
        hint = " (its declaration is out of scope here)" if var.id in ctx.declared else ""
        ctx.fail(f"var {_v(var)} is used before it is declared{hint}")
    if known != var:
        ctx.fail(f"var {_v(var)}: {var.dtype} does not match its declaration {_v(known)}: {known.dtype}")


# ---------------------------------------------------------------------------------------------------------- exprs


def _expr(e: Expr, ctx: _Ctx) -> None:
    check = _EXPR_CHECKS.get(type(e))
    if check is None:
        ctx.fail(f"not an expression: {e!r}")
    check(e, ctx)


def _ex_const(e: Const, ctx: _Ctx) -> None:
    value, dt = e.value, e.dtype
    if dt.is_float:
        if not isinstance(value, numbers.Real):
            ctx.fail(f"constant {value!r} is not a number for {dt}")
    elif isinstance(value, float) or not isinstance(value, numbers.Integral):
        ctx.fail(f"constant {value!r} is not an integer for {dt}")
    elif not dt.min <= int(value) <= dt.max:
        ctx.fail(f"constant {value} is out of range for {dt}")


def _ex_local(e: LocalRef, ctx: _Ctx) -> None:
    _use(e.var, ctx)


def _scalar_arg(index: int, ctx: _Ctx) -> ScalarArg:
    args = ctx.program.args
    if not 0 <= index < len(args) or not isinstance(args[index], ScalarArg):
        ctx.fail(f"argument {index} is not a scalar argument")
    return args[index]


def _ndarray_arg(index: int, ctx: _Ctx, what: str) -> NdarrayArg:
    args = ctx.program.args
    if not 0 <= index < len(args) or not isinstance(args[index], NdarrayArg):
        ctx.fail(f"{what}: argument {index} is not an ndarray argument")
    return args[index]


def _ex_arg(e: ArgRef, ctx: _Ctx) -> None:
    spec = _scalar_arg(e.index, ctx)
    if spec.dtype != e.dtype:
        ctx.fail(f"ArgRef {spec.name!r} has dtype {e.dtype}, the argument is {spec.dtype}")


def _ex_shape(e: Shape, ctx: _Ctx) -> None:
    spec = _ndarray_arg(e.arg, ctx, "Shape")
    if not 0 <= e.axis < spec.ndim:
        ctx.fail(f"Shape axis {e.axis} out of range for {spec.name!r} with ndim {spec.ndim}")
    if e.dtype not in (dtypes.i32, dtypes.i64):  # i64: `qd.i64(x.shape[k])` of an axis that may pass 2^31
        ctx.fail(f"Shape has dtype {e.dtype}, expected i32 or i64")


def _ex_op(e: OpExpr, ctx: _Ctx) -> None:
    for a in e.args:
        _expr(a, ctx)
    info = OP_INFO[e.op]
    if e.op in ATOMIC_OPS:
        ctx.fail(f"atomic op {e.op.value} may only appear in an AtomicRMW statement")
    if len(e.args) != info.arity:
        ctx.fail(f"{e.op.value} takes {info.arity} operand(s), got {len(e.args)}")
    kinds = [a.dtype for a in e.args]
    if info.operands == "float" and not all(t.is_float for t in kinds):
        ctx.fail(f"{e.op.value} takes float operands, got {_types(kinds)}")
    if info.operands == "int" and not all(t.is_integral for t in kinds):
        ctx.fail(f"{e.op.value} takes integral operands, got {_types(kinds)}")
    rule = _OP_RULES.get(e.op) or _CATEGORY_RULES[info.category]
    rule(e, ctx)


def _types(ts) -> str:
    return ", ".join(str(t) for t in ts) or "none"


def _same_as_result(e: OpExpr, ctx: _Ctx) -> None:
    if any(a.dtype != e.dtype for a in e.args):
        ctx.fail(f"{e.op.value}: operands {_types(a.dtype for a in e.args)} must all be the result type {e.dtype}")


def _compare(e: OpExpr, ctx: _Ctx) -> None:
    if e.dtype != dtypes.u1:
        ctx.fail(f"comparison {e.op.value} must return u1, not {e.dtype}")
    if len({a.dtype for a in e.args}) > 1:
        ctx.fail(f"comparison {e.op.value}: operands {_types(a.dtype for a in e.args)} must share one type")


def _shift(e: OpExpr, ctx: _Ctx) -> None:
    if e.args[0].dtype != e.dtype:
        ctx.fail(f"{e.op.value}: value operand {e.args[0].dtype} must be the result type {e.dtype}")


def _select(e: OpExpr, ctx: _Ctx) -> None:
    if not e.args[0].dtype.is_integral:
        ctx.fail(f"select: condition must be integral, got {e.args[0].dtype}")
    if e.args[1].dtype != e.dtype or e.args[2].dtype != e.dtype:
        ctx.fail(f"select: branches {e.args[1].dtype}, {e.args[2].dtype} must be the result type {e.dtype}")


def _cast(e: OpExpr, ctx: _Ctx) -> None:
    pass  # any numeric conversion is defined (docs/semantics.md §5)


def _bitcast(e: OpExpr, ctx: _Ctx) -> None:
    if e.args[0].dtype.bits != e.dtype.bits:
        ctx.fail(f"bitcast from {e.args[0].dtype} to {e.dtype} changes the width")


def _bit_count(e: OpExpr, ctx: _Ctx) -> None:
    if e.dtype != dtypes.i32:
        ctx.fail(f"{e.op.value} returns i32, not {e.dtype}")


def _logical_not(e: OpExpr, ctx: _Ctx) -> None:
    if e.dtype != dtypes.u1:
        ctx.fail(f"logical_not must return u1, not {e.dtype}")


_OP_RULES: dict[Op, Callable[[OpExpr, _Ctx], None]] = {
    Op.SHL: _shift,
    Op.SHR: _shift,
    Op.SELECT: _select,
    Op.CAST: _cast,
    Op.BITCAST: _bitcast,
    Op.POPCNT: _bit_count,
    Op.CLZ: _bit_count,
    Op.FFS: _bit_count,
    Op.LOGICAL_NOT: _logical_not,
}

_CATEGORY_RULES: dict[str, Callable[[OpExpr, _Ctx], None]] = {
    "arith": _same_as_result,
    "bitwise": _same_as_result,
    "math": _same_as_result,
    "compare": _compare,
}

_EXPR_CHECKS: dict[type, Callable[[Expr, _Ctx], None]] = {
    Const: _ex_const,
    LocalRef: _ex_local,
    ArgRef: _ex_arg,
    Shape: _ex_shape,
    OpExpr: _ex_op,
}

# ------------------------------------------------------------------------------------------------------ statements


def _integral(e: Expr, ctx: _Ctx, what: str) -> None:
    _expr(e, ctx)
    if not e.dtype.is_integral:
        ctx.fail(f"{what} must be integral, got {e.dtype}")


def _element(arg: int, indices: tuple[Expr, ...], ctx: _Ctx, what: str) -> NdarrayArg:
    spec = _ndarray_arg(arg, ctx, what)
    if len(indices) != spec.ndim:
        ctx.fail(f"{what} {spec.name!r}: {len(indices)} indices for an ndarray with ndim {spec.ndim}")
    for i in indices:
        _integral(i, ctx, f"{what} index")
    return spec


def _value_matches(value: Expr, dtype, ctx: _Ctx, what: str) -> None:
    _expr(value, ctx)
    if value.dtype != dtype:
        ctx.fail(f"{what}: value has dtype {value.dtype}, expected {dtype}")


def _st_decl(s: Decl, ctx: _Ctx) -> None:
    _value_matches(s.value, s.var.dtype, ctx, f"Decl {_v(s.var)}")
    _declare(s.var, ctx, by_decl=True)


def _st_assign(s: Assign, ctx: _Ctx) -> None:
    _use(s.var, ctx)
    _value_matches(s.value, s.var.dtype, ctx, f"Assign {_v(s.var)}")


def _st_load(s: Load, ctx: _Ctx) -> None:
    spec = _element(s.arg, s.indices, ctx, "Load")
    if s.var.dtype != spec.dtype:
        ctx.fail(f"Load into {_v(s.var)}: {s.var.dtype} from {spec.name!r} of {spec.dtype}")
    _declare(s.var, ctx, by_decl=True)


def _st_store(s: Store, ctx: _Ctx) -> None:
    spec = _element(s.arg, s.indices, ctx, "Store")
    _value_matches(s.value, spec.dtype, ctx, f"Store to {spec.name!r}")


def _st_atomic(s: AtomicRMW, ctx: _Ctx) -> None:
    if s.op not in ATOMIC_OPS:
        ctx.fail(f"AtomicRMW with non-atomic op {s.op.value}")
    spec = _element(s.arg, s.indices, ctx, "AtomicRMW")
    info = OP_INFO[s.op]
    if len(s.operands) != info.arity:
        ctx.fail(f"{s.op.value} takes {info.arity} operand(s), got {len(s.operands)}")
    for o in s.operands:
        _value_matches(o, spec.dtype, ctx, f"{s.op.value} operand")
    if info.operands == "int" and not spec.dtype.is_integral:
        ctx.fail(f"{s.op.value} needs an integral ndarray, {spec.name!r} is {spec.dtype}")
    if s.var is not None:
        if s.var.dtype != spec.dtype:
            ctx.fail(f"AtomicRMW result {_v(s.var)}: {s.var.dtype}, the element type is {spec.dtype}")
        _declare(s.var, ctx, by_decl=True)


def _st_var_atomic(s: VarAtomicRMW, ctx: _Ctx) -> None:
    if s.op not in ATOMIC_OPS:
        ctx.fail(f"VarAtomicRMW with non-atomic op {s.op.value}")
    if s.target.id not in ctx.kernel_vars:
        ctx.fail(f"VarAtomicRMW target {_v(s.target)} is not a kernel var")
    _use(s.target, ctx)
    dtype = s.target.dtype
    info = OP_INFO[s.op]
    if len(s.operands) != info.arity:
        ctx.fail(f"{s.op.value} takes {info.arity} operand(s), got {len(s.operands)}")
    for o in s.operands:
        _value_matches(o, dtype, ctx, f"{s.op.value} operand")
    if info.operands == "int" and not dtype.is_integral:
        ctx.fail(f"{s.op.value} needs an integral kernel var, {_v(s.target)} is {dtype}")
    if s.var is not None:
        if s.var.dtype != dtype:
            ctx.fail(f"VarAtomicRMW result {_v(s.var)}: {s.var.dtype}, the kernel var is {dtype}")
        _declare(s.var, ctx, by_decl=True)


def _st_if(s: If, ctx: _Ctx) -> None:
    _integral(s.cond, ctx, "If condition")
    _block(s.then, ctx, "then")
    _block(s.orelse, ctx, "else")


def _st_range_for(s: RangeFor, ctx: _Ctx) -> None:
    for bound in (s.begin, s.end):
        _value_matches(bound, s.var.dtype, ctx, f"RangeFor {_v(s.var)} bound")
    if not s.var.dtype.is_integral:
        ctx.fail(f"RangeFor var {_v(s.var)} must be integral, got {s.var.dtype}")
    ctx.loop_depth += 1
    _block(s.body, ctx, "body", declares=(s.var,))
    ctx.loop_depth -= 1


def _st_loop(s: Loop, ctx: _Ctx) -> None:
    ctx.loop_depth += 1
    _block(s.body, ctx, "body")
    ctx.loop_depth -= 1


def _st_jump(s: Break | Continue, ctx: _Ctx) -> None:
    if ctx.loop_depth == 0:
        ctx.fail(f"{type(s).__name__} outside a serial loop (Loop or RangeFor) of this task")


def _st_print(s: Print, ctx: _Ctx) -> None:
    values = [p for p in s.parts if not isinstance(p, str)]
    for p in values:
        _expr(p, ctx)
    if s.specs and len(s.specs) != len(values):
        ctx.fail(f"Print has {len(s.specs)} specs for {len(values)} values")
    for spec, p in zip(s.specs, values):
        if spec == default_spec(p.dtype):
            continue
        try:
            if merge_spec(spec, p.dtype) != spec:
                ctx.fail(f"Print spec {spec!r} is not a merged spec for {p.dtype.name}")
        except PrintSpecError as exc:
            ctx.fail(f"Print spec {spec!r}: {exc}")


def _st_check(s: Check, ctx: _Ctx) -> None:
    _integral(s.cond, ctx, "Check condition")
    if s.kind not in ("assert", "runtime"):
        ctx.fail(f"Check kind {s.kind!r} is not 'assert' or 'runtime'")


def _st_read_clock(s: ReadClock, ctx: _Ctx) -> None:
    if s.var.dtype != dtypes.i64:
        ctx.fail(f"ReadClock into {_v(s.var)}: {s.var.dtype}, the clock is an i64")
    _declare(s.var, ctx, by_decl=True)


def _st_set_return(s: SetReturn, ctx: _Ctx) -> None:
    if ctx.in_function:
        ctx.fail("SetReturn in a Function body; a function returns its results")
    if not 0 <= s.index < len(ctx.program.returns):
        ctx.fail(f"SetReturn slot {s.index}, the program returns {len(ctx.program.returns)} value(s)")
    _value_matches(s.value, ctx.program.returns[s.index], ctx, f"SetReturn {s.index}")


def _st_call(s: Call, ctx: _Ctx) -> None:
    functions = ctx.program.functions
    if not 0 <= s.func < len(functions):
        ctx.fail(f"Call of function @{s.func}, the program has {len(functions)}")
    fn = functions[s.func]
    if len(s.args) != len(fn.params):
        ctx.fail(f"Call of @{s.func} {fn.name!r} passes {len(s.args)} argument(s), it has {len(fn.params)} param(s)")
    for k, (arg, param) in enumerate(zip(s.args, fn.params, strict=True)):
        _value_matches(arg, param.dtype, ctx, f"Call of @{s.func} argument {k}")
    if tuple(v.dtype for v in s.vars) != fn.returns:
        ctx.fail(f"Call of @{s.func} declares ({_types(v.dtype for v in s.vars)}), it returns ({_types(fn.returns)})")
    for var in s.vars:
        _declare(var, ctx, by_decl=True)


_STMT_CHECKS: dict[type, Callable[[Stmt, _Ctx], None]] = {
    Decl: _st_decl,
    Assign: _st_assign,
    Load: _st_load,
    Store: _st_store,
    AtomicRMW: _st_atomic,
    VarAtomicRMW: _st_var_atomic,
    If: _st_if,
    RangeFor: _st_range_for,
    Loop: _st_loop,
    Break: _st_jump,
    Continue: _st_jump,
    Print: _st_print,
    Check: _st_check,
    SetReturn: _st_set_return,
    ReadClock: _st_read_clock,
    Call: _st_call,
}


def _block(stmts: tuple[Stmt, ...], ctx: _Ctx, label: str, *, declares: tuple[Var, ...] = (), top: bool = False):
    """Check a statement block in a new scope; ``declares`` are loop vars visible in it, ``top`` marks a task body."""
    ctx.scopes.append({})
    ctx.path.append(label)
    outer_top, ctx.serial_top = ctx.serial_top, False
    for var in declares:
        _declare(var, ctx)
    _stmts(stmts, ctx, top=top)
    ctx.serial_top = outer_top
    ctx.path.pop()
    ctx.scopes.pop()


def _stmts(stmts: tuple[Stmt, ...], ctx: _Ctx, *, top: bool = False) -> None:
    """Check each statement in the scope that is open (a block's own, or a function body's kept for its results)."""
    for i, s in enumerate(stmts):
        ctx.path.append(f"{i} ({type(s).__name__})")
        check = _STMT_CHECKS.get(type(s))
        if check is None:
            ctx.fail(f"not a statement: {s!r}")
        ctx.serial_top = top
        check(s, ctx)
        ctx.serial_top = False
        ctx.path.pop()


# ----------------------------------------------------------------------------------------------------------- items


def _it_parallel_for(it: ParallelFor, ctx: _Ctx) -> None:
    if not it.vars or not len(it.vars) == len(it.begins) == len(it.ends):
        ctx.fail(f"ParallelFor needs one var, begin and end per axis: {len(it.vars)}, {len(it.begins)}, {len(it.ends)}")
    ctx.in_bounds = True
    for var, begin, end in zip(it.vars, it.begins, it.ends, strict=True):
        for bound in (begin, end):
            _value_matches(bound, var.dtype, ctx, f"ParallelFor {_v(var)} bound")
        if not var.dtype.is_integral:
            ctx.fail(f"ParallelFor var {_v(var)} must be integral, got {var.dtype}")
    ctx.in_bounds = False
    ctx.loop_depth = 0  # break/continue never cross a task boundary
    _block(it.body, ctx, "body", declares=it.vars)


def _it_serial(it: SerialBlock, ctx: _Ctx) -> None:
    ctx.loop_depth = 0
    _block(it.body, ctx, "body", top=True)


def _flag_arg(index: int, ctx: _Ctx, what: str) -> None:
    spec = _ndarray_arg(index, ctx, what)
    if spec.ndim != 0 or spec.dtype != dtypes.i32:
        ctx.fail(f"{what} {spec.name!r} must be a 0-d i32 ndarray, got ndarray[{spec.dtype}, {spec.ndim}]")


def _it_do_while(it: DoWhile, ctx: _Ctx) -> None:
    _flag_arg(it.cond_arg, ctx, "DoWhile cond")
    if it.level != ctx.next_level:
        ctx.fail(f"DoWhile level {it.level}, expected {ctx.next_level} (levels are dense in source order)")
    ctx.next_level += 1
    _items(it.body, ctx)


def _it_checkpoint(it: Checkpoint, ctx: _Ctx) -> None:
    if it.yield_on_arg != -1:
        _flag_arg(it.yield_on_arg, ctx, "Checkpoint yield_on")
    if it.id != ctx.next_checkpoint:
        ctx.fail(f"Checkpoint id {it.id}, expected {ctx.next_checkpoint} (ids are dense in source order)")
    ctx.next_checkpoint += 1
    _items(it.body, ctx)


_ITEM_CHECKS: dict[type, Callable[[Item, _Ctx], None]] = {
    ParallelFor: _it_parallel_for,
    SerialBlock: _it_serial,
    DoWhile: _it_do_while,
    Checkpoint: _it_checkpoint,
}


def _items(items: tuple[Item, ...], ctx: _Ctx) -> None:
    for i, it in enumerate(items):
        ctx.path.append(f"item {i} ({type(it).__name__})")
        check = _ITEM_CHECKS.get(type(it))
        if check is None:
            ctx.fail(f"not an item: {it!r}")
        check(it, ctx)
        ctx.path.pop()


def _function(fn: Function, ctx: _Ctx) -> None:
    """A function body: its params in scope, then the results over the locals its top-level block declared."""
    ctx.in_function, ctx.loop_depth = True, 0
    ctx.scopes.append({})
    for var in fn.params:
        _declare(var, ctx)
    ctx.scopes.append({})
    ctx.path.append("body")
    _stmts(fn.body, ctx)  # not _block: the body's top-level scope stays open for the results
    ctx.path[-1] = "results"
    for r in fn.results:
        _expr(r, ctx)
    ctx.path.pop()
    ctx.scopes.pop()
    ctx.scopes.pop()
    ctx.in_function = False


def verify(program: Program) -> None:
    """Raise :class:`IRVerificationError` naming the first problem found in ``program``; return ``None`` if valid."""
    kernel_vars: dict[int, Var] = {}
    ctx = _Ctx(program, kernel_vars)
    for var in program.kernel_vars:
        if var.id in kernel_vars:
            ctx.fail(f"kernel var id %{var.id} is listed twice")
        kernel_vars[var.id] = var
    for spec in program.args:
        if not isinstance(spec, NdarrayArg) or spec.shape is None:
            continue
        if len(spec.shape) != spec.ndim or any(not isinstance(n, int) or n < 0 for n in spec.shape):
            ctx.fail(f"ndarray argument {spec.name!r}: static shape {spec.shape} does not fit ndim {spec.ndim}")
    _items(program.items, ctx)
    for index, fn in enumerate(program.functions):
        ctx.path.append(f"function @{index} ({fn.name})")
        _function(fn, ctx)
        ctx.path.pop()
    missing = [kernel_vars[i] for i in kernel_vars if i not in ctx.kernel_decls]
    if missing:
        ctx.fail(f"kernel var {_v(missing[0])} is never declared by a Decl in a SerialBlock body")
