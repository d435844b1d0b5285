"""docs/semantics.md §6 and §10: distance tests on square roots and guarded appends give the reference's results.

``sqrt`` is correctly rounded, so ``sqrt(x) < c`` has exactly one answer for every ``x``; llvm-cpu decides such tests
on ``x`` against a threshold computed at compile time, and emits a guarded append (``if c: out[i, n] = j; n += 1``)
without a branch (docs/backends/llvm-cpu.md). The inputs sit on both sides of each threshold (bit patterns next to
``c * c``), with negative numbers, signed zeros, subnormals, infinities and NaN, and the append fills some rows to
capacity, so every backend must match the reference exactly, the slots past each row's count included.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]
I32_1 = qd.types.NDArray[qd.i32, 1]
I32_2 = qd.types.NDArray[qd.i32, 2]

H = 1.1
CAP = 5  # slots per row of the appended lists


def _around_squares(cs, count: int = 24) -> np.ndarray:
    """f32 values next to ``c * c`` for each ``c``, plus special values."""
    out = [np.float32(x) for x in (0.0, -0.0, 1e-45, -1e-45, 1e-40, -1.0, np.inf, -np.inf, np.nan, 3.4e38)]
    for c in cs:
        mid = int(np.array(np.float32(c) * np.float32(c)).view(np.uint32))
        out.extend(np.arange(mid - count, mid + count, dtype=np.uint32).view(np.float32))
    return np.array(out, np.float32)


@case(section="6")
def root_compared_with_constants_matches_the_root():
    @qd.kernel
    def tests(x: F32_1, out: I32_2):
        for i in range(x.shape[0]):
            length = qd.sqrt(x[i])
            near = 0 < length < H  # through locals, as norm() in a helper lowers
            out[i, 0] = qd.cast(near, qd.i32)
            out[i, 1] = qd.cast(qd.sqrt(x[i]) <= 0.3, qd.i32)  # inline
            out[i, 2] = qd.cast(2.0 > qd.sqrt(x[i]), qd.i32)  # noqa: SIM300 (the constant on the left)
            out[i, 3] = qd.cast(length >= 0.0, qd.i32)
            out[i, 4] = qd.cast(length > -1.0, qd.i32)

    x = _around_squares([H, 0.3, 2.0])
    out = np.zeros((len(x), 5), np.int32)
    tests(x, out)
    return {"out": out}


@case(section="10")
def guarded_append_fills_rows_like_the_branch():
    @qd.kernel
    def neighbours(p: F32_1, out: I32_2, count: I32_1):
        for i in range(p.shape[0]):
            found = 0
            for j in range(p.shape[0]):
                if found < CAP and j != i and qd.sqrt((p[i] - p[j]) * (p[i] - p[j])) < H:
                    out[i, found] = j
                    found += 1
            count[i] = found

    rng = np.random.default_rng(11)
    p = np.sort(rng.random(61) * 12.0).astype(np.float32)
    p[-8:] = p[-1]  # a dense cluster at the end: the last rows fill to capacity
    out = np.full((len(p), CAP), -3, np.int32)
    count = np.zeros(len(p), np.int32)
    neighbours(p, out, count)
    return {"out": out, "count": count}
