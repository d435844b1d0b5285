"""Typed, structured IR: frozen dataclasses with explicit fields.

Layers, from the inside out:

* **Expressions** are pure trees (no memory access, no side effects): :class:`Const`, :class:`LocalRef`,
  :class:`ArgRef`, :class:`Shape` and :class:`OpExpr`. Every expression carries its result ``dtype``.
* **Statements** do the work: locals (:class:`Decl`, :class:`Assign`), memory (:class:`Load`, :class:`Store`,
  :class:`AtomicRMW`, and :class:`VarAtomicRMW` on a kernel var), structured control flow (:class:`If`,
  :class:`RangeFor`, :class:`Loop`, :class:`Break`, :class:`Continue`) and host-visible effects (:class:`Print`,
  :class:`Check`, :class:`SetReturn`, and :class:`ReadClock`, a read of the device clock). A load defines a fresh
  local, so reads are ordered with respect to writes by statement order alone. :class:`Call` runs one of the
  program's :class:`Function` s (a recursive ``@qd.real_func``) in the calling lane.
* **Items** are what a :class:`Program` runs in order: :class:`ParallelFor` and :class:`SerialBlock` tasks, and the
  graph nodes :class:`DoWhile` and :class:`Checkpoint` that group items (docs/semantics.md §16–§17).

Locals are :class:`Var` objects with a kernel-unique ``id``. A var declared directly in a :class:`SerialBlock` body
and used by a later task is a *kernel var*: it is listed in :attr:`Program.kernel_vars` and lives for the whole
launch (backends keep it in launch-scoped storage).

Source locations (:class:`SrcLoc`) are excluded from equality and hashing so that moving code does not change IR
identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quadrants.ir.dtypes import DataType
from quadrants.ir.ops import Op

__all__ = [
    "SIMT_SCRATCH_PREFIX",
    "SrcLoc",
    "Var",
    "Const",
    "LocalRef",
    "ArgRef",
    "Shape",
    "OpExpr",
    "Expr",
    "Decl",
    "Assign",
    "Load",
    "Store",
    "AtomicRMW",
    "VarAtomicRMW",
    "If",
    "RangeFor",
    "Loop",
    "Break",
    "Continue",
    "Print",
    "Check",
    "SetReturn",
    "ReadClock",
    "Call",
    "Stmt",
    "Function",
    "ParallelFor",
    "SerialBlock",
    "DoWhile",
    "Checkpoint",
    "Item",
    "NdarrayArg",
    "ScalarArg",
    "ArgSpec",
    "Program",
]


@dataclass(frozen=True)
class SrcLoc:
    """Where a node came from: file, 1-based line, 0-based columns, the source line's text and the name of the
    kernel or func it belongs to (``""`` when unknown)."""

    file: str
    line: int
    col: int = 0
    end_col: int = 0
    text: str = ""
    func: str = ""

    def caret(self) -> str:
        """The source line with a caret under the span, for error messages: tabs expanded to 4 columns and a line
        longer than 80 columns cut into 80-column pieces, each followed by its part of the caret (as upstream)."""
        if not self.text:
            return ""
        text = self.text.expandtabs(_TAB)
        col = len(self.text[: self.col].expandtabs(_TAB))
        end = max(col + 1, len(self.text[: self.end_col or self.col + 1].expandtabs(_TAB)))
        marks = " " * col + "^" * (end - col)
        rows = []
        for start in range(0, max(len(text), len(marks)), _WRAP):
            rows.append(text[start : start + _WRAP])
            mark = marks[start : start + _WRAP].rstrip()
            if mark:
                rows.append(mark)
        return "\n".join(rows)

    def __str__(self) -> str:
        where = f'File "{self.file}", line {self.line}'
        return f"{where}, in {self.func}" if self.func else where


_TAB, _WRAP = 4, 80  # error messages: tab width and the column at which a long source line is cut


_LOC = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Var:
    """A local variable. ``id`` is unique within a program; ``name`` is the user's name (for printing only)."""

    id: int
    name: str
    dtype: DataType

    def __hash__(self) -> int:  # the id alone (equal variables have equal ids): passes key dicts by Var everywhere
        return hash(self.id)


# ---------------------------------------------------------------------------------------------------------- exprs


@dataclass(frozen=True)
class Const:
    value: int | float | bool
    dtype: DataType


@dataclass(frozen=True)
class LocalRef:
    var: Var

    @property
    def dtype(self) -> DataType:
        return self.var.dtype


@dataclass(frozen=True)
class ArgRef:
    """The value of scalar argument ``index`` of the program."""

    index: int
    dtype: DataType


@dataclass(frozen=True)
class Shape:
    """``shape[axis]`` of ndarray argument ``arg`` as an i32 (``x.shape[k]``), or as an i64 when the program casts it
    to i64 (``qd.i64(x.shape[k])``: the full size of an axis longer than 2^31)."""

    arg: int
    axis: int
    dtype: DataType


@dataclass(frozen=True)
class OpExpr:
    """A pure operation from the op table; operands already have the types the op expects."""

    op: Op
    args: tuple[Expr, ...]
    dtype: DataType


Expr = Const | LocalRef | ArgRef | Shape | OpExpr

# ------------------------------------------------------------------------------------------------------ statements


@dataclass(frozen=True)
class Decl:
    """Declare ``var`` in the enclosing block and initialise it."""

    var: Var
    value: Expr
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class Assign:
    var: Var
    value: Expr
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class Load:
    """Declare ``var`` holding ``arg[indices]`` (an ndarray element; one index per axis).

    ``stop_grad``: the loaded value carries no derivative (``qd.stop_grad``, docs/autodiff.md): reverse mode adds
    nothing into the array's gradient for it and forward mode gives it a zero tangent. It is the only IR marker of
    autodiff; backends ignore it (the load itself is unchanged).
    """

    var: Var
    arg: int
    indices: tuple[Expr, ...]
    loc: SrcLoc | None = _LOC
    stop_grad: bool = False


@dataclass(frozen=True)
class Store:
    arg: int
    indices: tuple[Expr, ...]
    value: Expr
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class AtomicRMW:
    """Atomically apply ``op`` to ``arg[indices]`` with ``operands``; declare ``var`` (if any) with the old value."""

    var: Var | None
    op: Op
    arg: int
    indices: tuple[Expr, ...]
    operands: tuple[Expr, ...]
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class VarAtomicRMW:
    """Atomically apply ``op`` to kernel var ``target`` with ``operands``; declare ``var`` (if any) with the old value.

    A reduction into an outer local (docs/language.md, "Reductions into a local"): every lane of a parallel task
    updates the one launch-scoped copy of ``target``, exactly as :class:`AtomicRMW` updates an ndarray element, so
    ``s += a[i]`` sums and ``qd.atomic_max(m, a[i])`` takes the maximum. Plain reads and writes of ``target`` in the
    same task stay unordered with respect to it (a race).
    """

    var: Var | None
    op: Op
    target: Var
    operands: tuple[Expr, ...]
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class If:
    cond: Expr
    then: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class RangeFor:
    """Serial ``for var in range(begin, end)``; bounds evaluated once; ``var`` is declared by the loop.

    ``simt_phase``: the loop is a *phase* of a lowered SIMT block (frontend/simt_lowering.py: ``for t in range(B)``
    over the block's lanes, between two barriers). Its iterations are independent, so a backend that runs a block on
    hardware threads may spread them over the threads and put a barrier after the loop; every other backend runs it
    as the serial loop it is.
    """

    var: Var
    begin: Expr
    end: Expr
    body: tuple[Stmt, ...]
    loc: SrcLoc | None = _LOC
    simt_phase: bool = False


@dataclass(frozen=True)
class Loop:
    """Repeat ``body`` until a :class:`Break` (a ``while`` loop evaluates its condition at the top of the body)."""

    body: tuple[Stmt, ...]
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class Break:
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class Continue:
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class Print:
    """Write ``parts`` (strings and expressions) joined by ``sep``, then ``end``. ``specs`` holds one printf spec
    per expression part (``"%.2f"``, see :mod:`quadrants.ir.print_format`); empty means each dtype's default."""

    parts: tuple[str | Expr, ...]
    loc: SrcLoc | None = _LOC
    specs: tuple[str, ...] = ()
    sep: str = " "
    end: str = "\n"


@dataclass(frozen=True)
class Check:
    """Raise when ``cond`` is false: ``kind`` is ``"assert"`` (QuadrantsAssertionError) or ``"runtime"``."""

    cond: Expr
    kind: str
    message: str
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class SetReturn:
    """Set return slot ``index`` (already converted to the declared return type)."""

    index: int
    value: Expr
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class ReadClock:
    """Declare ``var`` (an i64) holding the current value of the device's clock counter (``qd.clock_counter()``).

    A statement, not an :class:`OpExpr`: expressions are pure, so passes and backends may fold, merge, reorder or
    hoist them, and two reads around a loop would collapse into one. Like a :class:`Load`, it defines a fresh local
    in program order; only an unread one may be dropped. Units are the backend's (docs/misc-functions.md).
    """

    var: Var
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class Call:
    """Run ``Program.functions[func]`` in the calling lane with ``args`` (one per parameter, of its dtype) and declare
    ``vars`` holding its results (one per result, of its dtype).

    Only a ``@qd.real_func`` specialization that calls itself (directly or through other funcs) becomes a function;
    every other call is inlined by the frontend (docs/misc-functions.md). The callee sees the program's arguments
    (ndarrays, fields, scalars) but none of the caller's locals or kernel vars.
    """

    func: int
    args: tuple[Expr, ...]
    vars: tuple[Var, ...]
    loc: SrcLoc | None = _LOC


Stmt = (
    Decl
    | Assign
    | Load
    | Store
    | AtomicRMW
    | VarAtomicRMW
    | If
    | RangeFor
    | Loop
    | Break
    | Continue
    | Print
    | Check
    | SetReturn
    | ReadClock
    | Call
)


@dataclass(frozen=True)
class Function:
    """A function of the program, run by :class:`Call` statements (its own or other functions' included, so it may
    recurse): ``params`` are declared on entry with the call's arguments, ``body`` runs, then ``results`` (expressions
    over the body's top-level locals and the params) are its return values. No ``Break``/``Continue`` leaves the body
    and it holds no :class:`SetReturn`; ``name`` is the user's func name (printing, symbol names)."""

    name: str
    params: tuple[Var, ...]
    body: tuple[Stmt, ...]
    results: tuple[Expr, ...]
    loc: SrcLoc | None = _LOC

    @property
    def returns(self) -> tuple[DataType, ...]:
        return tuple(r.dtype for r in self.results)


# ----------------------------------------------------------------------------------------------------------- items


@dataclass(frozen=True)
class ParallelFor:
    """A parallel task over the product of half-open ranges; the last axis varies fastest in serial order.

    ``vars[k]`` is declared by the task and holds the index of axis ``k``. The bounds are evaluated once per launch
    before any lane runs; they may use arguments and kernel vars only. ``stream`` is the ``qd.stream_parallel()``
    block the task belongs to (1, 2, … in source order; 0 outside any): a backend with streams may run the tasks of
    different blocks concurrently (docs/streams.md), every other backend ignores it. ``simt_block`` is ``B`` (> 0)
    for the slot loop of a lowered SIMT task (frontend/simt_lowering.py): each lane is a block *slot* whose body runs
    block-level code and ``simt_phase`` loops over its ``B`` lanes; a GPU backend may run a slot on a hardware thread
    block (docs/simt.md), every other backend runs it as the plain loop it is.
    """

    vars: tuple[Var, ...]
    begins: tuple[Expr, ...]
    ends: tuple[Expr, ...]
    body: tuple[Stmt, ...]
    loc: SrcLoc | None = _LOC
    stream: int = 0
    simt_block: int = 0


@dataclass(frozen=True)
class SerialBlock:
    """A task that runs ``body`` once, on one thread (``stream``: as :class:`ParallelFor`'s)."""

    body: tuple[Stmt, ...]
    loc: SrcLoc | None = _LOC
    stream: int = 0


@dataclass(frozen=True)
class DoWhile:
    """``while qd.graph.do_while(cond)``: run ``body`` then repeat while the 0-d i32 ndarray ``cond_arg`` != 0."""

    level: int
    cond_arg: int
    body: tuple[Item, ...]
    loc: SrcLoc | None = _LOC


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint with dense internal ``id``; ``yield_on_arg`` is -1 for an implicit checkpoint."""

    id: int
    yield_on_arg: int
    body: tuple[Item, ...]
    loc: SrcLoc | None = _LOC


Item = ParallelFor | SerialBlock | DoWhile | Checkpoint

# ------------------------------------------------------------------------------------------------------- arguments


# The name prefix of the hidden per-slot scratch arrays of a lowered SIMT task (frontend/simt.py): a GPU backend that
# runs a slot on a thread block may keep their rows in block shared memory (quadrants_llvm/builder/block_shared.py).
SIMT_SCRATCH_PREFIX = "qd_simt_"


@dataclass(frozen=True)
class NdarrayArg:
    """A run-time ndarray argument of element type ``dtype`` and ``ndim`` axes.

    ``shape`` is the full shape (element axes included) when it is known at compile time, as for a field (a field's
    shape never changes, and kernels that read one are compiled per field): backends may then use the constants
    instead of the shape words of the launch (constant strides let LLVM vectorise over a vector field's components).
    ``None`` for ndarrays, whose shape is a run-time value.
    """

    name: str
    dtype: DataType
    ndim: int
    shape: tuple[int, ...] | None = None


@dataclass(frozen=True)
class ScalarArg:
    """A run-time scalar argument."""

    name: str
    dtype: DataType


ArgSpec = NdarrayArg | ScalarArg


@dataclass(frozen=True)
class Program:
    """A compiled kernel specialization: flat arguments, return types, kernel vars and the item tree, plus the
    functions that :class:`Call` statements run (empty unless a recursive ``@qd.real_func`` is reached)."""

    name: str
    args: tuple[ArgSpec, ...]
    returns: tuple[DataType, ...]
    kernel_vars: tuple[Var, ...]
    items: tuple[Item, ...]
    debug: bool = False
    fast_math: bool = False
    functions: tuple[Function, ...] = ()
