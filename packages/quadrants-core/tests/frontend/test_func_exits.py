"""``return`` in run-time control flow of a ``@qd.real_func`` (frontend/func_exits.py, docs/misc-functions.md)."""

from __future__ import annotations

import ast
import textwrap

import pytest

import quadrants as qd
from quadrants.frontend.func_exits import needs_return_scope
from quadrants.ir import nodes as ir
from quadrants.ir.walk import iter_stmts, iter_tasks


@qd.real_func
def first_over(limit: qd.i32) -> qd.i32:
    for i in range(100):
        if i * i > limit:
            return i
    return -1


@qd.real_func
def nested_find(n: qd.i32) -> qd.i32:
    i = 0
    while i < 10:
        for j in range(10):
            if i * 10 + j == n:
                return i * 100 + j
        i += 1
    return -1


@qd.real_func
def straight(x: qd.i32) -> qd.i32:
    y = x + 1
    return y


@qd.real_func
def serial_sum(n: qd.i32) -> qd.i32:
    s = 0
    for i in range(n):
        s = s + i
    return s


@qd.func
def plain_return_in_loop() -> qd.i32:
    for i in range(3):
        return i
    return 0


def _tree(fn):
    return ast.parse(textwrap.dedent(fn)).body[0]


@pytest.mark.parametrize(
    "src, expected",
    [
        ("def f(x):\n    return x\n", False),
        ("def f(x):\n    if x:\n        return 1\n    return 0\n", True),
        ("def f(x):\n    for i in range(3):\n        pass\n    return 0\n", False),
        ("def f(x):\n    while x:\n        if x > 2:\n            return 1\n    return 0\n", True),
        ("def f(x):\n    def g():\n        if x:\n            return 1\n    return 0\n", False),
    ],
)
def test_only_returns_nested_in_compound_statements_need_a_scope(src, expected):
    assert needs_return_scope(first_over, _tree(src)) is expected
    assert needs_return_scope(plain_return_in_loop, _tree(src)) is False  # plain funcs never get one


@pytest.fixture
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def _stmts(kernel):
    return [s for task in iter_tasks(kernel._last.program.items) for s in iter_stmts(task.body)]


def test_returns_leave_every_enclosing_loop(ref):
    @qd.kernel
    def k(n: qd.i32) -> qd.i32:
        return nested_find(n)

    assert [k(n) for n in (0, 9, 37, 99, 100)] == [0, 9, 307, 909, -1]
    stmts = _stmts(k)
    # the one-trip return scope, and an `if returned: break` after each of the two loops holding the return
    scopes = [s for s in stmts if isinstance(s, ir.RangeFor) and s.var.name == "return_scope"]
    assert len(scopes) == 1
    exits = [s for s in stmts if isinstance(s, ir.If) and s.then and isinstance(s.then[0], ir.Break)]
    assert sum(isinstance(s.cond, ir.LocalRef) and s.cond.var.name == "returned" for s in exits) == 2


def test_a_func_without_nested_returns_is_straight_line(ref):
    @qd.kernel
    def k(x: qd.i32) -> qd.i32:
        return straight(x)

    assert k(4) == 5
    assert not any(isinstance(s, (ir.RangeFor, ir.Loop, ir.Break)) for s in _stmts(k))


def test_real_func_loops_are_serial_at_the_kernel_top_level(ref):
    @qd.kernel
    def k(n: qd.i32) -> qd.i32:
        return serial_sum(n)

    assert k(1000) == 499500
    assert not any(isinstance(item, ir.ParallelFor) for item in k._last.program.items)


def test_real_func_returns_per_lane(ref):
    out = qd.ndarray(qd.i32, (6,))

    @qd.kernel
    def k(out: qd.types.NDArray[qd.i32, 1]):
        for t in range(6):
            out[t] = first_over(t * 10)

    k(out)
    assert out.to_numpy().tolist() == [1, 4, 5, 6, 7, 8]


def test_plain_func_keeps_upstreams_rule(ref):
    @qd.kernel
    def k() -> qd.i32:
        return plain_return_in_loop()

    with pytest.raises(qd.QuadrantsSyntaxError, match="Return inside non-static if/for is not supported"):
        k()


def test_returning_a_vector_where_a_scalar_is_annotated_is_a_type_error(ref):
    @qd.real_func
    def bad(n: qd.i32) -> qd.i32:
        for _i in range(n):
            return qd.Vector([1, 2])
        return 0

    @qd.kernel
    def k() -> qd.i32:
        return bad(3)

    with pytest.raises(qd.QuadrantsTypeError, match="return a scalar here"):
        k()


def test_qd_ref_is_the_arch_and_the_ref_annotation():
    from quadrants.frontend.annotations import RefType

    assert repr(qd.ref) == "qd.ref" and qd.ref == qd.ref
    anno = qd.ref(qd.f32)
    assert isinstance(anno, RefType) and anno.tp is qd.f32


def test_ref_parameter_needs_a_local(ref):
    @qd.real_func
    def bump(a: qd.types.ref(qd.f32)):
        a += 1.0

    x = qd.ndarray(qd.f32, (2,))

    @qd.kernel
    def k(x: qd.types.NDArray[qd.f32, 1]):
        bump(x[0])

    with pytest.raises(qd.QuadrantsSyntaxError, match="takes a local variable of the caller"):
        k(x)
