"""qd.stop_grad: the frontend marks the loads of a field in the enclosing block (ir.Load.stop_grad), reverse mode
adds nothing into the gradient for a marked load and forward mode gives it a zero tangent (docs/autodiff.md)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.errors import QuadrantsRuntimeError, QuadrantsTypeError
from quadrants.ir.dtypes import f32, i32
from quadrants.ir.nodes import AtomicRMW, Const, Decl, Load, LocalRef, NdarrayArg, OpExpr, ParallelFor, Program, Var
from quadrants.ir.ops import Op
from quadrants.ir.printer import format_program
from quadrants.ir.walk import iter_stmts
from quadrants.passes.autodiff import make_adjoint
from quadrants.passes.autodiff_forward import make_dual

N = 4


@pytest.fixture
def ref():
    qd.init(arch=qd.ref, ad_stack_experimental_enabled=True)
    yield
    qd.reset()


def _ir(kernel) -> str:
    """The compiled IR text of ``kernel`` (no arguments), as the frontend and the default passes leave it."""
    from quadrants.frontend.kernel import build_program
    from quadrants.passes import DEFAULT_PASSES, run_pipeline
    from quadrants.runtime.state import current_session

    session = current_session()
    _, program = build_program(kernel, session, [], kernel.fn.__name__)
    return format_program(run_pipeline(program, DEFAULT_PASSES, verify=True))


def _fields():
    x = qd.field(qd.f32, shape=N, needs_grad=True, needs_dual=True, name="x")
    loss = qd.field(qd.f32, shape=(), needs_grad=True, needs_dual=True, name="loss")
    x.from_numpy(np.arange(1, N + 1, dtype=np.float32))
    return x, loss


def _tape(kernel, x, loss):
    with qd.ad.Tape(loss):
        kernel()
    return loss[None], x.grad.to_numpy()


# ------------------------------------------------------------------------------------------------ the IR marker


def _program(stop: bool) -> Program:
    """``for i in range(4): v = x[i] (stop_grad?); y[i] = v * v``."""
    i, v = Var(1, "i", i32), Var(2, "v", f32)
    body = (
        Load(v, 0, (LocalRef(i),), stop_grad=stop),
        AtomicRMW(None, Op.ATOMIC_ADD, 1, (Const(0, i32),), (OpExpr(Op.MUL, (LocalRef(v), LocalRef(v)), f32),)),
    )
    item = ParallelFor((i,), (Const(0, i32),), (Const(4, i32),), body)
    return Program("k", (NdarrayArg("x", f32, 1), NdarrayArg("y", f32, 1)), (), (), (item,))


def test_the_marker_is_part_of_the_node_and_printed():
    assert _program(True) != _program(False)
    assert "= load_stop_grad x[%1]" in format_program(_program(True))
    assert "= load x[%1]" in format_program(_program(False))


def test_adjoint_of_a_marked_load_adds_nothing_to_the_gradient():
    def grad_writes(program):
        adjoint = make_adjoint(program, (0, 1))
        return [s for t in adjoint.items for s in iter_stmts(t.body) if isinstance(s, AtomicRMW) and s.arg == 2]

    assert len(grad_writes(_program(False))) == 1  # x.grad[i] += adj(v)
    assert grad_writes(_program(True)) == []


def test_dual_of_a_marked_load_is_zero():
    def dual_reads(program):
        dual = make_dual(program, (0, 1))
        return [s for t in dual.items for s in iter_stmts(t.body) if isinstance(s, Load) and s.arg == 2]

    assert len(dual_reads(_program(False))) == 1  # v_dual = x.dual[i]
    dual = make_dual(_program(True), (0, 1))
    assert not dual_reads(_program(True))
    zeros = [s for t in dual.items for s in iter_stmts(t.body) if isinstance(s, Decl) and s.var.name == "v_dual"]
    assert zeros and zeros[0].value == Const(0.0, f32)


# ------------------------------------------------------------------------------------------------ the frontend


def test_only_the_loads_of_the_field_in_the_enclosing_block_are_marked(ref):
    x, loss = _fields()
    y = qd.field(qd.f32, shape=N, needs_grad=True, name="y")

    @qd.kernel
    def k():
        for i in range(N):
            if i % 2 == 0:
                loss[None] += x[i] * y[i]  # before the call: marked too
                qd.stop_grad(x)
            loss[None] += x[i] * 3.0  # outside the if: not marked

    text = _ir(k)
    assert text.count("load_stop_grad") == 1
    assert text.count("load_stop_grad x[") == 1
    assert text.count("load x[") == 1 and text.count("load y[") == 1


def test_kernel_level_call_marks_every_task(ref):
    x, loss = _fields()

    @qd.kernel
    def k():
        for i in range(N):
            loss[None] += x[i]
        qd.stop_grad(x)
        for i in range(N):
            loss[None] += x[i] * x[i]

    text = _ir(k)
    assert text.count("load_stop_grad x[") == 3 and "load x[" not in text


# ------------------------------------------------------------------------------------------------ gradients (ref)


def test_reverse_mode_values_match_upstream(ref):
    """Upstream 1.3.3 (qd.cpu) gives the same losses and gradients for each kernel."""
    x, loss = _fields()

    @qd.kernel
    def in_branch():
        for i in range(N):
            if i % 2 == 0:
                qd.stop_grad(x)
                loss[None] += x[i] ** 2
            else:
                loss[None] += x[i] ** 2

    @qd.kernel
    def in_inner_loop():
        for i in range(N):
            v = x[i]
            for _ in range(3):
                v = v * x[i]
                qd.stop_grad(x)
            loss[None] += v

    @qd.func
    def stop_in_func():
        qd.stop_grad(x)

    @qd.kernel
    def through_func():
        for i in range(N):
            loss[None] += x[i] * 5.0
            stop_in_func()  # inlined into the loop body: the read above is stopped too

    assert _tape(in_branch, x, loss)[1].tolist() == [0.0, 4.0, 0.0, 8.0]
    assert _tape(in_inner_loop, x, loss)[1].tolist() == [1.0, 8.0, 27.0, 64.0]
    value, grad = _tape(through_func, x, loss)
    assert value == 50.0 and grad.tolist() == [0.0] * N


def test_forward_mode_tangent_is_zero_for_stopped_reads(ref):
    x, loss = _fields()

    @qd.kernel
    def k():
        for i in range(N):
            if i == 0:
                qd.stop_grad(x)
                loss[None] += x[i] ** 2
            loss[None] += x[i] * 3.0

    with qd.ad.FwdMode(loss=loss, param=x, seed=[1.0, 1.0, 0.0, 0.0]):
        k()
    assert loss[None] == 31.0 and loss.dual[None] == 6.0  # upstream: the same


def test_struct_field_stops_every_member(ref):
    s = qd.Struct.field({"a": qd.f32, "b": qd.f32}, shape=N, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        for i in range(N):
            qd.stop_grad(s)
            loss[None] += s[i].a * 2.0 + s[i].b * 3.0

    with qd.ad.Tape(loss):
        k()
    assert s.a.grad.to_numpy().tolist() == [0.0] * N
    assert s.b.grad.to_numpy().tolist() == [0.0] * N  # upstream stops only the first member (§20 #28)


# ------------------------------------------------------------------------------------------------ errors


def test_python_scope_call_is_refused(ref):
    x, _ = _fields()
    with pytest.raises(QuadrantsRuntimeError, match="can only be called in kernel code"):
        qd.stop_grad(x)


def test_arguments_that_are_not_fields_are_located_errors(ref):
    a = qd.ndarray(qd.f32, shape=N, needs_grad=True)
    x, loss = _fields()

    @qd.kernel
    def nd(a: qd.types.ndarray()):
        for i in range(N):
            qd.stop_grad(a)
            loss[None] += a[i]

    @qd.kernel
    def local():
        for i in range(N):
            t = x[i]
            qd.stop_grad(t)

    @qd.kernel
    def two():
        qd.stop_grad(x, loss)

    with pytest.raises(QuadrantsTypeError, match=r"needs_grad=False") as info:
        nd(a)
    assert "qd.stop_grad(a)" in str(info.value)
    with pytest.raises(QuadrantsTypeError, match="got a value of type f32"):
        local()
    with pytest.raises(QuadrantsTypeError, match="takes one argument, the field"):
        two()


def test_public_names():
    assert qd.lang.stop_grad is qd.stop_grad and qd.lang.impl.stop_grad is qd.stop_grad
    assert "stop_grad" in qd.__all__
