"""benchmarks/run.py: discovery, row checking, the table and the JSON report."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

RUN_PY = Path(__file__).resolve().parents[1] / "run.py"


@pytest.fixture
def runner():
    spec = importlib.util.spec_from_file_location("quadrants_bench_runner", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_benchmarks_writes_an_empty_report(runner, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "HERE", tmp_path)
    out = tmp_path / "reports" / "bench.json"
    assert runner.main(["--out", str(out)]) == 0
    assert "no benchmarks" in capsys.readouterr().out
    assert json.loads(out.read_text())["rows"] == []


def test_rows_are_collected_and_ratio_filled(runner, tmp_path, monkeypatch, capsys):
    (tmp_path / "bench_copy.py").write_text(
        "def run():\n    return [{'name': 'copy', 'value': 2.0, 'unit': 'GB/s', 'baseline': 4.0}]\n"
    )
    (tmp_path / "helper.py").write_text("raise RuntimeError('not a benchmark: never imported')\n")
    monkeypatch.setattr(runner, "HERE", tmp_path)
    out = tmp_path / "bench.json"
    assert runner.main(["--out", str(out)]) == 0
    (row,) = json.loads(out.read_text())["rows"]
    assert row == {"module": "bench_copy", "name": "copy", "value": 2.0, "unit": "GB/s", "baseline": 4.0, "ratio": 0.5}
    assert "copy" in capsys.readouterr().out


def test_failing_module_sets_exit_status(runner, tmp_path, monkeypatch):
    (tmp_path / "bench_broken.py").write_text("def run():\n    return [{'name': 'x'}]\n")
    monkeypatch.setattr(runner, "HERE", tmp_path)
    out = tmp_path / "bench.json"
    assert runner.main(["--out", str(out)]) == 1
    assert "lacks value, unit" in json.loads(out.read_text())["errors"]["bench_broken"]


def test_pattern_filters_modules(runner, tmp_path):
    for name in ("bench_a.py", "bench_b.py"):
        (tmp_path / name).write_text("")
    assert [p.name for p in runner.discover(tmp_path, "b")] == ["bench_b.py"]


def test_options_reach_modules_whose_run_takes_them(runner, tmp_path, monkeypatch):
    (tmp_path / "bench_opts.py").write_text(
        "def run(options):\n"
        "    return [{'name': str(options['against']) + ' ' + str(options['upstream_python']), 'value': 1.0,"
        " 'unit': 'x'}]\n"
    )
    monkeypatch.setattr(runner, "HERE", tmp_path)
    out = tmp_path / "bench.json"
    assert runner.main(["--out", str(out), "--against", "upstream", "--upstream-python", "/up/python"]) == 0
    report = json.loads(out.read_text())
    assert [row["name"] for row in report["rows"]] == ["upstream /up/python"]
    assert report["against"] == "upstream" and report["load"] is False
