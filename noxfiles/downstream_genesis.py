"""``nox -s downstream-genesis``: Genesis, upstream Quadrants' main user, on this project and on upstream 1.3.3.

Two virtualenvs: the session's own (this project's core, ref and llvm packages editable) and a sibling one with
``quadrants==1.3.3``; both get genesis-world 1.4.5 (``--no-deps``), its listed requirements
(``downstream/genesis/requirements.txt``) and torch, which Genesis imports without listing it. Each scene of
``downstream/genesis/scenes.py`` runs headless four times, interleaved so that machine load hits both sides alike:
this project with an empty cache (cold: every kernel compiled), upstream cold, this project with the cache the cold
run left (warm), upstream warm. Each scene and side has its own cache folders, so no scene starts warm from
another. The states after the steps must agree within ``compare.TOLERANCE``; the build and step times go to
``reports/downstream-genesis.{json,md}`` (docs/genesis.md records a run).

Options after ``--``: ``--backend cpu|gpu`` (default ``cpu``; ``gpu`` runs ``gs.gpu`` on a GPU machine),
``--scenes a,b`` (default: all), ``--steps N`` (override every scene's step count), ``--torch SPEC`` (the torch
requirement, default ``torch``; e.g. ``torch==2.13.0+cpu`` where a CPU-only wheel is at hand, which spares the CUDA
wheels a plain ``torch`` pulls in on Linux), ``--torch-index URL`` (where torch comes from, e.g. PyTorch's CPU wheels
``https://download.pytorch.org/whl/cpu``; default: pip's configured indexes), ``--keep`` (keep the temporary folder).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

__all__ = ["GENESIS", "UPSTREAM", "run"]

GENESIS = "genesis-world==1.4.5"
UPSTREAM = "quadrants==1.3.3"
PROJECT_PACKAGES = ["packages/quadrants-core", "packages/quadrants-ref", "packages/quadrants-llvm"]
SCENES = ["rigid_primitives", "mjcf_robot", "sph_liquid"]


def _option(args: list[str], name: str, default=None):
    return args[args.index(name) + 1] if name in args else default


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _install_genesis(session, python: str, requirements: Path, torch: tuple[str, str | None]) -> None:
    pip = [python, "-m", "pip", "install", "-q"]
    spec, index = torch
    session.run(*pip, spec, *(["--index-url", index] if index else []), external=True)
    session.run(*pip, "-r", str(requirements), external=True)
    session.run(*pip, "--no-deps", GENESIS, external=True)


def make_venvs(session, root: Path, torch: tuple[str, str | None]) -> tuple[str, str]:
    """(this project's python, upstream's python), with Genesis installed in both; ``torch`` is (requirement, index
    URL or None)."""
    requirements = root / "downstream/genesis/requirements.txt"
    ours = str(_python(Path(session.virtualenv.location)))
    _install_genesis(session, ours, requirements, torch)
    session.run(ours, "-m", "pip", "install", "-q", *[a for p in PROJECT_PACKAGES for a in ("-e", str(root / p))],
                external=True)  # fmt: skip
    venv = Path(session.virtualenv.location).parent / "genesis-upstream-quadrants"
    if not _python(venv).exists():
        session.run(sys.executable, "-m", "venv", str(venv), external=True)
    theirs = str(_python(venv))
    _install_genesis(session, theirs, requirements, torch)
    session.run(theirs, "-m", "pip", "install", "-q", UPSTREAM, external=True)
    return ours, theirs


def _run_scene(session, python: str, script: Path, scene: str, out: Path, cache: Path, args: list[str]) -> dict:
    env = {
        "GS_CACHE_FILE_PATH": str(cache / "genesis"),
        "QD_OFFLINE_CACHE_FILE_PATH": str(cache / "quadrants"),
        "XDG_CACHE_HOME": str(cache / "xdg"),
    }
    text = session.run(python, str(script), scene, str(out), *args, env=env, silent=True, external=True)
    return json.loads(text.strip().splitlines()[-1])


def run(session, root: Path) -> None:
    """Install both sides, run every scene cold and warm on each, compare, report; fails on a mismatch."""
    sys.path.insert(0, str(root / "downstream/genesis"))
    from report import markdown_table, timing_rows

    args = list(session.posargs)
    backend = _option(args, "--backend", "cpu")
    scenes = _option(args, "--scenes", ",".join(SCENES)).split(",")
    steps = _option(args, "--steps")
    torch = (_option(args, "--torch", "torch"), _option(args, "--torch-index"))
    ours, theirs = make_venvs(session, root, torch)
    tmp = Path(tempfile.mkdtemp(prefix="qd-genesis-"))
    script = root / "downstream/genesis/run_scene.py"
    scene_args = ["--backend", backend, *(["--steps", steps] if steps else [])]
    runs, results = {}, {}
    try:
        for scene in scenes:
            for phase in ("cold", "warm"):
                for side, python in (("ours", ours), ("upstream", theirs)):
                    out = tmp / f"{scene}-{side}-{phase}.npz"
                    info = _run_scene(session, python, script, scene, out, tmp / f"cache-{scene}-{side}", scene_args)
                    runs[(scene, side, phase)] = info
                    session.log(f"{scene} {side} {phase}: {info}")
            compare = [str(root / "downstream/genesis/compare.py"), scene]
            compare += [str(tmp / f"{scene}-{side}-warm.npz") for side in ("ours", "upstream")]
            results[scene] = json.loads(session.run(ours, *compare, silent=True, external=True).strip())
            session.log(f"{scene}: {results[scene]}")
    finally:
        if "--keep" in args:
            session.log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rows = timing_rows(runs)
    reports = root / "reports"
    reports.mkdir(exist_ok=True)
    payload = {"backend": backend, "states": results, "timings": rows, "runs": [[*k, v] for k, v in runs.items()]}
    (reports / "downstream-genesis.json").write_text(json.dumps(payload, indent=2))
    (reports / "downstream-genesis.md").write_text(markdown_table(rows))
    session.log("\n" + markdown_table(rows))
    failed = {scene: r["problems"] for scene, r in results.items() if not r["ok"]}
    if failed:
        session.error(f"states differ from upstream 1.3.3 beyond the tolerance: {failed}")
    session.log(f"downstream-genesis: {len(results)} scenes match upstream 1.3.3 on gs.{backend}")
