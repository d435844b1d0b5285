"""The fuzz runner: ``python -m quadrants_conformance.fuzz.run --backend llvm-cpu --minutes 1 --seed 1``.

For each generated program: run it on ``ref`` (with the race checker on, so a racy program is a generator bug and
never a finding), run it on the backend under test, compare every array and the return value with
:func:`quadrants_conformance.compare.compare` under the program's tolerance row. A mismatch (or an error on one side
only) is shrunk (:mod:`quadrants_conformance.fuzz.shrink`) and written to ``reports/fuzz/<id>/``: ``repro.py`` (runs
itself on ``ref`` and on the backend named on its command line and prints both results), ``ir.txt`` (the printed
IR of both runs and the backend's LLVM IR or WGSL) and ``finding.txt`` (what differs).

``--backend ref --lane-orders`` compares the reference with itself in reversed and shuffled lane order instead.
``--against upstream --upstream-python PATH`` compares the reference with upstream Quadrants 1.3.3 on ``qd.cpu``, run
in a worker under ``PATH`` (:mod:`quadrants_conformance.parity.upstream`); programs use what llvm-cpu supports.
Exit status 1 when any mismatch was found (known backend bugs are avoided by the generator, see ``KNOWN_GAPS``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from quadrants_conformance.compare import compare
from quadrants_conformance.fuzz.execute import Outcome, run_source
from quadrants_conformance.fuzz.generate import GenOptions, RandomChooser, generate, options_for
from quadrants_conformance.fuzz.program import Program, render
from quadrants_conformance.fuzz.shrink import shrink
from quadrants_conformance.tolerance import lookup

__all__ = ["main", "KNOWN_GAPS", "Finding", "differ"]

# Features the generator leaves out on a backend because of a known, reported bug: backend id -> {feature: reason}.
# Every row has a corpus program and an expectation-file entry; delete the row when the bug is fixed.
KNOWN_GAPS: dict[str, dict[str, str]] = {}  # none open: the three findings so far are fixed (see corpus/)

MAX_SHRUNK = 5  # findings shrunk per run; later ones are written unshrunk
PROGRESS_SECONDS = 300  # a progress line this often


@dataclass
class Finding:
    seed: int
    problem: str
    program: Program
    reference: Outcome
    backend: Outcome


def differ(prog: Program, reference: Outcome, other: Outcome) -> str:
    """Why two outcomes differ ('' when they agree): an error on one side, or the first differing observable."""
    if not reference.ok and not other.ok:
        same = type(reference.error) is type(other.error)
        return "" if same else f"errors differ: {reference.error_text()} vs {other.error_text()}"
    if not reference.ok:
        return f"only the reference raised: {reference.error_text()}"
    if not other.ok:
        return f"only {other.backend} raised: {other.error_text()}"
    expected, actual = reference.value, other.value
    if prog.tol != "exact" and "f32" in render(prog):
        # a transcendental computed in f32 keeps its f32 error when widened to f64: judge such programs in f32 ulps
        expected, actual = _narrow(expected), _narrow(actual)
    found = compare(expected, actual, lookup(prog.tol))
    return found.describe() if found else ""


def _narrow(observables: dict) -> dict:
    import numpy as np

    def one(v):
        if isinstance(v, np.ndarray) and v.dtype == np.float64:
            return v.astype(np.float32)
        if isinstance(v, (float, np.float64)):
            return np.float32(v)
        return v

    return {k: one(v) for k, v in observables.items()}


def _category(problem: str) -> str:
    return problem.split(":", 1)[0]


class Fuzzer:
    """One fuzz session against one backend (or the reference in other lane orders)."""

    def __init__(self, backend: str, out_dir: Path, work: Path, lane_orders: bool, race_check: bool, upstream=None):
        self.backend = backend
        self.upstream = upstream  # a parity UpstreamWorker: the other side is upstream Quadrants on qd.cpu
        self.out_dir = out_dir
        self.work = work
        self.lane_orders = lane_orders
        self.race_check = race_check
        self.counter = 0
        self.deadline = time.monotonic()

    def _path(self) -> Path:
        self.counter += 1
        return self.work / f"prog_{self.counter}.py"

    def reference(self, source: str) -> Outcome:
        options = {"check_races": True} if self.race_check else {}
        return run_source(source, self._path(), "ref", **options)

    def sides(self, source: str, keep_code: bool = False) -> list[Outcome]:
        if self.upstream is not None:
            path = self._path()
            path.write_text(source)
            return [upstream_outcome(self.upstream.run({"kind": "file", "path": str(path)}))]
        if self.lane_orders:
            return [run_source(source, self._path(), "ref", lane_order=o) for o in ("reversed", "shuffled")]
        return [run_source(source, self._path(), self.backend, keep_code=keep_code)]

    def check(self, prog: Program) -> tuple[str, Outcome, Outcome | None]:
        """('' or the problem, reference outcome, the differing outcome)."""
        source = render(prog)
        ref = self.reference(source)
        if not ref.ok:
            return "", ref, None
        for other in self.sides(source):
            problem = differ(prog, ref, other)
            if problem:
                return problem, ref, other
        return "", ref, None

    def _rerun(self, repro: Path) -> str:
        if self.upstream is None:
            return f"python {repro} {self.backend}"
        run_upstream = f"import runpy, quadrants as qd; qd.init(arch=qd.cpu); print(runpy.run_path('{repro}')['run']())"
        return f'python {repro} ref   and upstream: {self.upstream.python} -c "{run_upstream}"'

    def fails_like(self, category: str):
        def fails(prog: Program) -> bool:
            problem, _, _ = self.check(prog)
            return bool(problem) and _category(problem) == category

        return fails

    def report(self, finding: Finding, shrink_it: bool) -> Path:
        prog, attempts = finding.program, 0
        if shrink_it:
            seconds = max(20.0, min(90.0, self.deadline - time.monotonic()))
            prog, attempts = shrink(prog, self.fails_like(_category(finding.problem)), max_seconds=seconds)
        source = render(prog, f"Fuzz finding: seed {finding.seed}, backend {self.backend}.")
        ref = self.reference(source)
        others = self.sides(source, keep_code=True)
        problem = next((p for p in (differ(prog, ref, o) for o in others) if p), finding.problem)
        other = others[0]
        where = self.out_dir / f"{self.backend}-seed{finding.seed}"
        where.mkdir(parents=True, exist_ok=True)
        (where / "repro.py").write_text(source)
        (where / "ir.txt").write_text(_ir_text(ref, other))
        summary = [
            f"backend:  {self.backend}" + (" (lane orders reversed/shuffled vs ascending)" if self.lane_orders else ""),
            f"seed:     {finding.seed}",
            f"problem:  {problem}",
            f"shrunk:   {attempts} candidates tried" if shrink_it else "shrunk:   no",
            f"rerun:    {self._rerun(where / 'repro.py')}",
            f"ref:      {ref.value if ref.ok else ref.error_text()}",
            f"{other.backend}: {other.value if other.ok else other.error_text()}",
        ]
        (where / "finding.txt").write_text("\n".join(summary) + "\n")
        return where


class UpstreamError(RuntimeError):
    """An exception upstream raised, carried as text (its class does not exist in this process)."""


def upstream_outcome(result: dict) -> Outcome:
    """The :class:`Outcome` of a parity worker's result (``value``, or the exception as :class:`UpstreamError`)."""
    if result["status"] == "ok":
        return Outcome("upstream", value=result["value"])
    error = result.get("error")
    text = error.text() if error is not None else f"{result['status']}: {result.get('why', '')}"
    return Outcome("upstream", error=UpstreamError(text))


def _ir_text(ref: Outcome, other: Outcome) -> str:
    out = []
    for outcome in (ref, other):
        for name, text in outcome.programs:
            out += [f"=== {outcome.backend}: IR of {name}", text, ""]
        for label, text in outcome.code:
            out += [f"=== {outcome.backend}: {label}", text, ""]
    return "\n".join(out)


def _options(backend: str) -> GenOptions:
    """What the generator may use: what the reference and ``backend`` both support (upstream: as llvm-cpu)."""
    backend = "llvm-cpu" if backend == "upstream" else backend
    import quadrants  # noqa: F401  (the backend registry lives in core)
    from quadrants.backend import discover_backends

    backends = discover_backends()
    if backend not in backends:
        raise SystemExit(f"fuzz: unknown backend {backend!r}; registered: {', '.join(sorted(backends))}")
    found = backends[backend]
    availability = found.probe()
    if not availability.available:
        raise SystemExit(f"fuzz: backend {backend!r} is not available: {availability.reason}")
    ref_caps = backends["ref"].capabilities

    class Both:  # what both sides support
        @staticmethod
        def supports(requirement: str) -> bool:
            return bool(ref_caps.supports(requirement) and found.capabilities.supports(requirement))

    return options_for(Both, frozenset(KNOWN_GAPS.get(backend, {})))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", help="backend id under test (llvm-cpu, wgpu, ref, ...)")
    parser.add_argument("--against", choices=["upstream"], help="compare the reference with upstream Quadrants")
    parser.add_argument("--upstream-python", help="--against upstream: interpreter whose quadrants is upstream's")
    parser.add_argument("--minutes", type=float, default=1.0, help="time budget for generating programs")
    parser.add_argument("--seed", type=int, default=0, help="first seed (program k uses seed + k)")
    parser.add_argument("--max-programs", type=int, default=0, help="stop after this many programs (0: no limit)")
    parser.add_argument("--out", default="reports/fuzz", help="where findings go")
    parser.add_argument("--lane-orders", action="store_true", help="ref only: compare lane orders with ascending")
    parser.add_argument("--no-race-check", action="store_true", help="do not run the reference with check_races")
    parser.add_argument("--no-shrink", action="store_true", help="write findings unshrunk")
    args = parser.parse_args(argv)
    upstream = None
    if args.against == "upstream":
        if not args.upstream_python:
            parser.error("--against upstream needs --upstream-python (nox -s fuzz provides it)")
        from quadrants_conformance.parity.upstream import UpstreamWorker

        args.backend, upstream = "upstream", UpstreamWorker(args.upstream_python)
    elif not args.backend:
        parser.error("give --backend or --against upstream")
    opts = _options(args.backend)
    lane_orders = upstream is None and (args.lane_orders or args.backend == "ref")
    work = Path(tempfile.mkdtemp(prefix="qd-fuzz-"))
    fuzzer = Fuzzer(args.backend, Path(args.out), work, lane_orders, not args.no_race_check, upstream)
    print(f"fuzz: backend {args.backend}, {args.minutes:g} min, first seed {args.seed}, types {', '.join(opts.dtypes)}")
    deadline = time.monotonic() + args.minutes * 60
    fuzzer.deadline = deadline
    ran = invalid = 0
    findings: list[Path] = []
    seed = args.seed
    started = last_note = time.monotonic()
    try:
        while time.monotonic() < deadline and not (args.max_programs and ran >= args.max_programs):
            prog = generate(RandomChooser(seed), opts, seed)
            problem, ref, _ = fuzzer.check(prog)
            ran += 1
            if not ref.ok:
                invalid += 1
                if invalid <= 3:
                    print(f"fuzz: seed {seed}: the reference rejected the program (generator bug): {ref.error_text()}")
            elif problem:
                where = fuzzer.report(Finding(seed, problem, prog, ref, ref), len(findings) < MAX_SHRUNK)
                findings.append(where)
                print(f"fuzz: seed {seed}: MISMATCH {problem.splitlines()[0]}\n      repro: {where / 'repro.py'}")
            seed += 1
            if time.monotonic() - last_note > PROGRESS_SECONDS:  # a run that is killed still leaves its count
                last_note = time.monotonic()
                minutes = (last_note - started) / 60
                print(f"fuzz: {ran} programs so far (seeds {args.seed}-{seed - 1}, {minutes:.0f} min)")
    finally:  # the summary also on Ctrl-C
        shutil.rmtree(work, ignore_errors=True)
        if upstream is not None:
            upstream.close()
        print(
            f"fuzz: {ran} programs ran on {args.backend}, {len(findings)} mismatches, "
            f"{invalid} rejected by the reference (generator bugs); repros in {args.out}/"
        )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
