"""passes/autodiff_validate.py (qd.ad.Tape(validation=True)), lang/ad_check.py (grad_check) and the adjoint's refusal
of qd.bit_cast: the instrumented program, and the checks end to end on the reference backend."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.errors import QuadrantsAssertionError, QuadrantsCompilationError
from quadrants.ir.dtypes import f32, i32
from quadrants.ir.nodes import Check, Const, Load, LocalRef, NdarrayArg, ParallelFor, Program, Store, Var
from quadrants.ir.printer import format_program
from quadrants.ir.verifier import verify
from quadrants.passes.autodiff_validate import make_validating, validating_name

IV, XV = Var(1, "i", i32), Var(2, "x", f32)


def test_validating_program_sets_bits_on_loads_and_checks_them_before_stores():
    body = (
        Load(XV, 0, (LocalRef(IV),)),
        Store(0, (LocalRef(IV),), LocalRef(XV)),
        Store(1, (LocalRef(IV),), LocalRef(XV)),
    )
    program = Program(
        "k",
        (NdarrayArg("a", f32, 1), NdarrayArg("b", f32, 1)),
        (),
        (),
        (ParallelFor((IV,), (Const(0, i32),), (Const(4, i32),), body),),
    )
    checked = make_validating(program, (0,))  # only a is checked
    verify(checked)
    assert checked.name == validating_name("k") == "k_validate_grad"
    assert checked.args[2] == NdarrayArg("a.checkbit", i32, 1)
    stmts = checked.items[0].body
    assert isinstance(stmts[1], Store) and stmts[1].arg == 2  # the load of a sets its bit
    assert isinstance(stmts[2], Load) and stmts[2].arg == 2 and isinstance(stmts[3], Check)  # checked before a store
    assert "Breaks the global data access rule. a is overwritten" in stmts[3].message
    assert isinstance(stmts[5], Store) and stmts[5].arg == 1  # b is not checked
    assert format_program(checked).count("check assert") == 1


@pytest.fixture
def debug_ref():
    qd.init(arch=qd.ref, debug=True)
    yield
    qd.reset()


def test_validating_tape_raises_and_is_released(debug_ref):
    x = qd.field(qd.f32, shape=3, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def bad():
        for i in x:
            loss[None] += x[i]
            x[i] = 0.0

    tape = qd.ad.Tape(loss=loss, validation=True)
    with pytest.raises(QuadrantsAssertionError, match="Breaks the global data access rule"), tape:
        bad()
    x.fill(1.0)
    bad()  # outside the tape the plain kernel runs again (no check)
    assert x.to_numpy().tolist() == [0.0, 0.0, 0.0]


def test_grad_check_reports_a_wrong_gradient(debug_ref, capsys):
    x = qd.field(qd.f64, shape=2, needs_grad=True)
    loss = qd.field(qd.f64, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        for i in x:
            loss[None] += x[i] * x[i]

    @qd.ad.grad_replaced
    def forward():
        k()

    @qd.ad.grad_for(forward)
    def wrong():  # a custom gradient that is off by a factor 2
        for i in range(2):
            x.grad[i] += 4.0 * x[i]

    x.from_numpy(np.array([0.5, -1.5]))
    tape = qd.ad.Tape(loss=loss, grad_check=[x])
    with pytest.raises(AssertionError, match="Grad check failed: Not all variables pass grad check"), tape:
        forward()
    assert "variable 0 has relative error" in capsys.readouterr().out


def test_bit_cast_on_the_gradient_path_is_refused(debug_ref):
    x = qd.field(qd.f32, shape=2, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        for i in x:
            loss[None] += qd.bit_cast(qd.bit_cast(x[i], qd.i32), qd.f32)

    with pytest.raises(QuadrantsCompilationError, match=r"qd\.bit_cast"):
        k.grad()


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_round_on_the_gradient_path_is_refused_floor_and_ceil_pass(debug_ref, mode):
    # upstream 1.3.3: make_adjoint.cpp / make_dual.cpp stop at round ("Not supported."); floor and ceil give 0
    x = qd.field(qd.f32, shape=2, needs_grad=True, needs_dual=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True, needs_dual=True)

    @qd.kernel
    def piecewise():
        for i in x:
            loss[None] += qd.floor(x[i]) + qd.ceil(x[i]) + x[i]

    @qd.kernel
    def rounded():
        for i in x:
            loss[None] += qd.round(x[i]) + x[i]

    x.from_numpy(np.array([0.3, -1.6], np.float32))
    if mode == "reverse":
        with qd.ad.Tape(loss=loss):
            piecewise()
        assert x.grad.to_numpy().tolist() == [1.0, 1.0]
        with pytest.raises(RuntimeError, match=r"qd\.round .*Not supported\.") as info:
            rounded.grad()
    else:
        with qd.ad.FwdMode(loss=loss, param=x, seed=[1.0, 1.0]):
            piecewise()
        assert loss.dual[None] == 2.0
        with (
            pytest.raises(RuntimeError, match=r"qd\.round .*Not supported\.") as info,
            qd.ad.FwdMode(loss=loss, param=x, seed=[1.0, 1.0]),
        ):
            rounded()
    assert isinstance(info.value, QuadrantsCompilationError)
