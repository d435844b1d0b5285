"""The generator of :mod:`quadrants_conformance.graph_scenarios`: the scenario tree, its seeded random generation and
the kernel source it is written as.

A scenario is a tree of tasks, do_while levels (with their counters), explicit checkpoints (with the triggers that
raise their flags) and the host's choices (:class:`Host`); :func:`generate` draws one from a seed, deterministically,
and :func:`emit_source` writes the kernel module. The model that predicts its launches is
:mod:`quadrants_conformance.graph_scenario_model`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "TMAX",
    "W",
    "MAX_LAUNCHES",
    "FOR_KINDS",
    "OUTSIDE_KINDS",
    "CP_DIRECT_KINDS",
    "Task",
    "Counter",
    "Trigger",
    "DoWhile",
    "Explicit",
    "Host",
    "Scenario",
    "generate",
    "emit_source",
    "kernel_params",
]

TMAX = 4096  # trace capacity: writes past it are dropped (guarded in the kernel and in the model)
W = 4  # width of a parallel task
MAX_LAUNCHES = 40

FOR_KINDS = ("loop", "static_for", "par")  # emitted as a for-statement: wrapped when in a wrap context
OUTSIDE_KINDS = ("bare", "if", "func", "static_if", "if_loop")  # never wrapped
CP_DIRECT_KINDS = ("loop", "static_for", "par", "if_loop")  # allowed as direct children of an explicit checkpoint


# ------------------------------------------------------------------------------------------ the tree


@dataclass
class Task:
    kind: str
    tasks: list[int]  # trace ids (two for a static for)
    par: int = -1  # row of acc for a parallel task
    serialize: bool = False  # a qd.loop_config(serialize=True) before a parallel task


@dataclass
class Counter:
    op: str  # "reset" | "dec"
    level: Any  # the DoWhile node (its final id is assigned after generation)
    value: int = 0
    form: str = "bare"  # "bare" (outside every checkpoint) or "loop" (a one-trip loop)


@dataclass
class Trigger:
    cp: int  # explicit index: runs[cp]
    at: tuple[int, ...]
    flag: int


@dataclass
class DoWhile:
    body: list
    init: int | None = None  # host-set initial counter value (None: reset in the kernel)
    id: int = -1  # level id (source order), assigned after generation


@dataclass
class Explicit:
    k: int
    label_kind: str  # "int" | "const" | "enum"
    value: int
    flag: int
    body: list

    @property
    def label_src(self) -> str:
        if self.label_kind == "int":
            return str(self.value)
        if self.label_kind == "const":
            return f"CP_{self.k}"
        return f"Lbl.M{self.k}"


@dataclass
class Host:
    presets: dict[int, int]  # flag index -> initial value
    first_resume: int | None  # explicit index resumed from at the very first call, or None (fresh launch)
    stale_first: bool  # do not clear the flag before the first resume after a yield
    resume_by_int: list[bool]  # per resume: pass int(label) instead of the status's label object


@dataclass
class Scenario:
    seed: int
    index: int
    body: list
    n_tasks: int
    n_par: int
    n_explicit: int
    n_flags: int
    levels: list[DoWhile] = field(default_factory=list)
    explicits: list[Explicit] = field(default_factory=list)
    host: Host | None = None
    source: str = ""

    @property
    def n_levels(self) -> int:
        return len(self.levels)


# ------------------------------------------------------------------------------------------ generation


class _Gen:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.n_tasks = 0
        self.n_par = 0
        self.explicits: list[Explicit] = []
        self.level_budget = rng.randint(0, 4)
        self.explicit_budget = rng.randint(0, 4)
        self.n_flags = rng.randint(1, 3)
        self.labels: set[int] = set()

    def task(self, kinds, cp_direct: bool = False) -> Task:
        kind = self.rng.choice(kinds)
        if kind == "par":  # qd.loop_config is a bare statement: not allowed directly in a checkpoint body
            self.n_par += 1
            return Task("par", [], par=self.n_par - 1, serialize=not cp_direct and self.rng.random() < 0.3)
        n = 2 if kind == "static_for" else 1
        ids = list(range(self.n_tasks, self.n_tasks + n))
        self.n_tasks += n
        return Task(kind, ids)

    def block(self, depth: int, in_cp: bool, cp_direct: bool, top: bool) -> list:
        items: list = []
        for _ in range(self.rng.randint(1, 4)):
            r = self.rng.random()
            if r < 0.3 and self.level_budget > 0 and depth < 3 and not (in_cp and depth > 1):
                items.extend(self.do_while(depth, in_cp, cp_direct, top))
            elif r < (0.7 if depth else 0.55) and not in_cp and self.explicit_budget > 0:
                items.append(self.explicit(depth))
            elif cp_direct:
                items.append(self.task(CP_DIRECT_KINDS, cp_direct=True))
            else:
                items.append(self.task(FOR_KINDS + OUTSIDE_KINDS))
        return items

    def do_while(self, depth: int, in_cp: bool, cp_direct: bool, top: bool) -> list:
        self.level_budget -= 1
        node = DoWhile(body=[])
        out: list = []
        if top and self.rng.random() < 0.5:
            node.init = self.rng.randint(0, 3)
        else:
            form = "loop" if cp_direct else self.rng.choice(("bare", "loop"))
            out.append(Counter("reset", node, value=self.rng.randint(1, 3), form=form))
        node.body = self.block(depth + 1, in_cp, cp_direct=False, top=False)
        dec = Counter("dec", node, form=self.rng.choice(("bare", "loop")))
        node.body.insert(self.rng.randint(0, len(node.body)), dec)
        out.append(node)
        return out

    def label(self) -> int:
        while True:
            v = self.rng.randint(0, 60)
            if v not in self.labels:
                self.labels.add(v)
                return v

    def explicit(self, depth: int) -> Explicit:
        self.explicit_budget -= 1
        k = len(self.explicits)
        flag = self.rng.randrange(self.n_flags)
        at = tuple(sorted(self.rng.sample(range(1, 5), self.rng.choice((0, 1, 2, 2, 3)))))
        sets = flag if self.rng.random() < 0.8 else self.rng.randrange(self.n_flags)
        kind = self.rng.choice(("int", "const", "enum"))
        cp = Explicit(k, kind, self.label(), flag, body=[])
        self.explicits.append(cp)
        body = [self.task(CP_DIRECT_KINDS, cp_direct=True) for _ in range(self.rng.randint(0, 2))]
        if self.level_budget > 0 and depth < 3 and self.rng.random() < 0.3:
            body.extend(self.do_while(depth, True, True, top=False))
        body.insert(self.rng.randint(0, len(body)), Trigger(k, at, sets))
        cp.body = body
        return cp


def generate(seed: int, index: int = 0) -> Scenario:
    """The scenario of ``seed`` (deterministic), with its kernel source."""
    rng = random.Random(seed)
    g = _Gen(rng)
    body = g.block(0, in_cp=False, cp_direct=False, top=True)
    scn = Scenario(seed, index, body, g.n_tasks, g.n_par, len(g.explicits), g.n_flags, explicits=g.explicits)
    _number_levels(scn)
    presets = {f: rng.choice((1, -1, 3)) for f in range(g.n_flags) if rng.random() < 0.15}
    first_resume = rng.randrange(len(g.explicits)) if g.explicits and rng.random() < 0.25 else None
    scn.host = Host(
        presets=presets,
        first_resume=first_resume,
        stale_first=rng.random() < 0.15,
        resume_by_int=[rng.random() < 0.3 for _ in range(MAX_LAUNCHES)],
    )
    scn.source = emit_source(scn)
    return scn


def _number_levels(scn: Scenario) -> None:
    """Level ids in source order of their ``while`` (outer before inner)."""

    def walk(items):
        for it in items:
            if isinstance(it, DoWhile):
                it.id = len(scn.levels)
                scn.levels.append(it)
                walk(it.body)
            elif isinstance(it, Explicit):
                walk(it.body)

    walk(scn.body)


# ------------------------------------------------------------------------------------------ source


def kernel_params(scn: Scenario) -> list[str]:
    """The kernel's parameter names in order: the traced arrays, the counters ``c<j>``, the flags ``f<i>``."""
    return (
        ["log", "trace", "pos", "runs", "acc"]
        + [f"c{j}" for j in range(scn.n_levels)]
        + [f"f{i}" for i in range(scn.n_flags)]
    )


def _annotation(param: str) -> str:
    return "I0" if param == "pos" or param[0] in "cf" else "I1"


def _task_lines(t: str) -> list[str]:
    return [f"log[{t}] += 1", "if pos[()] < TMAX:", f"    trace[pos[()]] = {t}", "pos[()] += 1"]


def emit_source(scn: Scenario) -> str:
    """The kernel module's source text."""
    out = [
        f'"""Generated graph scenario: seed {scn.seed}, index {scn.index}. Do not edit."""',
        "import enum",
        "",
        "import quadrants as qd",
        "",
        "I1 = qd.types.NDArray[qd.i32, 1]",
        "I0 = qd.types.NDArray[qd.i32, 0]",
        f"TMAX = {TMAX}",
        "",
    ]
    consts = [cp for cp in scn.explicits if cp.label_kind == "const"]
    enums = [cp for cp in scn.explicits if cp.label_kind == "enum"]
    out += [f"CP_{cp.k} = {cp.value}" for cp in consts]
    out += ["", "", "class Lbl(enum.IntEnum):"]
    out += [f"    M{cp.k} = {cp.value}" for cp in enums] or ["    UNUSED = 1000"]
    out += [
        "",
        "",
        "@qd.func",
        "def _rec(log: I1, trace: I1, pos: I0, t: qd.i32):",
        "    for _ in range(1):",
        *("        " + line for line in _task_lines("t")),
        "",
        "",
        "@qd.kernel(graph=True, checkpoints=True)",
        "def kern(" + ", ".join(f"{p}: {_annotation(p)}" for p in kernel_params(scn)) + "):",
    ]
    body = _emit_block(scn.body, 1, cp_direct=False)
    out += body or ["    pass"]
    return "\n".join(out) + "\n"


def _emit_block(items, depth: int, cp_direct: bool) -> list[str]:
    lines: list[str] = []
    for it in items:
        lines += _emit(it, depth, cp_direct)
    return lines


def _emit(it, depth: int, cp_direct: bool) -> list[str]:
    pad = "    " * depth
    if isinstance(it, Task):
        return [pad + line for line in _emit_task(it)]
    if isinstance(it, Counter):
        c = f"c{it.level.id}"
        stmt = [f"{c}[()] = {it.value}"] if it.op == "reset" else [f"if {c}[()] > 0:", f"    {c}[()] -= 1"]
        if it.form == "loop":
            stmt = ["for _ in range(1):"] + ["    " + s for s in stmt]
        return [pad + s for s in stmt]
    if isinstance(it, Trigger):
        lines = ["for _ in range(1):", f"    runs[{it.cp}] += 1"]
        if it.at:
            cond = " or ".join(f"runs[{it.cp}] == {v}" for v in it.at)
            lines += [f"    if {cond}:", f"        f{it.flag}[()] = 1"]
        return [pad + s for s in lines]
    if isinstance(it, DoWhile):
        return [f"{pad}while qd.graph.do_while(c{it.id}):", *_emit_block(it.body, depth + 1, cp_direct=False)]
    if isinstance(it, Explicit):
        head = f"{pad}with qd.checkpoint({it.label_src}, yield_on=f{it.flag}):"
        return [head, *_emit_block(it.body, depth + 1, cp_direct=True)]
    raise TypeError(it)


def _emit_task(t: Task) -> list[str]:
    if t.kind == "par":
        base = t.par * W
        lines = ["qd.loop_config(serialize=True)"] if t.serialize else []
        return [*lines, f"for i in range({W}):", f"    acc[{base} + i] += 1"]
    tid = str(t.tasks[0])
    inner = _task_lines(tid)
    if t.kind == "bare":
        return inner
    if t.kind == "if":
        return ["if pos[()] >= 0:"] + ["    " + s for s in inner]
    if t.kind == "func":
        return [f"_rec(log, trace, pos, {tid})"]
    if t.kind == "static_if":
        return ["if qd.static(True):", "    for _ in range(1):"] + ["        " + s for s in inner]
    if t.kind == "if_loop":
        return ["if pos[()] >= 0:", "    for _ in range(1):"] + ["        " + s for s in inner]
    if t.kind == "loop":
        return ["for _ in range(1):"] + ["    " + s for s in inner]
    if t.kind == "static_for":
        inner = _task_lines(f"{tid} + v")
        return ["for v in qd.static(range(2)):", "    for _ in range(1):"] + ["        " + s for s in inner]
    raise ValueError(t.kind)
