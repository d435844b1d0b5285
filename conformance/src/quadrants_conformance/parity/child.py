"""The parity worker: runs conformance cases and fuzz programs under another interpreter (upstream's), on ``qd.cpu``.

``python -m quadrants_conformance.parity.child`` reads one JSON job per line on stdin and writes each result as a
pickle to the job's ``out`` path (atomically: a temporary file, then a rename), so the parent can wait for the file
with a timeout and restart a worker that crashed or hangs. Jobs:

* ``{"kind": "case", "module": "quadrants_conformance.cases.test_x", "case": "name", "out": path}``
* ``{"kind": "file", "path": "/tmp/prog_1.py", "out": path}`` — a fuzz program: a module with ``run()``

and either may add ``"fast_math": false`` (upstream's default is ``true``).

Each job runs through the harness's own :func:`~quadrants_conformance.observation.observe` (``qd.init``, stdout of
Python and of native code, warnings, the exception), with a driver that initialises ``qd.cpu``. The result holds
only plain data (:mod:`~quadrants_conformance.parity.plain`). Only the standard library, NumPy, ``quadrants`` (whichever
the interpreter has) and the harness's case vocabulary are imported.
"""

from __future__ import annotations

import importlib
import json
import os
import pickle
import sys
import traceback
from typing import Any

from quadrants_conformance.case import Case
from quadrants_conformance.parity.plain import describe_error, to_plain

__all__ = ["main", "run_job"]


# Names the cases' *declarations* use (``@case(warns=(qd.QuadrantsWarning, ...))``) that upstream's ``qd`` namespace
# lacks: without them a whole case module would not import. Each is given the closest upstream object; the case bodies
# still run against upstream's real API, and a warning of another class still counts as a difference.
def _harness_names(qd) -> dict:
    from quadrants.lang import exception

    return {
        "QuadrantsWarning": type("QuadrantsWarning", (UserWarning,), {}),
        "QuadrantsIndexError": exception.QuadrantsIndexError,
    }


def install_harness_names() -> None:
    """Add :func:`_harness_names` that upstream's ``quadrants`` lacks (never replacing one it has)."""
    import quadrants as qd

    for name, value in _harness_names(qd).items():
        if not hasattr(qd, name):
            setattr(qd, name, value)


class CpuDriver:
    """The harness driver for the worker: every run starts a fresh ``qd.init(arch=qd.cpu)``, with upstream's default
    ``fast_math`` (``True``) unless the job says otherwise."""

    def __init__(self, fast_math: bool | None = None):
        self.options = {} if fast_math is None else {"fast_math": fast_math}

    def init(self, backend: str, debug: bool, lane_order: str | None) -> None:
        import quadrants as qd

        qd.init(arch=qd.cpu, debug=debug, **self.options)

    def sync(self) -> None:
        import quadrants as qd

        qd.sync()

    def compiled_programs(self) -> list[tuple[str, str]]:
        return []


def _case_of(job: dict) -> Case:
    if job["kind"] == "case":
        module = importlib.import_module(job["module"])
        found = getattr(module, job["case"])
        if not isinstance(found, Case):
            raise LookupError(f"{job['module']}.{job['case']} is not a conformance case")
        return found
    from quadrants_conformance.fuzz.execute import load_module

    path = job["path"]
    return Case(fn=lambda: load_module(path).run(), id=os.path.basename(path))


def run_job(job: dict) -> dict[str, Any]:
    """Run one job; a case module that cannot be imported is an ``import-error`` result, not a crash."""
    from quadrants_conformance.observation import observe

    try:
        case = _case_of(job)
    except Exception as exc:
        return {"status": "import-error", "error": describe_error(exc), "traceback": traceback.format_exc()}
    obs = observe(case, CpuDriver(job.get("fast_math")), "upstream-cpu")
    result: dict[str, Any] = {
        "stdout": obs.stdout,
        "warnings": [(c.__name__, m) for c, m in obs.warnings],
        "seconds": obs.seconds,
        "traceback": obs.traceback,
    }
    if obs.error is not None:
        result.update(status="init-error" if obs.init_failed else "error", error=describe_error(obs.error))
    else:
        result.update(status="ok", value=to_plain(obs.value))
    return result


def _write(path: str, result: dict) -> None:
    tmp = f"{path}.tmp"
    try:
        with open(tmp, "wb") as f:
            pickle.dump(result, f)
    except Exception as exc:  # a value that does not pickle: say so instead of losing the job
        with open(tmp, "wb") as f:
            pickle.dump({"status": "harness-error", "error": describe_error(exc)}, f)
    os.replace(tmp, path)


def main() -> int:
    """The job loop (until stdin closes)."""
    install_harness_names()
    # cases that check where this implementation's compile errors point (a standard of this implementation, not a
    # behaviour upstream shares) compare only the error class and message fragment under upstream
    os.environ["QUADRANTS_CONFORMANCE_UPSTREAM"] = "1"
    for line in sys.stdin:
        if line.strip():
            job = json.loads(line)
            _write(job["out"], run_job(job))
    return 0


if __name__ == "__main__":
    sys.exit(main())
