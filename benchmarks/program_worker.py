"""A timing worker for ``bench_programs.py``: runs one example program under whichever ``quadrants`` it imports.

The same file runs under this project's interpreter and under one whose ``quadrants`` is upstream 1.3.3, so both time
the very same program module (``quadrants_conformance.programs.<name>``, imported from the source tree given in the
``start`` command). It reads one JSON command per line on stdin and answers one JSON line each on the *original*
stdout; everything else the process prints (banners, native prints) goes to stderr. Commands:

* ``{"cmd": "start", "src": PATH, "arch": "cpu", "program": NAME, "size": "bench", "threads": N, "cache": DIR}``:
  ``qd.init`` (disk caches off, so the first call is a cold compile on both implementations; with ``cache``, the
  offline cache on in that directory, which an earlier process may have filled), build the program and run its
  first step; answers ``{"first_call": s}`` (build + first step, synchronised). ``threads`` (optional) pins the
  process to the first N CPUs and passes ``cpu_max_num_threads=N``, so both implementations compute on the same
  cores with the same number of threads;
* ``{"cmd": "steps", "n": N}``: runs N more steps, each followed by ``qd.sync()``; answers ``{"times": [s, ...],
  "sched": {...}}``, where ``sched`` (Linux; empty elsewhere) sums over every thread of the process what the
  scheduler counted during the N steps: ``run_ns`` (on a CPU), ``wait_ns`` (runnable, waiting for a CPU),
  ``voluntary`` and ``involuntary`` context switches (``/proc/self/task/*/schedstat`` and ``status``);
* ``{"cmd": "quit"}``.

An exception answers ``{"error": text}``. Only the standard library, NumPy and ``quadrants`` are imported.
"""

import importlib
import json
import os
import sys
import time
import traceback


def _arch(qd, name: str):
    return getattr(qd, name)


class Worker:
    """The state of one worker: the program's simulation object once started."""

    def __init__(self):
        self.qd = None
        self.sim = None

    def start(
        self, src: str, arch: str, program: str, size: str, threads: int | None = None, cache: str | None = None
    ) -> dict:
        if src not in sys.path:
            sys.path.insert(0, src)
        options = {"offline_cache": True, "offline_cache_file_path": cache} if cache else {"offline_cache": False}
        if threads:
            os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:threads]))
            options["cpu_max_num_threads"] = threads
        import quadrants as qd

        self.qd = qd
        qd.init(arch=_arch(qd, arch), **options)
        module = importlib.import_module(f"quadrants_conformance.programs.{program}")
        t0 = time.perf_counter()
        self.sim = module.make(size)
        self.sim.step()
        qd.sync()
        return {"first_call": time.perf_counter() - t0}

    def steps(self, n: int) -> dict:
        before = sched_counters()
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            self.sim.step()
            self.qd.sync()
            times.append(time.perf_counter() - t0)
        after = sched_counters()
        return {"times": times, "sched": {key: after[key] - before.get(key, 0) for key in after}}


def sched_counters() -> dict:
    """The scheduler's counters summed over the threads of this process (``steps``' ``sched``; {} off Linux)."""
    out = dict.fromkeys(("run_ns", "wait_ns", "voluntary", "involuntary"), 0)
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return {}
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as f:
                run_ns, wait_ns = f.read().split()[:2]
            with open(f"/proc/self/task/{tid}/status") as f:
                status = dict(line.split(":", 1) for line in f if "ctxt_switches" in line)
        except (OSError, ValueError):
            continue  # a thread that ended meanwhile
        out["run_ns"] += int(run_ns)
        out["wait_ns"] += int(wait_ns)
        out["voluntary"] += int(status.get("voluntary_ctxt_switches", 0))
        out["involuntary"] += int(status.get("nonvoluntary_ctxt_switches", 0))
    return out


def main() -> int:
    """The command loop; answers go to a duplicate of the original stdout, which then points at stderr."""
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    worker = Worker()
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        try:
            if command["cmd"] == "quit":
                break
            if command["cmd"] == "start":
                answer = worker.start(
                    command["src"],
                    command["arch"],
                    command["program"],
                    command["size"],
                    command.get("threads"),
                    command.get("cache"),
                )
            else:
                answer = worker.steps(int(command["n"]))
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
        answers.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
