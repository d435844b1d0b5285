"""The canonical text form of the IR: deterministic, readable, used for golden tests, cache keys and bug reports.

One line per statement, two spaces of indentation per block. Locals print as ``%<id>``, with their name and type
where they are declared (``%1 xi: f32``). Constants print as ``<dtype> <value>``; floats use ``repr`` of the Python
float so the text round-trips exactly (``f32 0.1``, ``f64 inf``, ``f32 nan``). Ops print by ``Op.value``; an
operation whose result type is not the one its operands imply gets a ``: <dtype>`` suffix, so two different programs
never print the same text. Source locations are never printed (moving code must not change the text) unless
``with_locs=True``, which appends ``  # line N`` to statements and items that carry a location.

Dispatch is table driven: :data:`_EXPR_FORMATTERS`, :data:`_STMT_FORMATTERS` and :data:`_ITEM_FORMATTERS` are keyed
by node type; :data:`_OP_SPELLINGS` is keyed by :class:`~quadrants.ir.ops.Op` for the few ops with a special spelling.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from quadrants.ir import dtypes
from quadrants.ir.dtypes import DataType
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
    SrcLoc,
    Stmt,
    Store,
    Var,
    VarAtomicRMW,
)
from quadrants.ir.ops import OP_INFO, Op

__all__ = ["format_const", "format_expr", "format_item", "format_program", "format_stmt", "format_var"]

_INDENT = "  "


@dataclass
class _Ctx:
    """What a formatter needs besides the node: the program (for argument names) and the output lines."""

    program: Program | None
    with_locs: bool
    lines: list[str] = field(default_factory=list)

    def emit(self, depth: int, text: str, loc: SrcLoc | None = None) -> None:
        suffix = f"  # line {loc.line}" if self.with_locs and loc is not None else ""
        self.lines.append(f"{_INDENT * depth}{text}{suffix}")

    def arg_name(self, index: int) -> str:
        args = self.program.args if self.program is not None else ()
        return args[index].name if 0 <= index < len(args) else f"#{index}"


# ---------------------------------------------------------------------------------------------------------- exprs


def format_var(var: Var) -> str:
    """A local at its declaration: ``%<id> <name>: <dtype>`` (``%<id>: <dtype>`` when it has no name)."""
    name = f" {var.name}" if var.name else ""
    return f"%{var.id}{name}: {var.dtype}"


def format_const(value: int | float | bool, dtype: DataType) -> str:
    """A constant as ``<dtype> <value>``; floats via ``repr`` so the text round-trips (``inf``/``nan`` spelled out)."""
    if dtype.is_float:
        number = float(value)
        text = "nan" if math.isnan(number) else repr(number)  # a NaN's sign and payload are not observable
    elif dtype.is_bool and not isinstance(value, float) and value in (0, 1):
        text = "true" if value else "false"  # True and 1 are the same constant, so they print the same
    elif isinstance(value, float):
        text = repr(value)  # invalid IR (float value in an integer constant): still print it faithfully
    else:
        text = str(int(value))
    return f"{dtype} {text}"


def _fmt_const(e: Const, ctx: _Ctx) -> str:
    return format_const(e.value, e.dtype)


def _fmt_local(e: LocalRef, ctx: _Ctx) -> str:
    return f"%{e.var.id}"


def _fmt_arg(e: ArgRef, ctx: _Ctx) -> str:
    text = f"arg {ctx.arg_name(e.index)}"
    declared = _arg_at(ctx.program, e.index)
    if not isinstance(declared, ScalarArg) or declared.dtype != e.dtype:
        text += f": {e.dtype}"
    return text


def _fmt_shape(e: Shape, ctx: _Ctx) -> str:
    text = f"shape({ctx.arg_name(e.arg)}, {e.axis})"
    return text if e.dtype == dtypes.i32 else f"{text}: {e.dtype}"


def _implied_dtype(e: OpExpr) -> DataType | None:
    """The result type an op's operands imply in valid IR; ``None`` when the op's result is always explicit."""
    info = OP_INFO[e.op]
    if e.op in (Op.POPCNT, Op.CLZ, Op.FFS):
        return dtypes.i32
    if info.category == "compare":
        return dtypes.u1
    if e.op == Op.SELECT:
        return e.args[1].dtype if len(e.args) > 1 else None
    return e.args[0].dtype if e.args else None


def _fmt_op_generic(e: OpExpr, ctx: _Ctx) -> str:
    text = f"{e.op.value}({', '.join(_expr(a, ctx) for a in e.args)})"
    return text if _implied_dtype(e) == e.dtype else f"{text}: {e.dtype}"


def _fmt_op_convert(e: OpExpr, ctx: _Ctx) -> str:
    """``cast<f32>(x)`` / ``bitcast<u32>(x)``: the target type is the whole point of the op."""
    return f"{e.op.value}<{e.dtype}>({', '.join(_expr(a, ctx) for a in e.args)})"


def _fmt_op(e: OpExpr, ctx: _Ctx) -> str:
    return _OP_SPELLINGS.get(e.op, _fmt_op_generic)(e, ctx)


_OP_SPELLINGS: dict[Op, Callable[[OpExpr, _Ctx], str]] = {
    Op.CAST: _fmt_op_convert,
    Op.BITCAST: _fmt_op_convert,
}

_EXPR_FORMATTERS: dict[type, Callable[[Expr, _Ctx], str]] = {
    Const: _fmt_const,
    LocalRef: _fmt_local,
    ArgRef: _fmt_arg,
    Shape: _fmt_shape,
    OpExpr: _fmt_op,
}


def _expr(e: Expr, ctx: _Ctx) -> str:
    try:
        formatter = _EXPR_FORMATTERS[type(e)]
    except KeyError:
        raise TypeError(f"not an IR expression: {e!r}") from None
    return formatter(e, ctx)


def _arg_at(program: Program | None, index: int):
    if program is None or not 0 <= index < len(program.args):
        return None
    return program.args[index]


# ------------------------------------------------------------------------------------------------------ statements


def _element(ctx: _Ctx, arg: int, indices: tuple[Expr, ...]) -> str:
    return f"{ctx.arg_name(arg)}[{', '.join(_expr(i, ctx) for i in indices)}]"


def _block(stmts: tuple[Stmt, ...], ctx: _Ctx, depth: int) -> None:
    if not stmts:
        ctx.emit(depth, "pass")
    for s in stmts:
        _stmt(s, ctx, depth)


def _st_decl(s: Decl, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, f"{format_var(s.var)} = {_expr(s.value, ctx)}", s.loc)


def _st_assign(s: Assign, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, f"%{s.var.id} = {_expr(s.value, ctx)}", s.loc)


def _st_load(s: Load, ctx: _Ctx, depth: int) -> None:
    word = "load_stop_grad" if s.stop_grad else "load"  # qd.stop_grad: no derivative flows through this read
    ctx.emit(depth, f"{format_var(s.var)} = {word} {_element(ctx, s.arg, s.indices)}", s.loc)


def _st_store(s: Store, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, f"store {_element(ctx, s.arg, s.indices)} = {_expr(s.value, ctx)}", s.loc)


def _st_atomic(s: AtomicRMW, ctx: _Ctx, depth: int) -> None:
    operands = "".join(f", {_expr(o, ctx)}" for o in s.operands)
    call = f"{s.op.value}({_element(ctx, s.arg, s.indices)}{operands})"
    ctx.emit(depth, f"{format_var(s.var)} = {call}" if s.var is not None else call, s.loc)


def _st_var_atomic(s: VarAtomicRMW, ctx: _Ctx, depth: int) -> None:
    operands = "".join(f", {_expr(o, ctx)}" for o in s.operands)
    call = f"{s.op.value}(&%{s.target.id}{operands})"
    ctx.emit(depth, f"{format_var(s.var)} = {call}" if s.var is not None else call, s.loc)


def _st_if(s: If, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, f"if {_expr(s.cond, ctx)}:", s.loc)
    _block(s.then, ctx, depth + 1)
    if s.orelse:
        ctx.emit(depth, "else:")
        _block(s.orelse, ctx, depth + 1)


def _st_range_for(s: RangeFor, ctx: _Ctx, depth: int) -> None:
    phase = " simt_phase" if s.simt_phase else ""
    ctx.emit(depth, f"for ({format_var(s.var)}) in [{_expr(s.begin, ctx)}, {_expr(s.end, ctx)}){phase}:", s.loc)
    _block(s.body, ctx, depth + 1)


def _st_loop(s: Loop, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, "loop:", s.loc)
    _block(s.body, ctx, depth + 1)


def _st_break(s: Break, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, "break", s.loc)


def _st_continue(s: Continue, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, "continue", s.loc)


def _st_print(s: Print, ctx: _Ctx, depth: int) -> None:
    parts = ", ".join(repr(p) if isinstance(p, str) else _expr(p, ctx) for p in s.parts)
    if s.specs:
        parts += f", specs={s.specs!r}"
    if s.sep != " ":
        parts += f", sep={s.sep!r}"
    if s.end != "\n":
        parts += f", end={s.end!r}"
    ctx.emit(depth, f"print({parts})", s.loc)


def _st_check(s: Check, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, f"check {s.kind} {_expr(s.cond, ctx)}, {s.message!r}", s.loc)


def _st_read_clock(s: ReadClock, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, f"{format_var(s.var)} = read_clock", s.loc)


def _st_set_return(s: SetReturn, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, f"return[{s.index}] = {_expr(s.value, ctx)}", s.loc)


def _st_call(s: Call, ctx: _Ctx, depth: int) -> None:
    results = ", ".join(format_var(v) for v in s.vars)
    args = ", ".join(_expr(a, ctx) for a in s.args)
    ctx.emit(depth, f"{'(' + results + ') = ' if s.vars else ''}call {_function_name(ctx, s.func)}({args})", s.loc)


def _function_name(ctx: _Ctx, index: int) -> str:
    functions = ctx.program.functions if ctx.program is not None else ()
    return f"@{index} {functions[index].name}" if 0 <= index < len(functions) else f"@{index}"


_STMT_FORMATTERS: dict[type, Callable[[Stmt, _Ctx, int], None]] = {
    Decl: _st_decl,
    Assign: _st_assign,
    Load: _st_load,
    Store: _st_store,
    AtomicRMW: _st_atomic,
    VarAtomicRMW: _st_var_atomic,
    If: _st_if,
    RangeFor: _st_range_for,
    Loop: _st_loop,
    Break: _st_break,
    Continue: _st_continue,
    Print: _st_print,
    Check: _st_check,
    SetReturn: _st_set_return,
    ReadClock: _st_read_clock,
    Call: _st_call,
}


def _stmt(s: Stmt, ctx: _Ctx, depth: int) -> None:
    try:
        formatter = _STMT_FORMATTERS[type(s)]
    except KeyError:
        raise TypeError(f"not an IR statement: {s!r}") from None
    formatter(s, ctx, depth)


# ----------------------------------------------------------------------------------------------------------- items


def _stream(it) -> str:
    """`` stream k`` for a task of the k-th ``qd.stream_parallel()`` block (nothing outside one)."""
    return f" stream {it.stream}" if it.stream else ""


def _it_parallel_for(it: ParallelFor, ctx: _Ctx, depth: int) -> None:
    names = ", ".join(format_var(v) for v in it.vars)
    ranges = " x ".join(f"[{_expr(b, ctx)}, {_expr(e, ctx)})" for b, e in zip(it.begins, it.ends, strict=False))
    if len(it.begins) != len(it.ends):  # invalid IR: show what is there rather than hide the mismatch
        ranges += f" (begins: {len(it.begins)}, ends: {len(it.ends)})"
    simt = f" simt_block {it.simt_block}" if it.simt_block else ""
    ctx.emit(depth, f"parallel_for ({names}) in {ranges}{_stream(it)}{simt}:", it.loc)
    _block(it.body, ctx, depth + 1)


def _it_serial(it: SerialBlock, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, f"serial{_stream(it)}:", it.loc)
    _block(it.body, ctx, depth + 1)


def _items(items: tuple[Item, ...], ctx: _Ctx, depth: int) -> None:
    if not items:
        ctx.emit(depth, "pass")
    for it in items:
        _item(it, ctx, depth)


def _it_do_while(it: DoWhile, ctx: _Ctx, depth: int) -> None:
    ctx.emit(depth, f"do_while level {it.level} cond {ctx.arg_name(it.cond_arg)}:", it.loc)
    _items(it.body, ctx, depth + 1)


def _it_checkpoint(it: Checkpoint, ctx: _Ctx, depth: int) -> None:
    yield_on = f" yield_on {ctx.arg_name(it.yield_on_arg)}" if it.yield_on_arg != -1 else ""
    ctx.emit(depth, f"checkpoint {it.id}{yield_on}:", it.loc)
    _items(it.body, ctx, depth + 1)


_ITEM_FORMATTERS: dict[type, Callable[[Item, _Ctx, int], None]] = {
    ParallelFor: _it_parallel_for,
    SerialBlock: _it_serial,
    DoWhile: _it_do_while,
    Checkpoint: _it_checkpoint,
}


def _item(it: Item, ctx: _Ctx, depth: int) -> None:
    try:
        formatter = _ITEM_FORMATTERS[type(it)]
    except KeyError:
        raise TypeError(f"not an IR item: {it!r}") from None
    formatter(it, ctx, depth)


# ---------------------------------------------------------------------------------------------------------- public


def _format_arg_spec(spec) -> str:
    if isinstance(spec, NdarrayArg):
        shape = "" if spec.shape is None else f", shape={spec.shape}"
        return f"{spec.name}: ndarray[{spec.dtype}, {spec.ndim}{shape}]"
    return f"{spec.name}: {spec.dtype}"


def _header(program: Program) -> str:
    args = ", ".join(_format_arg_spec(a) for a in program.args)
    returns = ", ".join(str(r) for r in program.returns)
    flags = [name for name in ("debug", "fast_math") if getattr(program, name)]
    options = f" [{', '.join(flags)}]" if flags else ""
    return f"kernel {program.name}({args}) -> ({returns}){options}"


def format_program(program: Program, *, with_locs: bool = False) -> str:
    """The whole program as canonical text (no trailing newline).

    The first line is the signature (``kernel f(x: ndarray[f32, 1], a: f32) -> (i32)``, then ``[debug, fast_math]``
    when set); a ``kernel_vars:`` line follows when there are any; then one block per item, then one per function.
    """
    ctx = _Ctx(program, with_locs)
    ctx.emit(0, _header(program))
    if program.kernel_vars:
        ctx.emit(1, f"kernel_vars: {', '.join(format_var(v) for v in program.kernel_vars)}")
    for it in program.items:
        _item(it, ctx, 1)
    for index, fn in enumerate(program.functions):
        _function(index, fn, ctx)
    return "\n".join(ctx.lines)


def _function(index: int, fn: Function, ctx: _Ctx) -> None:
    """``function @k name(%1 n: i32) -> (i32):``, the body, then ``results (...)``, after the items."""
    params = ", ".join(format_var(v) for v in fn.params)
    returns = ", ".join(str(r) for r in fn.returns)
    ctx.emit(1, f"function @{index} {fn.name}({params}) -> ({returns}):", fn.loc)
    _block(fn.body, ctx, 2)
    ctx.emit(2, f"results ({', '.join(_expr(r, ctx) for r in fn.results)})")


def format_item(item: Item, program: Program | None = None, *, indent: int = 0, with_locs: bool = False) -> str:
    """One item (task or graph node) and everything under it; ``program`` supplies argument names."""
    ctx = _Ctx(program, with_locs)
    _item(item, ctx, indent)
    return "\n".join(ctx.lines)


def format_stmt(stmt: Stmt, program: Program | None = None, *, indent: int = 0, with_locs: bool = False) -> str:
    """One statement (with its nested blocks); ``program`` supplies argument names (``#<index>`` without one)."""
    ctx = _Ctx(program, with_locs)
    _stmt(stmt, ctx, indent)
    return "\n".join(ctx.lines)


def format_expr(expr: Expr, program: Program | None = None) -> str:
    """One expression on one line; ``program`` supplies argument names (``#<index>`` without one)."""
    return _expr(expr, _Ctx(program, False))
