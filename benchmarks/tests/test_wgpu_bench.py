"""benchmarks/bench_wgpu.py: a crashing, hanging or failing worker becomes a progress line and a FAILED row, the time
budget is respected, rows carry the baseline arch's value; and one real (tiny) worker run on the local device."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1]


@pytest.fixture
def bench(tmp_path, monkeypatch, load_bench):
    """bench_wgpu with a fake worker whose behaviour each test writes (the real one needs a device)."""
    module = load_bench("bench_wgpu")
    fake = tmp_path / "worker.py"
    monkeypatch.setattr(module, "WORKER", fake)
    return module, fake


CRASH = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
HANG = "import time; time.sleep(60)"
FAIL = "import sys; sys.stderr.write('Traceback\\nRuntimeError: device lost\\n'); sys.exit(3)"


@pytest.mark.parametrize(
    ("script", "why"),
    [(CRASH, "killed by SIGSEGV"), (HANG, "timeout after 2 s"), (FAIL, "exit status 3")],
    ids=["crash", "hang", "error"],
)
def test_a_failing_worker_is_reported_not_fatal(bench, capsys, script, why):
    module, fake = bench
    fake.write_text(script)
    out, reason = module._Runner(budget=30, case_timeout=2).run("vulkan", "saxpy", 16)
    assert out is None and reason == why
    assert "bench_wgpu: saxpy n=16 on wgpu: " in capsys.readouterr().out
    row = module._row("saxpy", "saxpy {n} f32", "GB/s", None, None, reason, 0.7)
    assert "FAILED" in row["name"] and why in row["name"] and row["ratio"] is None


def test_the_time_budget_skips_what_is_left(bench, capsys, monkeypatch):
    module, fake = bench
    fake.write_text(HANG)
    monkeypatch.setattr(module, "MIN_CASE_SECONDS", 1)
    runner = module._Runner(budget=3, case_timeout=100)
    assert runner.run("vulkan", "sum", 16)[1] == "timeout after 3 s"
    assert runner.run("vulkan", "ihist", 16) == (None, "skipped: time budget spent")
    assert "ihist n=16 on wgpu: skipped" in capsys.readouterr().out


def _result(case: str, n: int, seconds: float, error: float = 0.0) -> dict:
    return {"case": case, "arch": "x", "n": n, "seconds": seconds, "error": error, "device": "d", "software": False}


def test_rows_carry_the_baseline_and_the_ratio(bench):
    module, _ = bench
    ours, theirs = _result("saxpy", 1 << 20, 1e-3), _result("saxpy", 1 << 20, 5e-4)
    row = module._row("saxpy", "saxpy {n} f32", "GB/s", ours, theirs, "", 0.7)
    assert row["value"] == pytest.approx(12 * 2**20 / 1e-3 / 1e9)
    assert row["ratio"] == pytest.approx(0.5)
    assert row["name"] == "wgpu saxpy 2^20 f32 (target >= 0.7)"
    wrong = module._row("sum", "sum {n}", "GB/s", _result("sum", 64, 1e-3, error=0.5), None, "", None)
    assert "WRONG RESULT" in wrong["name"] and wrong["baseline"] is None


def test_whole_run_with_a_fake_worker(bench, monkeypatch, capsys):
    """Every case: the wgpu run and the baseline's (the compare-exchange rows reuse the native rows' baseline runs)."""
    module, fake = bench
    log = fake.with_name("calls.txt")
    fake.write_text(
        "import json, sys\n"
        "a = dict(zip(sys.argv[1::2], sys.argv[2::2]))\n"
        f"open({str(log)!r}, 'a').write(a['--arch'] + ' ' + a['--case'] + ' ' + a['--n'] + '\\n')\n"
        "if a['--case'] == 'jacobi' and a['--arch'] == 'vulkan': raise SystemExit(1)\n"
        "n = int(a['--n'])\n"
        "print(json.dumps({'n': n, 'seconds': 0.001, 'error': 0.0, 'device': 'fake', 'software': False, 'limit': 1}))\n"
    )
    monkeypatch.setenv("QD_BENCH_WGPU_BASELINE", "cpu")
    monkeypatch.delenv("QD_BENCH_WGPU_CPU", raising=False)
    rows = module.run()
    assert len(rows) == len(module.CASES)
    by_key = dict(zip((c[0] for c in module.CASES), rows, strict=True))
    assert "FAILED" in by_key["jacobi"]["name"]
    assert by_key["saxpy"]["ratio"] == pytest.approx(1.0)
    calls = log.read_text().splitlines()
    assert calls.count("cpu sum 268435456") == 1  # sum_cas reuses the native row's baseline
    assert "cpu fhist 16777216" in calls and "cpu jacobi 8192" in calls


@pytest.mark.parametrize(
    ("case", "extra"), [("sum", {}), ("ihist", {}), ("ihist", {"QD_BENCH_WGPU_NO_PRIVATE": "1"})], ids=str
)
def test_a_real_worker_run_on_the_local_device(case, extra):
    """The worker itself on ``vulkan`` (lavapipe here): it checks the result and reports a time per call."""
    pytest.importorskip("wgpu")
    env = {**os.environ, "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", "/tmp"), **extra}
    cmd = [sys.executable, str(BENCH / "wgpu_worker.py"), "--arch", "vulkan", "--case", case, "--n", "5000"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, check=False)
    if proc.returncode:
        pytest.skip(f"no wgpu device here: {proc.stderr[-300:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["n"] == 5000 and out["error"] == 0.0 and out["seconds"] > 0
