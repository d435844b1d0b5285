"""One ndarray reaching a kernel through several arguments (``step(x, x)``), read through some and written through
others (docs/semantics.md §10; docs/backends/wgpu.md#one-buffer-passed-as-several-arguments).

Programs written for upstream pass the same array twice; the kernel sees one array under two names, so a store
through one is there for a later load through the other. The cases read and write disjoint elements across lanes
(no element is read by one lane and written by another), so every backend has one answer; the second case has a lane
read back what it stored through the other name. Views, a packed element type, an atomic, a field passed as a
template argument and read as a global, a graph loop and a kernel called with distinct and then aliased arguments
cover the ways one buffer can be bound twice. The values were checked against upstream Quadrants 1.3.3 on ``qd.cpu``.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]
I32_1 = qd.types.NDArray[qd.i32, 1]
U8_1 = qd.types.NDArray[qd.u8, 1]
I32_0 = qd.types.NDArray[qd.i32, 0]


def _ndarray(values: np.ndarray, dtype=qd.f32):
    x = qd.ndarray(dtype, shape=values.shape)
    x.from_numpy(values)
    return x


@case(section="10", golden={"x": [0.0, 1.0, 2.0, 3.0, 4.0, 1.0, 3.0, 5.0, 7.0]})
def one_ndarray_passed_three_times_read_twice_written_once():
    @qd.kernel
    def three(a: F32_1, b: F32_1, c: F32_1, n: qd.i32):
        for i in range(n):
            c[i + n + 1] = a[i] + b[i + 1]

    x = _ndarray(np.arange(9, dtype=np.float32))
    three(x, x, x, 4)
    return {"x": x.to_numpy()}


@case(section="10", golden={"out": [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0]})
def a_lane_reads_back_its_store_through_the_other_argument():
    """Each lane stores ``x[i]`` through ``b`` and then loads it through ``a``: the load sees the store."""

    @qd.kernel
    def store_then_load(a: F32_1, b: F32_1, out: F32_1):
        for i in range(8):
            b[i] = i * 2.0
            out[i] = a[i]

    x = _ndarray(np.full(8, 7.0, np.float32))
    out = _ndarray(np.zeros(8, np.float32))
    store_then_load(x, x, out)
    return {"out": out.to_numpy()}


@case(section="views", golden={"d": [*range(8), *range(0, 16, 2)]})
def two_views_of_one_ndarray_read_and_written():
    @qd.kernel
    def double(src: qd.BufferView[qd.f32], dst: qd.BufferView[qd.f32]):
        for i in range(src.size):
            dst[i] = src[i] * 2.0

    d = _ndarray(np.arange(16, dtype=np.float32))
    double(d[0:8], d[8:16])
    return {"d": d.to_numpy()}


@case(section="10", golden={"x": [0, 1, 2, 3, 4, 1, 2, 3, 4, 5]})
def packed_u8_ndarray_read_and_written_through_two_arguments():
    """u8 elements share 4-byte words: the written half and the read half of one word are one binding."""

    @qd.kernel
    def bump(a: U8_1, b: U8_1):
        for i in range(5):
            b[i + 5] = qd.cast(a[i] + 1, qd.u8)

    x = _ndarray(np.arange(10, dtype=np.uint8), qd.u8)
    bump(x, x)
    return {"x": x.to_numpy()}


@case(section="10", golden={"x": [28, 1, 2, 3, 4, 5, 6, 7]})
def atomic_add_through_one_argument_of_elements_read_through_another():
    @qd.kernel
    def gather(a: I32_1, b: I32_1):
        for i in range(1, 8):
            qd.atomic_add(b[0], a[i])

    x = _ndarray(np.arange(8, dtype=np.int32), qd.i32)
    gather(x, x)
    return {"x": x.to_numpy()}


@case(section="10", golden={"f": [0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 4.0]})
def field_written_through_a_template_argument_and_read_as_a_global():
    f = qd.field(qd.f32, shape=8)

    @qd.kernel
    def shift(t: qd.template()):
        for i in range(4):
            t[i + 4] = f[i] + 1.0

    f.from_numpy(np.arange(8, dtype=np.float32))
    shift(f)
    return {"f": f.to_numpy()}


@case(section="16", golden={"x": [0, 1, 2, 3, 4, 8, 12, 16], "c": 0})
def graph_do_while_over_one_ndarray_passed_twice():
    """Three passes of ``x[i + 4] += x[i]`` with ``x`` passed as both arguments."""

    @qd.kernel(graph=True)
    def accumulate(a: I32_1, b: I32_1, c: I32_0):
        while qd.graph.do_while(c):
            for i in range(4):
                b[i + 4] = a[i] + b[i + 4]
            for _ in range(1):
                c[()] -= 1

    x = _ndarray(np.arange(8, dtype=np.int32), qd.i32)
    c = qd.ndarray(qd.i32, shape=())
    c[()] = 3
    accumulate(x, x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="10", golden={"y": [0, 1, 2, 3, 0, 0, 0, 0], "z": [0, 0, 0, 0, 0, 3, 6, 9]})
def one_kernel_called_with_distinct_then_aliased_then_distinct_arrays():
    """The calls alternate between two arrays and one array twice (a cached kernel, ``fastcache=True``)."""

    @qd.kernel(fastcache=True)
    def triple(a: F32_1, b: F32_1):
        for i in range(4):
            b[i + 4] = a[i] * 3.0

    y = _ndarray(np.arange(8, dtype=np.float32))
    z = _ndarray(np.zeros(8, np.float32))
    triple(y, z)
    triple(y, y)
    triple(z, y)
    return {"y": y.to_numpy(), "z": z.to_numpy()}
