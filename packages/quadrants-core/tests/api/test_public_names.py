"""Every public name of upstream Quadrants 1.3.3 exists here, or docs/api-coverage.md says why not.

``upstream_public_names.txt`` is written by ``dump_upstream_names.py`` (run it under upstream, see its docstring).
docs/api-coverage.md holds two tables:

* **Out of scope**: names this project leaves out on purpose, each with a reason (sparse SNodes, quantized types,
  meshes, autodiff until its issue lands, upstream internals). An entry ending in ``.*`` covers a whole section.
* **Pending**: names that are planned but not there yet, each with the area that owns them. The list may only shrink:
  a pending name that now exists fails the test until its entry is deleted.

A name "exists" when ``getattr`` on the project's module returns without raising (an out-of-scope construct that
raises ``NotImplementedError`` on access therefore counts as missing, and must be listed as out of scope).
"""

from __future__ import annotations

import importlib
import re
import warnings
from pathlib import Path

import pytest

HERE = Path(__file__).parent
NAMES_FILE = HERE / "upstream_public_names.txt"
COVERAGE_DOC = Path(__file__).resolve().parents[4] / "docs" / "api-coverage.md"

_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*(.*?)\s*\|\s*$")


def read_upstream_names(path: Path = NAMES_FILE) -> dict[str, list[str]]:
    """``{section: [name, ...]}`` from the checked-in list (``[qd.math]`` headers, one name per line)."""
    sections: dict[str, list[str]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        header = re.fullmatch(r"\[(.+)\]", line)
        if header:
            current = header.group(1)
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return sections


def read_coverage_tables(path: Path = COVERAGE_DOC) -> dict[str, dict[str, str]]:
    """``{"out of scope": {name: reason}, "pending": {name: owner}}`` from the markdown tables of the doc."""
    tables: dict[str, dict[str, str]] = {"out of scope": {}, "pending": {}}
    current = None
    for line in path.read_text().splitlines():
        if line.startswith("## "):
            title = line[3:].strip().lower()
            current = title if title in tables else None
            continue
        row = _ROW.match(line)
        if current is not None and row:
            name, text = row.groups()
            assert name not in tables[current], f"{name} is listed twice under '{current}' in {path.name}"
            assert text, f"{name} under '{current}' in {path.name} needs a reason / owner"
            tables[current][name] = text
    return tables


def _resolve(section: str):
    """The project's object for ``qd.a.b`` (``None`` when a part is missing or raises)."""
    import quadrants as qd

    obj = qd
    for part in section.split(".")[1:]:
        try:
            obj = getattr(obj, part)
        except Exception:
            try:
                obj = importlib.import_module(f"{obj.__name__}.{part}")
            except Exception:
                return None
    return obj


def _has(obj, name: str) -> bool:
    if obj is None:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(obj, name)
    except Exception:  # AttributeError, or NotImplementedError for an out-of-scope construct
        return False
    return True


def _covered(qualified: str, listed: dict[str, str]) -> bool:
    if qualified in listed:
        return True
    section = qualified.rsplit(".", 1)[0]
    while section:
        if f"{section}.*" in listed:
            return True
        section = section.rsplit(".", 1)[0] if "." in section else ""
    return False


def project_status():
    """``(present, missing)`` sets of qualified names (``qd.math.clamp``) over every upstream section."""
    present, missing = set(), set()
    for section, names in read_upstream_names().items():
        obj = _resolve(section)
        for name in names:
            (present if _has(obj, name) else missing).add(f"{section}.{name}")
    return present, missing


def _report(title: str, names) -> str:
    by_section: dict[str, list[str]] = {}
    for q in sorted(names):
        section, name = q.rsplit(".", 1)
        by_section.setdefault(section, []).append(name)
    lines = [f"{title} ({len(names)}):"]
    lines += [f"  {section}: {', '.join(items)}" for section, items in by_section.items()]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def status():
    return project_status()


@pytest.fixture(scope="module")
def tables():
    return read_coverage_tables()


def test_the_upstream_list_is_checked_in():
    sections = read_upstream_names()
    assert {"qd", "qd.math", "qd.types", "qd.types.primitive_types"} <= set(sections)
    assert len(sections["qd.math"]) == 73 and len(sections["qd.types"]) == 46
    assert "clamp" in sections["qd.math"] and "int32" in sections["qd"]


def test_every_upstream_name_exists_or_is_documented(status, tables):
    _, missing = status
    print()
    print(_report("still missing upstream names (pending or out of scope)", missing))
    undocumented = {
        q for q in missing if not _covered(q, tables["out of scope"]) and not _covered(q, tables["pending"])
    }
    assert not undocumented, _report(
        "upstream names missing here and not listed in docs/api-coverage.md (add them, or list them as out of scope "
        "with a reason)",
        undocumented,
    )


def test_pending_list_only_shrinks(status, tables):
    present, _ = status
    done = {q for q in present if q in tables["pending"]}
    assert not done, _report("names now exist: delete their rows from the Pending table of docs/api-coverage.md", done)


def test_out_of_scope_names_are_really_absent(status, tables):
    present, _ = status
    stale = {q for q in present if q in tables["out of scope"]}
    assert not stale, _report("names exist although docs/api-coverage.md lists them as out of scope", stale)


def test_documented_names_are_upstream_names(tables):
    known = {f"{s}.{n}" for s, names in read_upstream_names().items() for n in names}
    sections = set(read_upstream_names())
    unknown = set()
    for table in tables.values():
        for name in table:
            if name.endswith(".*"):
                if name[:-2] not in sections:
                    unknown.add(name)
            elif name not in known:
                unknown.add(name)
    assert not unknown, _report("docs/api-coverage.md lists names that upstream does not have (typo?)", unknown)


def test_sparse_grid_helpers_exist_and_say_they_are_out_of_scope():
    import pytest

    import quadrants as qd

    assert sorted(n for n in dir(qd.sparse) if not n.startswith("_")) == ["grid", "usage"]  # upstream's names
    with pytest.raises(NotImplementedError, match="sparse SNodes"):
        qd.sparse.grid({"m": qd.f32}, shape=(4, 4))
    with pytest.raises(NotImplementedError, match=r"qd\.sparse\.usage"):
        qd.sparse.usage(None)
    assert sorted(n for n in dir(qd.interop) if not n.startswith("_")) == ["get_mps_command_queue"]
