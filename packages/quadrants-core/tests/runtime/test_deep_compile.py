"""Programs nested deeper than the default recursion limit compile (quadrants.runtime.deep_compile)."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

import quadrants as qd
from quadrants.errors import QuadrantsCompilationError
from quadrants.runtime.deep_compile import is_depth_failure, run_with_deep_stack


def _depth(n: int) -> int:
    return 0 if n == 0 else 1 + _depth(n - 1)


def test_deep_recursion_runs_on_the_deep_stack_and_the_limit_is_restored():
    limit = sys.getrecursionlimit()
    with pytest.raises(RecursionError):
        _depth(limit + 10)
    assert run_with_deep_stack(lambda: _depth(50_000)) == 50_000
    assert sys.getrecursionlimit() == limit


def test_errors_of_the_deep_run_reach_the_caller():
    def fail():
        raise ValueError("inside")

    with pytest.raises(ValueError, match="inside"):
        run_with_deep_stack(fail)


def test_wrapped_recursion_errors_are_depth_failures():
    try:
        try:
            _depth(sys.getrecursionlimit() + 10)
        except RecursionError as exc:
            raise QuadrantsCompilationError("internal compiler error") from exc
    except QuadrantsCompilationError as wrapped:
        assert is_depth_failure(wrapped)
    assert not is_depth_failure(ValueError("no"))


def _kernel_from(tmp_path, source: str):
    path = tmp_path / "deep_prog.py"
    path.write_text("import quadrants as qd\n\n\n" + source)
    spec = importlib.util.spec_from_file_location("deep_prog", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.k


@pytest.fixture(params=[qd.ref, qd.cpu], ids=["ref", "cpu"])
def arch(request):
    qd.init(arch=request.param)
    yield
    qd.reset()


def test_a_chain_of_150_nested_funcs_compiles(arch, tmp_path):
    src = "@qd.func\ndef f0(x):\n    return x + 1\n\n\n"
    src += "".join(f"@qd.func\ndef f{i}(x):\n    return f{i - 1}(x) + 1\n\n\n" for i in range(1, 150))
    src += "@qd.kernel\ndef k(a: qd.i32) -> qd.i32:\n    return f149(a)\n"
    assert _kernel_from(tmp_path, src)(1) == 151


def test_a_900_term_expression_and_250_parameters_compile(arch, tmp_path):
    terms = " + ".join(f"x[{i % 4}] * {i}" for i in range(900))
    k = _kernel_from(tmp_path, f"@qd.kernel\ndef k(x: qd.types.NDArray[qd.f32, 1]) -> qd.f32:\n    return {terms}\n")
    assert k(np.ones(4, np.float32)) == float(sum(range(900)))
    params = ", ".join(f"a{i}: qd.i32" for i in range(250))
    total = " + ".join(f"a{i}" for i in range(250))
    k2 = _kernel_from(tmp_path, f"@qd.kernel\ndef k({params}) -> qd.i32:\n    return {total}\n")
    assert k2(*range(250)) == sum(range(250))
