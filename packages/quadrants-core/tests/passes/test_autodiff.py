"""passes/autodiff.py and ir/derivatives.py: the derivative table, the shape of the adjoint program, its errors, and
adjoints run end to end on the reference backend (including the loop strategies)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import quadrants as qd
from quadrants.errors import QuadrantsCompilationError
from quadrants.ir.derivatives import DERIVATIVE_RULES, NOT_DIFFERENTIABLE, ZERO_GRADIENT_OPS
from quadrants.ir.dtypes import f32, f64, i32
from quadrants.ir.nodes import (
    ArgRef,
    Assign,
    Const,
    Decl,
    DoWhile,
    Load,
    LocalRef,
    Loop,
    NdarrayArg,
    OpExpr,
    ParallelFor,
    Program,
    RangeFor,
    ScalarArg,
    SerialBlock,
    Store,
    Var,
)
from quadrants.ir.numerics import fold
from quadrants.ir.ops import OP_INFO, Op
from quadrants.ir.printer import format_program
from quadrants.ir.verifier import verify
from quadrants.passes.autodiff import _accumulator_only, adjoint_name, differentiable_args, make_adjoint

# ---------------------------------------------------------------------------------------------- derivative table


def _float_result_ops() -> set[Op]:
    """Ops that can produce a float: arithmetic, math and conversions that accept float operands."""
    return {
        op for op, info in OP_INFO.items() if info.category in ("arith", "math", "convert") and info.operands != "int"
    }


def test_every_op_with_a_float_result_has_a_rule():
    missing = _float_result_ops() - set(DERIVATIVE_RULES) - set(NOT_DIFFERENTIABLE)
    assert not missing, f"ops without a derivative rule: {sorted(op.value for op in missing)}"


def test_ops_without_a_derivative_have_no_rule():
    # round and bit_cast stop both autodiff passes, as upstream's transforms; a rule would let a gradient through
    assert set(NOT_DIFFERENTIABLE) == {Op.ROUND, Op.BITCAST}
    assert not set(NOT_DIFFERENTIABLE) & set(DERIVATIVE_RULES)
    assert all("Not supported." in advice for advice in NOT_DIFFERENTIABLE.values())


def _evaluate(expr) -> float:
    """Evaluate an expression of constants with the run-time numerics."""
    if isinstance(expr, Const):
        return float(expr.value)
    values = [_evaluate(a) for a in expr.args]
    return float(fold(expr.op, values, [a.dtype for a in expr.args], expr.dtype))


# (op, operand values) at smooth points; every rule is checked against a central difference in f64
_POINTS = [
    (Op.ADD, (0.3, -1.2)),
    (Op.SUB, (0.3, -1.2)),
    (Op.MUL, (0.3, -1.2)),
    (Op.TRUEDIV, (0.3, -1.2)),
    (Op.POW, (1.3, 0.7)),
    (Op.NEG, (0.4,)),
    (Op.ABS, (-0.4,)),
    (Op.MAX, (0.2, 0.9)),
    (Op.MIN, (0.2, 0.9)),
    (Op.MOD, (1.3, 0.4)),
    (Op.SQRT, (1.7,)),
    (Op.RSQRT, (1.7,)),
    (Op.EXP, (0.6,)),
    (Op.LOG, (1.6,)),
    (Op.SIN, (0.6,)),
    (Op.COS, (0.6,)),
    (Op.TAN, (0.6,)),
    (Op.ASIN, (0.3,)),
    (Op.ACOS, (0.3,)),
    (Op.ATAN, (0.3,)),
    (Op.SINH, (0.3,)),
    (Op.COSH, (0.3,)),
    (Op.TANH, (0.3,)),
    (Op.ATAN2, (0.3, -0.8)),
    (Op.FLOOR, (1.3,)),
    (Op.FLOORDIV, (1.3, 0.4)),
]


@pytest.mark.parametrize("op, point", _POINTS, ids=[op.value for op, _ in _POINTS])
def test_rule_matches_central_differences(op, point):
    args = tuple(Const(v, f64) for v in point)
    seed = Const(2.0, f64)
    contributions = DERIVATIVE_RULES[op](seed, args, OpExpr(op, args, f64))
    assert len(contributions) == len(args)
    h = 1e-6
    for k, contribution in enumerate(contributions):
        moved = [list(point), list(point)]
        moved[0][k] += h
        moved[1][k] -= h
        f = [fold(op, m, [f64] * len(point), f64) for m in moved]
        expected = 2.0 * (f[0] - f[1]) / (2 * h)
        got = 0.0 if contribution is None else _evaluate(contribution)
        assert math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-6), (op, k, got, expected)


def test_zero_gradient_ops_contribute_nothing():
    for op in ZERO_GRADIENT_OPS:
        arity = OP_INFO[op].arity
        args = tuple(Const(1.5, f32) for _ in range(arity))
        assert DERIVATIVE_RULES[op](Const(1.0, f32), args, OpExpr(op, args, f32)) == (None,) * arity


def test_min_max_give_a_tie_to_the_second_operand():
    args = (Const(0.5, f64), Const(0.5, f64))
    for op in (Op.MIN, Op.MAX):
        contributions = DERIVATIVE_RULES[op](Const(1.0, f64), args, OpExpr(op, args, f64))
        assert [_evaluate(c) for c in contributions] == [0.0, 1.0]  # as upstream: the strict comparison fails


# ------------------------------------------------------------------------------------------ the adjoint program

IV = Var(1, "i", i32)
XV = Var(2, "x", f32)
SV = Var(3, "s", f32)


def _square_program() -> Program:
    """``for i in range(4): x = a[i]; s = x * x * k; b[i] = s``."""
    return Program(
        "square",
        (NdarrayArg("a", f32, 1), NdarrayArg("b", f32, 1), ScalarArg("k", f32), NdarrayArg("n", i32, 1)),
        (),
        (),
        (
            ParallelFor(
                (IV,),
                (Const(0, i32),),
                (Const(4, i32),),
                (
                    Load(XV, 0, (LocalRef(IV),)),
                    Decl(SV, OpExpr(Op.MUL, (OpExpr(Op.MUL, (LocalRef(XV), LocalRef(XV)), f32), ArgRef(2, f32)), f32)),
                    Store(1, (LocalRef(IV),), LocalRef(SV)),
                ),
            ),
        ),
    )


def test_adjoint_appends_one_gradient_per_argument_and_verifies():
    program = _square_program()
    assert differentiable_args(program) == (0, 1)
    adjoint = make_adjoint(program, (0, 1))
    verify(adjoint)
    assert adjoint.name == adjoint_name("square") == "square_reverse_grad"
    assert adjoint.args[:4] == program.args
    assert [a.name for a in adjoint.args[4:]] == ["a.grad", "b.grad"]
    assert adjoint.returns == ()
    text = format_program(adjoint)
    assert "atomic_add(a.grad[" in text  # the load's adjoint accumulates atomically
    assert "store b[" not in text  # the forward sweep never writes primal data
    assert "store b.grad[" in text  # ... but the store's adjoint clears the output gradient


def test_without_gradients_nothing_is_accumulated():
    adjoint = make_adjoint(_square_program(), ())
    verify(adjoint)
    assert "atomic_add" not in format_program(adjoint)


def test_only_float_ndarrays_can_have_gradients():
    with pytest.raises(ValueError, match="not a float ndarray"):
        make_adjoint(_square_program(), (3,))
    with pytest.raises(ValueError, match="not a float ndarray"):
        make_adjoint(_square_program(), (2,))


def _task(*body) -> Program:
    return Program(
        "k",
        (NdarrayArg("a", f32, 1),),
        (),
        (),
        (ParallelFor((IV,), (Const(0, i32),), (Const(2, i32),), tuple(body)),),
    )


def test_while_loop_is_a_compilation_error():
    with pytest.raises(QuadrantsCompilationError, match="does not support while loops"):
        make_adjoint(_task(Loop(())), (0,))


def test_graph_kernels_are_a_compilation_error():
    program = Program(
        "g", (NdarrayArg("c", i32, 0),), (), (), (DoWhile(0, 0, (SerialBlock((Store(0, (), Const(0, i32)),)),)),)
    )
    with pytest.raises(QuadrantsCompilationError, match="graph kernels"):
        make_adjoint(program, ())


def test_accumulator_detection():
    acc = Assign(SV, OpExpr(Op.ADD, (LocalRef(SV), LocalRef(XV)), f32))
    assert _accumulator_only(SV, (acc,))
    product = Assign(SV, OpExpr(Op.MUL, (LocalRef(SV), LocalRef(XV)), f32))
    assert not _accumulator_only(SV, (product,))
    read_elsewhere = Decl(Var(9, "t", f32), LocalRef(SV))
    assert not _accumulator_only(SV, (acc, read_elsewhere))


def test_carried_nonlinear_state_uses_an_adstack_or_is_recomputed():
    body = (
        Load(XV, 0, (LocalRef(IV),)),
        Decl(SV, Const(1.0, f32)),
        RangeFor(
            Var(5, "j", i32),
            Const(0, i32),
            Const(3, i32),
            (Assign(SV, OpExpr(Op.MUL, (LocalRef(SV), LocalRef(XV)), f32)),),
        ),
    )
    adjoint = make_adjoint(_task(*body), (0,))
    text = format_program(adjoint)
    # constant bounds: the state at each iteration's start goes on an adstack (forward loop and reversed loop only)
    assert [a.name for a in adjoint.args] == ["a", "a.grad", "adstack_s"]
    assert len(re.findall(r"^\s+for \(", text, re.M)) == 2
    # bounds that the host cannot know before the launch (a loaded value): recomputed from the loop entry, a
    # recompute loop (iterations begin .. j-1) inside the reversed loop
    loop = body[2]
    trips = OpExpr(Op.CAST, (LocalRef(XV),), i32)
    data_bound = (*body[:2], RangeFor(loop.var, Const(0, i32), trips, loop.body))
    adjoint = make_adjoint(_task(*data_bound), (0,))
    verify(adjoint)
    assert [a.name for a in adjoint.args] == ["a", "a.grad"]
    assert len(re.findall(r"^\s+for \(", format_program(adjoint), re.M)) == 3


def test_accumulating_loop_is_reversed_without_recompute():
    body = (
        Load(XV, 0, (LocalRef(IV),)),
        Decl(SV, Const(1.0, f32)),
        RangeFor(
            Var(5, "j", i32),
            Const(0, i32),
            Const(3, i32),
            (Assign(SV, OpExpr(Op.ADD, (LocalRef(SV), LocalRef(XV)), f32)),),
        ),
    )
    text = format_program(make_adjoint(_task(*body), (0,)))
    assert len(re.findall(r"^\s+for \(", text, re.M)) == 2


# ------------------------------------------------------------------------------------------------- end to end


@pytest.fixture
def ref():
    qd.init(arch=qd.ref, ad_stack_experimental_enabled=True)
    yield
    qd.reset()


def test_power_loop_gradient(ref):
    """``s = x ** n`` by repeated multiplication in a run-time loop: d s / d x = n x ** (n - 1)."""
    x = qd.ndarray(qd.f32, 3, needs_grad=True)
    out = qd.ndarray(qd.f32, 3, needs_grad=True)

    @qd.kernel
    def power(x: qd.types.ndarray(), out: qd.types.ndarray(), n: qd.i32):
        for i in x:
            s = 1.0
            for _ in range(n):
                s = s * x[i]
            out[i] = s

    x.from_numpy(np.array([0.5, 1.5, -2.0], np.float32))
    power(x, out, 5)
    out.grad.fill(1.0)
    power.grad(x, out, 5)
    expected = 5 * x.to_numpy() ** 4
    np.testing.assert_allclose(x.grad.to_numpy(), expected, rtol=1e-5)
    assert power.grad is not power.grad  # a fresh handle each time ...
    assert len(power.__dict__["_adjoints"]) == 1  # ... over one cached adjoint per specialization


def test_adjoint_is_cached_per_gradient_set(ref):
    a = qd.ndarray(qd.f32, 2, needs_grad=True)
    b = qd.ndarray(qd.f32, 2)
    y = qd.ndarray(qd.f32, 2, needs_grad=True)

    @qd.kernel
    def mul(a: qd.types.ndarray(), b: qd.types.ndarray(), y: qd.types.ndarray()):
        for i in a:
            y[i] = a[i] * b[i]

    a.from_numpy(np.array([1.0, 2.0], np.float32))
    b.from_numpy(np.array([3.0, 4.0], np.float32))
    y.grad.fill(1.0)
    mul.grad(a, b, y)
    assert a.grad.to_numpy().tolist() == [3.0, 4.0]
    b2 = qd.ndarray(qd.f32, 2, needs_grad=True)
    b2.from_numpy(np.array([3.0, 4.0], np.float32))
    y.grad.fill(1.0)
    mul.grad(a, b2, y)  # b now has a gradient too: another adjoint
    assert b2.grad.to_numpy().tolist() == [1.0, 2.0]
    assert len(mul.__dict__["_adjoints"]) == 2


def test_tape_records_and_replays_in_reverse(ref):
    x = qd.field(qd.f32, shape=2, needs_grad=True)
    y = qd.field(qd.f32, shape=2, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def first():
        for i in x:
            y[i] = 3.0 * x[i]

    @qd.kernel
    def second():
        for i in y:
            loss[None] += y[i] * y[i]

    x.from_numpy(np.array([1.0, -2.0], np.float32))
    with qd.ad.Tape(loss=loss) as tape:
        first()
        second()
    assert [fn for fn, _, _ in tape.calls] == [first, second]
    assert x.grad.to_numpy().tolist() == [18.0, -36.0]  # d/dx (3x)^2
    with pytest.raises(AssertionError, match="only once"):
        tape.grad()


# ------------------------------------------------------------------------------------------------- forward mode


def test_dual_program_keeps_the_primal_and_adds_tangents():
    from quadrants.passes.autodiff_forward import dual_name, make_dual

    program = _square_program()
    dual = make_dual(program, (0, 1))
    verify(dual)
    assert dual.name == dual_name("square") == "square_forward_grad"
    assert [a.name for a in dual.args[4:]] == ["a.dual", "b.dual"]
    text = format_program(dual)
    assert "store b[" in text and "store b.dual[" in text  # the primal result and its tangent
    assert "load a.dual[" in text
    with pytest.raises(ValueError, match="no dual"):
        make_dual(program, (2,))


def test_fwd_mode_jvp_through_a_while_loop(ref):
    """Forward mode keeps the control flow, so a while loop (refused by reverse mode) differentiates."""
    x = qd.field(qd.f32, shape=(), needs_dual=True)
    y = qd.field(qd.f32, shape=3, needs_dual=True)

    @qd.kernel
    def repeat():
        for i in y:
            s = x[None]
            k = 0
            while k < i:
                s = s * x[None]
                k += 1
            y[i] = s

    x[None] = 1.5
    with qd.ad.FwdMode(loss=y, param=x):
        repeat()
    # y[i] = x ** (i + 1): dy/dx = (i + 1) x ** i
    np.testing.assert_allclose(y.dual.to_numpy(), [1.0, 3.0, 6.75], rtol=1e-6)
    assert y.to_numpy().tolist() == [1.5, 2.25, 3.375]  # the primal results too
    assert x.dual[None] == 0.0  # the seed is cleared on exit


def test_cross_lane_read_after_write_is_refused_only_on_lane_dependent_axes():
    from quadrants.errors import QuadrantsRuntimeError

    prev = OpExpr(Op.SUB, (LocalRef(IV), Const(1, i32)), i32)
    shifted = _task(Load(XV, 0, (prev,)), Store(0, (LocalRef(IV),), LocalRef(XV)))
    with pytest.raises(QuadrantsRuntimeError, match="Cross-iteration read-after-write"):
        make_adjoint(shifted, (0,))
    make_adjoint(shifted, ())  # without a gradient for the array there is nothing to get wrong
    in_place = _task(Load(XV, 0, (LocalRef(IV),)), Store(0, (LocalRef(IV),), LocalRef(XV)))
    verify(make_adjoint(in_place, (0,)))


def test_serial_locals_assigned_in_their_own_block(ref):
    """A kernel-level local that only its own serial block uses (a short-circuit temporary, a reassigned value) is an
    ordinary local of that block's adjoint, so reassigning it works."""
    x = qd.field(qd.f32, shape=2, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def serial():
        a = x[0] * 2.0
        if x[1] > 0.0 or x[0] > 0.0:
            a = a * x[1]
        loss[None] += a

    x.from_numpy(np.array([3.0, 5.0], np.float32))
    with qd.ad.Tape(loss=loss):
        serial()
    assert x.grad.to_numpy().tolist() == [10.0, 6.0]


def test_companions_of_a_field_keep_its_static_shape():
    """A field's gradient and dual have the field's shape: the static shape rides on the companion arguments, so the
    backends index them with constant strides as they do the field (issue 23)."""
    from quadrants.passes.autodiff_forward import make_dual

    i, v = Var(1, "i", i32), Var(2, "v", f32)
    body = (Load(v, 0, (LocalRef(i),)), Store(1, (LocalRef(i),), OpExpr(Op.MUL, (LocalRef(v), LocalRef(v)), f32)))
    program = Program(
        "square",
        (NdarrayArg("x", f32, 1, (8,)), NdarrayArg("y", f32, 1, None)),
        (),
        (),
        (ParallelFor((i,), (Const(0, i32),), (Const(8, i32),), body),),
    )
    for derived in (make_adjoint(program, (0, 1)), make_dual(program, (0, 1))):
        assert [a.shape for a in derived.args[2:4]] == [(8,), None]
