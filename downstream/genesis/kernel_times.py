"""Per-kernel times of one scene's step (issue 24): where a step's time goes, for this project and for upstream alike.

``python kernel_times.py SCENE [--backend cpu|gpu] [--steps N] [--stand-ins]`` builds ``SCENE`` of ``scenes.py``,
runs ``N`` steps, then replaces every ``_kernel*`` method of every active solver (the SPH solver's kernels are such
methods; the rigid solver's are module functions and stay untimed) with a timer and runs ``N``
more steps. Each timed launch is preceded by ``qd.sync()``; the timer notes when the call returns (the host's launch
cost: argument handling, the launch itself) and when a ``qd.sync()`` after it returns (the launch plus the device's
work). Prints one JSON line: per kernel, its launches per step and the medians of both times in microseconds, and
the median step time with and without the timers. Nothing here depends on which Quadrants is installed: run it with
each venv's python (``gpu_run.sh`` does, with ``QD_GS_KERNEL_TIMES=1``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from scenes import SCENES


def _timed(fn, name: str, sync, log: dict):
    def call(*args, **kwargs):
        sync()
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        t1 = time.perf_counter()
        sync()
        t2 = time.perf_counter()
        log[name].append((t1 - t0, t2 - t0))
        return out

    return call


def _step_ms(scene, sync, steps: int) -> float:
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        scene.step()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scene", choices=sorted(SCENES))
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--stand-ins", action="store_true")
    args = parser.parse_args()
    if args.stand_ins:
        import absent

        absent.install()  # the offline GPU machine lacks modules Genesis imports but these scenes never use
    import genesis as gs

    import quadrants as qd

    gs.init(backend=getattr(gs, args.backend), precision="32", seed=0, logging_level="warning")
    scene, _ = SCENES[args.scene](gs)
    scene.build()
    plain = _step_ms(scene, qd.sync, args.steps)
    log: dict[str, list] = defaultdict(list)
    for solver in scene.sim._active_solvers:  # private, but the one list of the solvers a step runs
        for name in dir(type(solver)):
            if name.startswith("_kernel"):
                label = f"{type(solver).__name__}.{name}"
                setattr(solver, name, _timed(getattr(solver, name), label, qd.sync, log))
    timed = _step_ms(scene, qd.sync, args.steps)
    kernels = {
        name: {
            "per_step": round(len(rows) / args.steps, 2),
            "host_us": round(statistics.median(r[0] for r in rows) * 1e6, 1),
            "total_us": round(statistics.median(r[1] for r in rows) * 1e6, 1),
        }
        for name, rows in sorted(log.items())
    }
    print(
        json.dumps(
            {
                "scene": args.scene,
                "quadrants": qd.__file__,
                "step_ms": plain,
                "timed_step_ms": timed,
                "kernels": kernels,
            }
        )
    )


if __name__ == "__main__":
    main()
