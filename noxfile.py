"""One nox session per job and per backend (docs/architecture.md). ``nox -l`` lists them.

Every session builds its own virtualenv from PyPI plus the local packages installed editable, so a fresh machine with
only Python and pip can run any of them: ``python3 -m pip install nox && python3 -m nox -s tests``.

* ``tests``            unit tests of every package, of the conformance harness and of the benchmark driver
* ``conformance``      the main job: the conformance suite against every available backend
* ``conformance-<id>`` the suite against one backend (one session per id in ``BACKENDS``)
* ``conformance-wgpu-fallback`` / ``conformance-wgpu-exact-div`` wgpu with every optional shader feature off / the
                       float-heavy modules with the correctly rounding f32 division and sqrt forced on
* ``lint``             ruff check + ruff format --check
* ``docs``             mkdocs build --strict
* ``bench``            benchmarks/run.py (``-- --against upstream``: the example programs also timed on upstream 1.3.3;
                       ``-- --load``: under a background load of 3x the core count)
* ``robustness``       the misuse corpus on every available backend, classified (docs/robustness.md)
* ``fuzz``             differential fuzzing against the reference: ``nox -s fuzz -- --backend B --minutes M --seed S``
                       (``-- --against upstream``: against upstream Quadrants 1.3.3 on qd.cpu)
* ``parity``           every conformance case and fuzz-corpus program on upstream 1.3.3 (qd.cpu) and on ref; every
                       difference is fixed or listed in docs/parity.md
* ``build``            wheels and sdists of every distribution into dist/, pins checked (docs/installing.md)
* ``doctor``           ``python -m quadrants doctor`` in an installed environment
* ``downstream-genesis`` Genesis's headless scenes on this project and on upstream 1.3.3: states compared, build and
                       step times reported (noxfiles/downstream_genesis.py, docs/genesis.md)
* ``newcomer``         a new user's first hour, scripted: wheels, a fresh venv outside the repo, the template backend
                       through conformance, doctor, one kernel with NumPy/DLPack/torch interop (noxfiles/newcomer.py)
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the noxfiles/ helpers next to this file
from noxfiles import dists, downstream_genesis, newcomer as newcomer_run

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
# scipy: the optional dependency of qd.linalg's sparse matrices (quadrants-core[sparse]), tested everywhere
TEST_DEPS = ["numpy>=1.26", "pytest>=8", "pytest-xdist>=3.5", "hypothesis>=6.100", "scipy>=1.11", IMPORT_LINTER]
LINT_DEPS = ["ruff==0.17.6"]  # pinned: formatter output changes between releases
DOCS_DEPS = ["mkdocs>=1.6,<2"]
LINT_PATHS = ["packages", "conformance", "benchmarks", "noxfile.py", "noxfiles", "examples", "downstream"]
# Optional extras a backend session needs on top of the editable packages (the driver bindings of a GPU backend).
BACKEND_EXTRAS = {"llvm-cuda": {"packages/quadrants-llvm": "cuda"}}

# The conformance suite runs as an installed pytest plugin over the installed cases package.
CONFORMANCE_ARGS = ["python", "-m", "pytest", "--pyargs", "quadrants_conformance.cases"]
REPORTS = "reports"


def install_local(session: nox.Session, extras: dict[str, str] | None = None) -> None:
    """Install the test tools and every local package editable (one pip call, so local deps resolve locally).

    ``extras`` maps a package folder to the extra to install with it (``{"packages/quadrants-llvm": "cuda"}``).
    """
    missing = [p for p in LOCAL_PACKAGES if not (ROOT / p / "pyproject.toml").is_file()]
    if missing:
        session.error(f"local packages without a pyproject.toml: {', '.join(missing)}")
    extras = extras or {}
    editable = [arg for path in LOCAL_PACKAGES for arg in ("-e", f"{path}[{extras[path]}]" if path in extras else path)]
    session.install(*TEST_DEPS, *editable)


@nox.session
def tests(session: nox.Session) -> None:
    """Unit tests: every package (packages/*/tests), the conformance harness, the benchmark driver."""
    # with cuda-bindings (no GPU needed): llvm-cuda's host path runs on the null driver (tests/test_null_driver.py)
    install_local(session, BACKEND_EXTRAS["llvm-cuda"])
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
        install_local(session, BACKEND_EXTRAS.get(backend_id))
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
    args = list(session.posargs)
    if "--against" in args and "--upstream-python" not in args:  # bench_programs.py times upstream 1.3.3 beside us
        args += ["--upstream-python", upstream_python(session)]
    session.run("python", "benchmarks/run.py", *args)


@nox.session
def robustness(session: nox.Session) -> None:
    """The misuse corpus (200+ bad or hostile programs) on every available backend, each in its own process,
    classified; fails on any internal error, crash, hang or wrong result (docs/robustness.md)."""
    install_local(session)
    session.run("python", "-m", "quadrants_conformance.robustness.run", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Differential fuzzing: random race-free kernels on ref and on ``--backend``; repros in reports/fuzz/."""
    install_local(session)
    args = list(session.posargs)
    if "--against" in args and "--upstream-python" not in args:
        args += ["--upstream-python", upstream_python(session)]
    session.run("python", "-m", "quadrants_conformance.fuzz.run", *args, env={"QD_VERIFY_IR": "1"})


# ------------------------------------------------------------------------------------- parity with upstream

UPSTREAM_PIN = "quadrants==1.3.3"  # the release whose behaviour is the ground truth (docs/parity.md)


def upstream_python(session: nox.Session) -> str:
    """The interpreter of a virtualenv (next to the session's own) holding upstream Quadrants, created once."""
    venv = Path(session.virtualenv.location).parent / "upstream-quadrants"
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    if not python.exists():
        session.run("python", "-m", "venv", str(venv))
    session.run(str(python), "-m", "pip", "install", "-q", UPSTREAM_PIN, "numpy", external=True)
    return str(python)


@nox.session
def parity(session: nox.Session) -> None:
    """Every conformance case and fuzz-corpus program on upstream 1.3.3 (qd.cpu) and on ref (docs/parity.md)."""
    install_local(session)
    upstream = upstream_python(session)
    session.run("python", "-m", "quadrants_conformance.parity.run", "--upstream-python", upstream, *session.posargs)


# ------------------------------------------------------------------------- distributions, GPU tiers, newcomer


@nox.session(name="conformance-llvm-amdgpu")
def conformance_llvm_amdgpu(session: nox.Session) -> None:
    """llvm-amdgpu: the suite on an AMD GPU when one is present; otherwise the compile-only tier, and it says so."""
    install_local(session)
    probe = "from quadrants.backend import load_by_id as f; p = f('llvm-amdgpu').probe(); print(p.available, p.reason)"
    available, _, reason = session.run("python", "-c", probe, silent=True).strip().partition(" ")
    if available == "True":
        session.run(
            *CONFORMANCE_ARGS,
            "--backend",
            "llvm-amdgpu",
            "--junitxml",
            f"{REPORTS}/junit-conformance-llvm-amdgpu.xml",
            *session.posargs,
            env={"QD_VERIFY_IR": "1"},
        )
        return
    session.warn(f"no AMD GPU here ({reason}): compile-only tests (every conformance kernel to gfx code objects)")
    session.run(
        "python",
        "-m",
        "pytest",
        "packages/quadrants-llvm/tests/test_gpu_compile.py",
        "-k",
        "amdgpu",
        *session.posargs,
        env={"QD_VERIFY_IR": "1"},
    )


@nox.session
def build(session: nox.Session) -> None:
    """Wheels and sdists of every distribution into dist/, then a check that versions and pins match."""
    session.install(*dists.BUILD_DEPS)
    built = dists.build_distributions(session, LOCAL_PACKAGES, ROOT / "dist")
    problems = dists.check_pins(ROOT / "dist", DIST_NAMES)
    if problems:
        session.error("\n".join(problems))
    session.log("built: " + ", ".join(p.name for p in built))


@nox.session
def doctor(session: nox.Session) -> None:
    """``python -m quadrants doctor`` in an environment with every package installed: which backends run here."""
    install_local(session)
    session.chdir(session.create_tmp())  # away from the sources: the installed packages answer
    session.run("python", "-m", "quadrants", "doctor", *session.posargs)


@nox.session
def newcomer(session: nox.Session) -> None:
    """A new user's first hour, outside the repo, from built wheels (``-- --keep`` keeps the temp dir, ``--torch``)."""
    session.install(*dists.BUILD_DEPS)
    newcomer_run.run(session, ROOT, LOCAL_PACKAGES, DIST_NAMES)


@nox.session(name="conformance-wgpu-fallback")
def conformance_wgpu_fallback(session: nox.Session) -> None:
    """The suite on wgpu with every optional shader feature switched off (QD_WGPU_DISABLE_FEATURES=all): i64
    pairs, compare-exchange float atomics; f64 and f16 report `unsupported` (docs/backends/wgpu.md)."""
    install_local(session)
    session.run(
        *CONFORMANCE_ARGS,
        "--backend",
        "wgpu",
        "-n",
        "auto",
        "--junitxml",
        f"{REPORTS}/junit-conformance-wgpu-fallback.xml",
        "--conformance-json",
        f"{REPORTS}/conformance-wgpu-fallback.json",
        *session.posargs,
        env={"QD_VERIFY_IR": "1", "QD_WGPU_DISABLE_FEATURES": "all"},
    )


# The conformance modules whose results go through f32 division and sqrt (arithmetic, math functions, linalg,
# vectors): on lavapipe, whose own / and sqrt are exact, QD_WGPU_EXACT_DIV=1 makes them use the correctly rounding
# helpers that NVIDIA-like adapters get (docs/backends/wgpu.md). About a minute; the whole suite that way is not.
EXACT_DIV_MODULES = (
    "test_float_ops or test_math or test_linalg or test_vector or test_algorithms or test_promotion or test_conversions"
)


@nox.session(name="conformance-wgpu-exact-div")
def conformance_wgpu_exact_div(session: nox.Session) -> None:
    """The float-heavy conformance modules on wgpu with the correctly rounding f32 division and sqrt helpers forced
    on (QD_WGPU_EXACT_DIV=1), so they stay tested on a machine whose driver does not need them."""
    install_local(session)
    session.run(
        *CONFORMANCE_ARGS,
        "--backend",
        "wgpu",
        "-n",
        "auto",
        "-k",
        EXACT_DIV_MODULES,
        "--junitxml",
        f"{REPORTS}/junit-conformance-wgpu-exact-div.xml",
        "--conformance-json",
        f"{REPORTS}/conformance-wgpu-exact-div.json",
        *session.posargs,
        env={"QD_VERIFY_IR": "1", "QD_WGPU_EXACT_DIV": "1"},
    )


@nox.session(name="downstream-genesis")
def downstream_genesis_session(session: nox.Session) -> None:
    """Genesis (genesis-world 1.4.5) scenes on this project and on upstream 1.3.3: states within tolerance, cold/warm
    build and step times in reports/ (``-- --backend gpu``, ``--scenes``, ``--steps N``, ``--keep``)."""
    downstream_genesis.run(session, ROOT)
