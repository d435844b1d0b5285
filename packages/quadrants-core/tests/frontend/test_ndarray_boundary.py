"""``qd.types.ndarray(boundary="clamp")``: clamped indices (frontend/exprs.py, frontend/matrix.py, docs/types.md)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import nodes as ir
from quadrants.ir.ops import Op
from quadrants.ir.walk import iter_stmts, iter_tasks


@pytest.fixture
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_annotation_records_the_boundary():
    assert qd.types.ndarray().boundary == "unsafe"
    assert qd.types.ndarray(qd.f32, 1, boundary="clamp").boundary == "clamp"
    assert qd.types.ndarray(boundary=qd.types.enums.BoundaryMode.CLAMP).boundary == "clamp"
    with pytest.raises(ValueError, match="Invalid boundary argument: wrap"):
        qd.types.ndarray(boundary="wrap")


def _ops(kernel) -> set:
    found = set()

    def visit(e):
        if isinstance(e, ir.OpExpr):
            found.add(e.op)
            for a in e.args:
                visit(a)

    for task in iter_tasks(kernel._last.program.items):
        for s in iter_stmts(task.body):
            for idx in getattr(s, "indices", ()):
                visit(idx)
    return found


def test_clamped_indices_only_where_asked(ref):
    @qd.kernel
    def clamped(x: qd.types.ndarray(boundary="clamp"), i: qd.i32) -> qd.f32:
        return x[i]

    @qd.kernel
    def plain(x: qd.types.ndarray(), i: qd.i32) -> qd.f32:
        return x[i]

    x = qd.ndarray(qd.f32, (4,))
    x.from_numpy(np.arange(4, dtype=np.float32))
    assert [clamped(x, i) for i in (-3, 0, 2, 9)] == [0.0, 0.0, 2.0, 3.0]
    assert {Op.MIN, Op.MAX} <= _ops(clamped)
    assert plain(x, 1) == 1.0 and not {Op.MIN, Op.MAX} & _ops(plain)


def test_a_copied_element_is_not_clamped(ref):
    @qd.kernel
    def k(x: qd.types.ndarray(boundary="clamp"), i: qd.i32) -> qd.f32:
        v = x[0]  # a local copy: upstream clamps only accesses through the ndarray
        return v[i] + x[0][i]

    x = qd.ndarray(qd.math.vec2, (1,))
    x.from_numpy(np.array([[1.0, 2.0]], np.float32))
    assert k(x, 1) == 4.0

    @qd.kernel
    def direct(x: qd.types.ndarray(boundary="clamp"), i: qd.i32) -> qd.f32:
        return x[0][i]

    assert [direct(x, i) for i in (-1, 0, 1, 5)] == [1.0, 1.0, 2.0, 2.0]
