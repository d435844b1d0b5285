"""run_pipeline: order, verification with the pass name, IR dumps and timings."""

from __future__ import annotations

import dataclasses
import io

import pytest

from quadrants.ir.dtypes import i32
from quadrants.ir.nodes import Const, NdarrayArg, ParallelFor, Program, SerialBlock, Store, Var
from quadrants.ir.verifier import IRVerificationError
from quadrants.passes import (
    DEFAULT_PASSES,
    fold_constants,
    merge_serial_blocks,
    rematerialize_kernel_vars,
    remove_dead_code,
    remove_unused_values,
    run_pipeline,
    split_deep_exprs,
    square_powers,
)

IV = Var(0, "i", i32)


def program() -> Program:
    task = ParallelFor((IV,), (Const(0, i32),), (Const(4, i32),), (Store(0, (Const(0, i32),), Const(1, i32)),))
    return Program("kern", (NdarrayArg("y", i32, 1),), (), (), (SerialBlock(()), task))


def rename(p: Program) -> Program:
    return dataclasses.replace(p, name=p.name + "_r")


def break_ir(p: Program) -> Program:
    bad = SerialBlock((Store(5, (), Const(1, i32)),))  # argument 5 does not exist
    return dataclasses.replace(p, items=(*p.items, bad))


def test_passes_run_in_order():
    out = run_pipeline(program(), [("a", rename), ("b", rename)])
    assert out.name == "kern_r_r"


def test_default_pipeline_is_fold_then_squares_then_dce_then_the_depth_bound():
    names = ["rematerialize_kernel_vars", "fold_constants", "square_powers", "remove_dead_code", "merge_serial_blocks"]
    names += ["remove_unused_values", "split_deep_exprs"]
    assert [name for name, _ in DEFAULT_PASSES] == names
    assert dict(DEFAULT_PASSES) == {
        "fold_constants": fold_constants,
        "square_powers": square_powers,
        "rematerialize_kernel_vars": rematerialize_kernel_vars,
        "remove_dead_code": remove_dead_code,
        "merge_serial_blocks": merge_serial_blocks,
        "remove_unused_values": remove_unused_values,
        "split_deep_exprs": split_deep_exprs,
    }
    out = run_pipeline(program(), DEFAULT_PASSES, verify=True)
    assert len(out.items) == 1  # the empty serial block is gone


def test_timings_are_recorded_per_pass_and_accumulate():
    timings: dict[str, float] = {}
    run_pipeline(program(), [("a", rename), ("b", rename), ("a", rename)], timings=timings)
    assert set(timings) == {"a", "b"}
    assert all(t >= 0.0 for t in timings.values())


def test_verification_error_names_the_pass():
    with pytest.raises(IRVerificationError, match=r"^after pass 'break_ir': kern: item 2 \(SerialBlock\)"):
        run_pipeline(program(), [("rename", lambda p: p), ("break_ir", break_ir), ("later", rename)], verify=True)


def test_no_verification_when_not_asked():
    out = run_pipeline(program(), [("break_ir", break_ir)], verify=False)
    assert len(out.items) == 3


def test_exceptions_in_a_pass_get_a_note():
    def boom(p):
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad") as info:
        run_pipeline(program(), [("boom", boom)])
    assert "in compiler pass 'boom'" in info.value.__notes__


def test_dump_named_pass_to_stderr(capsys):
    run_pipeline(program(), [("a", rename), ("b", rename)], dump={"b"})
    err = capsys.readouterr().err
    assert err.startswith("=== IR after b (kern_r_r) ===\nkernel kern_r_r(y: ndarray[i32, 1]) -> ()\n")
    assert "IR after a" not in err


@pytest.mark.parametrize("dump", ["all", {"all"}, frozenset({"all", "x"})])
def test_dump_all(capsys, dump):
    run_pipeline(program(), [("a", rename), ("b", rename)], dump=dump)
    err = capsys.readouterr().err
    assert err.count("=== IR after ") == 2
    assert err.index("=== IR after a (kern_r) ===") < err.index("=== IR after b (kern_r_r) ===")


def test_no_dump_by_default_and_custom_stream(capsys):
    stream = io.StringIO()
    run_pipeline(program(), [("a", rename)])
    run_pipeline(program(), [("a", rename)], dump={"a"}, stream=stream)
    assert capsys.readouterr().err == ""
    assert stream.getvalue().startswith("=== IR after a (kern_r) ===\n")


def test_dump_happens_before_verification_fails(capsys):
    with pytest.raises(IRVerificationError):
        run_pipeline(program(), [("break_ir", break_ir)], verify=True, dump="all")
    assert "=== IR after break_ir (kern) ===" in capsys.readouterr().err
