"""docs/buffer-views.md: ``qd.BufferView`` parameters (a 1-D ndarray's ``[offset, offset + size)``), indexing from 0,
``size`` / ``offset`` / ``shape``, ``subview`` and slices in kernels, views passed to funcs, debug bounds checks.

The first case's values were checked against upstream Quadrants 1.3.3 on ``qd.cpu`` (same program, same values).
"""

import dataclasses

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]


@qd.func
def _twice(w: qd.BufferView[qd.f32], i: qd.i32):
    w[i] *= 2.0


def _expected_data():
    data = np.arange(32, dtype=np.float32)
    data[8:24] *= 2.0
    data[8] += 100.0
    return data


@case(
    section="views",
    golden={
        "ret": 8,
        "out": [20.0, 4.0, 10.0, 16.0, 20.0, 2.0, 0.0, 0.0],
        "data": _expected_data().tolist(),
        "host": (8, 16, (16,), 12, 10, 4),
    },
)
def view_parameter_subview_slice_and_func():
    data = qd.ndarray(qd.f32, (32,))
    data.from_numpy(np.arange(32, dtype=np.float32))
    v = data[8:24]

    @qd.kernel
    def k(v: qd.BufferView[qd.f32], out: F32_1) -> qd.i32:
        for i in range(v.size):
            _twice(v, i)
        s = v.subview(2, 4)
        out[0] = s[0]
        out[1] = s.size
        out[2] = s.offset
        out[3] = v.shape[0]
        t = v[1:3]
        out[4] = t[1]
        out[5] = t.size
        qd.atomic_add(v[0], 100.0)
        return v.offset

    out = qd.ndarray(qd.f32, (8,))
    ret = k(v, out)
    host = (v.offset, v.size, v.shape, v.subview(4, 8).offset, v[2:6].offset, v[2:6].size)
    return {"ret": ret, "out": out.to_numpy(), "data": data.to_numpy(), "host": host}


@case(
    section="views",
    golden={
        "data": [0, 0, 100, 101, 102, 0, 0, 0, 0, 0, 200, 201, 202, 203, 204, 205],
        "vec": [[0, 0, 0], [0, 1, 2], [1, 2, 3], [0, 0, 0]],
    },
)
def views_of_different_ranges_share_one_kernel():
    data = qd.ndarray(qd.i32, (16,))

    @qd.kernel
    def fill(v: qd.BufferView[qd.i32], base: qd.i32):
        for i in range(v.size):
            v[i] = base + i

    fill(data[2:5], 100)
    fill(data[10:], 200)  # an open end: up to the ndarray's length
    vec = qd.Vector.ndarray(3, qd.i32, (4,))

    @qd.kernel
    def fill_vec(v: qd.BufferView):  # any element type; vector elements are indexed like scalars
        for i in range(v.size):
            v[i] = qd.Vector([i, i + 1, i + 2])

    fill_vec(vec[1:3])
    return {"data": data.to_numpy(), "vec": vec.to_numpy()}


@case(section="views", raises=(qd.QuadrantsCompilationError, "Cannot loop over the object"))
def struct_for_over_a_view_error():
    """As upstream, a view is no loop range: ``for i in range(v.size)`` is the loop over its indices."""
    data = qd.ndarray(qd.i32, (16,))
    out = qd.ndarray(qd.i32, (5,))

    @qd.kernel
    def struct_for(v: qd.BufferView[qd.i32], o: qd.types.NDArray[qd.i32, 1]):
        for i in v:
            o[i] = v[i]

    struct_for(data[2:5], out)


@case(section="views", debug=True, raises=(qd.QuadrantsAssertionError, "BufferView Out Of Range: kernel[past_end]"))
def index_past_the_view_is_caught_under_debug():
    data = qd.ndarray(qd.f32, (32,))

    @qd.kernel
    def past_end(v: qd.BufferView[qd.f32]):
        for i in range(1):
            v[v.size + i] = 1.0  # inside the ndarray, outside the view

    past_end(data[8:24])
    qd.sync()


@case(section="views", debug=True, raises=(qd.QuadrantsAssertionError, "BufferView subview Out Of Range"))
def subview_past_the_view_is_caught_under_debug():
    data = qd.ndarray(qd.f32, (32,))

    @qd.kernel
    def too_far(v: qd.BufferView[qd.f32]):
        for i in range(1):
            s = v.subview(10 + i, 8)
            s[0] = 1.0

    too_far(data[8:24])
    qd.sync()


@dataclasses.dataclass
class _Holder:
    view: qd.BufferView[qd.i32]
    scale: int


@dataclasses.dataclass
class _UntypedHolder:
    view: qd.BufferView  # no element type: a kernel parameter may be a bare view, a dataclass member may not
    scale: int


@case(section="views", golden={"data": [0, 0, 3, 6, 0, 0, 0, 0]})
def views_as_dataclass_members():
    data = qd.ndarray(qd.i32, (8,))

    @qd.kernel
    def k(h: _Holder):
        for i in range(h.view.size):
            h.view[i] = i * h.scale

    k(_Holder(data[1:4], 3))
    return {"data": data.to_numpy()}


@case(section="views", raises=(qd.QuadrantsCompilationError, "Invalid data type"))
def untyped_view_as_dataclass_member_error():
    data = qd.ndarray(qd.i32, (8,))

    @qd.kernel
    def k(h: _UntypedHolder):
        for i in range(h.view.size):
            h.view[i] = i * h.scale

    k(_UntypedHolder(data[1:4], 3))


@case(section="views", golden={"data": [0, 0, 10, 10, 10, 20, 10, 10]})
def views_as_data_oriented_members():
    data = qd.ndarray(qd.i32, (8,))

    @qd.data_oriented
    class Sim:
        def __init__(self, view):
            self.view = view

        @qd.kernel
        def run(self):
            for i in range(self.view.size):
                self.view[i] += 10

    sim = Sim(data[2:6])
    sim.run()
    sim.view = data[5:8]  # another range: the member's offset and size are run-time arguments
    sim.run()
    return {"data": data.to_numpy()}
