"""``nox -s newcomer``: a new user's first hour, scripted (issue 19). Every step runs outside the repository.

1. build the wheels and sdists (``nox -s build``'s logic) into a temporary folder and check their pins;
2. copy ``examples/template-backend`` out of the repo and run its own noxfile against those wheels: the template
   backend is registered through its entry point and run through a conformance subset, as a backend author would;
3. create a fresh virtualenv, install every distribution from the wheel files (dependencies from the index), ``cd``
   to the temporary folder so the repo is not on ``sys.path``, and run ``python -m quadrants doctor``, the same
   conformance subset on ``ref`` and ``llvm-cpu`` from the installed suite, and ``examples/first_kernel.py`` (one
   kernel with NumPy, DLPack and, when installed, torch interop).

Options after ``--``: ``--keep`` keeps the temporary folder, ``--torch`` installs the ``torch`` extra into the venv.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from noxfiles import dists

__all__ = ["SUBSET", "run"]

# Conformance modules of the newcomer run: error locations (which an installed layout used to break), numerics,
# ndarrays and interop, kernels and funcs, loops and a graph. Under a minute a backend on 2 cores; the whole suite
# runs from editable installs in `nox -s conformance`.
SUBSET = [
    f"quadrants_conformance.cases.{name}"
    for name in (
        "test_errors",
        "test_runtime_checks",
        "test_math",
        "test_float_ops",
        "test_int_ops",
        "test_host_ndarray",
        "test_interop",
        "test_kernels_funcs",
        "test_loops",
        "test_graph_do_while",
    )
]


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(session, root: Path, packages: list[str], names: list[str]) -> None:
    """All steps; ``session`` has :data:`noxfiles.dists.BUILD_DEPS` installed."""
    keep = "--keep" in session.posargs
    tmp = Path(tempfile.mkdtemp(prefix="qd-newcomer-"))
    session.log(f"newcomer: working in {tmp}")
    try:
        dist = tmp / "dist"
        dists.build_distributions(session, [str(root / p) for p in packages], dist)
        problems = dists.check_pins(dist, names)
        if problems:
            session.error("\n".join(problems))
        _template_backend(session, root, tmp, dist)
        _fresh_install(session, root, tmp, dist, names, torch="--torch" in session.posargs)
    finally:
        if keep:
            session.log(f"newcomer: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _template_backend(session, root: Path, tmp: Path, dist: Path) -> None:
    """The template backend, copied out of the repo, through its own noxfile and expectation file."""
    template = tmp / "template-backend"
    ignore = shutil.ignore_patterns(".nox", "*.egg-info", "build", "__pycache__")
    shutil.copytree(root / "examples" / "template-backend", template, ignore=ignore)
    session.run(
        sys.executable,  # the interpreter running nox has nox
        "-m",
        "nox",
        "-f",
        str(template / "noxfile.py"),
        "--envdir",
        str(tmp / "template-nox"),
        "-s",
        "conformance",
        "--",
        *SUBSET,
        "-q",
        "-n",
        "2",
        env={"QD_WHEELS": str(dist)},
        external=True,
    )


def _fresh_install(session, root: Path, tmp: Path, dist: Path, names: list[str], torch: bool) -> None:
    venv = tmp / "venv"
    session.run(sys.executable, "-m", "venv", str(venv), external=True)
    python = str(_venv_python(venv))
    wheels = [str(next(dist.glob(f"{name.replace('-', '_')}-*.whl"))) for name in names]
    if torch:  # the extra of the core wheel: `quadrants-core[torch]`
        wheels[0] = f"{wheels[0]}[torch]"
    session.run(python, "-m", "pip", "install", "-q", *wheels, external=True)
    work = tmp / "work"
    work.mkdir()
    shutil.copy(root / "examples" / "first_kernel.py", work / "first_kernel.py")
    session.chdir(work)
    where = "import quadrants, sys; print('quadrants from', quadrants.__file__); sys.exit(REPO in quadrants.__file__)"
    session.run(python, "-c", where.replace("REPO", repr(str(root))), external=True)
    session.run(python, "-m", "quadrants", "doctor", external=True)
    session.run(
        python,
        "-m",
        "pytest",
        "--pyargs",
        *SUBSET,
        "--backend",
        "ref,llvm-cpu",
        "-q",
        "-n",
        "2",
        "-p",
        "no:cacheprovider",
        external=True,
    )
    session.run(python, "first_kernel.py", external=True)
