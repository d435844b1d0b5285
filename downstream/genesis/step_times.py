"""Steady step time of the scenes on both implementations, from several interleaved warm runs (issue 24).

``python step_times.py --ours PY --upstream PY --cache DIR [--scenes a,b] [--runs 3]``: ``PY`` are the interpreters
of two environments with Genesis (this project's and upstream 1.3.3's, e.g. the two venvs ``nox -s
downstream-genesis`` builds). Each scene runs ``run_scene.py`` once per side to fill that side's caches under ``DIR``
(skipped when they are already filled: a cold build takes minutes), then ``--runs`` times per side, alternating ours,
upstream, ours, ..., so machine load hits both alike. A run's step time is its median over the steps after the first
ten; a scene's is the median over its runs. Prints one JSON line per run and a markdown table (``faster`` = upstream /
ours). Plain Python: neither Genesis nor Quadrants is imported here.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENES = ["rigid_primitives", "mjcf_robot", "sph_liquid"]

__all__ = ["summarise", "markdown", "main"]


def _run(python: str, scene: str, cache: Path, out: Path) -> dict:
    env = dict(
        os.environ,
        GS_CACHE_FILE_PATH=str(cache / "genesis"),
        QD_OFFLINE_CACHE_FILE_PATH=str(cache / "quadrants"),
        XDG_CACHE_HOME=str(cache / "xdg"),
    )
    done = subprocess.run(
        [python, str(HERE / "run_scene.py"), scene, str(out)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarise(runs: dict) -> list[dict]:
    """``{scene: {"ours": [step_ms, ...], "upstream": [...]}}`` -> one row per scene with medians and the ratio."""
    rows = []
    for scene, sides in runs.items():
        ours, theirs = statistics.median(sides["ours"]), statistics.median(sides["upstream"])
        rows.append(
            {
                "scene": scene,
                "runs": len(sides["ours"]),
                "ours_ms": ours,
                "upstream_ms": theirs,
                "faster": theirs / ours,
                "ours_all": sides["ours"],
                "upstream_all": sides["upstream"],
            }
        )
    return rows


def markdown(rows: list[dict]) -> str:
    """The rows as a markdown table."""
    lines = ["| scene | runs | step, ours (ms) | step, upstream (ms) | upstream / ours |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| `{r['scene']}` | {r['runs']} | {r['ours_ms']:.3f} | {r['upstream_ms']:.3f} | ×{r['faster']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--cache", required=True, type=Path)
    parser.add_argument("--scenes", default=",".join(SCENES))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    pythons = {"ours": args.ours, "upstream": args.upstream}
    runs: dict = {}
    for scene in args.scenes.split(","):
        out = {side: args.cache / f"{scene}-{side}.npz" for side in pythons}
        caches = {side: args.cache / f"{scene}-{side}" for side in pythons}
        for side, python in pythons.items():
            if not (caches[side] / "quadrants").exists():  # the cold run that fills this side's caches
                print(json.dumps({"side": side, "cold": _run(python, scene, caches[side], out[side])}), flush=True)
        runs[scene] = {side: [] for side in pythons}
        for _ in range(args.runs):
            for side, python in pythons.items():
                info = _run(python, scene, caches[side], out[side])
                runs[scene][side].append(info["step_ms"])
                print(json.dumps({"side": side, **info}), flush=True)
    print(f"load average at the end: {os.getloadavg()}")
    print(markdown(summarise(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
