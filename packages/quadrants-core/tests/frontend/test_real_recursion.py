"""Run-time recursion of ``@qd.real_func`` (docs/misc-functions.md, "Recursion"): a specialization that reaches
itself becomes one IR ``Function`` run by ``Call`` statements; everything else is still inlined."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.printer import format_program
from quadrants.ir.verifier import IRVerificationError, verify
from quadrants.ir.walk import contains, iter_stmts, reached_functions
from quadrants.passes import DEFAULT_PASSES, run_pipeline
from quadrants_conformance.cases.test_real_func_recursion import bump, is_even, tri
from quadrants_ref.calls import MAX_CALL_DEPTH


@qd.real_func
def halve(n: qd.i32) -> qd.i32:
    r = n
    if n > 1:
        r = n // 2
    return r


@qd.real_func
def forever(n: qd.i32) -> qd.i32:
    r = n
    if n >= 0:
        r = forever(n + 1)
    return r


@qd.func
def loop(n: qd.i32) -> qd.i32:
    return loop(n - 1)


@pytest.fixture
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def _calls(program: ir.Program) -> list[ir.Call]:
    bodies = [t.body for t in program.items] + [f.body for f in program.functions]
    return [s for body in bodies for s in iter_stmts(body) if isinstance(s, ir.Call)]


def test_a_recursive_real_func_is_one_function_and_calls(lower):
    @qd.kernel
    def k(n: qd.i32) -> qd.i32:
        return tri(n) + tri(n + 1)

    program = lower(k, 3)
    (fn,) = program.functions
    assert fn.name == "tri" and [p.dtype for p in fn.params] == [dtypes.i32] and fn.returns == (dtypes.i32,)
    calls = _calls(program)
    assert len(calls) == 3  # two in the kernel, one in the body
    assert all(c.func == 0 for c in calls)
    text = format_program(program)
    assert "function @0 tri(" in text and "call @0 tri(" in text and "results (" in text


def test_non_recursive_real_funcs_stay_inlined(lower):
    @qd.kernel
    def k(n: qd.i32) -> qd.i32:
        return halve(halve(n))

    program = lower(k, 8)
    assert program.functions == () and not contains(program.items, ir.Call)


def test_mutual_recursion_makes_one_function_for_the_outer_specialization(ref):
    @qd.kernel
    def k(n: qd.i32) -> qd.i32:
        return is_even(n)

    assert [k(n) for n in range(6)] == [1, 0, 1, 0, 1, 0]
    assert [f.name for f in k._last.program.functions] == ["is_even"]  # is_odd is inlined into is_even's body


def test_a_literal_and_a_run_time_argument_are_one_specialization(lower):
    """``tri(5)`` and the recursive ``tri(n - 1)`` both take an i32: one function, no inlined first level."""

    @qd.kernel
    def k() -> qd.i32:
        return tri(5)

    program = lower(k)
    assert len(program.functions) == 1
    (top,) = program.items
    assert any(isinstance(s, ir.Call) for s in top.body)


def test_vector_and_struct_arguments_are_one_specialization_whatever_their_values(ref):
    """A literal vector or struct and the recursive call's run-time one share the function (no inlined first
    level): the key of an annotated vector is its shape and element type, of a typed struct its type."""
    pair = qd.types.struct(a=qd.i32, b=qd.f32)

    @qd.real_func
    def vdepth(v: qd.math.vec2, n: qd.i32) -> qd.f32:
        r = v[0]
        if n > 0:
            r = vdepth(v * 2.0, n - 1) + 1.0
        return r

    @qd.real_func
    def sdepth(p: pair, n: qd.i32) -> qd.f32:
        r = p.b
        if n > 0:
            r = sdepth(pair(a=p.a + 1, b=p.b * 2.0), n - 1) + p.a
        return r

    @qd.kernel
    def k(n: qd.i32) -> qd.math.vec2:
        return qd.math.vec2(vdepth(qd.math.vec2(1.0, 0.0), n), sdepth(pair(a=1, b=0.5), n))

    assert list(k(4)) == [20.0, 18.0]  # 16 + 4; 8 + 4 + 3 + 2 + 1 (upstream reads p.a as 0 after the call: 8)
    program = k._last.program
    assert sorted(f.name for f in program.functions) == ["sdepth", "vdepth"]
    assert sum(isinstance(s, ir.Call) for s in iter_stmts(program.items[0].body)) == 2


def test_reference_results_and_per_lane_depths(ref):
    @qd.kernel
    def k(a: qd.types.ndarray(qd.i32, ndim=1)):
        for i in range(a.shape[0]):
            a[i] = tri(i)

    a = np.zeros(50, np.int32)
    k(a)
    assert a.tolist() == [i * (i + 1) // 2 for i in range(50)]


def test_a_result_at_kernel_level_is_a_kernel_var_later_tasks_read(ref):
    @qd.kernel
    def k(a: qd.types.ndarray(qd.i32, ndim=1), n: qd.i32):
        t = tri(n)
        for i in range(a.shape[0]):
            a[i] = t + i

    a = np.zeros(3, np.int32)
    k(a, 4)
    assert a.tolist() == [10, 11, 12]
    program = k._last.program
    call = next(s for s in iter_stmts(program.items[0].body) if isinstance(s, ir.Call))
    assert set(call.vars) <= set(program.kernel_vars)


@pytest.mark.parametrize(
    "func, error, match",
    [
        (forever, qd.QuadrantsRuntimeError, rf"'forever' is deeper than {MAX_CALL_DEPTH}"),
        (loop, qd.QuadrantsSyntaxError, r"Recursive @qd\.func call of 'loop'"),
    ],
    ids=["real_func-stopped-by-the-reference-at-run-time", "plain-func-refused-at-compile-time"],
)
def test_a_runaway_recursion_is_an_error(ref, func, error, match):
    @qd.kernel
    def k() -> qd.i32:
        return func(0)

    with pytest.raises(error, match=match):
        k()


def test_a_ref_parameter_is_copied_in_and_back_out_at_every_level(ref):
    @qd.kernel
    def k(n: qd.i32) -> qd.i32:
        v = 1
        bump(v, n)
        return v

    assert k(0) == 1
    assert k(1) == 4  # (1 + 1) * 2
    assert k(3) == 56  # (((1 + 3 + 2 + 1) * 2) * 2) * 2
    (fn,) = k._last.program.functions
    assert len(fn.results) == 1 and fn.returns == (dtypes.i32,)  # no return value: the one result is x


def test_a_ref_parameter_needs_a_local(ref):
    @qd.kernel
    def k() -> qd.i32:
        v = 0
        bump(v, 3)
        return v

    assert k() == 48  # (0 + 3 + 2 + 1) * 2 * 2 * 2

    @qd.kernel
    def bad(a: qd.types.ndarray(qd.i32, ndim=1)):
        bump(a[0], 3)

    with pytest.raises(qd.QuadrantsSyntaxError, match=r"qd.types.ref parameter 'x' .* takes a local variable"):
        bad(np.zeros(1, np.int32))


def test_passes_keep_calls_whose_results_are_unused(lower):
    @qd.real_func
    def mark(a: qd.types.ndarray(qd.i32, ndim=1), n: qd.i32) -> qd.i32:
        a[n] = n
        r = 0
        if n > 0:
            r = mark(a, n - 1)
        return r

    @qd.kernel
    def k(a: qd.types.ndarray(qd.i32, ndim=1)):
        mark(a, 3)

    program = lower(k, np.zeros(4, np.int32))
    assert len(_calls(program)) == 2
    assert run_pipeline(program, DEFAULT_PASSES, verify=True) is not None
    assert reached_functions(program.items[0].body, program) == list(program.functions)


def test_the_verifier_checks_calls():
    n = ir.Var(1, "n", dtypes.i32)
    r = ir.Var(2, "r", dtypes.i32)
    fn = ir.Function("f", (n,), (), (ir.LocalRef(n),))
    good = ir.Program(
        "p", (), (), (), (ir.SerialBlock((ir.Call(0, (ir.Const(1, dtypes.i32),), (r,)),)),), functions=(fn,)
    )
    verify(good)
    for bad_call, message in (
        (ir.Call(1, (ir.Const(1, dtypes.i32),), (r,)), "the program has 1"),
        (ir.Call(0, (), (r,)), "passes 0 argument"),
        (ir.Call(0, (ir.Const(1.0, dtypes.f32),), (r,)), "expected i32"),
        (ir.Call(0, (ir.Const(1, dtypes.i32),), ()), "declares"),
    ):
        bad = ir.Program("p", (), (), (), (ir.SerialBlock((bad_call,)),), functions=(fn,))
        with pytest.raises(IRVerificationError, match=message):
            verify(bad)
    kv = ir.Var(3, "kv", dtypes.i32)
    leaky = ir.Function("g", (), (), (ir.LocalRef(kv),))
    program = ir.Program(
        "p", (), (), (kv,), (ir.SerialBlock((ir.Decl(kv, ir.Const(0, dtypes.i32)),)),), functions=(leaky,)
    )
    with pytest.raises(IRVerificationError, match="uses kernel var"):
        verify(program)


def test_gradients_through_a_recursive_real_func_are_refused(ref):
    x = qd.field(qd.f32, shape=4, needs_grad=True)
    y = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.real_func
    def power(v: qd.f32, n: qd.i32) -> qd.f32:
        r = 1.0
        if n > 0:
            r = v * power(v, n - 1)
        return r

    @qd.kernel
    def k():
        for i in range(4):
            y[None] += power(x[i], 3)

    refused = pytest.raises(
        qd.QuadrantsCompilationError, match=r"does not support a recursive @qd.real_func \('power'\)"
    )
    with refused, qd.ad.Tape(loss=y):
        k()


def test_random_inside_a_recursive_real_func_is_an_error_with_the_call_chain(ref):
    @qd.real_func
    def noisy(n: qd.i32) -> qd.f32:
        r = 0.0
        if n > 0:
            r = noisy(n - 1) + qd.random()
        return r

    @qd.kernel
    def k(a: qd.types.ndarray(qd.f32, ndim=1)):
        for i in range(a.shape[0]):
            a[i] = noisy(i)

    with pytest.raises(qd.QuadrantsSyntaxError, match=r"qd.random\(\) / qd.randn\(\) cannot be called inside") as info:
        k(np.zeros(4, np.float32))
    text = str(info.value)
    assert text.index("a[i] = noisy(i)") < text.index("noisy(n - 1) + qd.random()")  # caller first, as a traceback


def test_a_read_only_numpy_array_written_only_by_the_callee_is_refused(ref):
    @qd.real_func
    def clear(a: qd.types.ndarray(qd.i32, ndim=1), n: qd.i32):
        if n >= 0:
            a[n] = 0
            clear(a, n - 1)

    @qd.kernel
    def k(a: qd.types.ndarray(qd.i32, ndim=1)):
        clear(a, a.shape[0] - 1)

    a = np.ones(4, np.int32)
    a.flags.writeable = False
    with pytest.raises(ValueError, match="read-only NumPy array"):
        k(a)
    b = np.ones(4, np.int32)
    k(b)
    assert b.tolist() == [0, 0, 0, 0]
