"""Where the host's time goes in one scene's steps (issue 24): Python's profiler over N warm steps.

``python step_profile.py SCENE [--backend cpu|gpu] [--steps N] [--stand-ins] [--top K]`` builds ``SCENE`` of
``scenes.py``, runs ten steps and then ``N`` steps (each followed by ``qd.sync()``) under ``cProfile``, and prints
the ``K`` functions with the most own time and the ``K`` with the most time including their callees, per step, in
microseconds per step. Works with this project and with upstream alike (upstream's launch path is native code, so its
profile ends at the binding's call).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from scenes import SCENES


def _table(stats: pstats.Stats, column: int, top: int, steps: int) -> str:
    """The ``top`` functions by ``column`` (2: own time, 3: with callees): calls, own and total microseconds, per
    step."""
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][column])[:top]
    lines = [f"{'calls':>8} {'own us':>9} {'total us':>9}  function"]
    for (path, line, name), (_, calls, own, total, _) in rows:
        where = path if path.startswith("<") or path == "~" else f"{Path(path).parent.name}/{Path(path).name}:{line}"
        lines.append(f"{calls / steps:8.1f} {own / steps * 1e6:9.1f} {total / steps * 1e6:9.1f}  {where}({name})")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scene", choices=sorted(SCENES))
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--top", type=int, default=30)
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
    for _ in range(10):
        scene.step()
    qd.sync()
    print(f"# {args.scene} on gs.{args.backend}, {args.steps} steps, quadrants at {qd.__file__}")
    print(profile_steps(scene, qd.sync, args.steps, args.top))


def profile_steps(scene, sync, steps: int, top: int) -> str:
    """``steps`` steps of ``scene`` (each followed by ``sync()``) under ``cProfile``: the ``top`` functions by own time
    and by time with callees, per step."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(steps):
        scene.step()
        sync()
    profile.disable()
    stats = pstats.Stats(profile)
    return f"## by own time\n{_table(stats, 2, top, steps)}\n## by time with callees\n{_table(stats, 3, top, steps)}"


if __name__ == "__main__":
    main()
