"""docs/semantics.md §12: atomics and augmented assignment.

Returned old values depend on the order of the lanes, so they are only observed in order-independent ways: from a
single serial statement, as a sorted array, or as a set of unique slots.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
U32_1 = qd.types.NDArray[qd.u32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
I32_0 = qd.types.NDArray[qd.i32, 0]
F32_0 = qd.types.NDArray[qd.f32, 0]


@case(
    section="12",
    golden={
        "old": [10, 10, 10, 10, 10, 12, 12, 12, 10, 10, 10],
        "x": [15, 7, 30, 4, 40, 8, 15, 6, 99, 77, 10],
    },
)
def every_atomic_returns_old_value():
    @qd.kernel
    def k(x: I32_1, o: I32_1):
        o[0] = qd.atomic_add(x[0], 5)
        o[1] = qd.atomic_sub(x[1], 3)
        o[2] = qd.atomic_mul(x[2], 3)
        o[3] = qd.atomic_min(x[3], 4)
        o[4] = qd.atomic_max(x[4], 40)
        o[5] = qd.atomic_and(x[5], 10)
        o[6] = qd.atomic_or(x[6], 3)
        o[7] = qd.atomic_xor(x[7], 10)
        o[8] = qd.atomic_exchange(x[8], 99)
        o[9] = qd.atomic_cas(x[9], 10, 77)  # succeeds
        o[10] = qd.atomic_cas(x[10], 11, 77)  # fails: x unchanged, old returned

    x = qd.ndarray(qd.i32, shape=(11,))
    x.from_numpy(np.array([10, 10, 10, 10, 10, 12, 12, 12, 10, 10, 10], dtype=np.int32))
    o = qd.ndarray(qd.i32, shape=(11,))
    k(x, o)
    return {"old": o.to_numpy(), "x": x.to_numpy()}


@case(section="12", golden={"out": list(range(16)), "cnt": 16})
def atomic_add_unique_slots():
    @qd.kernel
    def k(out: I32_1, cnt: I32_0):
        for i in range(16):
            slot = qd.atomic_add(cnt[()], 1)
            out[slot] = i

    out = qd.ndarray(qd.i32, shape=(16,))
    out.fill(-1)
    cnt = qd.ndarray(qd.i32, shape=())
    k(out, cnt)
    return {"out": np.sort(out.to_numpy()), "cnt": cnt[()]}


@case(section="12", golden={"olds": [0, 3, 6, 9, 12, 15, 18, 21], "cnt": 24})
def atomic_add_old_values_form_a_set():
    @qd.kernel
    def k(olds: I32_1, cnt: I32_0):
        for i in range(8):
            olds[i] = qd.atomic_add(cnt[()], 3)

    olds = qd.ndarray(qd.i32, shape=(8,))
    cnt = qd.ndarray(qd.i32, shape=())
    k(olds, cnt)
    return {"olds": np.sort(olds.to_numpy()), "cnt": cnt[()]}


@case(section="12", golden={"x": [-45, -45, 55]})
def atomic_sub_in_parallel():
    @qd.kernel
    def k(x: I32_1):
        for i in range(10):
            qd.atomic_sub(x[0], i)
            x[1] -= i
            qd.atomic_sub(x[2], -i - 1)

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="12", golden={"x": [10, 15, 3, 8, 20, 13, 6, 5]})
def atomics_on_locals():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        v = a
        old = qd.atomic_add(v, 5)
        x[0] = old
        x[1] = v
        w = 3
        old2 = qd.atomic_max(w, 8)
        x[2] = old2
        x[3] = w
        u = 20
        x[4] = qd.atomic_sub(u, 7)
        x[5] = u
        t = 6
        x[6] = qd.atomic_exchange(t, 5)
        x[7] = t

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x, 10)
    return {"x": x.to_numpy()}


@case(section="12", requires=("atomic:f32",), tol="reduction", golden={"s": [499.5000305175781, 1000.0]})
def float_atomic_add_reduction():
    @qd.kernel
    def k(s: F32_1):
        for i in range(1000):
            qd.atomic_add(s[0], i * 0.001)
            s[1] += 1.0

    s = qd.ndarray(qd.f32, shape=(2,))
    k(s)
    return {"s": s.to_numpy()}


@case(section="12", requires=("atomic:f32",), golden={"s": [96.0, -3.0, 7.5, 10.0], "old": [2.5]})
def float_atomics_exact_values():
    @qd.kernel
    def k(s: F32_1, old: F32_1):
        for i in range(64):
            qd.atomic_add(s[0], 1.5)  # exact in any order
            qd.atomic_min(s[1], -(i % 4) * 1.0)
            qd.atomic_max(s[2], (i % 16) * 0.5)
        old[0] = qd.atomic_sub(s[3], -7.5)  # serial statement: old value is 2.5

    s = qd.ndarray(qd.f32, shape=(4,))
    s[3] = 2.5
    o = qd.ndarray(qd.f32, shape=(1,))
    k(s, o)
    return {"s": s.to_numpy(), "old": o.to_numpy()}


@case(section="12", raises=(qd.QuadrantsTypeError, "'atomic_bit_and' requires integer operands"))
def bitwise_atomic_on_float_error():
    @qd.kernel
    def k(x: F32_1):
        qd.atomic_and(x[0], 1)

    k(qd.ndarray(qd.f32, shape=(1,)))


@case(section="12", raises=(qd.QuadrantsTypeError, "'atomic_bit_or' requires integer operands"))
def bitwise_or_augassign_on_float_error():
    @qd.kernel
    def k(x: F32_1):
        x[0] |= 1

    k(qd.ndarray(qd.f32, shape=(1,)))


@case(
    section="12",
    raises=(qd.QuadrantsSyntaxError, "cannot use a non-writable target as the first operand of 'atomic_min'"),
)
def atomic_on_a_value_that_is_not_writable_error():
    @qd.kernel
    def k(x: F32_1):
        y = qd.Vector([1.0, 2.0])
        x[0] = qd.atomic_min([3.0, 2.0], y)[0]

    k(qd.ndarray(qd.f32, shape=(1,)))


@case(section="12", raises=(qd.QuadrantsTypeError, "'atomic_cas' requires integer operands"))
def atomic_cas_on_float_error():
    @qd.kernel
    def k(x: F32_1):
        qd.atomic_cas(x[0], 0.0, 1.0)

    k(qd.ndarray(qd.f32, shape=(1,)))


@case(
    section="12",
    warns=(qd.QuadrantsWarning, "Atomic add may lose precision"),
    golden={"x": [10, 1], "old": [0]},
)
def atomic_add_float_operand_on_int_element():
    @qd.kernel
    def k(x: I32_1, old: I32_1, f: qd.f32):
        for _ in range(10):
            qd.atomic_add(x[0], f)  # 1.7 converts to 1
        old[0] = qd.atomic_add(x[1], 1.7)

    x = qd.ndarray(qd.i32, shape=(2,))
    old = qd.ndarray(qd.i32, shape=(1,))
    k(x, old, 1.7)
    return {"x": x.to_numpy(), "old": old.to_numpy()}


@case(section="12", golden={"h": [15, 15, 14, 14, 14, 14, 14]})
def histogram_with_augmented_add():
    @qd.kernel
    def k(h: I32_1):
        for i in range(100):
            h[i % 7] += 1

    h = qd.ndarray(qd.i32, shape=(7,))
    k(h)
    return {"h": h.to_numpy()}


@case(section="12", golden={"m": [-1, 0, -65536, -45, 2**31 - 1]})
def augmented_bitwise_and_sub_are_atomic():
    @qd.kernel
    def k(m: I32_1):
        for i in range(32):
            m[0] |= 1 << i
            m[1] ^= 1 << (i % 4)  # every bit toggled 8 times
            if i < 16:
                m[2] &= ~(1 << i)
            if i < 10:
                m[3] -= i
            m[4] &= 0x7FFFFFFF

    m = qd.ndarray(qd.i32, shape=(5,))
    m.from_numpy(np.array([0, 0, -1, 0, -1], dtype=np.int32))
    k(m)
    return {"m": m.to_numpy()}


@case(section="12", golden={"x": [1, 5, 10, 6, 4, 9], "f": [0.75, 3.0]})
def augmented_nonatomic_ops_on_own_elements():
    @qd.kernel
    def k(x: I32_1, f: F32_1):
        for _ in range(1):
            x[0] *= 3  # 3 -> 9
        for i in range(6):
            if i == 0:
                x[i] //= 9
            if i == 1:
                x[i] %= 7  # 12 % 7
            if i == 2:
                x[i] <<= 33  # count 33 & 31 = 1: 5 -> 10
            if i == 3:
                x[i] >>= 1  # 12 >> 1
            if i == 4:
                x[i] **= 2
            if i == 5:
                x[i] *= 3
        for i in range(2):
            if i == 0:
                f[i] /= 4.0
            else:
                f[i] **= 2

    x = qd.ndarray(qd.i32, shape=(6,))
    x.from_numpy(np.array([3, 12, 5, 12, 2, 3], dtype=np.int32))
    f = qd.ndarray(qd.f32, shape=(2,))
    f.from_numpy(np.array([3.0, np.sqrt(3.0)], dtype=np.float32))
    k(x, f)
    out = f.to_numpy()
    out[1] = np.round(out[1], 3)  # (f32 sqrt 3) ** 2 is within an ulp of 3
    return {"x": x.to_numpy(), "f": out}


@case(section="12", golden={"mn": -7, "mx": 9, "umn": 5, "umx": 4294967295})
def atomic_min_max_parallel_and_unsigned():
    @qd.kernel
    def k(v: I32_1, mn: I32_0, mx: I32_0, u: U32_1):
        for i in range(v.shape[0]):
            qd.atomic_min(mn[()], v[i])
            qd.atomic_max(mx[()], v[i])
        qd.atomic_min(u[0], -1)  # -1 converts to u32 4294967295: min keeps 5
        qd.atomic_max(u[1], -1)

    v = qd.ndarray(qd.i32, shape=(8,))
    v.from_numpy(np.array([3, -7, 9, 0, -2, 8, 1, -7], dtype=np.int32))
    mn = qd.ndarray(qd.i32, shape=())
    mx = qd.ndarray(qd.i32, shape=())
    mn[()] = 100
    mx[()] = -100
    u = qd.ndarray(qd.u32, shape=(2,))
    u.fill(5)
    k(v, mn, mx, u)
    return {"mn": mn[()], "mx": mx[()], "umn": u[0], "umx": u[1]}


@case(section="12", golden={"u": [4, 4294967295], "x": [1, 5]})
def atomic_result_has_type_of_target():
    @qd.kernel
    def k(u: U32_1, x: I32_1):
        old = qd.atomic_add(u[1], -1)  # u32: 0 - 1 wraps
        x[0] = (old - 1) > 0  # old is u32 0: 0 - 1 is 4294967295
        x[1] = qd.atomic_add(u[0], -1)

    u = qd.ndarray(qd.u32, shape=(2,))
    u[0] = 5
    x = qd.ndarray(qd.i32, shape=(2,))
    k(u, x)
    return {"u": u.to_numpy(), "x": x.to_numpy()}


@case(section="12", golden={"winners": 1, "flag_in_range": True, "losers_saw_flag": True})
def atomic_cas_single_winner():
    @qd.kernel
    def k(flag: I32_0, winners: I32_0, seen: I32_1):
        for i in range(16):
            old = qd.atomic_cas(flag[()], 0, i + 1)
            if old == 0:
                winners[()] += 1
            seen[i] = old

    flag = qd.ndarray(qd.i32, shape=())
    winners = qd.ndarray(qd.i32, shape=())
    seen = qd.ndarray(qd.i32, shape=(16,))
    k(flag, winners, seen)
    f = flag[()]
    s = seen.to_numpy()
    return {
        "winners": winners[()],
        "flag_in_range": 1 <= f <= 16,
        "losers_saw_flag": bool(np.all((s == 0) | (s == f))) and int(np.sum(s == 0)) == 1,
    }


@case(section="12", golden={"all": list(range(-1, 12))})
def atomic_exchange_permutes_values():
    # The old values plus the final value are exactly the initial value plus every written value.
    @qd.kernel
    def k(x: I32_0, olds: I32_1):
        for i in range(12):
            olds[i] = qd.atomic_exchange(x[()], i)

    x = qd.ndarray(qd.i32, shape=())
    x[()] = -1
    olds = qd.ndarray(qd.i32, shape=(12,))
    k(x, olds)
    return {"all": np.sort(np.append(olds.to_numpy(), x[()]))}


@case(section="12", golden={"x": [[4, 0], [0, 4]]})
def atomics_on_2d_elements():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32, 2]):
        for i in range(8):
            qd.atomic_add(x[i % 2, i % 2], 1)

    x = qd.ndarray(qd.i32, shape=(2, 2))
    k(x)
    return {"x": x.to_numpy()}


@case(section="12", golden={"x": [8, 7, 6]})
def augmented_assignment_on_local_is_plain():
    @qd.kernel
    def k(x: I32_1):
        for i in range(3):
            t = i
            t += 5
            t *= 2
            t -= 3 * i + 2
            x[i] = t  # 2*(i+5) - 3i - 2 = 8 - i

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="12", golden={"u": [4294967295, 4294967286], "old": [0]})
def atomic_sub_on_unsigned_wraps():
    @qd.kernel
    def k(u: U32_1, old: I32_1):
        old[0] = qd.atomic_sub(u[0], 1)
        for _ in range(10):
            qd.atomic_sub(u[1], 1)

    u = qd.ndarray(qd.u32, shape=(2,))
    old = qd.ndarray(qd.i32, shape=(1,))
    k(u, old)
    return {"u": u.to_numpy(), "old": old.to_numpy()}
