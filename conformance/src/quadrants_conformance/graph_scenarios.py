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
and the model disagree. The tree, the generator and the kernel source are in
:mod:`quadrants_conformance.graph_scenario_generator`, the model in :mod:`quadrants_conformance.graph_scenario_model`;
this module runs scenarios on a backend, compares them with the model and is the command line.

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
import shutil
import sys
import tempfile
import uuid
from typing import Any

from quadrants_conformance.graph_scenario_generator import (
    CP_DIRECT_KINDS,
    FOR_KINDS,
    MAX_LAUNCHES,
    OUTSIDE_KINDS,
    TMAX,
    Counter,
    DoWhile,
    Explicit,
    Host,
    Scenario,
    Task,
    Trigger,
    W,
    emit_source,
    generate,
)
from quadrants_conformance.graph_scenario_model import MAX_PASSES, Diverges, expected_tables, model_run

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
    # the tree, the generator and the model, defined in graph_scenario_generator and graph_scenario_model
    "TMAX",
    "W",
    "MAX_LAUNCHES",
    "MAX_PASSES",
    "FOR_KINDS",
    "OUTSIDE_KINDS",
    "CP_DIRECT_KINDS",
    "Task",
    "Counter",
    "Trigger",
    "DoWhile",
    "Explicit",
    "Host",
    "emit_source",
    "expected_tables",
]


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
        except Diverges:
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
