"""Run one scene of ``scenes.py`` headless (``gs.cpu`` or ``gs.gpu``) and write its state after N steps and its timings.

``python run_scene.py SCENE OUT.npz [--steps N] [--precision 32|64] [--backend cpu|gpu] [--stand-ins]``: prints one
JSON line with ``build_s`` (scene build: every kernel compiled or loaded from the cache), ``first_step_s`` and
``step_ms`` (median of the steps after the first ten; off ``gs.cpu`` each step ends with ``qd.sync()``, so a step's
time includes its kernels, not only their launches). ``--stand-ins`` lets the modules of ``absent.py`` that are not
installed import as empty stand-ins (the offline GPU machine of ``gpu_run.sh``).

Run it with the python of the venv under test (this project's, or upstream 1.3.3's): nothing here
depends on which Quadrants is installed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from scenes import SCENES, STEPS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scene", choices=sorted(SCENES))
    parser.add_argument("out")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--precision", default="32")
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--stand-ins", action="store_true")
    args = parser.parse_args()
    stood_in = []
    if args.stand_ins:
        import absent

        stood_in = absent.install()

    import genesis as gs

    import quadrants as qd

    sync = qd.sync if args.backend != "cpu" else (lambda: None)

    started = time.perf_counter()
    gs.init(backend=getattr(gs, args.backend), precision=args.precision, seed=0, logging_level="warning")
    init_s = time.perf_counter() - started
    scene, observe = SCENES[args.scene](gs)
    started = time.perf_counter()
    scene.build()
    build_s = time.perf_counter() - started
    before_step = getattr(observe, "before_step", None)
    steps = args.steps or STEPS[args.scene]
    times = []
    for step in range(steps):
        if before_step is not None:
            before_step(step)
        started = time.perf_counter()
        scene.step()
        sync()
        times.append(time.perf_counter() - started)
    state = observe()
    np.savez(args.out, **state)
    steady = times[10:] or times
    print(
        json.dumps(
            {
                "scene": args.scene,
                "steps": steps,
                "init_s": round(init_s, 3),
                "build_s": round(build_s, 3),
                "first_step_s": round(times[0], 4),
                "step_ms": round(1000 * statistics.median(steady), 4),
                "finite": bool(all(np.isfinite(v).all() for v in state.values())),
                "backend": args.backend,
                "quadrants": str(Path(qd.__file__).parent),
                **({"stood_in": stood_in} if args.stand_ins else {}),
            }
        )
    )


if __name__ == "__main__":
    main()
