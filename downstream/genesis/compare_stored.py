"""Compare the states a ``gpu_run.sh`` run brought back with states stored here, within ``compare.TOLERANCE``.

``python downstream/genesis/compare_stored.py GENESIS-STATES.npz [--stored FILE.json] [--save FILE.json --side S]``

``gpu_run.sh`` writes ``genesis-states.npz`` with one array per ``scene/side/name`` (``side``: ``ours`` or
``upstream``). Each side found there is compared with the stored states (default: ``states/upstream-cpu.json``,
upstream Quadrants 1.3.3 on ``gs.cpu``, made with ``--save`` from a ``gpu_run.sh`` run with ``QD_GS_BACKEND=cpu``):
the fallback when upstream could not run beside this project on the GPU machine. A GPU and a CPU sum contacts and
particles in different orders, so this is a looser check than ours against upstream on the same GPU; the table shows
the largest difference of each array either way. Needs NumPy only. Exits 1 when a compared scene is out of tolerance.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from compare import compare_states

__all__ = ["compare_with_stored", "load_packed", "load_stored"]

STORED = Path(__file__).parent / "states" / "upstream-cpu.json"


def load_packed(path: Path) -> dict[str, dict[str, dict[str, np.ndarray]]]:
    """``{scene: {side: {array name: array}}}`` from a ``genesis-states.npz`` of ``gpu_run.sh``."""
    out: dict = {}
    with np.load(path) as data:
        for key in data.files:
            scene, side, name = key.split("/", 2)
            out.setdefault(scene, {}).setdefault(side, {})[name] = data[key]
    return out


def load_stored(path: Path) -> dict[str, dict[str, np.ndarray]]:
    """``{scene: {array name: array}}`` from a stored JSON file (``{"scenes": {scene: {name: nested lists}}}``)."""
    scenes = json.loads(path.read_text())["scenes"]
    return {s: {k: np.asarray(v, dtype=np.float64) for k, v in arrays.items()} for s, arrays in scenes.items()}


def compare_with_stored(packed: dict, stored: dict) -> dict[str, dict[str, dict]]:
    """``{scene: {side: compare_states result}}`` for every scene present in both."""
    return {
        scene: {side: compare_states(scene, arrays, stored[scene]) for side, arrays in sides.items()}
        for scene, sides in packed.items()
        if scene in stored
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("states", type=Path)
    parser.add_argument("--stored", type=Path, default=STORED)
    parser.add_argument("--save", type=Path, help="store one side of STATES as FILE.json instead of comparing")
    parser.add_argument("--side", default="upstream")
    parser.add_argument("--note", default="", help="what made the stored states (kept in the file)")
    args = parser.parse_args()
    packed = load_packed(args.states)
    if args.save:
        scenes = {s: {k: v.tolist() for k, v in sides[args.side].items()} for s, sides in packed.items()}
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps({"note": args.note, "side": args.side, "scenes": scenes}) + "\n")
        print(f"stored {args.side} of {sorted(scenes)} in {args.save}")
        return
    results = compare_with_stored(packed, load_stored(args.stored))
    print(f"against {args.stored.name}:")
    for scene, sides in results.items():
        for side, r in sides.items():
            arrays = ", ".join(f"{k} {v:.2g}" for k, v in r["arrays"].items())
            print(f"  {scene} {side}: {'match' if r['ok'] else 'DIFFER'} (atol {r['atol']:g}) {arrays}")
            for problem in r["problems"]:
                print(f"    {problem}")
    if not results:
        print("  no scene in common")
    sys.exit(0 if results and all(r["ok"] for sides in results.values() for r in sides.values()) else 1)


if __name__ == "__main__":
    main()
