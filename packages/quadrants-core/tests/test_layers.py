"""The import graph of every first-party package has no cycle, and the layers import one way (docs/architecture.md).

The layer contracts themselves are import-linter contracts in the root ``pyproject.toml`` (``nox -s lint`` runs
``lint-imports``); this test runs the same contracts and adds what import-linter does not check: no cycle anywhere,
and no lower layer importing the ``quadrants`` facade itself.
"""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter (a test dependency in noxfile.py)")

PACKAGES = ("quadrants", "quadrants_ref", "quadrants_llvm", "quadrants_wgpu", "quadrants_conformance")
LOWER_LAYERS = ("quadrants.ir", "quadrants.passes", "quadrants.frontend", "quadrants.fastcache", "quadrants.runtime")
BACKENDS = ("quadrants_ref", "quadrants_llvm", "quadrants_wgpu")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)


def strongly_connected_components(graph) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph has hundreds of modules): every component of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_strongly_connected_components_finds_a_planted_cycle():
    class Planted:
        modules = frozenset("abcd")
        edges: typing.ClassVar = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

        def find_modules_directly_imported_by(self, m):
            return self.edges.get(m, set())

    assert strongly_connected_components(Planted()) == [["a", "b", "c"]]


def test_no_import_cycle_in_any_first_party_package(graph):
    cycles = strongly_connected_components(graph)
    detail = "\n".join(
        f"  {' <-> '.join(c)}\n"
        + "\n".join(f"    {m} -> {sorted(set(graph.find_modules_directly_imported_by(m)) & set(c))}" for m in c)
        for c in cycles
    )
    assert not cycles, f"import cycles (break them as docs/architecture.md says):\n{detail}"


def test_lower_layers_never_import_the_public_facade(graph):
    offenders = sorted(
        m
        for m in graph.find_modules_that_directly_import("quadrants")
        if m.startswith(LOWER_LAYERS) or m.split(".")[0] in BACKENDS
    )
    assert not offenders, f"these modules import the `quadrants` facade from below it: {offenders}"


def test_import_linter_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        pytest.skip("lint-imports is not installed in this environment (nox -s lint runs it)")
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
