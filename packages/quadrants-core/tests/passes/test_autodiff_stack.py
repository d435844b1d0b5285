"""passes/autodiff_stack.py (the adstack of reverse-mode loops) and reductions into kernel-level locals: the stack
arguments and their launch shapes, the overflow error, and gradients end to end on the reference backend."""

from __future__ import annotations

import math

import numpy as np
import pytest

import quadrants as qd
from quadrants.errors import QuadrantsAssertionError, QuadrantsCompilationError
from quadrants.ir.dtypes import f32, i32
from quadrants.ir.nodes import (
    ArgRef,
    Assign,
    Const,
    Decl,
    Load,
    LocalRef,
    NdarrayArg,
    OpExpr,
    ParallelFor,
    Program,
    RangeFor,
    ScalarArg,
    SerialBlock,
    Shape,
    Var,
)
from quadrants.ir.ops import Op
from quadrants.ir.printer import format_program
from quadrants.ir.verifier import verify
from quadrants.passes.autodiff import build_adjoint, build_adjoint_plan
from quadrants.passes.autodiff_stack import stack_shapes
from quadrants.runtime.state import current_session

IV, XV, SV, KV = Var(1, "i", i32), Var(3, "x", f32), Var(4, "s", f32), Var(5, "k", i32)
A_SHAPE = (Shape(0, 0, i32),)


def _program(trips, lanes=A_SHAPE) -> Program:
    """``for i in a: x = a[i]; s = 1; for k in range(trips): s = s * x + 0.5`` (a nonlinear carried ``s``)."""
    body = (
        Load(XV, 0, (LocalRef(IV),)),
        Decl(SV, Const(1.0, f32)),
        RangeFor(KV, Const(0, i32), trips, (Assign(SV, OpExpr(Op.MUL, (LocalRef(SV), LocalRef(XV)), f32)),)),
        Load(Var(9, "y", f32), 0, (Const(0, i32),)),
    )
    args = (NdarrayArg("a", f32, 1), ScalarArg("n", i32))
    return Program("k", args, (), (), (ParallelFor((IV,), (Const(0, i32),), lanes, body),))


class _Values:
    shape = (7,)


def test_stack_shape_is_lanes_by_trip_count_or_ad_stack_size():
    adjoint, specs = build_adjoint(_program(ArgRef(1, i32)), (0,))
    verify(adjoint)
    assert [a.name for a in adjoint.args] == ["a", "n", "a.grad", "adstack_s"]
    assert [s.arg for s in specs] == [3]
    values = [_Values(), 5]
    assert stack_shapes(specs, values, 0) == [(7, 5)]  # 7 lanes (a.shape[0]), 5 iterations (n)
    assert stack_shapes(specs, values, 32) == [(7, 32)]  # ad_stack_size wins when set


def test_unsizable_loops_use_ad_stack_size_or_recompute():
    trips = OpExpr(Op.CAST, (LocalRef(XV),), i32)  # a loaded value: unknown before the launch
    adjoint, specs = build_adjoint(_program(trips), (0,))
    assert specs == ()  # recomputed
    adjoint, specs = build_adjoint(_program(trips), (0,), ad_stack_size=16)
    verify(adjoint)
    assert specs[0].depth is None and stack_shapes(specs, [_Values(), 0], 16) == [(7, 16)]
    # lanes from a scalar argument are known; lanes from a local that is not a kernel-level definition are not
    # (recomputed whatever the option)
    lanes = (OpExpr(Op.CAST, (ArgRef(1, i32),), i32),)
    assert build_adjoint(_program(ArgRef(1, i32), lanes), (0,))[1] != ()
    dyn = Var(8, "m", i32)
    program = _program(ArgRef(1, i32), (LocalRef(dyn),))
    assert build_adjoint(program, (0,), ad_stack_size=16)[1] == ()


@pytest.fixture
def ref():
    qd.init(arch=qd.ref, ad_stack_experimental_enabled=True)
    yield
    qd.reset()


def _power_chain(n_lanes: int):
    x = qd.ndarray(qd.f32, n_lanes, needs_grad=True)
    y = qd.ndarray(qd.f32, n_lanes, needs_grad=True)

    @qd.kernel
    def chain(x: qd.types.ndarray(), y: qd.types.ndarray(), n: qd.i32):
        for i in x:
            v = x[i]
            for _ in range(n):
                v = v * 0.999 + qd.sin(v) * 0.001
            y[i] = v

    return x, y, chain


def test_long_loop_gradient_matches_closed_form(ref):
    x, y, chain = _power_chain(3)
    x.from_numpy(np.array([0.1, 0.5, 1.0], np.float32))
    chain(x, y, 300)
    y.grad.fill(1.0)
    chain.grad(x, y, 300)
    # the frontend keeps range(n)'s bound in a local of the task: its single definition sizes the stack
    assert "adstack_v: ndarray[f32, 2]" in current_session().compiled[-1][1]
    expected = []
    for v in (0.1, 0.5, 1.0):
        d = 1.0
        for _ in range(300):
            d *= 0.999 + math.cos(v) * 0.001
            v = v * 0.999 + math.sin(v) * 0.001
        expected.append(d)
    np.testing.assert_allclose(x.grad.to_numpy(), expected, rtol=1e-4)


def test_overflow_is_upstreams_assertion_error():
    qd.init(arch=qd.ref, ad_stack_experimental_enabled=True, ad_stack_size=4)
    try:
        x, y, chain = _power_chain(2)
        chain(x, y, 5)
        y.grad.fill(1.0)
        with pytest.raises(QuadrantsAssertionError, match=r"^(?s:.*)Adstack overflow: a reverse-mode autodiff kernel"):
            chain.grad(x, y, 5)
        chain.grad(x, y, 4)  # fits: no error
    finally:
        qd.reset()


def test_reduction_into_kernel_level_local(ref):
    x = qd.field(qd.f32, shape=5, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        s = 0.0
        for i in x:
            s += x[i] * x[i]
        loss[None] = s * s

    x.from_numpy(np.arange(5, dtype=np.float32) * 0.5)
    with qd.ad.Tape(loss=loss):
        k()
    s = float((x.to_numpy() ** 2).sum())
    np.testing.assert_allclose(x.grad.to_numpy(), 4 * s * x.to_numpy(), rtol=1e-5)


def test_other_reductions_into_kernel_level_locals_are_refused(ref):
    x = qd.field(qd.f32, shape=3, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        m = 0.0
        for i in x:
            qd.atomic_min(m, x[i])
        loss[None] = m

    k()
    with pytest.raises(QuadrantsCompilationError, match="only '\\+=' / '-=' reductions"):
        k.grad()


def test_nested_run_time_ranges_need_the_adstack_option():
    """Upstream's default refuses to reverse a run-time range loop inside a loop (``loops=False``)."""
    program = _program(ArgRef(1, i32))
    with pytest.raises(QuadrantsCompilationError, match="Cannot use non static range in Backwards mode"):
        build_adjoint(program, (0,), loops=False)
    serial = Program(program.name, program.args, (), (), (SerialBlock(program.items[0].body),))
    build_adjoint(serial, (0,), loops=False)  # a serial block's own loop is the outer loop: accepted


def test_data_bounds_are_measured_by_a_sizing_program():
    trips = OpExpr(Op.CAST, (LocalRef(XV),), i32)  # a loaded value
    adjoint, specs, sizing = build_adjoint_plan(_program(trips), (0,))
    verify(adjoint)
    verify(sizing)
    assert specs[0].depth is None and specs[0].measured == 0
    assert sizing.args[-1] == NdarrayArg("adstack_trips", i32, 1)
    assert "atomic_max(adstack_trips[i32 0]" in format_program(sizing)
    assert stack_shapes(specs, [_Values(), 0], 0, measured=[9]) == [(7, 9)]
    # constant bounds need no sizing program
    assert build_adjoint_plan(_program(ArgRef(1, i32)), (0,))[2] is None
