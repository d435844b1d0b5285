"""Building the distributions (``nox -s build``) and checking that their versions and pins resolve among themselves.

Every local distribution has the same version and pins the others it needs with ``==`` (``quadrants-ref`` requires
``quadrants-core==<its own version>``), so a set of wheels from one build installs together and never mixes with a
release of another version. :func:`check_pins` reads the built wheels' metadata and fails when a pin names a version
that is not in the build.
"""

from __future__ import annotations

import email.parser
import re
import zipfile
from pathlib import Path

__all__ = ["BUILD_DEPS", "build_distributions", "check_pins", "clean_dist", "wheel_requirements"]

# pinned build front end and backend: `--no-isolation` builds with these instead of a fresh environment per package
BUILD_DEPS = ["build>=1.2", "setuptools>=68", "wheel"]

_LOCAL = re.compile(r"^(quadrants[-_][a-z0-9_-]+)", re.IGNORECASE)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def clean_dist(dist: Path) -> None:
    """Remove the wheels and sdists of earlier builds of our distributions (nothing else in ``dist``)."""
    for pattern in ("quadrants_*.whl", "quadrants_*.tar.gz", "quadrants-*.tar.gz"):
        for old in dist.glob(pattern):
            old.unlink()


def build_distributions(session, packages: list[str], dist: Path) -> list[Path]:
    """``python -m build`` each package folder: an sdist, then a wheel built from that sdist (so the sdist is complete).

    ``session`` must have :data:`BUILD_DEPS` installed. Returns the files written to ``dist``.
    """
    dist.mkdir(parents=True, exist_ok=True)
    clean_dist(dist)
    for package in packages:
        session.run("python", "-m", "build", "--no-isolation", "--outdir", str(dist), package, silent=True)
    built = sorted(dist.glob("quadrants_*.whl")) + sorted(dist.glob("quadrants*.tar.gz"))
    return built


def _wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(zf.read(name).decode("utf-8"))


def wheel_requirements(wheel: Path) -> tuple[str, str, list[str]]:
    """``(name, version, Requires-Dist lines)`` of a wheel."""
    meta = _wheel_metadata(wheel)
    return _normalise(meta["Name"]), meta["Version"], meta.get_all("Requires-Dist") or []


def check_pins(dist: Path, expected: list[str]) -> list[str]:
    """Problems with the build in ``dist`` (empty when good).

    * every distribution in ``expected`` (normalised names) has exactly one wheel and one sdist;
    * all have one version;
    * every requirement on another ``quadrants-*`` distribution is ``==`` that version (extras' requirements too).
    """
    problems: list[str] = []
    wheels = {}
    for wheel in sorted(dist.glob("quadrants_*.whl")):
        name, version, requires = wheel_requirements(wheel)
        if name in wheels:
            problems.append(f"two wheels of {name}: {wheels[name][0].name}, {wheel.name}")
        wheels[name] = (wheel, version, requires)
    for name in expected:
        if name not in wheels:
            problems.append(f"no wheel of {name} in {dist}")
        sdist = name.replace("-", "_")
        if not list(dist.glob(f"{sdist}-*.tar.gz")):
            problems.append(f"no sdist of {name} in {dist}")
    versions = {version for _, version, _ in wheels.values()}
    if len(versions) > 1:
        problems.append(f"the distributions have different versions: {sorted(versions)}")
    for name, (_, version, requires) in sorted(wheels.items()):
        for line in requires:
            requirement = line.split(";")[0].strip()
            match = _LOCAL.match(requirement)
            if not match:
                continue
            target = _normalise(match.group(1))
            spec = re.sub(r"^\[[^\]]*\]", "", requirement[match.end() :]).strip()  # drop extras: pkg[cuda]==1
            if spec != f"=={version}":
                problems.append(f"{name} requires {requirement!r}: local distributions pin each other with =={version}")
            elif target not in wheels:
                problems.append(f"{name} requires {target}, which this build does not contain")
    return problems
