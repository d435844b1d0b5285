"""docs/semantics.md §12 on 64-bit integers: every atomic on i64/u64 elements, with values that need all 64 bits.

Backends that cannot make 64-bit atomics linearizable (the wgpu backend without ``shader-int64-atomic-all-ops``)
do not claim ``atomic:i64`` and report these cases as ``unsupported``.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I64_1 = qd.types.NDArray[qd.i64, 1]
U64_1 = qd.types.NDArray[qd.u64, 1]
BIG = 2**40


MASK = 0x0F0F0F0F0F0F0F0F


@case(
    section="12",
    requires=("atomic:i64",),
    golden={
        "old": [BIG] * 5 + [-1, -(2**35), -1] + [BIG] * 3,
        "x": [BIG + 5 * 2**33, BIG - 2**35, 3 * 2**60, -(2**62), BIG, MASK, -(2**35) | MASK, ~MASK, 2**63 - 1,
              -(2**63), BIG],
    },
)  # fmt: skip
def every_i64_atomic_returns_old_value():
    # operands from an ndarray: every one needs more than 32 bits
    @qd.kernel
    def k(x: I64_1, v: I64_1, o: I64_1):
        o[0] = qd.atomic_add(x[0], v[0])
        o[1] = qd.atomic_sub(x[1], v[1])
        o[2] = qd.atomic_mul(x[2], v[2])
        o[3] = qd.atomic_min(x[3], v[3])
        o[4] = qd.atomic_max(x[4], v[4])
        o[5] = qd.atomic_and(x[5], v[5])
        o[6] = qd.atomic_or(x[6], v[6])
        o[7] = qd.atomic_xor(x[7], v[7])
        o[8] = qd.atomic_exchange(x[8], v[8])
        o[9] = qd.atomic_cas(x[9], v[9], v[10])  # succeeds: x[9] == v[9]
        o[10] = qd.atomic_cas(x[10], v[10], v[9])  # fails: x unchanged, old returned

    start = [BIG, BIG, BIG, BIG, BIG, -1, -(2**35), -1, BIG, BIG, BIG]
    ops = [5 * 2**33, 2**35, 3 * 2**20, -(2**62), -BIG, MASK, MASK, MASK, 2**63 - 1, BIG, -(2**63)]
    x, v, o = (qd.ndarray(qd.i64, shape=(11,)) for _ in range(3))
    x.from_numpy(np.array(start, dtype=np.int64))
    v.from_numpy(np.array(ops, dtype=np.int64))
    k(x, v, o)
    return {"old": o.to_numpy(), "x": x.to_numpy()}


@case(
    section="12",
    requires=("atomic:u64",),
    golden={"x": np.array([2**64 - 1 - 4096 * 255, 2**63 + 4095, 255 * 2**40, 2**64 - 1 - 4095 * 2**51], np.uint64)},
)
def u64_atomics_in_parallel():
    @qd.kernel
    def k(x: U64_1):
        for i in range(4096):
            qd.atomic_sub(x[0], qd.u64(255))  # borrows across the 32-bit halves
            qd.atomic_max(x[1], qd.u64(2**63) + qd.u64(i))  # above the i64 range: unsigned comparison
            qd.atomic_add(x[2], qd.u64(i % 2) * qd.u64(2**32) * qd.u64(255) // qd.u64(4096) * qd.u64(2**9))
            qd.atomic_min(x[3], qd.u64(2**64 - 1) - qd.u64(i) * qd.u64(2**51))

    x = qd.ndarray(qd.u64, shape=(4,))
    x.from_numpy(np.array([2**64 - 1, 0, 0, 2**64 - 1], np.uint64))
    k(x)
    return {"x": x.to_numpy()}


@case(section="12", requires=("atomic:i64",), golden={"out": list(range(300)), "cnt": [300 + 2**33]})
def i64_atomic_add_unique_slots():
    @qd.kernel
    def k(out: I64_1, cnt: I64_1):
        for i in range(300):
            slot = qd.atomic_add(cnt[0], 1) - qd.i64(2**33)
            out[slot] = i

    out = qd.ndarray(qd.i64, shape=(300,))
    cnt = qd.ndarray(qd.i64, shape=(1,))
    cnt[0] = 2**33
    k(out, cnt)
    return {"out": np.sort(out.to_numpy()), "cnt": cnt.to_numpy()}
