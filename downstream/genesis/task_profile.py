"""Where one scene's step goes, kernel by kernel and task by task, under the Quadrants kernel profiler (issue 24).

``python task_profile.py SCENE [--backend cpu|gpu] [--steps N] [--stand-ins] [--json FILE]`` builds ``SCENE`` of
``scenes.py`` with ``qd.init(kernel_profiler=True)`` forced on (Genesis's ``gs.init`` has no switch for it), runs
ten steps to warm up, clears the profiler, runs ``N`` more and prints the profiler's report. On this project the
report lists every kernel and then every task (docs/profiler.md); on upstream 1.3.3 it lists upstream's own records,
which on CUDA are its offloaded tasks timed with device events. Nothing here depends on which Quadrants is installed:
run it with each side's python (``gpu_run.sh`` does, with ``QD_GS_TASK_PROFILE=1``). ``--json`` also writes the profiled
step time and the profiler's total.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from scenes import SCENES


def _force_profiler(qd) -> None:
    """Make every ``qd.init`` of this process turn the kernel profiler on: Genesis calls ``qd.init`` itself."""
    init = qd.init

    def init_profiled(*args, **kwargs):
        kwargs["kernel_profiler"] = True
        return init(*args, **kwargs)

    qd.init = init_profiled


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scene", choices=sorted(SCENES))
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--stand-ins", action="store_true")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if args.stand_ins:
        import absent

        absent.install()
    import genesis as gs

    import quadrants as qd

    _force_profiler(qd)
    gs.init(backend=getattr(gs, args.backend), precision="32", seed=0, logging_level="warning")
    scene, observe = SCENES[args.scene](gs)
    scene.build()
    before_step = getattr(observe, "before_step", None)
    for step in range(10):
        if before_step is not None:
            before_step(step)
        scene.step()
    qd.sync()
    qd.profiler.clear_kernel_profiler_info()
    times = []
    for step in range(10, 10 + args.steps):
        if before_step is not None:
            before_step(step)
        started = time.perf_counter()
        scene.step()
        qd.sync()
        times.append(time.perf_counter() - started)
    print(f"{args.scene}: profiled step {1e3 * statistics.median(times):.3f} ms (median of {args.steps})")
    qd.profiler.print_kernel_profiler_info()
    if args.json:
        total = qd.profiler.get_kernel_profiler_total_time()
        Path(args.json).write_text(
            json.dumps({"scene": args.scene, "profiled_step_ms": 1e3 * statistics.median(times), "total_s": total})
        )


if __name__ == "__main__":
    main()
