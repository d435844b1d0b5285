"""``qd.volatile_load`` (frontend/misc_api.py): the element read is the element itself; upstream's argument rule
decides which arguments are errors, and with which class."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.ir import nodes as ir
from quadrants.ir.walk import iter_stmts, iter_tasks

I32_1 = qd.types.NDArray[qd.i32, 1]
LVALUE, NOT_GLOBAL = "requires an lvalue", "requires a global lvalue"


def test_an_ndarray_element_is_read_once_and_stored(lower):
    @qd.kernel
    def k(x: I32_1):
        x[1] = qd.volatile_load(x[0])

    program = lower(k, np.zeros(2, np.int32), optimize=False)
    stmts = [s for t in iter_tasks(program.items) for s in iter_stmts(t.body)]
    assert sum(isinstance(s, ir.Load) for s in stmts) == 1
    assert sum(isinstance(s, ir.Store) for s in stmts) == 1


def _kernel(kind):
    @qd.func
    def through_param(v: qd.i32) -> qd.i32:
        return qd.volatile_load(v)

    @qd.kernel
    def k(x: I32_1, n: qd.i32):
        v = x[0]
        w = qd.Vector([x[0], x[1]])
        if qd.static(kind == "local"):
            x[1] = qd.volatile_load(v)
        if qd.static(kind == "local_vector_element"):
            x[1] = qd.volatile_load(w[0])
        if qd.static(kind == "func_param"):
            x[1] = through_param(x[0])
        if qd.static(kind == "constant"):
            x[1] = qd.volatile_load(3)
        if qd.static(kind == "expression"):
            x[1] = qd.volatile_load(x[0] * 2)
        if qd.static(kind == "scalar_argument"):
            x[1] = qd.volatile_load(n)
        if qd.static(kind == "whole_ndarray"):
            x[1] = qd.volatile_load(x)

    return k


@pytest.mark.parametrize(
    "kind, error, fragment",
    [
        ("local", QuadrantsTypeError, NOT_GLOBAL),
        ("local_vector_element", QuadrantsTypeError, NOT_GLOBAL),
        ("func_param", QuadrantsTypeError, NOT_GLOBAL),
        ("constant", QuadrantsSyntaxError, LVALUE),
        ("expression", QuadrantsSyntaxError, LVALUE),
        ("scalar_argument", QuadrantsSyntaxError, LVALUE),
        ("whole_ndarray", QuadrantsSyntaxError, LVALUE),
    ],
)
def test_arguments_that_are_no_global_element_are_upstreams_errors(lower, kind, error, fragment):
    with pytest.raises(error, match=fragment) as info:
        lower(_kernel(kind), np.zeros(2, np.int32), 3, optimize=False)
    assert info.type is error  # TypeError for a local, SyntaxError otherwise: not one for the other


def test_python_scope_is_an_error(session):
    with pytest.raises(QuadrantsSyntaxError, match=LVALUE):
        qd.volatile_load(5)

    class WholeField:  # what the frontend can see of a field without importing the runtime
        _is_quadrants_field = True

    with pytest.raises(QuadrantsSyntaxError, match=r"cannot pass a Field directly to 'qd\.volatile_load'"):
        qd.volatile_load(WholeField())
