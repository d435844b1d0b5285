"""The driver-free half of llvm-cuda's device graphs (``quadrants_llvm.cuda.graph_plan``): which programs may run as
one CUDA graph, where ``libcudadevrt.a`` is looked for, and the set-condition kernel's PTX. Runs everywhere."""

from __future__ import annotations

import re

from quadrants.ir import nodes as N
from quadrants_llvm.cuda import graph_plan


def _loop(body=(), level=0):
    return N.DoWhile(level=level, cond_arg=0, body=tuple(body))


def test_loops_without_checkpoints_may_run_on_the_device():
    items = (_loop([_loop(level=1)]), _loop())
    assert graph_plan.device_graph_obstacle(items, resume_point=0, reads_status=False) is None


def test_checkpoints_anywhere_keep_the_host_runner():
    nested = (_loop([N.Checkpoint(id=0, yield_on_arg=-1, body=())]),)
    reason = graph_plan.device_graph_obstacle(nested, resume_point=0, reads_status=False)
    assert reason is not None and "checkpoint" in reason


def test_a_resume_point_or_status_reads_keep_the_host_runner():
    assert "resume" in graph_plan.device_graph_obstacle((_loop(),), resume_point=2, reads_status=False)
    assert "status" in graph_plan.device_graph_obstacle((_loop(),), resume_point=0, reads_status=True)


def test_qd_cudadevrt_is_looked_at_first(tmp_path, monkeypatch):
    library = tmp_path / "libcudadevrt.a"
    library.write_bytes(b"!<arch>\n")
    monkeypatch.setenv("QD_CUDADEVRT", str(library))
    assert graph_plan.find_cudadevrt() == str(library)


def test_cuda_home_is_searched(tmp_path, monkeypatch):
    (tmp_path / "lib64").mkdir()
    library = tmp_path / "lib64" / "libcudadevrt.a"
    library.write_bytes(b"!<arch>\n")
    monkeypatch.delenv("QD_CUDADEVRT", raising=False)
    monkeypatch.setenv("CUDA_HOME", str(tmp_path))
    assert graph_plan.find_cudadevrt() == str(library)


def test_a_missing_explicit_library_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setenv("QD_CUDADEVRT", str(tmp_path / "nope.a"))
    found = graph_plan.find_cudadevrt()
    assert found != str(tmp_path / "nope.a")


def test_ptx_version_follows_the_program():
    assert graph_plan.ptx_version("//\n.version 8.4\n.target sm_90\n") == "8.4"
    assert graph_plan.ptx_version("no header") == "8.0"


def test_set_condition_ptx_declares_the_device_runtime_call():
    ptx = graph_plan.set_condition_ptx("8.4", "sm_90")
    assert ".version 8.4" in ptx and ".target sm_90" in ptx
    assert re.search(r"\.extern \.func cudaGraphSetConditional", ptx)
    assert f".visible .entry {graph_plan.SET_CONDITION}(" in ptx
    assert f".visible .entry {graph_plan.ARM_CONDITION}(" in ptx  # both entries the device graph looks up
    # set: the handle, the context slot of the condition ndarray, the host-mapped abort word; arm: the handle
    assert ptx.count(".param .u64 p_") == 3 and ptx.count(".param .u64 a_handle") == 1
    assert ptx.count("call.uni cudaGraphSetConditional") == 2
    assert ptx.count("{") == ptx.count("}")
