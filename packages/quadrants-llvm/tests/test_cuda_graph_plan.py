"""The driver-free half of llvm-cuda's device graphs (``quadrants_llvm.cuda.graph_plan``): which programs may run as
one CUDA graph, where ``libcudadevrt.a`` is looked for, and the set-condition kernel's PTX. Runs everywhere."""

from __future__ import annotations

import re

from quadrants.ir import nodes as N
from quadrants_llvm.cuda import graph_plan


def _loop(body=(), level=0):
    return N.DoWhile(level=level, cond_arg=0, body=tuple(body))


def _obstacle(items, resume_point=0, reads_status=False):
    return graph_plan.device_graph_obstacle(resume_point, reads_status, graph_plan.has_checkpoint(items))


def test_loops_without_checkpoints_may_run_on_the_device():
    items = (_loop([_loop(level=1)]), _loop())
    assert not graph_plan.has_checkpoint(items)
    assert _obstacle(items) is None


def test_checkpoints_anywhere_keep_the_host_runner():
    nested = (_loop([N.Checkpoint(id=0, yield_on_arg=-1, body=())]),)
    assert graph_plan.has_checkpoint(nested)
    reason = _obstacle(nested)
    assert reason is not None and "checkpoint" in reason


def test_a_resume_point_or_status_reads_keep_the_host_runner():
    assert "resume" in _obstacle((_loop(),), resume_point=2)
    assert "status" in _obstacle((_loop(),), reads_status=True)


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


def _one_lane(body, ends=(1,)):
    from quadrants.ir.dtypes import i32

    vars_ = tuple(N.Var(k, f"i{k}", i32) for k in range(len(ends)))
    consts = lambda vs: tuple(N.Const(v, i32) for v in vs)  # noqa: E731
    return N.ParallelFor(vars=vars_, begins=consts([0] * len(ends)), ends=consts(ends), body=tuple(body))


def test_a_loops_last_serial_or_one_lane_task_may_carry_its_condition():
    from quadrants.ir.dtypes import i32
    from quadrants_llvm.builder.graph_conditions import as_serial

    serial = as_serial(_one_lane([], ends=(1, 1)))
    assert isinstance(serial, N.SerialBlock) and [type(s) for s in serial.body] == [N.Decl, N.Decl]
    assert as_serial(N.SerialBlock(body=())) is not None
    assert as_serial(_one_lane([], ends=(2,))) is None  # two lanes: not one thread's work
    assert as_serial(_one_lane([N.Continue()])) is None
    assert as_serial(N.SerialBlock(body=(N.Print(parts=("x",)),))) is None  # print records are numbered per module
    bounded = N.ParallelFor(vars=(N.Var(0, "i", i32),), begins=(N.Const(0, i32),), ends=(N.ArgRef(0, i32),), body=())
    assert as_serial(bounded) is None


def _countdown_program():
    """The IR of a do_while kernel (a 4-lane update, then a one-lane countdown), after a run that checks it on
    llvm-cpu."""
    import numpy as np

    import quadrants as qd

    qd.init(arch="llvm-cpu")

    @qd.kernel(graph=True)
    def countdown(x: qd.types.ndarray(qd.i32, ndim=1), c: qd.types.ndarray(qd.i32, ndim=0)):
        while qd.graph.do_while(c):
            for i in range(x.shape[0]):
                x[i] += 1
            for _ in range(1):
                c[()] = c[()] - 1

    x, c = np.zeros(4, np.int32), np.array(3, np.int32)
    countdown(x, c)
    assert x.tolist() == [3] * 4
    return countdown._last.program


def test_condition_kernels_call_the_device_runtime():
    from quadrants.backend import CompileOptions
    from quadrants.ir.walk import iter_tasks
    from quadrants_llvm.builder.graph_conditions import as_serial
    from quadrants_llvm.cuda.compiler import compile_condition_kernels, gpu_target
    from quadrants_llvm.target import NVPTX

    program = _countdown_program()
    tasks = list(iter_tasks(program.items))
    ptx = compile_condition_kernels(program, CompileOptions(), gpu_target(NVPTX, "sm_90"), {1: as_serial(tasks[1])})
    ptx = ptx.decode()
    assert ".visible .entry qd_task_1_cond(" in ptx and ".entry qd_task_0" not in ptx
    assert ".extern .func cudaGraphSetConditional" in ptx and "call.uni cudaGraphSetConditional" in ptx


def test_flat_loop_bodies_compile_to_one_block_loop_kernels():
    from quadrants.backend import CompileOptions
    from quadrants_llvm.builder.block_loops import fusable
    from quadrants_llvm.cuda.compiler import compile_block_loops, gpu_target
    from quadrants_llvm.target import NVPTX

    program = _countdown_program()
    loop = program.items[0]
    assert fusable(loop)
    assert not fusable(N.DoWhile(level=1, cond_arg=1, body=(loop,)))  # a nested loop is not a flat body
    assert not fusable(N.DoWhile(level=1, cond_arg=1, body=(N.SerialBlock(body=(N.Print(parts=("x",)),)),)))
    ptx = compile_block_loops(program, CompileOptions(), gpu_target(NVPTX, "sm_90"), {0: (loop, [0, 1])}).decode()
    assert ".visible .entry qd_loop_0(" in ptx and ".entry qd_task_" not in ptx  # the tasks are inlined
    assert ptx.count("barrier.sync") == 2  # one barrier after each task
    assert "barrier.red.or.pred" in ptx  # the uniform exit decision
    assert "cudaGraphSetConditional" not in ptx  # no device runtime: the loop is the kernel's own
