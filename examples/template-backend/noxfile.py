"""Run the Quadrants conformance suite against this backend: ``nox -s conformance``.

Quadrants comes from PyPI by default. To test against a Quadrants checkout instead, build its wheels there
(``nox -s build`` writes them to its ``dist/``) and point ``QD_WHEELS`` at that folder:
``QD_WHEELS=/path/to/quadrants/dist nox -s conformance``. Arguments after ``--`` replace the default target (the whole
suite), e.g. ``nox -s conformance -- quadrants_conformance.cases.test_math -x``.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["conformance"]

HERE = Path(__file__).resolve().parent
BACKEND_ID = "template"
QUADRANTS = ["quadrants-core", "quadrants-ref", "quadrants-conformance"]
VERSION = "0.1.0"  # the Quadrants version this backend is built against (pyproject.toml pins the same)


def quadrants_requirements() -> list[str]:
    """Wheel files from ``$QD_WHEELS`` when set (a local build), else the pinned releases from the index."""
    wheels = os.environ.get("QD_WHEELS")
    if not wheels:
        return [f"{name}=={VERSION}" for name in QUADRANTS]
    found = [sorted(Path(wheels).glob(f"{name.replace('-', '_')}-{VERSION}-*.whl")) for name in QUADRANTS]
    missing = [name for name, files in zip(QUADRANTS, found) if not files]
    if missing:
        raise SystemExit(f"QD_WHEELS={wheels} has no wheel of {', '.join(missing)} {VERSION}")
    return [str(files[-1]) for files in found]


@nox.session
def conformance(session: nox.Session) -> None:
    """The suite against this backend, with this backend's expectation file (expectations/template.txt)."""
    session.install(*quadrants_requirements(), str(HERE))  # not editable: test what users will install
    session.chdir(session.create_tmp())  # away from the sources: the installed packages are what runs
    targets = session.posargs or ["quadrants_conformance"]
    session.run(
        "python",
        "-m",
        "pytest",
        "--pyargs",
        *targets,
        "--backend",
        BACKEND_ID,
        "--expectations",
        str(HERE / "expectations"),
        "-p",
        "no:cacheprovider",
    )
