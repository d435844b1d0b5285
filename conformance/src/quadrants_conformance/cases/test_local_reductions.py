"""docs/semantics.md §12, "Reductions into an outer local" (docs/language.md, "Reductions into a local").

A local declared at kernel scope before a parallel loop is one variable shared by every iteration: ``+= -= &= |= ^=``
and every ``qd.atomic_*`` on it inside the loop are atomic, so after the loop it holds the sum, maximum, ... . Every
golden here was checked against upstream Quadrants 1.3.3 on ``qd.cpu``. The loops are long enough (up to 200 000
iterations) to run on several threads, warps and workgroups. Float inputs are multiples of 1/4 whose partial sums
stay exact in any order, except in the one case that checks the ``reduction`` tolerance.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
I32_2 = qd.types.NDArray[qd.i32, 2]
U32_1 = qd.types.NDArray[qd.u32, 1]
I64_1 = qd.types.NDArray[qd.i64, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
F32_2 = qd.types.NDArray[qd.f32, 2]
F64_1 = qd.types.NDArray[qd.f64, 1]

N = 200_000


def _ints(n: int = N) -> np.ndarray:
    """Deterministic i32 inputs in [-500, 500] with a known sum, max, min and bit pattern."""
    i = np.arange(n, dtype=np.int64)
    return ((i * 7919) % 1001 - 500).astype(np.int32)


def _quarters(n: int = N) -> np.ndarray:
    """Deterministic f32 multiples of 1/4 in [-8, 8]: every partial sum is exact in f32 whatever the order."""
    i = np.arange(n, dtype=np.int64)
    return (((i * 7919) % 65) - 32).astype(np.float32) * np.float32(0.25)


@case(section="12", golden={"s": 1789})
def sum_into_local_is_returned():
    @qd.kernel
    def k(a: I32_1) -> qd.i32:
        s = 0
        for i in range(a.shape[0]):
            s += a[i]
        return s

    return {"s": k(_ints())}


@case(
    section="12",
    golden={"r": [1789, -1789, 500, -500, 0, 1023, 95, 500]},
)
def every_integer_op_via_augmented_assignment_and_calls():
    @qd.kernel
    def k(a: I32_1, r: I32_1):
        add = 0
        sub = 0
        mx = -1000
        mn = 1000
        band = -1
        bor = 0
        bxor = 0
        cmax = -1000
        for i in range(a.shape[0]):
            add += a[i]
            sub -= a[i]
            qd.atomic_max(mx, a[i])
            qd.atomic_min(mn, a[i])
            band &= a[i] + 512
            bor |= a[i] + 512
            bxor ^= a[i] + 512
            qd.atomic_max(cmax, a[i] * 1)
        r[0] = add
        r[1] = sub
        r[2] = mx
        r[3] = mn
        r[4] = band
        r[5] = bor
        r[6] = bxor
        r[7] = cmax

    r = qd.ndarray(qd.i32, shape=(8,))
    k(_ints(), r)
    return {"r": r.to_numpy()}


@case(section="12", golden={"r": [1789, -1789, 0, 1023, 95, -32, 5]})
def every_atomic_call_on_a_local():
    @qd.kernel
    def k(a: I32_1, r: I32_1):
        add = 0
        sub = 0
        band = -1
        bor = 0
        bxor = 0
        mul = 1
        cas = 0
        for i in range(a.shape[0]):
            qd.atomic_add(add, a[i])
            qd.atomic_sub(sub, a[i])
            qd.atomic_and(band, a[i] + 512)
            qd.atomic_or(bor, a[i] + 512)
            qd.atomic_xor(bxor, a[i] + 512)
            if i % 40000 == 0:
                qd.atomic_mul(mul, -2)
            qd.atomic_cas(cas, 0, 5)
        r[0] = add
        r[1] = sub
        r[2] = band
        r[3] = bor
        r[4] = bxor
        r[5] = mul
        r[6] = cas

    r = qd.ndarray(qd.i32, shape=(7,))
    k(_ints(), r)
    return {"r": r.to_numpy()}


@case(section="12", golden={"s": 7, "tickets": list(range(100)), "x": 100})
def atomic_exchange_and_tickets_on_a_local():
    @qd.kernel
    def k(t: I32_1) -> qd.i32:
        e = -1
        x = 0
        for i in range(100):
            qd.atomic_exchange(e, 7)
            t[i] = qd.atomic_add(x, 1)  # the old values are distinct tickets 0..99
        return e * 1000 + x

    t = qd.ndarray(qd.i32, shape=(100,))
    r = k(t)
    return {"s": r // 1000, "tickets": np.sort(t.to_numpy()), "x": r % 1000}


@case(section="12", golden={"r": [4294967296 - 100 * 1000, 999, 0, 4294967295]})
def u32_reductions_wrap():
    @qd.kernel
    def k(r: U32_1):
        s = qd.u32(0)
        mx = qd.u32(0)
        mn = qd.u32(4294967295)
        bor = qd.u32(0)
        for i in range(1000):
            s -= qd.u32(100)
            qd.atomic_max(mx, qd.u32(i))
            qd.atomic_min(mn, qd.u32(i))
            bor |= qd.u32(1) << qd.u32(i % 32)
        r[0] = s
        r[1] = mx
        r[2] = mn
        r[3] = bor

    r = qd.ndarray(qd.u32, shape=(4,))
    k(r)
    return {"r": r.to_numpy()}


@case(section="12", requires=("i64",), golden={"s": 1_789_000_000_000, "bits": [65535, 1023 << 32, 95 << 32]})
def i64_sum_and_bitwise():
    @qd.kernel
    def k(a: I32_1, bits: I64_1) -> qd.i64:
        s = qd.i64(0)
        band = qd.i64(-1)
        bor = qd.i64(0)
        bxor = qd.i64(0)
        for i in range(a.shape[0]):
            s += qd.cast(a[i], qd.i64) * 1_000_000_000
            high = qd.cast(a[i] + 512, qd.i64) << 32  # exercises the high word
            band &= high | 0xFFFF
            bor |= high
            bxor ^= high
        bits[0] = band
        bits[1] = bor
        bits[2] = bxor
        return s

    bits = qd.ndarray(qd.i64, shape=(3,))
    s = k(_ints(), bits)
    return {"s": s, "bits": bits.to_numpy()}


@case(section="12", requires=("i64", "atomic:i64"), golden={"r": [500_000_000_000, -500_000_000_000]})
def i64_min_max():
    @qd.kernel
    def k(a: I32_1, r: I64_1):
        mx = qd.i64(0)
        mn = qd.i64(0)
        for i in range(a.shape[0]):
            qd.atomic_max(mx, qd.cast(a[i], qd.i64) * 1_000_000_000)
            qd.atomic_min(mn, qd.cast(a[i], qd.i64) * 1_000_000_000)
        r[0] = mx
        r[1] = mn

    r = qd.ndarray(qd.i64, shape=(2,))
    k(_ints(), r)
    return {"r": r.to_numpy()}


@case(section="12", requires=("atomic:f32",), golden={"r": [-1.25, 8.0, -8.0, 1.25]})
def f32_exact_sum_min_max():
    @qd.kernel
    def k(a: F32_1, r: F32_1):
        s = 0.0
        mx = -1e30
        mn = 1e30
        t = 0.0
        for i in range(a.shape[0]):
            s += a[i]
            qd.atomic_max(mx, a[i])
            qd.atomic_min(mn, a[i])
            qd.atomic_sub(t, a[i])
        r[0] = s
        r[1] = mx
        r[2] = mn
        r[3] = t

    r = qd.ndarray(qd.f32, shape=(4,))
    k(_quarters(), r)
    return {"r": r.to_numpy()}


@case(section="12", requires=("atomic:f32",), tol="reduction", golden={"s": [900.0]})
def f32_sum_within_reduction_tolerance():
    @qd.kernel
    def k(s_out: F32_1, n: qd.i32):
        s = 0.0
        for i in range(n):
            s += (i % 10) * 0.1  # not exact in f32: the rounding depends on the order
        s_out[0] = s

    s = qd.ndarray(qd.f32, shape=(1,))
    k(s, 2000)
    return {"s": s.to_numpy()}


@case(section="12", requires=("f64",), golden={"r": [-1.25, 8.0, -8.0]})
def f64_sum_min_max():
    @qd.kernel
    def k(a: F32_1, r: F64_1):
        s = qd.f64(0.0)
        mx = qd.f64(-1e300)
        mn = qd.f64(1e300)
        for i in range(a.shape[0]):
            v = qd.cast(a[i], qd.f64)
            s += v
            qd.atomic_max(mx, v)
            qd.atomic_min(mn, v)
        r[0] = s
        r[1] = mx
        r[2] = mn

    r = qd.ndarray(qd.f64, shape=(3,))
    k(_quarters(), r)
    return {"r": r.to_numpy()}


@case(section="12", requires=("atomic:f32",), golden={"s": 1789, "m": 500.0, "cells": 200_000})
def ndrange_reduction():
    @qd.kernel
    def k(a: I32_2, f: F32_2) -> tuple[qd.i32, qd.f32, qd.i32]:
        s = 0
        m = -1e30
        cells = 0
        for i, j in qd.ndrange(a.shape[0], a.shape[1]):
            s += a[i, j]
            qd.atomic_max(m, f[i, j])
            cells += 1
        return s, m, cells

    a = _ints().reshape(400, 500)
    s, m, cells = k(a, a.astype(np.float32))
    return {"s": s, "m": m, "cells": cells}


@case(section="12", golden={"r": [1789, 28419, 500, 600]})
def reduction_inside_funcs_branches_and_nested_loops():
    @qd.func
    def square(v):
        return v * v

    @qd.func
    def total(a: I32_1):
        s = 0
        for i in range(a.shape[0]):
            s += a[i]
        return s

    @qd.func
    def count_big(a: I32_1, limit: qd.i32):
        c = 0
        for i in range(a.shape[0]):
            if a[i] > limit:
                for _ in range(3):
                    c += 1
        return c

    @qd.kernel
    def k(a: I32_1, r: I32_1):
        r[0] = total(a)
        sq = 0
        m = 0
        for i in range(1000):
            sq += square(a[i] % 10)
            qd.atomic_max(m, a[i])
        r[1] = sq
        r[2] = m
        r[3] = count_big(a, 499)

    r = qd.ndarray(qd.i32, shape=(4,))
    k(_ints(), r)
    return {"r": r.to_numpy()}


@case(section="12", golden={"r": [200_000, 400_000, 100_000, 266_666]})
def reduced_local_seen_by_later_statements_and_loops():
    @qd.kernel
    def k(a: I32_1, r: I32_1):
        n = 0
        for _i in range(a.shape[0]):
            n += 1
        r[0] = n  # a serial statement sees the total
        half = n // 2
        for _i in range(half):  # a later loop's bound
            n += 2
        r[1] = n
        r[2] = half
        m = 0
        for _i in range(n // 3):  # the second reduction into n is complete here too
            m += 2
        r[3] = m

    r = qd.ndarray(qd.i32, shape=(4,))
    k(_ints(), r)
    return {"r": r.to_numpy()}


@case(section="12", golden={"v": [1789, 200_000], "w": [500, -500]})
def vector_local_reduces_per_component():
    @qd.kernel
    def k(a: I32_1, w_out: I32_1) -> qd.types.vector(2, qd.i32):
        v = qd.Vector([0, 0])
        w = qd.Vector([-1000, 1000])
        for i in range(a.shape[0]):
            v += qd.Vector([a[i], 1])
            qd.atomic_max(w[0], a[i])  # one component of a local vector
            qd.atomic_min(w[1], a[i])
        w_out[0] = w[0]
        w_out[1] = w[1]
        return v

    w = qd.ndarray(qd.i32, shape=(2,))
    v = k(_ints(), w)
    return {"v": v, "w": w.to_numpy()}


@case(section="12", golden={"s": 6, "p": [0, 1, 2, 3]})
def local_declared_in_the_loop_is_private():
    @qd.kernel
    def k(p: I32_1) -> qd.i32:
        s = 0
        for i in range(4):
            t = 0
            for _j in range(i):
                t += 1
            p[i] = t
            s += t
        return s

    p = qd.ndarray(qd.i32, shape=(4,))
    s = k(p)
    return {"s": s, "p": p.to_numpy()}


@case(
    section="12",
    warns=(qd.QuadrantsWarning, "Atomic add may lose precision"),
    golden={"s": 0},
)
def operand_converts_to_the_local_type_per_update():
    @qd.kernel
    def k(n: qd.i32) -> qd.i32:
        s = 0
        for _i in range(n):
            s += 0.6  # each update adds i32(0.6) == 0, as on a global element
        return s

    return {"s": k(10)}
