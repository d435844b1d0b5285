"""``python -m quadrants_conformance.robustness.run``: the misuse corpus on every available backend.

Options: ``--backend ref,llvm-cpu,wgpu`` (default: every backend ``python -m quadrants doctor`` finds available),
``--jobs N``, ``-k SUBSTRING`` (program ids), ``--out reports/robustness.json``. Prints a table of outcomes per
category and backend, every program that is not ``clean``/``correct`` with its detail, and last
``robustness: N clean, N correct, N unlocated, N internal, N crash, N hang, N wrong``. Exits 1 when any program is
``internal``, ``crash``, ``hang`` or ``wrong``.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from quadrants_conformance.robustness.classify import FAILING, OUTCOMES, run_program
from quadrants_conformance.robustness.corpus import all_programs

DEFAULT_BACKENDS = ("ref", "llvm-cpu", "llvm-cuda", "wgpu")


def available_backends() -> list[str]:
    out = subprocess.run([sys.executable, "-m", "quadrants", "doctor", "--json"], capture_output=True, text=True)
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        return ["ref"]
    found = {b.get("id") for b in report.get("backends", []) if b.get("available")}
    return [b for b in DEFAULT_BACKENDS if b in found]


def table(results: list) -> str:
    counts = collections.Counter((r.backend, r.outcome) for r in results)
    backends = sorted({r.backend for r in results})
    lines = [f"{'backend':10s} " + " ".join(f"{o:>9s}" for o in OUTCOMES)]
    for b in backends:
        lines.append(f"{b:10s} " + " ".join(f"{counts[(b, o)]:9d}" for o in OUTCOMES))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("-k", dest="pattern", default="")
    ap.add_argument("--out", default="reports/robustness.json")
    args = ap.parse_args(argv)
    backends = args.backend.split(",") if args.backend else available_backends()
    programs = [p for p in all_programs() if args.pattern in p.id]
    print(f"robustness: {len(programs)} programs x {len(backends)} backends ({', '.join(backends)})", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="qd-robustness-"))
    jobs = [(p, b) for b in backends for p in programs]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda job: run_program(job[0], job[1], workdir), jobs))
    print(table(results))
    for r in results:
        if r.outcome not in ("clean", "correct") or not r.class_matches:
            flag = "" if r.class_matches else " [class differs]"
            print(f"  {r.outcome:9s} {r.backend:9s} {r.program}{flag}: {r.detail}")
    total = collections.Counter(r.outcome for r in results)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps([asdict(r) for r in results], indent=1))
    print("robustness: " + ", ".join(f"{total[o]} {o}" for o in OUTCOMES))
    return 1 if any(total[o] for o in FAILING) else 0


if __name__ == "__main__":
    sys.exit(main())
