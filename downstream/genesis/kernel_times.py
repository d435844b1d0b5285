"""Per-kernel times of one scene's step (issue 24): where a step's time goes, for this project and for upstream alike.

``python kernel_times.py SCENE [--backend cpu|gpu] [--steps N] [--stand-ins]`` builds ``SCENE`` of ``scenes.py``,
runs ``N`` steps, then puts a timer around every kernel call (the call method of the installed Quadrants' kernel
class: this project's ``Kernel._call``, upstream's ``Kernel.__call__``) and runs ``N`` more steps. Each timed launch
is preceded by ``qd.sync()``; the timer notes when the call returns (the host's launch cost: argument handling, the
launch itself) and when a ``qd.sync()`` after it returns (the launch plus the device's work). Prints one JSON line:
per kernel, its launches per step and the medians of both times in microseconds; the median step time with and
without the timers; and the median time until ``scene.step()`` returns, before the step's sync (the host's share of
an untimed step). Run it with each venv's python (``gpu_run.sh`` does, with ``QD_GS_KERNEL_TIMES=1``).
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


def _kernel_class():
    """``(class, call method name, name of a kernel)`` of the installed Quadrants: this project's or upstream's."""
    try:
        from quadrants.runtime.kernel import Kernel  # this project

        return Kernel, "_call", lambda k: k.fn.__name__
    except ImportError:
        from quadrants.lang.kernel import Kernel  # upstream 1.3.3

        return Kernel, "__call__", lambda k: k.func.__name__


def _time_every_kernel(sync, log: dict) -> None:
    cls, method, name_of = _kernel_class()
    plain = getattr(cls, method)
    depth = [0]

    def call(self, *args, **kwargs):
        if depth[0]:  # a kernel launched from inside another's call: part of that one
            return plain(self, *args, **kwargs)
        depth[0] += 1
        try:
            sync()
            t0 = time.perf_counter()
            out = plain(self, *args, **kwargs)
            t1 = time.perf_counter()
            sync()
            log[name_of(self)].append((t1 - t0, time.perf_counter() - t0))
        finally:
            depth[0] -= 1
        return out

    setattr(cls, method, call)


def _step_ms(scene, sync, steps: int) -> tuple[float, float]:
    """Median step time and median time until ``scene.step()`` returns (before its sync), in milliseconds."""
    times, host = [], []
    for _ in range(steps):
        t0 = time.perf_counter()
        scene.step()
        host.append(time.perf_counter() - t0)
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3, statistics.median(host) * 1e3


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
    _step_ms(scene, qd.sync, 10)  # warm-up
    plain, host = _step_ms(scene, qd.sync, args.steps)
    log: dict[str, list] = defaultdict(list)
    _time_every_kernel(qd.sync, log)
    timed, _ = _step_ms(scene, qd.sync, args.steps)
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
                "step_ms": round(plain, 4),
                "step_host_ms": round(host, 4),
                "timed_step_ms": round(timed, 4),
                "kernels": kernels,
            }
        )
    )


if __name__ == "__main__":
    main()
