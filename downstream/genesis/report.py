"""Build and step timings of the scenes on both implementations, as rows and a markdown table.

Plain Python (no NumPy): the nox process itself builds the report.
"""

from __future__ import annotations

__all__ = ["timing_rows", "markdown_table"]


def timing_rows(runs: dict) -> list[dict]:
    """One row per scene from ``{(scene, side, phase): run_scene JSON}`` with side ``ours``/``upstream`` and phase
    ``cold``/``warm``: cold and warm build seconds and steady step milliseconds, and the ratios upstream/ours."""
    rows = []
    for scene in sorted({key[0] for key in runs}):
        row = {"scene": scene}
        for side in ("ours", "upstream"):
            cold, warm = runs.get((scene, side, "cold")), runs.get((scene, side, "warm"))
            row[f"{side}_cold_build_s"] = cold["build_s"] if cold else None
            row[f"{side}_warm_build_s"] = warm["build_s"] if warm else None
            row[f"{side}_step_ms"] = warm["step_ms"] if warm else None
        for what in ("cold_build_s", "warm_build_s", "step_ms"):
            a, b = row[f"ours_{what}"], row[f"upstream_{what}"]
            row[f"speedup_{what}"] = round(b / a, 2) if a and b else None
        rows.append(row)
    return rows


def markdown_table(rows: list[dict]) -> str:
    """The timing rows as a markdown table (seconds for builds, milliseconds for steps; speedup = upstream / ours)."""
    head = (
        "| scene | cold build (ours / upstream, s) | warm build (ours / upstream, s) | step (ours / upstream, ms) |\n"
        "|---|---|---|---|\n"
    )

    def pair(row, what, digits):
        a, b, s = row[f"ours_{what}"], row[f"upstream_{what}"], row[f"speedup_{what}"]
        if a is None or b is None:
            return "n/a"
        return f"{a:.{digits}f} / {b:.{digits}f} (×{s} faster)" if s and s >= 1 else f"{a:.{digits}f} / {b:.{digits}f}"

    lines = [
        f"| {r['scene']} | {pair(r, 'cold_build_s', 1)} | {pair(r, 'warm_build_s', 1)} | {pair(r, 'step_ms', 3)} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n"
