"""Kernel variables and run-time checks whose values the host knows before a launch (docs/backends/gpu.md).

A kernel often starts with ``_B = state.shape[1]`` and sizes its loops with it; a ``qd.simt`` loop over ``_B * 32``
lanes then carries the run-time check that its range is a multiple of ``block_dim`` (frontend/simt_lowering.py).
On the device that check costs a serial task and, since a failing check must stop the launch, a read of the status
word after every task: a host sync per task, and no CUDA graph. Genesis's solver kernels have such checks, so each
of their tasks cost a launch and a sync.

Yet ``_B`` is a function of the arguments alone: a kernel variable written only at the top level of serial tasks
(never in a branch, a loop or a parallel task), from constants, scalar arguments, ndarray shapes and other such
variables. :func:`scan` finds those
variables in program order and writes each run-time check and each parallel loop's bounds in terms of the arguments
where it can. The executable then evaluates the checks on the host (exactly, through the numerics of
``quadrants.ir.numerics``), once per distinct argument words: when they all pass it launches without status reads,
as one CUDA graph, and skips the tasks that only check; when one fails it launches task by task with status reads,
so the error and what ran before it are those of the device. The loop bounds size the grids (cuda/lane_grid.py).

The pass ``rematerialize_kernel_vars`` (quadrants/passes) already recomputes, at their reads, the variables written
once (or always with the same value) before any read, so what is left here is mostly variables written with several
values in program order and programs compiled without that pass. Integer and boolean values only: float arithmetic
may be contracted or approximated on the device. A program with
checkpoints keeps everything on the device (a resume skips the tasks that would have declared the variables).
Pure code, tested without a GPU.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from quadrants.ir import nodes as N
from quadrants.ir.arg_exprs import expand as _expand, write_counts as _write_counts
from quadrants.ir.conversions import convert_scalar
from quadrants.ir.numerics import fold
from quadrants.ir.walk import iter_items, iter_stmts, iter_tasks

__all__ = ["HostFacts", "KernelVarWords", "scan", "evaluator", "check_key"]

_NESTED = ("then", "orelse", "body")


def check_key(message: str, loc) -> tuple:
    """What identifies a check in both the IR (``N.Check``) and an artifact's check table (``kind``/``message``/
    ``loc`` dicts): the builder copies the message and location of each ``Check`` it emits."""
    return (message, loc)


@dataclass
class HostFacts:
    """What the host knows of one program before its launch.

    ``checks``: key -> the conditions of the run-time checks with that key, in terms of the arguments (a key whose
    checks are not all known is in ``device_checks`` instead); ``bounds``: ``id(ParallelFor)`` -> the loop with its
    bounds written in terms of the arguments where possible; ``check_only``: ``id(SerialBlock)`` of the tasks whose
    body is only known run-time checks (nothing to run once the host has passed them); ``host_only``: those whose body
    is only such checks and declarations of variables written nowhere else, with values the host knows (nothing to
    run once the host has passed the checks and written the variables: ``kernel_var_values``, variable -> value in
    terms of the arguments).
    """

    checks: dict[tuple, list] = field(default_factory=dict)
    device_checks: set = field(default_factory=set)
    bounds: dict[int, N.ParallelFor] = field(default_factory=dict)
    check_only: set = field(default_factory=set)
    host_only: set = field(default_factory=set)
    kernel_var_values: dict = field(default_factory=dict)

    def decided(self, key: tuple) -> bool:
        """Whether every check with ``key`` can be evaluated on the host."""
        return key in self.checks and key not in self.device_checks

    def conditions(self) -> list:
        """Every known check condition (each evaluates to a bool)."""
        return [c for key, conds in self.checks.items() if key not in self.device_checks for c in conds]


def _straight_vars(items, everywhere: Counter) -> set:
    """The integer variables written only by ``Decl``/``Assign`` statements at the top level of serial tasks (not in a
    branch or loop, nor in a parallel task): their value at a point of the program is that of the last such write
    before it in program order (within a ``do_while`` body, of this iteration)."""
    top: Counter = Counter()
    for task in iter_tasks(items):
        if isinstance(task, N.SerialBlock):
            top.update(s.var for s in task.body if isinstance(s, (N.Decl, N.Assign)))
    return {v for v, n in top.items() if everywhere[v] == n and not v.dtype.is_float}


class _Scan:
    """One walk over the items in program order; ``env`` holds the known value of each straight variable there."""

    def __init__(self, program: N.Program):
        self.writes = _write_counts(program.items)
        self.straight = _straight_vars(program.items, self.writes)
        self.env: dict = {}
        self.facts = HostFacts()
        self.seen_bounds: set = set()
        self.check_only: list[N.SerialBlock] = []
        self.host_only: list[N.SerialBlock] = []

    def items(self, items) -> None:
        for item in items:
            if isinstance(item, N.DoWhile):
                # from the second iteration on, a variable written in the body holds this body's last value: known
                # again only once the walk passes a write of this iteration
                for v in _write_counts(item.body):
                    self.env.pop(v, None)
                self.items(item.body)
            elif isinstance(item, N.ParallelFor):
                self.loop(item)
                self.stmts(item.body, top=False)
            elif isinstance(item, N.SerialBlock):
                self.stmts(item.body, top=True)
                self.maybe_check_only(item)

    def loop(self, item: N.ParallelFor) -> None:
        begins = tuple(_expand(b, self.env) or b for b in item.begins)
        ends = tuple(_expand(e, self.env) or e for e in item.ends)
        if id(item) in self.seen_bounds:  # the same loop object twice, maybe under other knowledge: keep its own
            self.facts.bounds.pop(id(item), None)
            return
        self.seen_bounds.add(id(item))
        self.facts.bounds[id(item)] = dataclasses.replace(item, begins=begins, ends=ends)

    def stmts(self, stmts, top: bool) -> None:
        for s in stmts:
            if isinstance(s, N.Check) and s.kind == "runtime":
                self.check(s)
            elif top and isinstance(s, (N.Decl, N.Assign)) and s.var in self.straight:
                value = _expand(s.value, self.env)
                if value is None:
                    self.env.pop(s.var, None)
                else:
                    self.env[s.var] = value
            for name in _NESTED:
                nested = getattr(s, name, None)
                if nested:
                    self.stmts(nested, top=False)

    def check(self, s: N.Check) -> None:
        key = check_key(s.message, s.loc)
        cond = _expand(s.cond, self.env)
        if cond is None:
            self.facts.device_checks.add(key)
        else:
            self.facts.checks.setdefault(key, []).append(cond)

    def maybe_check_only(self, item: N.SerialBlock) -> None:
        if item.body and all(isinstance(s, N.Check) and s.kind == "runtime" for s in item.body):
            self.check_only.append(item)
        if item.body and all(self.host_statement(s) for s in item.body):
            self.host_only.append(item)

    def host_statement(self, s) -> bool:
        """A run-time check, or the one write of a variable whose value the host knows (``env``, after the walk over
        the task's statements)."""
        if isinstance(s, N.Check):
            return s.kind == "runtime"
        return isinstance(s, N.Decl) and self.writes[s.var] == 1 and s.var in self.env


def scan(program: N.Program) -> HostFacts:
    """The host's knowledge of ``program`` (:class:`HostFacts`); nothing known when it has checkpoints."""
    if any(isinstance(item, N.Checkpoint) for item in iter_items(program.items)):
        return HostFacts()
    walk = _Scan(program)
    walk.items(program.items)
    for fn in program.functions:  # a check in a function body depends on its parameters: the device's
        for s in iter_stmts(fn.body):
            if isinstance(s, N.Check) and s.kind == "runtime":
                walk.facts.device_checks.add(check_key(s.message, s.loc))
    facts = walk.facts

    # a check-only task is skipped only when each of its checks is decided on the host
    def passed(item) -> bool:
        return all(facts.decided(check_key(s.message, s.loc)) for s in item.body if isinstance(s, N.Check))

    facts.check_only = {id(item) for item in walk.check_only if passed(item)}
    host_only = [item for item in walk.host_only if passed(item)]
    facts.host_only = {id(item) for item in host_only}
    facts.kernel_var_values = {s.var: walk.env[s.var] for item in host_only for s in item.body if isinstance(s, N.Decl)}
    return facts


def evaluator(expr) -> Callable[[Sequence], object]:
    """``expr`` (as :func:`scan` writes it: constants, arguments, shapes and integer ops) as a function of the launch
    arguments, computed as the device computes it (wrapping, division by zero, shifts: ``quadrants.ir.numerics``)."""
    if isinstance(expr, N.Const):
        value = expr.value
        return lambda args: value
    if isinstance(expr, N.ArgRef):
        index, dtype = expr.index, expr.dtype
        return lambda args: convert_scalar(args[index], dtype)
    if isinstance(expr, N.Shape):
        arg, axis, dtype = expr.arg, expr.axis, expr.dtype
        return lambda args: convert_scalar(int(args[arg].shape[axis]), dtype)
    parts = [evaluator(a) for a in expr.args]
    op, dtypes, result = expr.op, [a.dtype for a in expr.args], expr.dtype
    return lambda args: fold(op, [p(args) for p in parts], dtypes, result)


class KernelVarWords:
    """The launch-context words of the kernel variables the host writes before a launch whose tasks that declare them
    it skips (``HostFacts.kernel_var_values``; ``slots``: ``Layout.kernel_vars``): one contiguous run of slots,
    ``count`` words from slot ``first``, each variable in its storage type at the start of its word (``u1`` a byte)."""

    def __init__(self, values: dict, slots: dict[int, int]):
        self.rows = [(slots[v.id], evaluator(expr), v.dtype) for v, expr in values.items() if v.id in slots]
        found = [slot for slot, _, _ in self.rows]
        self.first = min(found, default=0)
        self.count = max(found, default=-1) - self.first + 1

    def pack(self, args: Sequence) -> bytes:
        """The words for ``args`` (the slots of other variables in the run are zero: the launch writes those before it
        reads them)."""
        words = bytearray(8 * self.count)
        for slot, value, dtype in self.rows:
            raw = np.asarray(value(args), dtype=np.uint8 if dtype.is_bool else dtype.np).tobytes()
            at = 8 * (slot - self.first)
            words[at : at + len(raw)] = raw
        return bytes(words)
