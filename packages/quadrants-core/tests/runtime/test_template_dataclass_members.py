"""A dataclass reached through a ``qd.template()`` parameter is a compile-time value, not flattened: a
``@qd.data_oriented`` member is walked like any data_oriented object (frontend/structs.py). Through a parameter
annotated with the dataclass type it is upstream's error pointing at ``qd.template()``."""

from __future__ import annotations

import dataclasses

import pytest

import quadrants as qd


@pytest.fixture(autouse=True)
def _session():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


@qd.data_oriented
class Inner:
    def __init__(self, y):
        self.y = y


@dataclasses.dataclass(frozen=True)
class Outer:
    inner: Inner


def test_data_oriented_member_of_a_template_dataclass_is_walked():
    y = qd.ndarray(qd.i32, (4,))

    @qd.kernel
    def run(s: qd.template()):
        for i in range(4):
            s.inner.y[i] = i + 11

    run(Outer(Inner(y)))
    assert y.to_numpy().tolist() == [11, 12, 13, 14]


def test_data_oriented_member_of_a_typed_dataclass_points_at_template():
    @qd.kernel
    def run(s: Outer):
        for i in range(4):
            s.inner.y[i] = i

    with pytest.raises(qd.QuadrantsSyntaxError, match=r"@qd\.data_oriented type 'Inner'.*qd\.template\(\)"):
        run(Outer(Inner(qd.ndarray(qd.i32, (4,)))))
