"""``f(*xs)`` in kernel code: a compile-time sequence or a vector unpacks into arguments, each evaluated once."""

from __future__ import annotations

import pytest

import quadrants as qd


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_vector_and_sequence_unpack_once():
    count = qd.field(qd.i32, shape=())

    @qd.func
    def v3():
        count[None] += 1
        return qd.Vector([3, -1, 2])

    @qd.kernel
    def k() -> qd.i32:
        pair = (7, 8)
        return qd.min(*v3(), *pair) * 100 + qd.max(*pair, 1)

    assert k() == -100 + 8
    assert count[None] == 1


def test_runtime_scalar_cannot_be_unpacked():
    @qd.kernel
    def k(a: qd.i32) -> qd.i32:
        return qd.max(*a)

    with pytest.raises(qd.QuadrantsSyntaxError, match="compile-time sequence or a vector"):
        k(1)
