"""qd.BufferView (runtime/buffer_view.py, frontend/buffer_views.py): host construction and its errors, the parameter
conversion, one compiled kernel for every range (kernel behaviour on every backend: conformance test_buffer_views)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

import quadrants as qd


@pytest.fixture(autouse=True)
def _session():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_slices_and_subviews_on_the_host():
    data = qd.ndarray(qd.f32, (32,))
    data.from_numpy(np.arange(32, dtype=np.float32))
    v = data[8:24]
    assert isinstance(v, qd.BufferView) and (v.offset, v.size, v.shape) == (8, 16, (16,))
    assert v.arr is data and v.get_ndarray() is data
    assert data[30:40].offset == 30 and data[30:40].size == 2  # Python's clamping of slice ends, as upstream
    assert data[:4].offset == 0 and data[-4:].offset == 28 and data[20:10].size == 0
    s = v.subview(4, 8)
    assert (s.offset, s.size) == (12, 8) and (v[2:6].offset, v[2:6].size) == (10, 4)
    assert v[2:6].to_numpy().tolist() == [10.0, 11.0, 12.0, 13.0]
    b = qd.BufferView(data, offset=16, size=4)
    assert (b.offset, b.size) == (16, 4)
    assert data[3] == 3.0  # an int index still reads an element


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda d: qd.BufferView(d, 30, 5), ValueError, "out of range: offset=30, size=5, ndarray length=32"),
        (lambda d: qd.BufferView(d, -1, 2), ValueError, "out of range"),
        (lambda d: qd.BufferView(d[0:4], 0, 2), TypeError, "Cannot nest BufferView"),
        (lambda d: d[8:24].subview(10, 8), ValueError, "subview out of range: offset=10, size=8, parent size=16"),
        (lambda d: d[8:24][3], TypeError, "host-side indexing requires a slice, got int"),
        (lambda d: d[::2], ValueError, "step=1, got step=2"),
        (lambda d: qd.ndarray(qd.f32, (4, 4))[0:2], TypeError, "requires a 1D array, got shape (4, 4)"),
        (lambda d: qd.BufferView(qd.ndarray(qd.f32, (4,), needs_grad=True), 0, 2), TypeError, "gradients"),
    ],
)
def test_host_errors(make, error, match):
    data = qd.ndarray(qd.f32, (32,))
    with pytest.raises(error, match=re.escape(match)):
        make(data)


def test_fields_are_not_sliced():
    f = qd.field(qd.f32, shape=8)
    with pytest.raises(Exception, match=r"slicing a qd\.field is not supported"):
        f[0:2]


def test_annotations_and_names():
    t = qd.BufferView[qd.f32]
    assert isinstance(t, qd.types.BufferViewType) and t.dtype is qd.f32
    assert repr(t) == "BufferViewType(dtype=f32, boundary=unsafe)" and t == qd.types.BufferViewType(qd.f32)
    assert qd.types.buffer_view_type.BufferViewType is qd.types.BufferViewType
    assert qd.lang.BufferView is qd.BufferView and qd.lang.buffer_view.BufferView is qd.BufferView


def test_parameter_conversion_errors():
    @qd.kernel
    def k(v: qd.BufferView[qd.f32]):
        v[0] = 1.0

    with pytest.raises(TypeError, match="Expect element type f32 for argument v, but get i32"):
        k(qd.ndarray(qd.i32, (4,))[0:2])
    with pytest.raises(qd.QuadrantsRuntimeTypeError, match=r"expected a qd\.BufferView"):
        k(qd.ndarray(qd.f32, (4,)))


def test_one_compiled_kernel_for_every_range():
    data = qd.ndarray(qd.i32, (16,))

    @qd.kernel
    def fill(v: qd.BufferView[qd.i32], base: qd.i32):
        for i in range(v.size):
            v[i] = base + i

    fill(data[0:4], 10)
    fill(data[4:12], 20)
    assert fill.launch_observations.found_kernel_in_materialize_cache  # the second range reused the first compile
    assert data.to_numpy().tolist() == [10, 11, 12, 13, *range(20, 28), 0, 0, 0, 0]


def test_kernel_code_errors():
    data = qd.ndarray(qd.f32, (8,))

    @qd.kernel
    def stepped(v: qd.BufferView[qd.f32]):
        w = v[0:4:2]
        w[0] = 1.0

    with pytest.raises(qd.QuadrantsSyntaxError, match="BufferView slices take no step"):
        stepped(data[0:8])

    @qd.kernel
    def unknown(v: qd.BufferView[qd.f32]):
        v[0] = v.length

    with pytest.raises(qd.QuadrantsSyntaxError, match="BufferView has no attribute 'length'"):
        unknown(data[0:8])

    @qd.kernel
    def float_offset(v: qd.BufferView[qd.f32]):
        w = v.subview(0.5, 2)
        w[0] = 1.0

    with pytest.raises(qd.QuadrantsTypeError, match="offset must be an integer"):
        float_offset(data[0:8])

    @qd.kernel
    def struct_for(v: qd.BufferView[qd.f32]):
        for i in v:  # upstream: a view is no loop range
            v[i] = 1.0

    with pytest.raises(
        qd.QuadrantsCompilationError, match=r"Cannot loop over the object .*BufferView.*range\(v.size\)"
    ):
        struct_for(data[0:8])


@dataclasses.dataclass
class Typed:
    view: qd.BufferView[qd.i32]


@dataclasses.dataclass
class Bare:
    view: qd.BufferView


def test_a_dataclass_member_names_the_element_type():
    @qd.kernel
    def typed(h: Typed):
        h.view[0] = 7

    @qd.kernel
    def bare(h: Bare):
        h.view[0] = 7

    data = qd.ndarray(qd.i32, (4,))
    typed(Typed(data[2:4]))
    assert data.to_numpy().tolist() == [0, 0, 7, 0]
    with pytest.raises(qd.QuadrantsCompilationError, match=r"Invalid data type .*BufferView.* member 'h\.view'"):
        bare(Bare(data[2:4]))


def test_subview_is_frozen_when_made():
    data = qd.ndarray(qd.i32, (8,))

    @qd.kernel
    def k(v: qd.BufferView[qd.i32]):
        o = 1
        s = v.subview(o, 2)
        o = 5  # changing the variable later does not move the view
        s[0] = o

    k(data[0:8])
    assert data.to_numpy().tolist() == [0, 5, 0, 0, 0, 0, 0, 0]


def test_plain_annotation_specializes_on_the_element_type():
    @qd.kernel
    def bump(v: qd.BufferView):
        for i in range(v.size):
            v[i] = v[i] + 1.5

    a, b = qd.ndarray(qd.f32, (4,)), qd.ndarray(qd.i32, (4,))
    bump(a[0:2])
    with pytest.warns(qd.QuadrantsWarning, match="may lose precision"):
        bump(b[1:3])  # an i32 view compiles its own specialization
    bump(a[1:4])
    assert a.to_numpy().tolist() == [1.5, 3.0, 1.5, 1.5] and b.to_numpy().tolist() == [0, 1, 1, 0]
