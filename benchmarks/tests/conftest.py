"""Shared fixture of the benchmark tests: ``benchmarks/`` is not a package, so its modules are loaded by path."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def load_bench():
    """``load_bench(name)``: a fresh module object of ``benchmarks/<name>.py``."""

    def load(name: str):
        spec = importlib.util.spec_from_file_location(f"quadrants_bench_test_{name}", BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
