"""Stencil loops over two and three axes (docs/semantics.md §10; docs/backends/gpu.md#row-blocked-lanes).

GPU backends run such loops with several rows per lane and reuse the loads that neighbouring rows share (issue 18).
These cases pin down what must not change: every point computed once, rows counts that are not a multiple of the
rows per lane, a ``continue`` and an atomic inside the body, and arrays that overlap (the same ndarray passed as the
read and the written argument), which must give the result of the plain loop. Values are small integers in f32, so
every backend's sums are exact.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_2 = qd.types.NDArray[qd.f32, 2]
F32_3 = qd.types.NDArray[qd.f32, 3]
I32_1 = qd.types.NDArray[qd.i32, 1]


def _grid(shape, seed: int) -> np.ndarray:
    return (np.arange(np.prod(shape)).reshape(shape) * seed % 17).astype(np.float32)


def _ndarray(values: np.ndarray, dtype=qd.f32):
    x = qd.ndarray(dtype, shape=values.shape)
    x.from_numpy(values)
    return x


def _jacobi_numpy(a: np.ndarray) -> np.ndarray:
    out = np.zeros_like(a)
    out[1:-1, 1:-1] = 0.25 * (a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:])
    return out


@case(section="10", golden={"exact": [True, True, True, True]})
def jacobi_with_row_counts_not_a_multiple_of_four():
    """Interior rows 9, 4, 1 and 6 (a tail block of 1, a whole block, a tail alone, a block and a tail of 2)."""

    @qd.kernel
    def jacobi(a: F32_2, b: F32_2):
        for i, j in qd.ndrange((1, a.shape[0] - 1), (1, a.shape[1] - 1)):
            b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])

    out, exact = {}, []
    for k, shape in enumerate([(11, 7), (6, 5), (3, 9), (8, 33)]):
        a = _grid(shape, 5 + k)
        b = qd.ndarray(qd.f32, shape=shape)
        jacobi(_ndarray(a), b)
        out[f"b{k}"] = b.to_numpy()
        exact.append(bool(np.array_equal(out[f"b{k}"], _jacobi_numpy(a))))
    out["exact"] = exact
    return out


@case(section="10", golden={"exact": True, "counts": [8, 8, 8]})
def stencil_with_continue_and_an_atomic_in_the_body():
    """Rows with ``i % 3 == 1`` are skipped by ``continue``; each computed point counts itself in ``n[(i + j) % 3]``."""

    @qd.kernel
    def k(a: F32_2, b: F32_2, n: I32_1):
        for i, j in qd.ndrange((1, a.shape[0] - 1), (0, a.shape[1])):
            if i % 3 == 1:
                continue
            b[i, j] = a[i - 1, j] + a[i + 1, j]
            qd.atomic_add(n[(i + j) % 3], 1)

    a = _grid((14, 3), 7)
    b = qd.ndarray(qd.f32, shape=(14, 3))
    n = qd.ndarray(qd.i32, shape=(3,))
    k(_ndarray(a), b, n)
    want = np.zeros_like(a)
    rows = [r for r in range(1, 13) if r % 3 != 1]
    want[rows] = a[[r - 1 for r in rows]] + a[[r + 1 for r in rows]]
    return {"b": b.to_numpy(), "exact": bool(np.array_equal(b.to_numpy(), want)), "counts": n.to_numpy()}


@case(section="10", golden={"exact": True, "counts": [8, 8, 8]})
def stencil_with_an_if_and_an_atomic_in_the_body():
    """The same rows skipped by an ``if`` (a ``continue`` makes the frontend wrap the body in a loop of one trip,
    which GPUs keep on the plain lanes; an ``if`` keeps it light, so GPUs block its rows)."""

    @qd.kernel
    def k(a: F32_2, b: F32_2, n: I32_1):
        for i, j in qd.ndrange((1, a.shape[0] - 1), (0, a.shape[1])):
            if i % 3 != 1:
                b[i, j] = a[i - 1, j] + a[i + 1, j]
                qd.atomic_add(n[(i + j) % 3], 1)

    a = _grid((14, 3), 7)
    b = qd.ndarray(qd.f32, shape=(14, 3))
    n = qd.ndarray(qd.i32, shape=(3,))
    k(_ndarray(a), b, n)
    want = np.zeros_like(a)
    rows = [r for r in range(1, 13) if r % 3 != 1]
    want[rows] = a[[r - 1 for r in rows]] + a[[r + 1 for r in rows]]
    return {"b": b.to_numpy(), "exact": bool(np.array_equal(b.to_numpy(), want)), "counts": n.to_numpy()}


@case(section="10", golden={"exact": True})
def three_axis_stencil_blocks_the_middle_axis():
    @qd.kernel
    def k(a: F32_3, b: F32_3):
        for t, i, j in qd.ndrange(a.shape[0], (1, a.shape[1] - 1), a.shape[2]):
            b[t, i, j] = a[t, i - 1, j] - 2.0 * a[t, i, j] + a[t, i + 1, j]

    a = _grid((3, 10, 5), 3)
    b = qd.ndarray(qd.f32, shape=a.shape)
    k(_ndarray(a), b)
    want = np.zeros_like(a)
    want[:, 1:-1] = a[:, :-2] - 2.0 * a[:, 1:-1] + a[:, 2:]
    return {"b": b.to_numpy(), "exact": bool(np.array_equal(b.to_numpy(), want))}


def _halves(h: int, m: int):
    """Rows 0..h of a (2h + 1) × m grid, rows h + 1.. at -1, and the expected grid after rows h + 1 + i = row i + row
    i + 1."""
    start = _grid((2 * h + 1, m), 11)
    start[h + 1 :] = -1.0
    want = start.copy()
    want[h + 1 :] = start[:h] + start[1 : h + 1]
    return start, want


@case(section="10", golden={"exact": True})
def stencil_whose_read_and_written_arrays_are_one_ndarray():
    """The same ndarray passed as ``a`` and ``b`` (rows 0..h read, rows h + 1..2h written: no element both): the
    arrays overlap, so GPUs take the plain loop, and the result is that of the loop."""

    @qd.kernel
    def two(a: F32_2, b: F32_2, h: qd.i32):
        for i, j in qd.ndrange(h, a.shape[1]):
            b[i + h + 1, j] = a[i, j] + a[i + 1, j]

    start, want = _halves(7, 5)
    x = _ndarray(start)
    two(x, x, 7)
    return {"x": x.to_numpy(), "exact": bool(np.array_equal(x.to_numpy(), want))}


@case(section="10", golden={"exact": True})
def stencil_reading_and_writing_one_array_parameter():
    """The same with one parameter read at two rows and written at a third (never lane-own): no row blocks."""

    @qd.kernel
    def one(x: F32_2, h: qd.i32):
        for i, j in qd.ndrange(h, x.shape[1]):
            x[i + h + 1, j] = x[i, j] + x[i + 1, j]

    start, want = _halves(7, 5)
    y = _ndarray(start)
    one(y, 7)
    return {"y": y.to_numpy(), "exact": bool(np.array_equal(y.to_numpy(), want))}
