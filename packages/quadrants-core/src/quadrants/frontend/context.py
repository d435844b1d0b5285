"""The explicit compile context threaded through every frontend handler.

:class:`Frame` describes the Python function being lowered (a kernel or an inlined ``@qd.func``): its source, where
that source sits in the file, and its globals. :class:`CompileCtx` holds the per-kernel state: the scope stack, the
statement blocks being built, the top-level item list, loop nesting, and the options of the session.
"""

from __future__ import annotations

import ast
import contextlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quadrants.errors import QuadrantsNameError, QuadrantsWarning
from quadrants.frontend.matrix import constant_matrix
from quadrants.frontend.structs import bind_field
from quadrants.frontend.values import ArgBinding, LocalBinding, MatrixBinding, MatrixValue
from quadrants.ir import nodes as ir
from quadrants.ir.dtypes import DataType
from quadrants.ir.nodes import SrcLoc

__all__ = ["Frame", "CompileCtx", "Scope"]


@dataclass
class Frame:
    """One Python function being lowered: source text, file offsets, globals and closure values."""

    fn: Any
    file: str
    first_line: int  # file line number of the first line of ``lines``
    indent: int  # columns removed by dedenting
    lines: list[str]  # original (un-dedented) source lines of the function block
    globals: dict
    closure: dict
    is_kernel: bool
    return_value: Any = None
    returned: bool = False
    # a real func with returns in run-time control flow: its return locals and flag (frontend/func_exits.py)
    return_scope: Any = None

    @classmethod
    def of(cls, source_backed, *, is_kernel: bool) -> Frame:
        """The frame of a kernel or func object (anything with ``fn``, ``parsed()`` and ``closure()``)."""
        parsed = source_backed.parsed()
        return cls(
            fn=source_backed.fn,
            file=parsed.file,
            first_line=parsed.first_line,
            indent=parsed.indent,
            lines=list(parsed.lines),
            globals=source_backed.fn.__globals__,
            closure=source_backed.closure(),
            is_kernel=is_kernel,
        )


@dataclass
class Scope:
    names: dict[str, Any] = field(default_factory=dict)
    function_boundary: bool = False


@dataclass
class Loop:
    """A loop being lowered: ``parallel`` top-level loop or a serial one."""

    parallel: bool
    has_continue: bool = False
    static: bool = False
    # a qd.static loop: ctx.runtime_depth when it started, and "break"/"continue" once one was reached at compile time
    runtime_depth: int = 0
    static_exit: str = ""
    # a parallel loop: (index refs, begins, ends) of its task, and statements to run first in every lane; per-lane
    # features (frontend/random.py) read the first and append to the second
    lanes: tuple = ()
    prologue: list = field(default_factory=list)
    config: dict = field(default_factory=dict)  # the qd.loop_config(...) options of this loop
    # rewrites of the finished task, in order: ``finish(ctx, items) -> items`` (frontend/simt_lowering.py)
    finishers: list = field(default_factory=list)


@dataclass(frozen=True)
class Lowering:
    """The recursive entry points of lowering, passed in by ``frontend/kernel.py``.

    Lowering is mutually recursive (an expression may call a func whose body holds statements with expressions), but
    the frontend's modules import one way only: expressions below calls below statements. A lower module reaches an
    upper one's entry point through ``ctx.lower`` instead of importing it.
    """

    call: Callable  # (ctx, ast.Call) -> value                         frontend/calls.py
    visit: Callable  # (ctx, ast.stmt) -> None                          frontend/stmts.py
    visit_block: Callable  # (ctx, list[ast.stmt]) -> None
    evaluate_quiet: Callable  # (ctx, ast.expr) -> value, no warnings
    assign_name: Callable  # (ctx, name, value, node, *, static=False) -> None


class CompileCtx:
    """Per-kernel compile state (see module docstring)."""

    def __init__(self, *, session, kernel_name: str, lower: Lowering):
        self.session = session
        self.lower = lower
        self.debug: bool = session.options.debug
        self.default_ip: DataType = session.default_ip
        self.default_fp: DataType = session.default_fp
        self.kernel_name = kernel_name
        self.frames: list[Frame] = []
        self.scopes: list[Scope] = []
        self.blocks: list[list] = []
        self.item_stack: list[list] = [[]]  # the kernel's items, then one list per open do_while / checkpoint
        self.kernel_vars: list[ir.Var] = []
        self.kernel_var_ids: set[int] = set()
        self.args: list[ir.ArgSpec] = []
        self.arg_sources: list[tuple] = []  # per arg: ("param", i) | ("field", f) | ("member", i, path)
        self.member_args: dict[tuple, object] = {}  # (param, path) -> NdarrayValue / ArgRef
        self.member_reads: dict[int, dict[tuple, tuple]] = {}  # param -> {path: what was read}
        self.bound_fields: dict[int, object] = {}
        # what the kernel depends on besides its source (fastcache keys and purity checks)
        self.reached_funcs: list = []  # every @qd.func inlined, in first-use order
        self.global_reads: list[tuple] = []  # (name, value, inside qd.static, SrcLoc) of captured names
        self.returns: tuple[DataType, ...] = ()  # flat scalar return slots
        self.return_layout: tuple = ()  # what the annotation says: dtypes and vector/matrix types
        self.loops: list[Loop] = []
        self.top_level = True
        self.static_depth = 0
        self.template_params: frozenset[str] = frozenset()  # kernel parameters annotated qd.template() / qd.Tensor
        self.runtime_depth = 0  # > 0 inside a runtime if or a loop of the current function (no return there)
        self.loop_var_ids: set[int] = set()
        self.pending_loop_config: dict | None = None
        self.func_stack: list[Any] = []
        # recursive @qd.real_func specializations lowered as program functions (frontend/real_calls.py)
        self.functions: list[ir.Function | None] = []
        self.real_functions: dict[tuple, Any] = {}
        self.function_depth = 0  # > 0 while a program function's body is lowered (no task or kernel state there)
        self._next_var = 0
        self.serial_loc: SrcLoc | None = None
        # graph constructs (docs/semantics.md §16-17)
        self.graph_enabled = False
        self.checkpoints = False
        self.uses_do_while = False
        self.graph = None  # GraphInfo
        self.level_stack: list[int] = []
        self.checkpoint_stack: list[int] = []
        self.for_depth = 0  # enclosing for-loops, across inlined funcs
        self.if_depth = 0  # enclosing runtime ifs, across inlined funcs
        self.while_depth = 0  # enclosing plain while loops
        # state of frontend features (frontend/random.py): per kernel, and per task (cleared by flush_serial)
        self.features: dict[str, Any] = {}
        self.task_state: dict[Any, Any] = {}
        self.parallel_loop: Loop | None = None  # the parallel loop being lowered, also inside inlined funcs
        # qd.stop_grad: id of a statement list -> the fields whose loads in it are marked when it closes
        self.stopped: dict[int, list] = {}

    @property
    def items(self) -> list:
        """The item list being built (the kernel's, or the body of the innermost do_while / checkpoint)."""
        return self.item_stack[-1]

    @property
    def checkpoint_depth(self) -> int:
        return len(self.checkpoint_stack)

    # ------------------------------------------------------------------------------------------------ locations
    @property
    def frame(self) -> Frame:
        return self.frames[-1]

    def loc(self, node: ast.AST | None) -> SrcLoc | None:
        """The user's source location of ``node`` (file, absolute line, columns, line text)."""
        if node is None or not hasattr(node, "lineno") or not self.frames:
            return None
        f = self.frame
        line = f.first_line + node.lineno - 1
        idx = node.lineno - 1
        text = f.lines[idx].rstrip("\n") if 0 <= idx < len(f.lines) else ""
        col = node.col_offset + f.indent
        # a node over several lines (a for statement) is marked to the end of its first line
        one_line = getattr(node, "end_lineno", None) == node.lineno
        end = node.end_col_offset + f.indent if one_line else len(text.rstrip())
        return SrcLoc(f.file, line, col, max(end, col + 1), text, getattr(f.fn, "__name__", ""))

    def warn(self, message: str, node: ast.AST | None, category=QuadrantsWarning) -> None:
        """Warn once per source site (docs/semantics.md §2), attributed to the user's file and line."""
        loc = self.loc(node)
        key = (loc.file, loc.line, loc.col, message) if loc else (message,)
        if key in self.session.warned_sites:
            return
        self.session.warned_sites.add(key)
        if loc is None:
            warnings.warn(message, category, stacklevel=2)
        else:
            warnings.warn_explicit(message, category, loc.file, loc.line)

    # ------------------------------------------------------------------------------------------------ arguments
    def add_arg(self, spec: ir.ArgSpec, source: tuple) -> int:
        """Append a flat launch argument and where the launcher finds its value."""
        self.args.append(spec)
        self.arg_sources.append(source)
        return len(self.args) - 1

    def record_member(self, param: int, path: tuple, what: tuple) -> None:
        self.member_reads.setdefault(param, {})[path] = what

    def host_value(self, value):
        """Python objects that have a kernel-side meaning: fields become bound ndarray arguments, host vectors and
        matrices constant vectors/matrices."""
        if getattr(value, "_is_quadrants_field", False):
            return bind_field(self, value)
        if getattr(value, "_is_quadrants_matrix", False) and not isinstance(value, type):
            return constant_matrix(self, value.entries)  # a captured qd.Vector/qd.Matrix is a constant
        return value

    # ------------------------------------------------------------------------------------------------ variables
    def new_var(self, name: str, dtype: DataType) -> ir.Var:
        self._next_var += 1
        return ir.Var(self._next_var, name, dtype)

    def emit(self, stmt) -> None:
        self.blocks[-1].append(stmt)

    def define(self, stmt) -> None:
        """Emit a statement that declares ``stmt.var``; a declaration at kernel level makes it a kernel var."""
        self.emit(stmt)
        if self.top_level and len(self.blocks) == 1:
            self.kernel_vars.append(stmt.var)
            self.kernel_var_ids.add(stmt.var.id)

    def shared_local(self, var: ir.Var) -> bool:
        """Whether ``var`` is one variable shared by every iteration of the enclosing parallel loop.

        A local declared at kernel scope (a kernel var) and updated from inside a parallel loop: atomic updates of it
        are reductions (docs/language.md, "Reductions into a local").
        """
        return var.id in self.kernel_var_ids and any(loop.parallel for loop in self.loops)

    def declare(self, name: str, value, node: ast.AST | None = None) -> ir.Var:
        """Declare a new local initialised with the run-time ``value``."""
        var = self.new_var(name, value.dtype)
        self.define(ir.Decl(var, value, self.loc(node)))
        return var

    def temp(self, value, node: ast.AST | None = None, name: str = "tmp") -> ir.LocalRef:
        """Materialise ``value`` into a fresh local so later side effects cannot change it."""
        if isinstance(value, (ir.Const, ir.ArgRef, ir.Shape)):
            return value  # immutable during a launch: no copy needed
        return ir.LocalRef(self.declare(name, value, node))

    # --------------------------------------------------------------------------------------------------- scopes
    @contextlib.contextmanager
    def scope(self, function_boundary: bool = False):
        self.scopes.append(Scope(function_boundary=function_boundary))
        try:
            yield self.scopes[-1]
        finally:
            self.scopes.pop()

    @contextlib.contextmanager
    def block(self):
        """Collect the statements emitted inside into a fresh list (yielded)."""
        stmts: list = []
        self.blocks.append(stmts)
        try:
            yield stmts
        finally:
            self.blocks.pop()
            fields = self.stopped.pop(id(stmts), None)
            if fields:
                stmts[:] = self.mark_stopped(stmts, fields)

    def stop_gradients(self, fields) -> None:
        """``qd.stop_grad``: the loads of ``fields`` in the current block (nested ones and earlier ones included)
        carry no derivative; marked when the block closes (:mod:`quadrants.frontend.stop_grad`)."""
        self.stopped.setdefault(id(self.blocks[-1]), []).extend(fields)

    def mark_stopped(self, stmts, fields) -> tuple:
        from quadrants.frontend.stop_grad import mark, stopped_args

        return mark(stmts, stopped_args(self.arg_sources, fields))

    @contextlib.contextmanager
    def nested(self):
        """A non-top-level region (runtime ``if`` bodies, loop bodies): loops inside are serial."""
        saved = self.top_level
        self.top_level = False
        try:
            yield
        finally:
            self.top_level = saved

    def lookup_local(self, name: str):
        """The innermost binding of ``name`` in the current function's scopes, or ``None``."""
        for scope in reversed(self.scopes):
            if name in scope.names:
                return scope.names[name]
            if scope.function_boundary:
                break
        return None

    def bind(self, name: str, binding) -> None:
        self.scopes[-1].names[name] = binding

    def lookup(self, name: str, node: ast.AST):
        """Resolve ``name``: locals, then the function's closure and globals, then builtins."""
        binding = self.lookup_local(name)
        if binding is not None:
            if isinstance(binding, LocalBinding):
                return ir.LocalRef(binding.var)
            if isinstance(binding, ArgBinding):
                return binding.value
            if isinstance(binding, MatrixBinding):
                return MatrixValue(tuple(ir.LocalRef(v) for v in binding.vars), binding.shape)
            return binding
        frame = self.frame
        if name in frame.closure:
            self.global_reads.append((name, frame.closure[name], self.static_depth > 0, self.loc(node)))
            return self.host_value(frame.closure[name])
        if name in frame.globals:
            self.global_reads.append((name, frame.globals[name], self.static_depth > 0, self.loc(node)))
            return self.host_value(frame.globals[name])
        builtins = frame.globals.get("__builtins__", __builtins__)
        builtins = builtins if isinstance(builtins, dict) else vars(builtins)
        if name in builtins:
            return builtins[name]
        raise QuadrantsNameError(f'Name "{name}" is not defined', self.loc(node))

    def name_defined_outside_scopes(self, name: str) -> bool:
        frame = self.frame
        return name in frame.closure or name in frame.globals

    # ---------------------------------------------------------------------------------------------------- items
    def flush_serial(self) -> None:
        """Close the current run of top-level statements into a SerialBlock item."""
        stmts = self.blocks[0]
        if stmts:
            self.items.append(ir.SerialBlock(tuple(stmts), self.serial_loc))
            stmts.clear()
        self.serial_loc = None
        self.task_state.clear()
