"""A recursive ``@qd.real_func`` cannot run on wgpu (WGSL forbids recursion): compiling a program with a ``Call``
raises a ``QuadrantsCompilationError`` at the user's call, naming the func and the backends that run it
(docs/misc-functions.md, "Recursion"). Non-recursive real funcs are inlined and run as before."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import nodes as N
from quadrants_conformance.cases.test_real_func_recursion import tri
from quadrants_wgpu.wgsl.emit import emit_program
from quadrants_wgpu.wgsl.names import UnsupportedError


@qd.real_func
def twice(n: qd.i32) -> qd.i32:
    r = n
    if n > 0:
        r = n * 2
    return r


def _program_with_a_call() -> N.Program:
    """The IR of a recursive kernel, lowered by the reference backend (no device needed)."""
    qd.init(arch="ref")
    try:

        @qd.kernel
        def run(n: qd.i32) -> qd.i32:
            return tri(n)

        assert run(4) == 10
        return run._last.program
    finally:
        qd.reset()


def test_emitting_a_call_is_an_error_at_the_users_line():
    program = _program_with_a_call()
    assert program.functions and program.functions[0].name == "tri"
    with pytest.raises(UnsupportedError, match=r"@qd.real_func 'tri' calls itself.*ref, llvm-cpu or llvm-cuda") as info:
        emit_program(program)
    assert info.value.loc is not None and info.value.loc.file == __file__
    assert "return tri(n)" in info.value.loc.text


def test_a_recursive_kernel_raises_a_compilation_error_with_a_caret(vulkan_modes):
    @qd.kernel
    def run(n: qd.i32) -> qd.i32:
        return tri(n)

    with pytest.raises(qd.QuadrantsCompilationError, match=r"wgpu backend cannot run recursion") as info:
        run(5)
    text = str(info.value)
    assert __file__ in text and "return tri(n)" in text and "^^^" in text


def test_non_recursive_real_funcs_still_run(vulkan_modes):
    @qd.kernel
    def run(a: qd.types.NDArray[qd.i32, 1]):
        for i in range(a.shape[0]):
            a[i] = twice(i - 2)

    a = qd.ndarray(qd.i32, (5,))
    run(a)
    np.testing.assert_array_equal(a.to_numpy(), [-2, -1, 0, 2, 4])
