"""A ``@qd.func`` defined in a class binds like a Python method (frontend/funcdef.py ``Func.__get__``): kernel code
calls ``obj.method()`` on a captured object and bound methods kept in lists or variables."""

from __future__ import annotations

import pytest

import quadrants as qd
from quadrants.frontend.funcdef import Func
from quadrants.frontend.values import BoundFunc


@pytest.fixture(autouse=True)
def _session():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


@qd.data_oriented
class Counter:
    def __init__(self):
        self.n = qd.field(qd.i32, shape=())
        self.steps = [self.add_one, self.add_one]

    @qd.func
    def add_one(self):
        self.n[None] += 1


def test_binding_is_pythons():
    c = Counter()
    assert isinstance(Counter.add_one, Func)
    bound = c.add_one
    assert isinstance(bound, BoundFunc) and bound.func is Counter.add_one and bound.target is c


def test_kernel_calls_bound_methods_however_reached():
    c = Counter()

    @qd.kernel
    def k():
        c.add_one()
        for j in qd.static(range(len(c.steps))):
            c.steps[j]()

    k()
    assert c.n[None] == 3


def test_python_scope_call_is_the_kernel_only_error():
    with pytest.raises(qd.QuadrantsSyntaxError, match=r"can only be called from a @qd\.kernel or @qd\.func"):
        Counter().add_one()
