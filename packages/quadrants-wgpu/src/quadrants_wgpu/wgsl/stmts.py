"""IR statements → WGSL statements, one emitter per node type in :data:`STMT_EMITTERS`.

Structured control flow maps one to one: ``If`` → ``if``, ``RangeFor`` → ``for`` (bounds evaluated once, before the
loop), ``Loop`` → ``loop``, ``Break``/``Continue`` → ``break``/``continue``. A ``Continue`` directly in a parallel
task's body continues the task's grid-stride loop, which is exactly "skip to the next iteration".

Kernel vars (:attr:`Program.kernel_vars`) live in the ``qd_kv`` buffer for the whole launch, so every read and write of
one goes through it (atomically, in a shader with a ``VarAtomicRMW``: the buffer is then ``array<atomic<u32>>``). A
``VarAtomicRMW`` whose target is one of the task's reductions (``TaskCtx.reductions``), and an ``AtomicRMW`` on an
ndarray element that every lane reduces into (``TaskCtx.array_reductions``, such as ``t[()] += x[i]``), updates the
invocation's accumulator instead; :mod:`.emit` combines the accumulators per workgroup and applies one atomic each.

Run-time failures (bounds under ``debug``, ``Check``) call ``qd_fail(id, indices)``, which
records the first failure in the ``qd_status`` buffer; the host raises after the launch (:mod:`..runtime.executable`).
``Print`` appends a record ``(print id, values...)`` to ``qd_status`` that the host formats after the launch.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType, i32
from quadrants.ir.print_format import PrintLayout
from quadrants_wgpu.wgsl.atomics import atomic_function_name, combine, kv_atomic_function_name
from quadrants_wgpu.wgsl.context import ExprCtx, as_bool
from quadrants_wgpu.wgsl.convert import cast
from quadrants_wgpu.wgsl.exprs import emit_expr
from quadrants_wgpu.wgsl.names import (
    UnsupportedError,
    is_pair,
    literal,
    split_words,
    store_word_stmts,
    var_name,
)
from quadrants_wgpu.wgsl.packing import ArgUse
from quadrants_wgpu.wgsl.placement import BindingPlan
from quadrants_wgpu.wgsl.privatize import private_update

__all__ = [
    "CheckInfo",
    "PrintInfo",
    "ProgramTables",
    "TaskCtx",
    "apply_atomic",
    "emit_block",
    "STMT_EMITTERS",
    "STATUS_WORDS",
]

# qd_status layout: [0] id of the first failed check (0: none), [1..8] its indices, [16] print cursor, [17..] records
STATUS_FAIL = 0
STATUS_INDEX = 1
STATUS_PRINT_CURSOR = 16
STATUS_PRINT_DATA = 17
STATUS_WORDS = 17
MAX_INDICES = 8


@dataclass(frozen=True)
class CheckInfo:
    """What the host needs to raise for check id ``k`` (1-based position in :attr:`ProgramTables.checks`)."""

    kind: str  # "bounds", "assert" or "runtime"
    message: str
    loc: N.SrcLoc | None
    arg: int = -1  # bounds: the ndarray argument
    ndim: int = 0


@dataclass(frozen=True)
class PrintInfo:
    """One ``Print`` statement: its layout (strings, value dtypes and printf specs) and the record size in words."""

    layout: PrintLayout
    words: int


@dataclass
class ProgramTables:
    """Program-wide numbering of checks and prints (shared by every task so ids are unique)."""

    checks: list[CheckInfo] = field(default_factory=list)
    prints: list[PrintInfo] = field(default_factory=list)


@dataclass
class TaskCtx(ExprCtx):
    """Expression context plus what statements need: argument facts, tables, debug mode and what the task uses."""

    arg_specs: tuple = ()
    return_offsets: dict[int, int] = field(default_factory=dict)
    return_dtypes: tuple = ()
    tables: ProgramTables = field(default_factory=ProgramTables)
    debug: bool = False
    print_capacity: int = 0
    uses: dict[int, ArgUse] = field(default_factory=dict)
    atomics: set = field(default_factory=set)  # (op, arg)
    kv_atomics: set = field(default_factory=set)  # (op, dtype) of VarAtomicRMWs applied to qd_kv
    reductions: dict[int, str] = field(default_factory=dict)  # kernel var id -> accumulator (a reduction target)
    array_reductions: dict[tuple, str] = field(default_factory=dict)  # (arg, indices) -> accumulator
    private_arrays: set = field(default_factory=set)  # args updated through a workgroup-private copy (.privatize)
    workgroup_decls: list[str] = field(default_factory=list)  # module-scope var<workgroup> declarations
    needs_fail: bool = False
    plan: BindingPlan = field(default_factory=BindingPlan)  # arrays not on their own binding (.placement)
    temps: itertools.count = field(default_factory=lambda: itertools.count())

    def use_arg(self, arg: int) -> ArgUse:
        use = self.uses.get(arg)
        if use is None:
            dtype = self.arg_specs[arg].dtype
            owner = self.plan.owner(arg)  # an alias is placed where its owner is
            use = self.uses[arg] = ArgUse(
                arg, dtype, self.target, placement=self.plan.placement(owner), owner=None if owner == arg else owner
            )
        return use

    def temp(self, stem: str) -> str:
        return f"qd_{stem}{next(self.temps)}"


Lines = list[str]


def _ind(lines: Lines, depth: int = 1) -> Lines:
    pad = "  " * depth
    return [pad + line for line in lines]


def emit_block(cx: TaskCtx, stmts) -> Lines:
    """WGSL lines of ``stmts`` (not indented; callers indent nested blocks)."""
    out: Lines = []
    for s in stmts:
        out.extend(STMT_EMITTERS[type(s)](cx, s))
    return out


# ------------------------------------------------------------------------------------------------- locals


def _store_local(cx: TaskCtx, var: N.Var, value: str, declare: bool) -> Lines:
    off = cx.kv_offsets.get(var.id)
    if off is not None:
        return [store_word_stmts("qd_kv", off, var.dtype, value, cx.target, cx.kv_words)]
    if declare:
        return [f"var {var_name(var)}: {cx.vt(var.dtype)} = {value};"]
    return [f"{var_name(var)} = {value};"]


def _decl(cx: TaskCtx, s: N.Decl) -> Lines:
    return _store_local(cx, s.var, emit_expr(cx, s.value), declare=True)


def _assign(cx: TaskCtx, s: N.Assign) -> Lines:
    return _store_local(cx, s.var, emit_expr(cx, s.value), declare=False)


# ------------------------------------------------------------------------------------------------- memory


def _fail_call(cx: TaskCtx, info: CheckInfo, indices: list[str]) -> str:
    cx.tables.checks.append(info)
    cx.needs_fail = True
    padded = indices + ["0i"] * (MAX_INDICES - len(indices))
    return f"qd_fail({len(cx.tables.checks)}u, array<i32, {MAX_INDICES}>({', '.join(padded)}));"


def _address(cx: TaskCtx, arg: int, indices, loc) -> tuple[Lines, str]:
    """Lines evaluating the indices (and checking them under debug) and the linear index as a u32 expression."""
    if len(indices) > MAX_INDICES:
        raise UnsupportedError(f"the wgpu backend supports at most {MAX_INDICES} axes")
    lines: Lines = []
    names = []
    for x in indices:
        t = cx.temp("i")
        lines.append(f"let {t}: i32 = {cast(cx, emit_expr(cx, x), x.dtype, i32)};")
        names.append(t)
    shape = cx.shape_offsets[arg]
    if cx.debug and names:
        bad = " || ".join(f"bitcast<u32>({n}) >= qd_args[{shape + k}]" for k, n in enumerate(names))
        info = CheckInfo("bounds", "", loc, arg, len(names))
        lines.append(f"if ({bad}) {{ {_fail_call(cx, info, names)} }}")
    linear = "0u"
    for k, n in enumerate(names):
        term = f"bitcast<u32>({n})"
        linear = term if k == 0 else f"({linear} * qd_args[{shape + k}] + {term})"
    if len(names) > 1:
        t = cx.temp("li")
        lines.append(f"let {t}: u32 = {linear};")
        linear = t
    return lines, linear


def _load(cx: TaskCtx, s: N.Load) -> Lines:
    cx.use_arg(s.arg).loads = True
    lines, li = _address(cx, s.arg, s.indices, s.loc)
    return lines + _store_local(cx, s.var, f"qd_load_a{s.arg}({li})", declare=True)


def _store(cx: TaskCtx, s: N.Store) -> Lines:
    cx.use_arg(s.arg).stores = True
    value = emit_expr(cx, s.value)
    lines, li = _address(cx, s.arg, s.indices, s.loc)
    return [*lines, f"qd_store_a{s.arg}({li}, {value});"]


def _atomic(cx: TaskCtx, s: N.AtomicRMW) -> Lines:
    operands = [emit_expr(cx, o) for o in s.operands]
    acc = cx.array_reductions.get((s.arg, s.indices))
    if acc is not None:  # a reduction target: the old value is unused (quadrants.ir.reductions)
        return [f"{acc} = {combine(cx, s.op, cx.arg_specs[s.arg].dtype, acc, operands[0])};"]
    cx.use_arg(s.arg).atomic_ops.add(s.op)
    cx.atomics.add((s.op, s.arg))
    lines, li = _address(cx, s.arg, s.indices, s.loc)
    call = f"{atomic_function_name(s.op, s.arg)}({', '.join([li, *operands])})"
    if s.arg in cx.private_arrays:  # a small integer histogram: its updates go to a workgroup copy (.privatize)
        return [*lines, private_update(s.arg, li, operands[0], call)]
    if s.var is None:
        return [*lines, f"_ = {call};"]
    return lines + _store_local(cx, s.var, call, declare=True)


def apply_atomic(cx: TaskCtx, op, arg: int, indices, value: str) -> Lines:
    """One real atomic ``op`` of ``value`` on ``arg[indices]``, its old value dropped (a reduction's flush)."""
    cx.use_arg(arg).atomic_ops.add(op)
    cx.atomics.add((op, arg))
    lines, li = _address(cx, arg, indices, None)
    return [*lines, f"_ = {atomic_function_name(op, arg)}({li}, {value});"]


def _var_atomic(cx: TaskCtx, s: N.VarAtomicRMW) -> Lines:
    dtype = s.target.dtype
    operands = [emit_expr(cx, o) for o in s.operands]
    acc = cx.reductions.get(s.target.id)
    if acc is not None:
        return [f"{acc} = {combine(cx, s.op, dtype, acc, operands[0])};"]
    cx.kv_atomics.add((s.op, dtype))
    call = f"{kv_atomic_function_name(s.op, dtype)}({', '.join([f'{cx.kv_offsets[s.target.id]}u', *operands])})"
    if s.var is None:
        return [f"_ = {call};"]
    return _store_local(cx, s.var, call, declare=True)


# ------------------------------------------------------------------------------------------- control flow


def _if(cx: TaskCtx, s: N.If) -> Lines:
    out = [f"if ({as_bool(cx, emit_expr(cx, s.cond), s.cond.dtype)}) {{", *_ind(emit_block(cx, s.then))]
    if s.orelse:
        out += ["} else {", *_ind(emit_block(cx, s.orelse))]
    return [*out, "}"]


def _range_for(cx: TaskCtx, s: N.RangeFor) -> Lines:
    t = cx.vt(s.var.dtype)
    if is_pair(s.var.dtype, cx.target) or t not in ("i32", "u32", "i64", "u64"):
        raise UnsupportedError(f"range-for over {s.var.dtype} is not supported by the wgpu backend")
    b, e = cx.temp("b"), cx.temp("e")
    v = var_name(s.var)
    one = literal(1, s.var.dtype, cx.target)
    body = emit_block(cx, s.body)
    return [
        "{",
        f"  let {b}: {t} = {cast(cx, emit_expr(cx, s.begin), s.begin.dtype, s.var.dtype)};",
        f"  let {e}: {t} = {cast(cx, emit_expr(cx, s.end), s.end.dtype, s.var.dtype)};",
        f"  for (var {v}: {t} = {b}; {v} < {e}; {v} = {v} + {one}) {{",
        *_ind(body, 2),
        "  }",
        "}",
    ]


def _loop(cx: TaskCtx, s: N.Loop) -> Lines:
    return ["loop {", *_ind(emit_block(cx, s.body)), "}"]


def _break(cx: TaskCtx, s: N.Break) -> Lines:
    return ["break;"]


def _continue(cx: TaskCtx, s: N.Continue) -> Lines:
    return ["continue;"]


# ---------------------------------------------------------------------------------------- host-visible effects


def _word_values(cx: TaskCtx, value: str, dtype: DataType) -> list[str]:
    """``value`` as the u32 words of a print record (the same encoding as the args buffer)."""
    t = cx.vt(dtype)
    if dtype.bits == 64:
        return list(split_words(f"({value})", dtype, cx.target))
    if dtype.name == "f32":
        return [f"bitcast<u32>({value})"]
    if dtype.name == "f16":
        return [f"bitcast<u32>(f32({value}))"]
    return [f"bitcast<u32>({value})" if t == "i32" else value]


def _print(cx: TaskCtx, s: N.Print) -> Lines:
    words: list[str] = []
    for p in s.parts:
        if not isinstance(p, str):
            words += _word_values(cx, emit_expr(cx, p), p.dtype)
    info = PrintInfo(PrintLayout.of(s), 1 + len(words))
    cx.tables.prints.append(info)
    pid = len(cx.tables.prints)
    base = cx.temp("p")
    lines = [
        "{",
        f"  let {base} = atomicAdd(&qd_status[{STATUS_PRINT_CURSOR}], {info.words}u);",
        f"  if ({base} + {info.words}u <= {cx.print_capacity}u) {{",
        f"    atomicStore(&qd_status[{STATUS_PRINT_DATA}u + {base}], {pid}u);",
    ]
    for k, w in enumerate(words):
        lines.append(f"    atomicStore(&qd_status[{STATUS_PRINT_DATA + 1 + k}u + {base}], {w});")
    return [*lines, "  }", "}"]


def _check(cx: TaskCtx, s: N.Check) -> Lines:
    info = CheckInfo(s.kind, s.message, s.loc)
    return [f"if (!{as_bool(cx, emit_expr(cx, s.cond), s.cond.dtype)}) {{ {_fail_call(cx, info, [])} }}"]


def _set_return(cx: TaskCtx, s: N.SetReturn) -> Lines:
    dtype = cx.return_dtypes[s.index]
    value = emit_expr(cx, s.value)
    return [store_word_stmts("qd_kv", cx.return_offsets[s.index], dtype, value, cx.target, cx.kv_words)]


def _read_clock(cx: TaskCtx, s: N.ReadClock) -> Lines:
    """``qd.clock_counter()`` is 0: WGSL has no clock built-in (upstream's Vulkan backend also gives 0 on a device
    without ``VK_KHR_shader_clock``); docs/misc-functions.md."""
    return _store_local(cx, s.var, emit_expr(cx, N.Const(0, s.var.dtype)), declare=True)


def _call(cx: TaskCtx, s: N.Call) -> Lines:
    raise recursion_error("a recursive @qd.real_func", s.loc)  # emit_program rejects calls first, with the name


def recursion_error(what: str, loc) -> UnsupportedError:
    """A ``Call`` (a recursive ``@qd.real_func``): WGSL forbids recursion, so the program cannot run here. The error
    carries the call's source location (``loc``) for the user's file, line and caret."""
    exc = UnsupportedError(
        f"{what} calls itself, and the wgpu backend cannot run recursion (WGSL forbids it); run this kernel on "
        "ref, llvm-cpu or llvm-cuda, or rewrite the recursion as a loop with an explicit stack"
    )
    exc.loc = loc
    return exc


STMT_EMITTERS: dict[type, Callable[[TaskCtx, object], Lines]] = {
    N.Decl: _decl,
    N.Assign: _assign,
    N.Load: _load,
    N.Store: _store,
    N.AtomicRMW: _atomic,
    N.VarAtomicRMW: _var_atomic,
    N.If: _if,
    N.RangeFor: _range_for,
    N.Loop: _loop,
    N.Break: _break,
    N.Continue: _continue,
    N.Print: _print,
    N.Check: _check,
    N.SetReturn: _set_return,
    N.ReadClock: _read_clock,
    N.Call: _call,
}

_STORE_INDICES = "\n".join(
    f"      atomicStore(&qd_status[{STATUS_INDEX + k}], bitcast<u32>(idx[{k}]));" for k in range(MAX_INDICES)
)

FAIL_FN = f"""
fn qd_fail(id: u32, idx: array<i32, {MAX_INDICES}>) {{
  // record only the first failure: claim slot 0, then write the indices
  loop {{
    let r = atomicCompareExchangeWeak(&qd_status[{STATUS_FAIL}], 0u, id);
    if (r.exchanged) {{
{_STORE_INDICES}
      return;
    }}
    if (r.old_value != 0u) {{ return; }}
  }}
}}""".strip("\n")
