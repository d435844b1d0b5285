"""benchmarks/bench_loops.py and loop_shapes.py: rows, ratios and one real (tiny) interleaved measurement."""

from __future__ import annotations

import math
import sys

import pytest


@pytest.fixture(scope="module")
def bench(load_bench):
    return load_bench("bench_loops")


def test_rows_are_medians_per_launch_with_a_geomean(bench):
    results = {
        "quiet": {
            "const 2D small": {"ours": [1e-6, 3e-6, 2e-6], "upstream": [4e-6, 4e-6, 5e-6]},
            "grouped large": {"ours": [8e-6], "upstream": [1e-6]},
        }
    }
    rows = bench.rows_of(results)
    assert [r["name"] for r in rows] == ["const 2D small [quiet]", "grouped large [quiet]", "geomean ratio [quiet]"]
    assert rows[0]["value"] == pytest.approx(2.0) and rows[0]["baseline"] == pytest.approx(4.0)
    # the median of the per-round ratios (0.25, 0.75, 0.4), not the ratio of the medians (0.5)
    assert rows[0]["ratio"] == pytest.approx(0.4) and rows[1]["ratio"] == pytest.approx(8.0)
    assert rows[2]["value"] == pytest.approx(math.sqrt(0.4 * 8.0))


def test_rows_without_upstream_have_no_baseline(bench):
    rows = bench.rows_of({"load": {"template small": {"ours": [2e-6]}}})
    assert rows == [{"name": "template small [load]", "value": pytest.approx(2.0), "unit": "us"} | rows[0]]
    assert rows[0]["baseline"] is None and rows[0]["ratio"] is None


def test_every_shape_runs_in_a_worker(bench):
    results = bench.measure({"ours": sys.executable}, ["quiet"], 1, "small", None)
    shapes = results["quiet"]
    assert len(shapes) == 12  # 4 const + 4 run-time ndrange, 2 struct-fors, grouped, template
    assert all(len(s["ours"]) == 1 and s["ours"][0] > 0 for s in shapes.values())
