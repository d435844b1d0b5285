"""``name = qd.static(...)`` binds a compile-time name; a static store into an element or member is an error."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd

I1 = qd.types.NDArray[qd.i32, 1]


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_static_assign_to_a_name_then_store():
    @qd.kernel
    def k(a: I1):
        n = qd.static(6 * 7)
        a[0] = n

    a = np.zeros(1, np.int32)
    k(a)
    assert a[0] == 42


def test_static_assign_to_an_element_is_upstreams_error():
    @qd.kernel
    def k(a: I1):
        a[0] = qd.static(6 * 7)

    with pytest.raises(qd.QuadrantsSyntaxError, match="Static assign cannot be used on elements in arrays") as info:
        k(np.zeros(1, np.int32))
    assert "test_static_assign.py" in str(info.value)


def test_static_of_fields_is_allowed_but_not_of_ndarray_parameters():
    f = qd.field(qd.i32, ())
    g = qd.field(qd.i32, ())

    @qd.kernel
    def k():
        p, q = qd.static(f, g)
        p[None], q[None] = 4, 5

    k()
    assert (f[None], g[None]) == (4, 5)

    @qd.kernel
    def through_static(a: I1):  # an ndarray argument is a global object: qd.static passes it on, as upstream's
        b = qd.static(a)
        b[0] = 1

    z = np.zeros(1, np.int32)
    through_static(z)
    assert z[0] == 1

    @qd.kernel
    def runtime(a: I1, n: qd.i32):
        a[0] = qd.static(n)

    with pytest.raises(qd.QuadrantsCompilationError, match="must be compile-time constants"):
        runtime(z, 3)


def test_zero_d_numpy_array_is_a_number():
    lo = np.array(2, dtype=np.int32)

    @qd.kernel
    def k(a: I1):
        for i in range(lo, 4):
            a[i] = i + lo

    a = np.zeros(4, np.int32)
    k(a)
    assert a.tolist() == [0, 0, 4, 5]
