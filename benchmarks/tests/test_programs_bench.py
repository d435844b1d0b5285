"""benchmarks/bench_programs.py, program_worker.py and load.py: rows, ratios, the worker protocol, the load."""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench(load_bench):
    return load_bench("bench_programs")


def test_rows_report_ours_over_upstream(bench):
    results = {
        "ours": {"first_call": 2.0, "times": [0.001, 0.003, 0.002]},
        "upstream": {"first_call": 4.0, "times": [0.004, 0.004, 0.004]},
    }
    step, first = bench.rows_for("lcg", "llvm-cpu", results)
    assert step["name"] == "lcg step [llvm-cpu]" and step["unit"] == "ms"
    assert step["value"] == pytest.approx(2.0) and step["baseline"] == pytest.approx(4.0)
    assert step["ratio"] == pytest.approx(0.5)
    assert first["ratio"] == pytest.approx(0.5)


def test_step_ratio_is_the_median_of_the_per_round_ratios(bench):
    # a load that doubles both sides' times in the last rounds: the per-round ratios stay 0.5, while the ratio of
    # the pooled medians would mix rounds of different loads (ours' median 2 ms here, upstream's 8 ms: 0.25)
    results = {
        "ours": {"first_call": 1.0, "times": [0.001, 0.001, 0.002, 0.002, 0.004], "rounds": [0.001, 0.002, 0.004]},
        "upstream": {"first_call": 1.0, "times": [0.002, 0.004, 0.008, 0.008, 0.008], "rounds": [0.002, 0.004, 0.008]},
    }
    step = bench.rows_for("pbf2d", "llvm-cpu", results)[0]
    assert step["value"] == pytest.approx(2.0) and step["baseline"] == pytest.approx(8.0)
    assert step["ratio"] == pytest.approx(0.5)
    assert "3 rounds" in bench.spread(results) and "median 0.500" in bench.spread(results)


def test_repeats_pool_rounds_and_load_repeats_by_default(bench):
    one = {"ours": {"first_call": 1.0, "times": [1, 2, 3], "rounds": [2], "sched": {"run_ns": 5}}}
    two = {"ours": {"first_call": 9.0, "times": [4, 5, 6], "rounds": [5], "sched": {"run_ns": 7}}}
    merged = bench.merge_runs([one, two])["ours"]
    assert merged["times"] == [1, 2, 3, 4, 5, 6] and merged["rounds"] == [2, 5]
    assert merged["first_call"] == 1.0 and merged["sched"] == {"run_ns": 12}
    assert bench.repeats({}) == 1 and bench.repeats({"load": True}) == bench.LOAD_REPEATS > 1
    assert bench.repeats({"load": True, "repeats": 2}) == 2


def test_rounds_alternate_who_goes_first(bench):
    assert bench.round_order(["ours", "upstream"], 0) == ["ours", "upstream"]
    assert bench.round_order(["ours", "upstream"], 1) == ["upstream", "ours"]


def test_warm_cache_rows_and_their_geomean(bench):
    results = {"ours": {"first_call": 2.0, "times": [0.001]}, "upstream": {"first_call": 4.0, "times": [0.002]}}
    rows = bench.rows_for("lcg", "llvm-cpu", results, {"ours": 0.3, "upstream": 0.2})
    warm = rows[-1]
    assert warm["name"] == "lcg first call warm cache [llvm-cpu]" and warm["unit"] == "s"
    assert warm["ratio"] == pytest.approx(1.5)
    means = {r["name"]: r["value"] for r in bench.geomean_rows(rows, "llvm-cpu")}
    assert means["geomean first call warm cache ratio [llvm-cpu]"] == pytest.approx(1.5)
    assert means["geomean first call ratio [llvm-cpu]"] == pytest.approx(0.5)  # the cold rows only
    assert len(bench.rows_for("lcg", "llvm-cpu", results)) == 2


def test_worker_with_a_cache_fills_it_and_the_next_process_reads_it(bench, tmp_path):
    start = {"cmd": "start", "src": str(bench.SRC), "arch": "cpu", "program": "lcg", "size": "test"}
    start["cache"] = str(tmp_path)
    for _ in range(2):
        worker = bench.Worker(sys.executable)
        try:
            assert worker.ask(start, 300)["first_call"] > 0
        finally:
            worker.close()
    objects = list((tmp_path / "llvm_cpu_objects").glob("*.obj"))
    assert objects  # the llvm-cpu offline cache of the first process


def test_workers_cache_bytecode_outside_the_tree(bench, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = bench.worker_env()
    assert "PYTHONDONTWRITEBYTECODE" not in env
    prefix = Path(env["PYTHONPYCACHEPREFIX"])
    assert prefix.is_dir() and BENCH not in prefix.parents
    bench.prime_bytecode(sys.executable)
    assert any(prefix.rglob("kernel*.pyc"))  # quadrants' runtime/kernel.py among others


def test_rows_without_upstream_have_no_baseline(bench):
    (step, first) = bench.rows_for("lcg", "ref", {"ours": {"first_call": 1.0, "times": [0.5]}})
    assert step["baseline"] is None and step["ratio"] is None and first["ratio"] is None


def test_geomean_of_the_ratios_of_one_backend(bench):
    rows = [
        bench._row("a step [llvm-cpu]", 1.0, "ms", 2.0),
        bench._row("b step [llvm-cpu]", 8.0, "ms", 1.0),
        bench._row("a step [wgpu]", 1.0, "ms", None),
        bench._row("a first call [llvm-cpu]", 1.0, "s", 1.0),
    ]
    means = {r["name"]: r["value"] for r in bench.geomean_rows(rows, "llvm-cpu")}
    assert means["geomean step ratio [llvm-cpu]"] == pytest.approx(math.sqrt(0.5 * 8.0))
    assert means["geomean first call ratio [llvm-cpu]"] == pytest.approx(1.0)
    assert bench.geomean_rows(rows, "wgpu") == []


def test_against_upstream_needs_an_interpreter(bench, monkeypatch):
    monkeypatch.delenv("QD_UPSTREAM_PYTHON", raising=False)
    with pytest.raises(SystemExit, match="upstream-python"):
        bench.upstream_python({"against": "upstream"})
    assert bench.upstream_python({}) is None
    monkeypatch.setenv("QD_UPSTREAM_PYTHON", "/x/python")
    assert bench.upstream_python({"against": "upstream"}) == "/x/python"


def test_worker_times_a_program_on_the_reference(bench):
    results = bench.time_program("lcg", "ref", "test", {"ours": sys.executable})
    ours = results["ours"]
    assert ours["first_call"] > 0
    assert len(ours["rounds"]) >= bench.MIN_ROUNDS
    if sys.platform.startswith("linux"):  # the scheduler's counters of the worker's threads over the timed steps
        assert ours["sched"]["run_ns"] > 0 and ours["sched"]["voluntary"] >= 0
        assert "per step: cpu" in bench.sched_line(ours)
    assert len(ours["times"]) >= bench.MIN_ROUNDS * bench.BATCH and all(t > 0 for t in ours["times"])


def test_worker_reports_errors(bench):
    worker = bench.Worker(sys.executable)
    try:
        with pytest.raises(bench.WorkerError, match="no_such_program"):
            worker.ask(
                {"cmd": "start", "src": str(bench.SRC), "arch": "ref", "program": "no_such_program", "size": "test"},
                120,
            )
    finally:
        worker.close()
    assert worker.proc.poll() is not None


def test_background_load_starts_and_stops_its_processes(load_bench):
    load = load_bench("load")
    assert load.load_processes(3) == 3 * (os.cpu_count() or 1)
    with load.BackgroundLoad(1) as background:
        pids = background.pids
        assert len(pids) == load.load_processes(1)
    time.sleep(0.1)
    assert background.pids == []
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_no_load_starts_nothing(load_bench):
    load = load_bench("load")
    with load.BackgroundLoad(0) as background:
        assert background.count == 0 and background.pids == []


def test_a_terminated_run_stops_its_load(tmp_path):
    """SIGTERM to a process inside ``BackgroundLoad`` unwinds through ``__exit__``: no busy process is left behind."""
    import subprocess

    pid_file = tmp_path / "pids"
    script = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(BENCH)!r})\n"
        "from load import BackgroundLoad\n"
        "with BackgroundLoad(1) as load:\n"
        f"    open({str(pid_file)!r}, 'w').write(' '.join(map(str, load.pids)))\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 30
    while not (pid_file.exists() and pid_file.read_text()) and time.time() < deadline:
        time.sleep(0.05)
    pids = [int(p) for p in pid_file.read_text().split()]
    proc.terminate()
    assert proc.wait(timeout=30) == 128 + 15
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
