"""Compile-time recursion of @qd.func (docs/semantics.md §7): allowed while each call changes a compile-time
argument."""

from __future__ import annotations

import pytest

import quadrants as qd
from quadrants.frontend.funcs import MAX_INLINE_DEPTH, _static_key
from quadrants.ir import dtypes, nodes as ir


@qd.func
def fib(n: qd.template()):
    r = 0
    if qd.static(n <= 1):
        r = n
    else:
        r = fib(n - 1) + fib(n - 2)
    return r


@qd.func
def same(n: qd.template()):
    return same(n) + 1


@qd.func
def runtime_recursion(x):
    return runtime_recursion(x - 1)


@qd.func
def up(n: qd.template()):
    return up(n + 1)


@qd.func
def chain(n: qd.template(), x):
    r = x
    if qd.static(n > 0):
        r = chain(n - 1, x) + 1
    return r


@pytest.fixture
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_fibonacci_inlines_every_call(ref):
    @qd.kernel
    def k(x: qd.i32) -> qd.i32:
        return fib(12) + x

    assert k(1) == 145
    (block,) = k._last.program.items
    assert not any(isinstance(s, (ir.RangeFor, ir.Loop)) for s in block.body)  # straight-line code


def test_same_compile_time_arguments_are_an_error_at_the_repeated_call(lower):
    @qd.kernel
    def k() -> qd.i32:
        return same(3)

    with pytest.raises(qd.QuadrantsSyntaxError, match=r"Recursive @qd\.func call of 'same' with the same") as info:
        lower(k)
    assert "return same(n) + 1" in str(info.value)  # the caret points at the recursive call


def test_recursion_on_run_time_values_is_caught_one_level_down(lower):
    @qd.kernel
    def k(a: qd.i32) -> qd.i32:
        return runtime_recursion(a)

    with pytest.raises(qd.QuadrantsSyntaxError, match=r"Recursive @qd\.func call of 'runtime_recursion'"):
        lower(k, 1)


# the deep cases go through a real call: a compile that hits Python's recursion limit is retried with a deep stack
# (quadrants.runtime.deep_compile)


def test_nesting_is_limited(ref):
    @qd.kernel
    def k() -> qd.i32:
        return up(0)

    with pytest.raises(qd.QuadrantsSyntaxError, match=f"nests more than {MAX_INLINE_DEPTH} inlined calls"):
        k()


def test_the_deepest_allowed_nesting_compiles(ref):
    @qd.kernel
    def k(x: qd.i32) -> qd.i32:
        return chain(MAX_INLINE_DEPTH - 1, x)

    assert k(1) == MAX_INLINE_DEPTH


def test_static_keys_keep_compile_time_values_and_only_the_type_of_run_time_ones():
    a = ir.LocalRef(ir.Var(1, "a", dtypes.i32))
    b = ir.LocalRef(ir.Var(2, "b", dtypes.i32))
    assert _static_key(a) == _static_key(b)  # the body cannot branch on a run-time value at compile time
    assert _static_key(a) != _static_key(ir.LocalRef(ir.Var(3, "c", dtypes.f32)))
    assert _static_key(3) != _static_key(4)
    assert _static_key((1, 2)) == _static_key((1, 2))
    assert _static_key((1, 2)) != _static_key([1, 2])
    shared = {}
    assert _static_key(shared) == _static_key(shared)  # unhashable objects: by identity
    assert _static_key(shared) != _static_key({})
