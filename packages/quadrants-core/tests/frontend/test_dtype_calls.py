"""``qd.f32(x)`` in kernel code converts one scalar; a vector or matrix operand is upstream's syntax error."""

from __future__ import annotations

import pytest

import quadrants as qd


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_dtype_call_of_a_scalar_converts():
    @qd.kernel
    def k(a: qd.f32) -> qd.i32:
        return qd.i32(a) + qd.i32(qd.f32(2.5))

    assert k(3.75) == 5


@pytest.mark.parametrize("kind", ["vector", "matrix"])
def test_dtype_call_of_a_compound_value_is_refused(kind):
    @qd.kernel
    def k_vec():
        v = qd.Vector([1.0, 2.0])
        w = qd.f16(v)  # noqa: F841

    @qd.kernel
    def k_mat():
        m = qd.Matrix([[1, 2], [3, 4]])
        w = qd.i8(m)  # noqa: F841

    kernel = k_vec if kind == "vector" else k_mat
    with pytest.raises(qd.QuadrantsSyntaxError, match=r"cannot decorate an expression with a compound type.*cast"):
        kernel()
