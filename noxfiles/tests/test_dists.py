"""``nox -s build``'s pin check, on fake wheels, and the repository's pyproject files it relies on."""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from noxfiles import dists  # noqa: E402

NAMES = ["quadrants-core", "quadrants-ref"]


def fake_build(dist: Path, version: str, requires: dict[str, list[str]]) -> None:
    """One wheel (with METADATA) and one sdist per distribution name."""
    dist.mkdir(exist_ok=True)
    for name, reqs in requires.items():
        stem = f"{name.replace('-', '_')}-{version}"
        meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        meta += "".join(f"Requires-Dist: {r}\n" for r in reqs)
        with zipfile.ZipFile(dist / f"{stem}-py3-none-any.whl", "w") as zf:
            zf.writestr(f"{stem}.dist-info/METADATA", meta)
        with tarfile.open(dist / f"{stem}.tar.gz", "w:gz"):
            pass


def test_a_consistent_build_has_no_problems(tmp_path):
    fake_build(tmp_path, "1.2.0", {"quadrants-core": ["numpy>=1.26"], "quadrants-ref": ["quadrants-core==1.2.0"]})
    assert dists.check_pins(tmp_path, NAMES) == []


@pytest.mark.parametrize(
    ("ref_requires", "fragment"),
    [
        (["quadrants-core"], "pin each other with ==1.2.0"),
        (["quadrants-core>=1.0"], "pin each other"),
        (["quadrants-core==1.1.0"], "pin each other"),
        (["quadrants-core==1.2.0", "quadrants-wgpu==1.2.0"], "quadrants-wgpu, which this build does not contain"),
        (["quadrants-core==1.2.0", 'quadrants-llvm[cuda]>=1; extra == "gpu"'], "pin each other"),
    ],
)
def test_loose_or_foreign_pins_are_problems(tmp_path, ref_requires, fragment):
    fake_build(tmp_path, "1.2.0", {"quadrants-core": [], "quadrants-ref": ref_requires})
    problems = dists.check_pins(tmp_path, NAMES)
    assert any(fragment in p for p in problems), problems


def test_missing_artifacts_and_mixed_versions(tmp_path):
    fake_build(tmp_path, "1.2.0", {"quadrants-core": []})
    fake_build(tmp_path, "1.3.0", {"quadrants-ref": ["quadrants-core==1.3.0"]})
    problems = dists.check_pins(tmp_path, [*NAMES, "quadrants-wgpu"])
    assert "no wheel of quadrants-wgpu in" in " ".join(problems)
    assert "no sdist of quadrants-wgpu" in " ".join(problems)
    assert any("different versions" in p for p in problems)


def test_clean_dist_removes_only_our_artifacts(tmp_path):
    fake_build(tmp_path, "1.2.0", {"quadrants-core": []})
    (tmp_path / "other-1.0-py3-none-any.whl").write_text("")
    dists.clean_dist(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-1.0-py3-none-any.whl"]


def _pyproject(folder: str) -> dict:
    tomllib = pytest.importorskip("tomllib")
    return tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"]


FOLDERS = ["packages/quadrants-core", "packages/quadrants-ref", "packages/quadrants-llvm", "packages/quadrants-wgpu"]
FOLDERS += ["conformance", "examples/template-backend"]


def test_every_pyproject_has_one_version_and_pins_ours_with_it():
    projects = {folder: _pyproject(folder) for folder in FOLDERS}
    versions = {p["version"] for p in projects.values()}
    assert len(versions) == 1, versions
    (version,) = versions
    for folder, project in projects.items():
        requirements = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            requirements += extra
        for requirement in requirements:
            if re.match(r"quadrants[-_]", requirement):
                assert requirement.endswith(f"=={version}"), f"{folder}: {requirement}"
