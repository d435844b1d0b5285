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
