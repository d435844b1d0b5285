"""benchmarks/bench_launch.py and launch_shapes.py: rows, ratios and one real (tiny) interleaved measurement."""

from __future__ import annotations

import math
import sys

import pytest


@pytest.fixture(scope="module")
def bench(load_bench):
    return load_bench("bench_launch")


def test_rows_are_medians_per_launch_with_a_geomean(bench):
    samples = {
        "plain": {"ours": [1e-6, 3e-6, 2e-6], "upstream": [4e-6, 4e-6, 5e-6]},
        "dataclass": {"ours": [8e-6], "upstream": [1e-6]},
    }
    rows = bench.rows_of(samples)
    assert [r["name"] for r in rows] == ["launch plain", "launch dataclass", "launch geomean ratio"]
    assert rows[0]["value"] == pytest.approx(2.0) and rows[0]["baseline"] == pytest.approx(4.0)
    assert rows[0]["ratio"] == pytest.approx(0.5) and rows[1]["ratio"] == pytest.approx(8.0)
    assert rows[2]["value"] == pytest.approx(math.sqrt(0.5 * 8.0))


def test_rows_without_upstream_have_no_baseline(bench):
    rows = bench.rows_of({"plain": {"ours": [2e-6]}})
    assert len(rows) == 1 and rows[0]["baseline"] is None and rows[0]["ratio"] is None
    assert rows[0]["value"] == pytest.approx(2.0)


def test_every_shape_runs_in_a_worker(bench):
    pytest.importorskip("quadrants_llvm")
    samples = bench.measure({"ours": sys.executable}, rounds=1, reps=3)
    assert list(samples) == ["plain", "dataclass", "frozen_dataclass", "data_oriented", "solver"]
    assert all(len(s["ours"]) == 1 and s["ours"][0] > 0 for s in samples.values())
