"""The example-program ports: every program has a conformance case and the module protocol the benchmarks use."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from quadrants_conformance import programs
from quadrants_conformance.case import Case

PROGRAMS_DIR = Path(programs.__file__).parent


def test_every_program_has_a_conformance_case():
    cases = importlib.import_module("quadrants_conformance.cases.test_programs")
    ids = {value.id for value in vars(cases).values() if isinstance(value, Case)}
    assert set(programs.NAMES) <= ids


def test_the_program_modules_are_the_listed_ones():
    found = {p.stem for p in PROGRAMS_DIR.glob("*.py") if not p.stem.startswith("_")}
    assert found == set(programs.NAMES)


@pytest.mark.parametrize("name", programs.NAMES)
def test_program_module_protocol_and_upstream_clean_imports(name):
    module = programs.load(name)
    assert set(module.SIZES) >= {"test", "bench"}
    assert isinstance(module.TEST_STEPS, int) and module.TEST_STEPS > 0
    assert callable(module.make)
    # the same file runs under upstream Quadrants: it imports only quadrants, NumPy and the standard library, and no
    # `from __future__ import annotations` (upstream's @qd.dataclass reads real annotation objects)
    tree = ast.parse((PROGRAMS_DIR / f"{name}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.module != "__future__", f"{name}: from __future__ import breaks upstream dataclasses"
            assert node.module.split(".")[0] in {"quadrants", "numpy", "math"}, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] in {"quadrants", "numpy", "math"}, alias.name


def test_unknown_program_names_the_known_ones():
    with pytest.raises(KeyError, match="mpm88"):
        programs.load("nope")
