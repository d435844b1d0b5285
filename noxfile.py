"""One nox session per job and per backend (DESIGN.md §1). ``nox -l`` lists them.

Every session builds its own virtualenv from PyPI plus the local packages installed editable, so a fresh machine with
only Python and pip can run any of them: ``python3 -m pip install nox && python3 -m nox -s tests``.

* ``tests``            unit tests of every package, of the conformance harness and of the benchmark driver
* ``conformance``      the main job: the conformance suite against every available backend
* ``conformance-<id>`` the suite against one backend (one session per id in ``BACKENDS``)
* ``lint``             ruff check + ruff format --check
* ``docs``             mkdocs build --strict
* ``bench``            benchmarks/run.py
* ``fuzz``             differential fuzzing against the reference: ``nox -s fuzz -- --backend B --minutes M --seed S``
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["lint", "tests", "conformance"]

ROOT = Path(__file__).resolve().parent

# Backend ids registered through the `quadrants.backends` entry points. Adding an id here adds `conformance-<id>`.
BACKENDS = ["ref", "llvm-cpu", "llvm-cuda", "wgpu"]

# Local distributions, in dependency order (core first), installed editable into every session that runs code.
LOCAL_PACKAGES = [
    "packages/quadrants-core",
    "packages/quadrants-ref",
    "packages/quadrants-llvm",
    "packages/quadrants-wgpu",
    "conformance",
]
# Their distribution names, in the same order (nox -s build checks that each one is built).
DIST_NAMES = ["quadrants-core", "quadrants-ref", "quadrants-llvm", "quadrants-wgpu", "quadrants-conformance"]
IMPORT_LINTER = "import-linter>=2.1"  # layer contracts in pyproject.toml; its grimp also serves tests/test_layers.py
TEST_DEPS = ["numpy>=1.26", "pytest>=8", "pytest-xdist>=3.5", "hypothesis>=6.100", IMPORT_LINTER]
LINT_DEPS = ["ruff==0.17.6"]  # pinned: formatter output changes between releases
DOCS_DEPS = ["mkdocs>=1.6,<2"]
LINT_PATHS = ["packages", "conformance", "benchmarks", "noxfile.py", "noxfiles", "examples"]
# Optional extras a backend session needs on top of the editable packages (the driver bindings of a GPU backend).
BACKEND_EXTRAS = {"llvm-cuda": {"packages/quadrants-llvm": "cuda"}}

# The conformance suite runs as an installed pytest plugin over the installed cases package.
CONFORMANCE_ARGS = ["python", "-m", "pytest", "--pyargs", "quadrants_conformance.cases"]
REPORTS = "reports"


def install_local(session: nox.Session) -> None:
    """Install the test tools and every local package editable (one pip call, so local deps resolve locally)."""
    missing = [p for p in LOCAL_PACKAGES if not (ROOT / p / "pyproject.toml").is_file()]
    if missing:
        session.error(f"local packages without a pyproject.toml: {', '.join(missing)}")
    editable = [arg for path in LOCAL_PACKAGES for arg in ("-e", path)]
    session.install(*TEST_DEPS, *editable)


@nox.session
def tests(session: nox.Session) -> None:
    """Unit tests: every package (packages/*/tests), the conformance harness, the benchmark driver."""
    install_local(session)
    # No paths: pytest uses `testpaths` from pyproject.toml; posargs narrow it (`nox -s tests -- packages/x`).
    session.run("python", "-m", "pytest", "-n", "auto", *session.posargs, env={"QD_VERIFY_IR": "1"})


@nox.session
def conformance(session: nox.Session) -> None:
    """The main job: the conformance suite against every available backend; JUnit + JSON reports in reports/."""
    install_local(session)
    session.run(
        *CONFORMANCE_ARGS,
        "--backend",
        "all",
        "-n",
        "auto",
        "--junitxml",
        f"{REPORTS}/junit-conformance.xml",
        *session.posargs,
        env={"QD_VERIFY_IR": "1"},
    )


def _register_conformance_session(backend_id: str) -> None:
    def run_backend(session: nox.Session) -> None:
        install_local(session)
        session.run(
            *CONFORMANCE_ARGS,
            "--backend",
            backend_id,
            "-n",
            "auto",
            "--junitxml",
            f"{REPORTS}/junit-conformance-{backend_id}.xml",
            *session.posargs,
            env={"QD_VERIFY_IR": "1"},
        )

    run_backend.__doc__ = f"The conformance suite against the {backend_id!r} backend only."
    nox.session(run_backend, name=f"conformance-{backend_id}")


for _backend_id in BACKENDS:
    _register_conformance_session(_backend_id)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff lint and format check over all Python code, then the import-layer contracts (``lint-imports``)."""
    session.install(*LINT_DEPS)
    session.run("ruff", "check", *LINT_PATHS)
    session.run("ruff", "format", "--check", *LINT_PATHS)
    install_local(session)  # lint-imports reads the import graph of the installed packages
    session.run("lint-imports")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site with warnings as errors (mkdocs --strict)."""
    session.install(*DOCS_DEPS)
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session
def bench(session: nox.Session) -> None:
    """Run benchmarks/bench_*.py and write reports/bench.json."""
    install_local(session)
    session.install("numba>=0.68")  # baselines of benchmarks/bench_llvm_cpu.py
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Differential fuzzing: random race-free kernels on ref and on ``--backend``; repros in reports/fuzz/."""
    install_local(session)
    session.run("python", "-m", "quadrants_conformance.fuzz.run", *session.posargs, env={"QD_VERIFY_IR": "1"})
