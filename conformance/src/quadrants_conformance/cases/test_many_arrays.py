"""docs/semantics.md §8: a kernel may take many ndarray and field arguments.

Upstream runs kernels with 512 ndarray or field arguments. The cases here take 48 ndarrays of four element types
(and 36 fields): more storage buffers than some adapters let one shader bind (lavapipe: 32), so on the wgpu backend
they exercise the arena fallback (docs/backends/wgpu.md#binding-limits) while every other backend binds them as
usual. A second task in the same kernel reads what the first wrote, and the kernel runs twice. The goldens were
checked against upstream Quadrants 1.3.3 on ``qd.cpu``.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32 = qd.types.NDArray[qd.i32, 1]
F32 = qd.types.NDArray[qd.f32, 1]
U8 = qd.types.NDArray[qd.u8, 1]
I64 = qd.types.NDArray[qd.i64, 1]

N = 5


def _golden_48():
    i = np.arange(N)
    a = np.array([100 * j + i + 2 * (i * 7 + j) for j in range(12)])  # two launches of a[i] += i * 7 + j
    b = np.array([(j * 1.0 + i) * 0.25 + 1.5 * j for j in range(12)])  # b = b * 0.5 + j, twice
    c = np.array([i * 31 + j * 5 for j in range(12)])
    d = np.array([2 * (j + 1) * int(i.sum()) for j in range(12)])  # atomic_add(d[0], i * (j + 1)), twice
    out = {"a": a, "b": b, "c": c, "d": d, "total": a[0] + a[11] + c[5]}
    return {k: v.tolist() for k, v in out.items()}  # lists: compared by value, whatever the dtype


@case(section="8", golden=_golden_48())
def kernel_with_48_ndarray_arguments():
    @qd.kernel
    def many(
        a0: I32, a1: I32, a2: I32, a3: I32, a4: I32, a5: I32, a6: I32, a7: I32, a8: I32, a9: I32, a10: I32, a11: I32,
        b0: F32, b1: F32, b2: F32, b3: F32, b4: F32, b5: F32, b6: F32, b7: F32, b8: F32, b9: F32, b10: F32, b11: F32,
        c0: U8, c1: U8, c2: U8, c3: U8, c4: U8, c5: U8, c6: U8, c7: U8, c8: U8, c9: U8, c10: U8, c11: U8,
        d0: I64, d1: I64, d2: I64, d3: I64, d4: I64, d5: I64, d6: I64, d7: I64, d8: I64, d9: I64, d10: I64, d11: I64,
        total: I32,
    ):  # fmt: skip
        for i in range(N):
            for j, x in qd.static(enumerate((a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11))):
                x[i] += i * 7 + j
            for j, x in qd.static(enumerate((b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11))):
                x[i] = x[i] * 0.5 + j
            for j, x in qd.static(enumerate((c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11))):
                x[i] = i * 31 + j * 5
            for j, x in qd.static(enumerate((d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11))):
                qd.atomic_add(x[0], i * (j + 1))
        for i in range(N):  # a second task: sees the first one's writes
            total[i] = a0[i] + a11[i] + c5[i]

    a = [qd.ndarray(qd.i32, (N,)) for _ in range(12)]
    b = [qd.ndarray(qd.f32, (N,)) for _ in range(12)]
    c = [qd.ndarray(qd.u8, (N,)) for _ in range(12)]
    d = [qd.ndarray(qd.i64, (N,)) for _ in range(12)]
    total = qd.ndarray(qd.i32, (N,))
    for j in range(12):
        a[j].from_numpy(100 * j + np.arange(N, dtype=np.int32))
        b[j].from_numpy(j + np.arange(N, dtype=np.float32))
    many(*a, *b, *c, *d, total)
    many(*a, *b, *c, *d, total)
    return {
        "a": np.stack([x.to_numpy() for x in a]),
        "b": np.stack([x.to_numpy() for x in b]),
        "c": np.stack([x.to_numpy() for x in c]),
        "d": np.stack([x.to_numpy()[0] for x in d]),
        "total": total.to_numpy(),
    }


@case(section="8", golden={"f": [[2 * (j + 1) + k for k in range(3)] for j in range(36)]})
def kernel_with_36_field_arguments():
    @qd.kernel
    def many(
        f0: qd.template(), f1: qd.template(), f2: qd.template(), f3: qd.template(), f4: qd.template(),
        f5: qd.template(), f6: qd.template(), f7: qd.template(), f8: qd.template(), f9: qd.template(),
        f10: qd.template(), f11: qd.template(), f12: qd.template(), f13: qd.template(), f14: qd.template(),
        f15: qd.template(), f16: qd.template(), f17: qd.template(), f18: qd.template(), f19: qd.template(),
        f20: qd.template(), f21: qd.template(), f22: qd.template(), f23: qd.template(), f24: qd.template(),
        f25: qd.template(), f26: qd.template(), f27: qd.template(), f28: qd.template(), f29: qd.template(),
        f30: qd.template(), f31: qd.template(), f32: qd.template(), f33: qd.template(), f34: qd.template(),
        f35: qd.template(),
    ):  # fmt: skip
        for k in range(3):  # two static loops of 18 (upstream warns about unrolling more than 32 iterations)
            for j, f in qd.static(enumerate((f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15,
                                             f16, f17))):  # fmt: skip
                f[k] += j + 1 + k
            for j, f in qd.static(enumerate((f18, f19, f20, f21, f22, f23, f24, f25, f26, f27, f28, f29, f30, f31,
                                             f32, f33, f34, f35))):  # fmt: skip
                f[k] += j + 19 + k

    fs = [qd.field(qd.i32, shape=(3,)) for _ in range(36)]
    for j in range(36):
        fs[j].from_numpy(np.full(3, j + 1, np.int32))
    many(*fs)
    return {"f": np.stack([f.to_numpy() for f in fs])}
