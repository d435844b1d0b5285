"""Random ``graph=True`` / ``qd.graph.do_while`` / checkpoint scenarios, checked against a model of SEMANTICS §16.4.

A *scenario* is a seeded random tree of

* **tasks**: one traced unit of work (``log[t] += 1``, ``trace[pos] = t``, ``pos += 1``) written as a bare
  statement, a runtime ``if``, a ``@qd.func`` call with a loop inside, a loop in a top-level ``if qd.static(True)``,
  a runtime ``if`` around a one-trip loop, a one-trip loop, a ``qd.static`` for of two one-trip loops, or a parallel
  loop over ``W`` distinct elements of ``acc`` (optionally after ``qd.loop_config(serialize=True)``);
* **do_while levels** with their own 0-d counter ``c<j>``, set by the host or reset in the kernel before the loop, and
  decremented (never below 0, so every loop ends) somewhere in the body;
* **explicit checkpoints** ``with qd.checkpoint(label, yield_on=f<i>)`` whose body counts its runs in ``runs[k]`` and
  raises a flag (its own, or sometimes another one) when the count hits chosen values; labels are int literals,
  module-global int constants or IntEnum members; flags may be shared and may be preset by the host;
* **implicit checkpoints**: every for-statement directly in the kernel body or a do_while body (outside explicit
  checkpoints) under ``checkpoints=True``.

For each scenario the generator writes the kernel **source** to a real ``.py`` file (kernels need one), imports it,
and runs the host loop of §17.6: a fresh launch (or, sometimes, a resume as the very first call), then, while the
status says ``yielded``: clear the yielder's flag (once, sometimes not: a stale resume), and resume from the yielded
label (the status's label object, or sometimes its int value). A pure-Python model of the §16.4 driver predicts every
launch: the status (and the identity of the label object), every array after the launch, and the introspection
tables (§16.3, §17.7). :func:`check` raises ``AssertionError`` with the source and the first difference when the run
and the model disagree.

Configuration (read by ``cases/test_graph_scenarios.py``): ``QD_GRAPH_SCENARIOS`` (how many scenarios, default 50)
and ``QD_GRAPH_SEED`` (the base seed, default 0). Command line::

    python -m quadrants_conformance.graph_scenarios --count 500 --seed 7 --arch ref
    python -m quadrants_conformance.graph_scenarios --seed 7 --show 12     # print scenario 12's source and model
"""

from __future__ import annotations

import argparse
import atexit
import importlib.util
import os
import random
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Scenario",
    "generate",
    "model_run",
    "run_scenario",
    "check",
    "check_many",
    "scenario_count",
    "base_seed",
    "scenario_seed",
]

TMAX = 4096  # trace capacity: writes past it are dropped (guarded in the kernel and in the model)
W = 4  # width of a parallel task
MAX_LAUNCHES = 40
MAX_PASSES = 2000

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


def _params(scn: Scenario) -> list[str]:
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
        "def kern(" + ", ".join(f"{p}: {_annotation(p)}" for p in _params(scn)) + "):",
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


# ------------------------------------------------------------------------------------------ the model


@dataclass
class _Cp:
    id: int
    explicit: Explicit | None
    body: list


@dataclass
class _Loop:
    level: DoWhile
    body: list


def _wrap(scn: Scenario):
    """The post-wrap item tree (§17.2.1) with dense internal ids in source order (§17.2.2)."""
    cps: list[_Cp] = []
    level_cp: dict[int, int] = {}

    def block(items, wrap: bool, enclosing_cp: int):
        out = []
        for it in items:
            if isinstance(it, Explicit):
                cp = _Cp(len(cps), it, [])
                cps.append(cp)
                cp.body = block(it.body, wrap=False, enclosing_cp=cp.id)
                out.append(cp)
            elif isinstance(it, DoWhile):
                level_cp[it.id] = enclosing_cp
                out.append(_Loop(it, block(it.body, wrap, enclosing_cp)))
            else:
                is_for = (isinstance(it, Task) and it.kind in FOR_KINDS) or (
                    isinstance(it, Counter) and it.form == "loop"
                )
                if wrap and is_for:
                    cp = _Cp(len(cps), None, [it])
                    cps.append(cp)
                    out.append(cp)
                else:
                    out.append(it)
        return out

    tree = block(scn.body, wrap=True, enclosing_cp=-1)
    return tree, cps, level_cp


def expected_tables(scn: Scenario) -> dict[str, Any]:
    """The introspection tables the kernel must report (label values: ints; enum identity is checked separately)."""
    _, cps, level_cp = _wrap(scn)
    params = _params(scn)
    labels, args, arg_ids = [], [], []
    for cp in cps:
        if cp.explicit is None:
            labels.append(None)
            args.append(None)
            arg_ids.append(-1)
        else:
            labels.append(cp.explicit.value)
            args.append(f"f{cp.explicit.flag}")
            arg_ids.append(params.index(f"f{cp.explicit.flag}"))
    parents: dict[int, int] = {}

    def walk(items, parent):
        for it in items:
            if isinstance(it, DoWhile):
                parents[it.id] = parent
                walk(it.body, it.id)
            elif isinstance(it, Explicit):
                walk(it.body, parent)

    walk(scn.body, -1)
    levels = []
    for lv in scn.levels:
        cp = level_cp[lv.id]
        # a level nested in a do_while inside a checkpoint: SEMANTICS does not say whether it reports that checkpoint
        ambiguous = cp != -1 and parents[lv.id] != -1 and level_cp.get(parents[lv.id], -1) == cp
        levels.append((f"c{lv.id}", parents[lv.id], params.index(f"c{lv.id}"), None if ambiguous else cp))
    return {"labels": labels, "args": args, "arg_ids": arg_ids, "levels": levels}


class _State:
    def __init__(self, scn: Scenario):
        self.log = [0] * max(1, scn.n_tasks)
        self.trace = [0] * TMAX
        self.pos = 0
        self.runs = [0] * max(1, scn.n_explicit)
        self.acc = [0] * max(1, scn.n_par * W)
        self.c = [lv.init or 0 for lv in scn.levels]
        self.f = [scn.host.presets.get(i, 0) for i in range(scn.n_flags)]

    def snapshot(self) -> dict[str, Any]:
        return {
            "log": list(self.log),
            "pos": self.pos,
            "trace": self.trace[: min(self.pos, TMAX)],
            "runs": list(self.runs),
            "acc": list(self.acc),
            "c": list(self.c),
            "f": list(self.f),
        }


class _Driver:
    """SEMANTICS §16.4, literally."""

    def __init__(self, scn: Scenario, state: _State):
        self.tree, self.cps, _ = _wrap(scn)
        self.s = state
        self.resume_point = 0
        self.yield_signal = -1
        self.passes = 0

    def launch(self, resume_value: int | None) -> int:
        self.resume_point = 0
        if resume_value is not None:
            matches = [cp.id for cp in self.cps if cp.explicit is not None and cp.explicit.value == resume_value]
            self.resume_point = matches[0]
        self.yield_signal = -1
        self.exec_block(self.tree)
        return self.yield_signal

    def exec_block(self, items) -> None:
        for it in items:
            if isinstance(it, _Cp):
                self.exec_checkpoint(it)
            elif isinstance(it, _Loop):
                self.exec_do_while(it)
            else:
                self.run(it)

    def exec_do_while(self, loop: _Loop) -> None:
        while True:
            self.passes += 1
            if self.passes > MAX_PASSES:
                raise _Diverges("too many passes")
            self.exec_block(loop.body)
            self.resume_point = 0
            if self.yield_signal != -1:
                break
            if self.s.c[loop.level.id] == 0:
                break

    def exec_checkpoint(self, cp: _Cp) -> None:
        if cp.id < self.resume_point or self.yield_signal != -1:
            return
        self.exec_block(cp.body)
        if cp.explicit is not None and self.s.f[cp.explicit.flag] != 0:
            self.yield_signal = cp.id

    def run(self, it) -> None:
        s = self.s
        if isinstance(it, Task):
            if it.kind == "par":
                for i in range(W):
                    s.acc[it.par * W + i] += 1
                return
            for t in it.tasks:
                s.log[t] += 1
                if s.pos < TMAX:
                    s.trace[s.pos] = t
                s.pos += 1
        elif isinstance(it, Counter):
            j = it.level.id
            if it.op == "reset":
                s.c[j] = it.value
            elif s.c[j] > 0:
                s.c[j] -= 1
        elif isinstance(it, Trigger):
            s.runs[it.cp] += 1
            if s.runs[it.cp] in it.at:
                s.f[it.flag] = 1
        else:
            raise TypeError(it)


class _Diverges(Exception):
    pass


def model_run(scn: Scenario) -> list[dict[str, Any]]:
    """The predicted launches of the host loop: for each, the status and a snapshot of every array."""
    state = _State(scn)
    drv = _Driver(scn, state)
    host = scn.host
    launches = []
    first = None if host.first_resume is None else scn.explicits[host.first_resume].value
    ys = drv.launch(first)
    launches.append(_launch_record(drv, ys, state))
    n = 0
    while ys != -1:
        if n + 1 >= MAX_LAUNCHES:
            raise _Diverges("too many launches")
        cp = drv.cps[ys].explicit
        if not (n == 0 and host.stale_first):
            state.f[cp.flag] = 0
        ys = drv.launch(cp.value)
        launches.append(_launch_record(drv, ys, state))
        n += 1
    return launches


def _launch_record(drv: _Driver, ys: int, state: _State) -> dict[str, Any]:
    if ys == -1:
        status = (False, None, None)
    else:
        cp = drv.cps[ys].explicit
        status = (True, cp.value, cp.k)
    return {"status": status, **state.snapshot()}


# ------------------------------------------------------------------------------------------ running a scenario

_TMP: str | None = None


def _tmpdir() -> str:
    global _TMP
    if _TMP is None:
        _TMP = tempfile.mkdtemp(prefix="qd_graph_scenarios_")
        if not os.environ.get("QD_GRAPH_KEEP"):
            atexit.register(shutil.rmtree, _TMP, True)
    return _TMP


def _import(scn: Scenario):
    """Write the source to a real file and import it as a fresh module (kernels need source files)."""
    name = f"qd_graph_scenario_{scn.seed}_{uuid.uuid4().hex[:8]}"
    path = os.path.join(_tmpdir(), f"scenario_{scn.seed}.py")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(scn.source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module, name, path


def run_scenario(scn: Scenario) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    """Run the host loop on the current backend: (launch records, introspection tables, source path)."""
    import quadrants as qd

    module, name, path = _import(scn)
    try:
        kern = module.kern

        def arr(n):
            return qd.ndarray(qd.i32, shape=(n,))

        def scalar(v):
            a = qd.ndarray(qd.i32, shape=())
            a[()] = v
            return a

        log, trace = arr(max(1, scn.n_tasks)), arr(TMAX)
        runs, acc = arr(max(1, scn.n_explicit)), arr(max(1, scn.n_par * W))
        pos = scalar(0)
        cs = [scalar(lv.init or 0) for lv in scn.levels]
        fs = [scalar(scn.host.presets.get(i, 0)) for i in range(scn.n_flags)]
        args = [log, trace, pos, runs, acc, *cs, *fs]

        def label_object(cp: Explicit):
            if cp.label_kind == "enum":
                return getattr(module.Lbl, f"M{cp.k}")
            if cp.label_kind == "const":
                return getattr(module, f"CP_{cp.k}")
            return cp.value

        by_value = {cp.value: cp for cp in scn.explicits}

        def record(st) -> dict[str, Any]:
            p = int(pos[()])
            if st.yielded:
                cp = by_value.get(int(st.checkpoint)) if isinstance(st.checkpoint, int) else None
                same = cp is not None and (
                    st.checkpoint is label_object(cp)
                    if cp.label_kind == "enum"
                    else type(st.checkpoint) is int and st.checkpoint == cp.value
                )
                status = (
                    True,
                    st.checkpoint if not same else int(st.checkpoint),
                    cp.k if same else repr(st.checkpoint),
                )
            else:
                status = (st.yielded, st.checkpoint, None)
            return {
                "status": status,
                "log": log.to_numpy().tolist(),
                "pos": p,
                "trace": trace.to_numpy()[: min(p, TMAX)].tolist(),
                "runs": runs.to_numpy().tolist(),
                "acc": acc.to_numpy().tolist(),
                "c": [int(c[()]) for c in cs],
                "f": [int(f[()]) for f in fs],
            }

        host = scn.host
        launches = []
        if host.first_resume is None:
            st = kern(*args)
        else:
            st = kern.resume(*args, from_checkpoint=label_object(scn.explicits[host.first_resume]))
        launches.append(record(st))
        tables = _tables(kern)
        n = 0
        while st.yielded and n + 1 < MAX_LAUNCHES:
            cp = by_value.get(int(st.checkpoint)) if isinstance(st.checkpoint, int) else None
            if cp is None:
                break  # an unknown label: the record above already differs from the model
            if not (n == 0 and host.stale_first):
                fs[cp.flag][()] = 0
            label = int(st.checkpoint) if host.resume_by_int[n] else st.checkpoint
            st = kern.resume(*args, from_checkpoint=label)
            launches.append(record(st))
            n += 1
        return launches, tables, path
    finally:
        sys.modules.pop(name, None)


def _tables(kern) -> dict[str, Any]:
    p = kern._primal
    labels = [None if v is None else int(v) for v in p.checkpoint_user_labels_by_cp_id]
    return {
        "labels": labels,
        "args": list(p.checkpoint_yield_on_args),
        "arg_ids": list(p.checkpoint_yield_on_cpp_arg_ids),
        "levels": [(v.cond_arg_name, v.parent_id, v.cond_cpp_arg_id, v.checkpoint_id) for v in p.graph_do_while_levels],
    }


def _first_difference(expected: Any, actual: Any, path: str = "") -> str | None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key not in actual:
                return f"{path}.{key}: missing"
            d = _first_difference(expected[key], actual[key], f"{path}.{key}")
            if d:
                return d
        return None
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        if len(expected) != len(actual):
            return f"{path}: length {len(actual)}, expected {len(expected)}: got {actual!r}, expected {expected!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            d = _first_difference(e, a, f"{path}[{i}]")
            if d:
                return d
        return None
    if expected is None and actual is None:
        return None
    if expected != actual or (
        type(expected) is not type(actual) and not (isinstance(expected, int) and isinstance(actual, int))
    ):
        return f"{path}: got {actual!r}, expected {expected!r}"
    return None


def _levels_match(expected: list, actual: list) -> list:
    """Drop the checkpoint ids SEMANTICS leaves open (None in ``expected``) from the comparison."""
    out = []
    for e, a in zip(expected, actual):
        out.append(tuple(a[:3]) + ((a[3],) if e[3] is not None else (None,)))
    return out + list(actual[len(expected) :])


def check(scn: Scenario) -> dict[str, Any]:
    """Run ``scn`` and compare with the model; raise ``AssertionError`` on a difference. Returns a summary."""
    expected = model_run(scn)
    tables = expected_tables(scn)
    actual, got_tables, path = run_scenario(scn)
    got_tables = dict(got_tables, levels=_levels_match(tables["levels"], got_tables["levels"]))
    for i, (e, a) in enumerate(zip(expected, actual)):
        d = _first_difference(e, a, f"launch[{i}]")
        if d:
            _fail(scn, path, f"{d}\n  status: expected {e['status']}, got {a['status']}", expected, actual)
    if len(expected) != len(actual):
        _fail(scn, path, f"{len(actual)} launches, expected {len(expected)}", expected, actual)
    d = _first_difference(tables, got_tables, "tables")
    if d:
        _fail(scn, path, d, expected, actual)
    last = actual[-1]
    return {
        "launches": len(actual),
        "yields": [a["status"][1] for a in actual if a["status"][0]],
        "log": last["log"],
        "pos": last["pos"],
    }


def _fail(scn: Scenario, path: str, what: str, expected, actual) -> None:
    raise AssertionError(
        f"graph scenario seed={scn.seed} (index {scn.index}) differs from the SEMANTICS §16.4 model: {what}\n"
        f"source file: {path}\nhost: {scn.host}\n"
        f"statuses expected: {[e['status'] for e in expected]}\n"
        f"statuses got:      {[a['status'] for a in actual]}\n"
        f"--- source ---\n{scn.source}"
    )


# ------------------------------------------------------------------------------------------ configuration


def scenario_count(default: int = 50) -> int:
    """``QD_GRAPH_SCENARIOS`` or ``default``."""
    return int(os.environ.get("QD_GRAPH_SCENARIOS", default))


def base_seed() -> int:
    """``QD_GRAPH_SEED`` or 0."""
    return int(os.environ.get("QD_GRAPH_SEED", 0))


def scenario_seed(base: int, index: int) -> int:
    """The seed of scenario ``index`` under base seed ``base``."""
    return base * 1_000_003 + index


def usable(base: int, index: int) -> Scenario:
    """The scenario for ``index``: the first of a deterministic sequence of seeds whose model terminates."""
    for attempt in range(100):
        scn = generate(scenario_seed(base, index) + attempt * 7_919_000_003, index)
        try:
            model_run(scn)
            return scn
        except _Diverges:
            continue
    raise RuntimeError(f"no terminating scenario for index {index}")


def check_many(indices, base: int | None = None) -> dict[str, Any]:
    """Check the scenarios ``indices`` under ``base`` (default: :func:`base_seed`); a dict of summaries."""
    base = base_seed() if base is None else base
    return {f"s{i}": check(usable(base, i)) for i in indices}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=scenario_count())
    parser.add_argument("--seed", type=int, default=base_seed())
    parser.add_argument("--arch", default="ref")
    parser.add_argument("--show", type=int, default=None, help="print one scenario's source and model, run nothing")
    ns = parser.parse_args(argv)
    if ns.show is not None:
        scn = usable(ns.seed, ns.show)
        print(scn.source)
        print("host:", scn.host)
        print("tables:", expected_tables(scn))
        for i, launch in enumerate(model_run(scn)):
            print(f"launch {i}: {launch['status']} log={launch['log']} c={launch['c']} f={launch['f']}")
        return 0
    import quadrants as qd

    qd.init(arch=ns.arch)
    failures = 0
    stats = {"launches": 0, "yields": 0, "levels": 0, "explicit": 0}
    for i in range(ns.count):
        scn = usable(ns.seed, i)
        try:
            summary = check(scn)
        except AssertionError as exc:
            failures += 1
            print(f"FAIL {i}: {str(exc).splitlines()[0]}")
            continue
        stats["launches"] += summary["launches"]
        stats["yields"] += len(summary["yields"])
        stats["levels"] += scn.n_levels
        stats["explicit"] += scn.n_explicit
    print(f"{ns.count - failures}/{ns.count} scenarios agree with the model (seed {ns.seed}, arch {ns.arch}); {stats}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
