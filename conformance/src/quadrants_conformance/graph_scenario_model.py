"""The model of :mod:`quadrants_conformance.graph_scenarios`: a pure-Python SEMANTICS §16.4 driver that predicts every
launch of a scenario's host loop (§17.6) and the introspection tables its kernel must report (§16.3, §17.7).

:func:`model_run` raises :class:`Diverges` for a scenario whose model does not terminate; the scenarios checked are
those whose model does (``graph_scenarios.usable``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quadrants_conformance.graph_scenario_generator import (
    FOR_KINDS,
    MAX_LAUNCHES,
    TMAX,
    Counter,
    DoWhile,
    Explicit,
    Scenario,
    Task,
    Trigger,
    W,
    kernel_params,
)

__all__ = ["MAX_PASSES", "Diverges", "expected_tables", "model_run"]

MAX_PASSES = 2000  # the model gives up on a scenario after this many do_while passes


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
    params = kernel_params(scn)
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
                raise Diverges("too many passes")
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


class Diverges(Exception):
    """The model did not finish: too many do_while passes or host launches."""


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
            raise Diverges("too many launches")
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
