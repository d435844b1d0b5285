"""runtime/frozen_structs.py: deeply frozen dataclass arguments have their member walk memoised by the launcher,
with unchanged results."""

from __future__ import annotations

import dataclasses
import gc

import pytest

import quadrants as qd
from quadrants.runtime.frozen_structs import FrozenMemo, is_deeply_frozen


@dataclasses.dataclass(frozen=True)
class Inner:
    a: qd.types.NDArray[qd.i32, 1]
    scale: int


@dataclasses.dataclass(frozen=True)
class Outer:
    inner: Inner
    b: qd.types.NDArray[qd.i32, 1]


@dataclasses.dataclass(frozen=True)
class Tagged:  # host-side only: a tuple member is not a kind of kernel argument
    inner: Inner
    b: qd.types.NDArray[qd.i32, 1]
    tags: tuple = ()


@dataclasses.dataclass
class Mutable:
    a: qd.types.NDArray[qd.i32, 1]


@dataclasses.dataclass(frozen=True)
class HoldsMutable:
    m: Mutable


@pytest.fixture(autouse=True)
def _session():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_deeply_frozen_only_when_every_member_is_immutable():
    a = qd.ndarray(qd.i32, (2,))
    assert is_deeply_frozen(Tagged(Inner(a, 2), a, (1, "x", qd.f32)))
    assert not is_deeply_frozen(Mutable(a))
    assert not is_deeply_frozen(HoldsMutable(Mutable(a)))
    assert not is_deeply_frozen(Tagged(Inner(a, 2), a, ([1],)))  # a list inside a tuple
    assert not is_deeply_frozen(a)


def test_memo_entries_die_with_their_object():
    memo = FrozenMemo()
    obj = Inner(qd.ndarray(qd.i32, (1,)), 1)
    memo.put(obj, "k", 5)
    assert memo.get(obj, "k") == 5 and memo.get(obj, "other") is None
    del obj
    gc.collect()
    assert not memo._by_id and not memo._refs


def test_frozen_arguments_launch_with_their_own_members():
    @qd.kernel
    def k(o: Outer):
        for i in range(2):
            o.b[i] += o.inner.a[i] * o.inner.scale

    first = Outer(Inner(qd.ndarray(qd.i32, (2,)), 3), qd.ndarray(qd.i32, (2,)))
    second = Outer(Inner(qd.ndarray(qd.i32, (2,)), 5), qd.ndarray(qd.i32, (2,)))
    first.inner.a.fill(1)
    second.inner.a.fill(2)
    for _ in range(2):
        k(first)
        k(second)
    assert first.b.to_numpy().tolist() == [6, 6]
    assert second.b.to_numpy().tolist() == [20, 20]
    assert k._primal.compile_count == 1


def test_a_frozen_argument_beside_a_mutable_one_sees_the_mutable_ones_rebinds():
    @qd.kernel
    def k(o: Outer, m: Mutable):
        for i in range(2):
            m.a[i] += o.inner.scale

    o = Outer(Inner(qd.ndarray(qd.i32, (2,)), 4), qd.ndarray(qd.i32, (2,)))
    m = Mutable(qd.ndarray(qd.i32, (2,)))
    k(o, m)
    old = m.a
    m.a = qd.ndarray(qd.i32, (2,))  # rebinding a member of the mutable argument is seen at the next launch
    k(o, m)
    assert old.to_numpy().tolist() == [4, 4] and m.a.to_numpy().tolist() == [4, 4]


def test_a_kernel_without_compound_arguments_is_not_memoised():
    @qd.kernel
    def k(v: qd.types.vector(2, qd.f32)) -> qd.f32:
        return v[0] + v[1]

    assert k(qd.Vector([1.0, 2.0])) == 3.0
    assert k(qd.Vector([5.0, 2.0])) == 7.0
