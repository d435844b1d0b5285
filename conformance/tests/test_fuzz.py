"""The fuzzer's own pieces: the generator, the comparison, the shrinker (no backend but the reference)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from quadrants_conformance.fuzz.choices import GenOptions, RandomChooser
from quadrants_conformance.fuzz.execute import Outcome, run_source
from quadrants_conformance.fuzz.expressions import int_of
from quadrants_conformance.fuzz.generate import generate
from quadrants_conformance.fuzz.program import Expr, render
from quadrants_conformance.fuzz.run import differ
from quadrants_conformance.fuzz.shrink import shrink

ALL = GenOptions(
    dtypes=("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64"),
    atomic_dtypes=("i32", "u32", "i64"),
)


def _program(seed: int, opts: GenOptions = ALL):
    return generate(RandomChooser(seed), opts, seed)


def _python_literal(e: Expr) -> bool:
    return not e.kids and not e.fmt.startswith("qd.") and not e.fmt.isidentifier()


def test_a_seed_always_gives_the_same_program():
    assert render(_program(11)) == render(_program(11))
    assert render(_program(11)) != render(_program(12))


def test_func_results_are_never_compile_time_literals():
    # a func returning a literal makes every call a Python value (`f() ** 3` overflowed i32 at compile time)
    funcs = [f for seed in range(300) for f in _program(seed).funcs]
    assert funcs
    assert not [f.name for f in funcs if _python_literal(f.result)]


def test_int_of_a_bare_literal_is_a_cast():
    assert int_of(Expr("1e10", "f32")).render() == "qd.cast(1e10, qd.i32)"
    assert int_of(Expr("x", "f32")).render() == "int(x)"
    assert int_of(Expr("qd.f16(0.5)", "f16")).render() == "int(qd.f16(0.5))"


@pytest.mark.parametrize("seed", range(40, 52))
def test_the_reference_accepts_generated_programs(seed, tmp_path):
    # a program the reference rejects is a generator bug (the fuzz runner reports those separately)
    out = run_source(render(_program(seed)), tmp_path / "prog.py", "ref")
    assert out.ok or "QuadrantsRuntimeError" in out.error_text(), out.error_text()


def test_f32_results_of_transcendental_programs_are_judged_in_f32_ulps():
    prog = dataclasses.replace(_program(3), tol="transcendental")
    assert "f32" in render(prog)
    one = np.float32(1.0)
    ref = Outcome("ref", value={"ret": np.float64(one)})
    near = Outcome("x", value={"ret": np.float64(np.nextafter(one, np.float32(2.0)))})
    far = Outcome("x", value={"ret": np.float64(one) * 1.001})
    assert differ(prog, ref, near) == ""  # one f32 ulp apart (2^23 f64 ulps): within the transcendental tolerance
    assert differ(prog, ref, far) != ""


def test_errors_on_one_side_only_are_mismatches():
    prog = _program(5)
    ok, bad = Outcome("ref", value={}), Outcome("x", error=ValueError("boom"))
    assert differ(prog, ok, bad).startswith("only x raised")
    assert differ(prog, bad, Outcome("x", error=ValueError("other text"))) == ""


def test_shrink_keeps_the_failure_and_makes_the_program_smaller():
    prog = _program(7)
    marker = prog.body[0] if prog.body else None

    def fails(candidate) -> bool:  # "fails" while the first top-level block survives
        return bool(candidate.body) and candidate.body[0] == marker

    small, attempts = shrink(prog, fails, max_attempts=200, max_seconds=30)
    assert fails(small) and attempts > 0
    assert len(render(small)) <= len(render(prog))
