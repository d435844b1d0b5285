"""Recursive ``@qd.real_func`` on the LLVM backends (docs/misc-functions.md, "Recursion"): one LLVM function per
recursive specialization, called per lane; the depth guard; PTX with real recursive calls; tasks that call get none of
the analyses that only see the task body. The GPU run is in test_recursion_gpu.py."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import nodes as N
from quadrants.ir.walk import contains
from quadrants_conformance.cases.test_real_func_recursion import fib, real_func_recursion_struct_result, tri

I1 = qd.types.ndarray(qd.i32, ndim=1)


@pytest.fixture(autouse=True)
def cpu():
    qd.init(arch="llvm-cpu")
    yield
    qd.reset()


def test_each_lane_recurses_to_its_own_depth():
    @qd.kernel
    def fill(a: I1):
        for i in range(a.shape[0]):
            a[i] = fib(i % 16) + tri(i)

    a = np.zeros(300, np.int32)
    fill(a)
    want = [
        [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610][i % 16] + i * (i + 1) // 2 for i in range(300)
    ]
    assert a.tolist() == want
    program = fill._last.program
    assert sorted(f.name for f in program.functions) == ["fib", "tri"]
    assert contains(program.items, N.Call)


def test_deep_recursion_and_the_depth_guard():
    from quadrants_llvm.builder.calls import MAX_CALL_DEPTH

    @qd.kernel
    def run(n: qd.i32) -> qd.i64:
        return tri(n)

    assert run(100) == 5050
    assert run(10_000) == 50_005_000
    with pytest.raises(qd.QuadrantsRuntimeError, match=rf"'tri' is deeper than {MAX_CALL_DEPTH} nested calls") as info:
        run(MAX_CALL_DEPTH + 5)
    assert "return tri(n)" in str(info.value)  # the caret points at the user's call
    assert run(10) == 55  # the launch after a failed one is clean


def test_a_callee_writing_the_tasks_array_is_seen_after_the_call():
    """No noalias on a calling task's array parameters: the callee writes through the context's base pointer."""

    @qd.real_func
    def bump(a: I1, i: qd.i32, n: qd.i32):
        if n > 0:
            a[i] += 1
            bump(a, i, n - 1)

    @qd.kernel
    def k(a: I1):
        for i in range(a.shape[0]):
            a[i] = 1
            bump(a, i, i)
            a[i] = a[i] * 10

    a = np.zeros(5000, np.int32)
    k(a)
    assert a.tolist() == [10 * (1 + i) for i in range(5000)]


def test_a_calling_task_with_atomics_gets_no_private_accumulators():
    """``total[None] += ...`` in a task that also calls: the callee's atomics land in the same element."""

    @qd.real_func
    def add_down(t: qd.types.ndarray(qd.f32, ndim=0), n: qd.i32):
        if n > 0:
            t[None] += 1.0
            add_down(t, n - 1)

    @qd.kernel
    def k(t: qd.types.ndarray(qd.f32, ndim=0), n: qd.i32):
        for i in range(n):
            t[None] += 1.0
            add_down(t, i % 4)

    t = np.zeros((), np.float32)
    k(t, 10_000)
    assert float(t) == 10_000 + sum(i % 4 for i in range(10_000))


def test_vector_and_struct_results_cross_the_call():
    """The conformance case's ``walk`` returns a struct holding a vector, built up on the way back out."""
    assert real_func_recursion_struct_result.fn()["r"].tolist() == [21.0, 6.0, 3.0]


def test_ptx_holds_a_recursive_function():
    from quadrants_llvm.cuda import compile_ptx

    @qd.kernel
    def fill(a: I1):
        for i in range(a.shape[0]):
            a[i] = fib(i)

    a = np.zeros(8, np.int32)
    fill(a)
    assert a.tolist() == [0, 1, 1, 2, 3, 5, 8, 13]
    ptx = compile_ptx(fill._last.program).ptx
    assert ".func" in ptx and "qd_fn0_fib" in ptx
    body = ptx[ptx.index(".func") :]
    assert "call" in body and "qd_fn0_fib" in body[body.index("{") :]  # the function calls itself
    assert ".entry qd_task_0" in ptx


def test_cuda_stack_limit_goes_to_the_driver_only_when_set(monkeypatch):
    """``LlvmCudaBackend.configure`` (called by ``qd.init``) sets the per-thread stack through the device, as upstream
    does at start-up; 0 (the default) leaves the driver's size. A fake device records the calls (no GPU needed)."""
    from quadrants_llvm.cuda import backend as cuda_backend, driver

    class FakeDevice:
        def __init__(self):
            self.limits = []

        def set_stack_limit(self, nbytes):
            self.limits.append(nbytes)

    fake = FakeDevice()
    monkeypatch.setattr(driver, "device", lambda: fake)
    cuda_backend.BACKEND.configure({"cuda_stack_limit": 32768, "offline_cache_file_path": "/tmp"})
    cuda_backend.BACKEND.configure({"cuda_stack_limit": 0})
    cuda_backend.BACKEND.configure({})
    assert fake.limits == [32768]
