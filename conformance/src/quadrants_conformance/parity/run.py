"""``nox -s parity``: every conformance case (the fuzz corpus included) on upstream 1.3.3 and on the reference.

``python -m quadrants_conformance.parity.run --upstream-python PATH [-k TEXT] [--timeout S] [--json OUT]``

Each case runs on the reference here and on upstream's ``qd.cpu`` in a worker under ``PATH`` (an interpreter where
``import quadrants`` is upstream's), and the two are compared with the conformance rules
(:mod:`~quadrants_conformance.parity.judge`). Upstream runs with its defaults; a case that differs is run again on
upstream with ``fast_math=False`` (the reference's default), and one that then agrees differs only by upstream's
``fast_math=True`` default, the one deliberate difference docs/parity.md states for every case at once. Cases that
need a capability upstream's CPU backend lacks, or an API upstream does not have, are listed as not run. Every other
difference must be a row of docs/parity.md (deliberate or open differences,
:mod:`~quadrants_conformance.parity.differences`); the run exits with status 1 on a difference that is not listed and
on a listed case that no longer differs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from quadrants_conformance.case import Case
from quadrants_conformance.driver import QuadrantsDriver
from quadrants_conformance.observation import observe
from quadrants_conformance.parity.differences import DEFAULT_PATH, load_differences
from quadrants_conformance.parity.judge import Outcome, judge_parity
from quadrants_conformance.parity.upstream import UpstreamWorker
from quadrants_conformance.verdict import judge

__all__ = ["main", "collect_cases", "UPSTREAM_CPU_BACKEND"]

# The capabilities of upstream's CPU backend are taken to be those of llvm-cpu here (f64, i64, f16, atomics on every
# type, print, assert); a case that needs more (the reference's lane orders) is not run on upstream.
UPSTREAM_CPU_BACKEND = "llvm-cpu"


def collect_cases(pattern: str = "") -> list[tuple[str, str, Case]]:
    """``(module name, case id as the reports write it, case)`` of every conformance case matching ``pattern``."""
    import quadrants_conformance.cases as package

    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for attr, value in vars(module).items():
            if isinstance(value, Case) and attr == value.id:
                qualified = f"{info.name}.py::{value.id}"
                if pattern in qualified:
                    found.append((module.__name__, qualified, value))
    return found


def _upstream_supports(case: Case) -> str:
    """'' when upstream's CPU backend can run ``case``, else the capability it lacks."""
    from quadrants.backend import load_by_id

    backend = load_by_id(UPSTREAM_CPU_BACKEND)
    for requirement in case.requires:
        if backend is None or not backend.capabilities.supports(requirement):
            return requirement
    return ""


def _judge(case: Case, module: str, worker: UpstreamWorker, driver: QuadrantsDriver) -> Outcome:
    lacking = _upstream_supports(case)
    if lacking:
        return Outcome("not-runnable", "capability", lacking)
    reference = observe(case, driver, "ref")
    own = judge(case, reference, None)
    if not own.ok:  # the case fails on the reference itself: the conformance run reports it, parity cannot judge it
        return Outcome("reference-fails", own.category, own.problems[0][:300] if own.problems else "")
    job = {"kind": "case", "module": module, "case": case.id}
    result = worker.run(job)
    if result["status"] == "crash":
        # a crash ends the worker; once more in a fresh one: upstream's process sometimes crashes on a case only after
        # running many others (its state, not the case: the case alone agrees), and the table is about the case
        again = worker.run(job)
        if again["status"] != "crash":
            print(
                f"parity: note       {module.rsplit('.', 1)[-1]}.py::{case.id}: upstream crashed after earlier "
                "cases; judged in a fresh worker",
                flush=True,
            )
        result = again
    outcome = judge_parity(case, reference, result)
    if outcome.category != "differs" or outcome.what in ("hang", "crash"):
        return outcome
    # upstream's default is fast_math=True; a case that agrees with fast_math=False differs only by that default
    if judge_parity(case, reference, worker.run({**job, "fast_math": False})).category == "same":
        return Outcome("fast-math", outcome.what, outcome.detail)
    return outcome


def _report(results: dict[str, Outcome], listed: dict, out: Path | None) -> tuple[list[str], list[str]]:
    new = sorted(cid for cid, o in results.items() if o.category == "differs" and cid not in listed)
    judged = ("same", "fast-math", "not-runnable")  # a case failing on the reference is not judged at all
    stale = sorted(cid for cid in listed if cid in results and results[cid].category in judged)
    counts = Counter(o.category for o in results.values())
    for cid in sorted(results):
        o = results[cid]
        if o.category == "differs":
            mark = listed[cid].kind if cid in listed else "NEW"
            print(f"parity: {mark:10} {cid}: {o.what}: {o.detail}")
    for cid in stale:
        print(f"parity: STALE {cid}: listed in docs/parity.md but {results[cid].category} now; delete the row")
    for cid in sorted(c for c, o in results.items() if o.category == "fast-math"):
        print(f"parity: fastmath   {cid}: agrees with upstream under fast_math=False ({results[cid].what})")
    for cid in sorted(c for c, o in results.items() if o.category == "reference-fails"):
        print(f"parity: ref-fails  {cid}: the case fails on the reference itself (see the conformance run)")
    not_run = Counter(o.what for o in results.values() if o.category == "not-runnable")
    print(f"parity: not run on upstream: {dict(not_run)} (capability / api / import)")
    kinds = Counter(listed[cid].kind for cid, o in results.items() if o.category == "differs" and cid in listed)
    print(
        f"parity: {counts['same']} same, {counts['differs']} differ ({kinds['deliberate']} deliberate, "
        f"{kinds['open']} open, {len(new)} new), {counts['fast-math']} only by upstream's fast_math=True default, "
        f"{counts['not-runnable']} not runnable on upstream, {counts['reference-fails']} failing on the reference, "
        f"{len(stale)} stale rows"
    )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        data = {cid: {"category": o.category, "what": o.what, "detail": o.detail} for cid, o in results.items()}
        out.write_text(json.dumps({"results": data, "new": new, "stale": stale}, indent=1, sort_keys=True))
    return new, stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="parity", description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream-python", required=True, help="interpreter whose `import quadrants` is upstream's")
    parser.add_argument("-k", default="", help="only cases whose id contains this text")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before an upstream run counts as a hang")
    parser.add_argument("--json", default="reports/parity.json", help="where the per-case results go ('' for none)")
    parser.add_argument("--differences", default=str(DEFAULT_PATH), help="the table of deliberate differences")
    args = parser.parse_args(argv)
    os.environ.setdefault("QD_FASTCACHE_CASE_DIR", tempfile.mkdtemp(prefix="qd-parity-fastcache-"))
    listed = load_differences(Path(args.differences))
    cases = collect_cases(args.k)
    print(f"parity: {len(cases)} cases, upstream: {args.upstream_python}, reference: ref")
    worker, driver = UpstreamWorker(args.upstream_python, args.timeout), QuadrantsDriver()
    results: dict[str, Outcome] = {}
    start = time.monotonic()
    try:
        for k, (module, cid, case) in enumerate(cases, 1):
            results[cid] = _judge(case, module, worker, driver)
            if k % 100 == 0:
                print(f"parity: {k}/{len(cases)} cases ({time.monotonic() - start:.0f} s)", flush=True)
    finally:
        worker.close()
    new, stale = _report(results, listed, Path(args.json) if args.json else None)
    return 1 if new or stale else 0


if __name__ == "__main__":
    sys.exit(main())
