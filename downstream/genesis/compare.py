"""Comparison of the states two implementations produced for the scenes of ``scenes.py``.

Needs NumPy only (neither Genesis nor Quadrants), so ``noxfiles/tests`` can test it anywhere; the nox session runs
it as a script in the project's venv.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TOLERANCE", "compare_states"]

# Absolute tolerance per scene on every compared array (positions in m, velocities in m/s), after the steps of
# scenes.STEPS at Genesis's 32-bit precision. Both sides run fast-math float32 code compiled by different
# compilers, so results differ in the last bits each step; contacts amplify that over a run, and these bounds leave
# about ten times the differences seen on a CPU.
TOLERANCE = {"rigid_primitives": 1e-4, "mjcf_robot": 1e-3, "sph_liquid": 1e-4}


def compare_states(scene: str, ours: dict, theirs: dict) -> dict:
    """``{"ok": bool, "arrays": {name: max |difference|}, "problems": [...]}`` for one scene."""
    atol = TOLERANCE[scene]
    problems, arrays = [], {}
    for name in sorted(set(ours) | set(theirs)):
        if name not in ours or name not in theirs:
            problems.append(f"{name}: only on {'ours' if name in ours else 'upstream'}")
            continue
        a, b = np.asarray(ours[name], dtype=np.float64), np.asarray(theirs[name], dtype=np.float64)
        if a.shape != b.shape:
            problems.append(f"{name}: shape {a.shape} here, {b.shape} upstream")
            continue
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            problems.append(f"{name}: non-finite values")
            continue
        diff = float(np.max(np.abs(a - b))) if a.size else 0.0
        arrays[name] = diff
        if diff > atol:
            problems.append(f"{name}: max |difference| {diff:.3g} > {atol:g}")
    return {"ok": not problems, "arrays": arrays, "problems": problems, "atol": atol}


def main() -> None:
    """``python compare.py SCENE OURS.npz UPSTREAM.npz``: prints :func:`compare_states`'s result as JSON."""
    import json
    import sys

    scene, ours, theirs = sys.argv[1:4]
    print(json.dumps(compare_states(scene, dict(np.load(ours)), dict(np.load(theirs)))))


if __name__ == "__main__":
    main()
