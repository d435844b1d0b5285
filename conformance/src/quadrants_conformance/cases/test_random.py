"""docs/random.md: ``qd.random`` / ``qd.randn`` streams are the same bits on every backend.

The goldens come from an independent host implementation of Philox-4x32-10 (below) and the stream structure of
docs/random.md: key = the seed words (the harness runs with ``random_seed`` 0), counter = (lane index, draw number
in the lane, launch number low word, high word). Every kernel call starts from a fresh ``qd.init``, so the first task
that draws has launch number 0. Observables made of draws are declared ``stream``: upstream Quadrants has its own
stream (different again between its CPU and GPU backends), so the parity run compares only their shape and dtype.
"""

import math

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F16_1 = qd.types.NDArray[qd.f16, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
F32_2 = qd.types.NDArray[qd.f32, 2]
F64_1 = qd.types.NDArray[qd.f64, 1]
I32_1 = qd.types.NDArray[qd.i32, 1]
U32_1 = qd.types.NDArray[qd.u32, 1]
I64_1 = qd.types.NDArray[qd.i64, 1]
U64_1 = qd.types.NDArray[qd.u64, 1]
I0 = qd.types.NDArray[qd.i32, 0]

_M = 0xFFFFFFFF


def _philox(counter, key=(0, 0)):
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for _ in range(10):
        p0, p1 = 0xD2511F53 * c0, 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0) & _M, p1 & _M, ((p0 >> 32) ^ c3 ^ k1) & _M, p0 & _M
        k0, k1 = (k0 + 0x9E3779B9) & _M, (k1 + 0xBB67AE85) & _M
    return c0, c1, c2, c3


def _words(lane, draw, launch):
    return _philox((lane, draw, launch & _M, launch >> 32))


def _f32(lane, draw, launch):
    return (_words(lane, draw, launch)[0] >> 8) * 2.0**-24


def _f64(lane, draw, launch):
    w = _words(lane, draw, launch)
    return ((w[0] >> 11) * 2.0**32 + w[1]) * 2.0**-53


def _u64(lane, draw, launch):
    w = _words(lane, draw, launch)
    return w[0] | (w[1] << 32)


def _signed(value, bits):
    return value - (1 << bits) if value >> (bits - 1) else value


def _normal(lane, draw, launch):
    u1 = 1.0 - np.float32(_f32(lane, draw, launch))
    u2 = np.float32(_f32(lane, draw + 1, launch))
    return float(np.sqrt(-2.0 * np.log(np.float64(u1))) * np.cos(math.tau * np.float64(u2)))


# ---------------------------------------------------------------------------------------------- uniform floats


@case(
    section="random",
    stream=("first", "second", "next_launch"),
    golden={
        "first": [_f32(i, 0, 0) for i in range(8)],
        "second": [_f32(i, 1, 0) for i in range(8)],
        "next_launch": [_f32(i, 0, 1) for i in range(8)],
    },
)
def random_f32_stream_matches_philox():
    @qd.kernel
    def k(a: F32_1, b: F32_1):
        for i in a:
            a[i] = qd.random()
            b[i] = qd.random(qd.f32)

    a, b = qd.ndarray(qd.f32, (8,)), qd.ndarray(qd.f32, (8,))
    k(a, b)
    first, second = a.to_numpy(), b.to_numpy()
    k(a, b)
    return {"first": first, "second": second, "next_launch": a.to_numpy()}


@case(section="random", stream=("x",), requires=("f64",), golden={"x": [_f64(i, 0, 0) for i in range(5)]})
def random_f64_takes_53_bits():
    @qd.kernel
    def k(x: F64_1):
        for i in x:
            x[i] = qd.random(qd.f64)

    x = qd.ndarray(qd.f64, (5,))
    k(x)
    return {"x": x.to_numpy()}


@case(
    section="random",
    stream=("x",),
    requires=("f16",),
    golden={"x": [(_words(i, 0, 0)[0] >> 21) * 2.0**-11 for i in range(5)]},
)
def random_f16_takes_11_bits():
    @qd.kernel
    def k(x: F16_1):
        for i in x:
            x[i] = qd.random(qd.f16)

    x = qd.ndarray(qd.f16, (5,))
    k(x)
    return {"x": x.to_numpy().astype(np.float64)}


@case(section="random", stream=("x",), golden={"x": [[_f32(i * 3 + j, 0, 0) for j in range(3)] for i in range(2)]})
def random_lane_index_is_row_major_over_ndrange():
    @qd.kernel
    def k(x: F32_2):
        for i, j in qd.ndrange((1, 3), (2, 5)):
            x[i - 1, j - 2] = qd.random()

    x = qd.ndarray(qd.f32, (2, 3))
    k(x)
    return {"x": x.to_numpy()}


# -------------------------------------------------------------------------------------------------- integers


@case(
    section="random",
    stream=("u", "s"),
    golden={
        "u": [_words(i, 0, 0)[0] for i in range(4)],
        "s": [_signed(_words(i, 1, 0)[0], 32) for i in range(4)],
    },
)
def random_u32_i32_are_all_bits():
    @qd.kernel
    def k(u: U32_1, s: I32_1):
        for i in u:
            u[i] = qd.random(qd.u32)
            s[i] = qd.random(qd.i32)

    u, s = qd.ndarray(qd.u32, (4,)), qd.ndarray(qd.i32, (4,))
    k(u, s)
    return {"u": u.to_numpy(), "s": s.to_numpy()}


@case(
    section="random",
    stream=("u", "s"),
    requires=("i64", "u64"),
    golden={"u": [_u64(i, 0, 0) for i in range(4)], "s": [_signed(_u64(i, 1, 0), 64) for i in range(4)]},
)
def random_u64_i64_are_two_words():
    @qd.kernel
    def k(u: U64_1, s: I64_1):
        for i in u:
            u[i] = qd.random(qd.u64)
            s[i] = qd.random(qd.i64)

    u, s = qd.ndarray(qd.u64, (4,)), qd.ndarray(qd.i64, (4,))
    k(u, s)
    return {"u": u.to_numpy().tolist(), "s": s.to_numpy().tolist()}  # Python ints: the goldens pass 2**63


# ------------------------------------------------------------------------------------------- stream structure


@case(
    section="random",
    stream=("x",),
    golden={"x": [_f32(0, d, 0) for d in range(3)] + [_f32(i, 0, 1) for i in range(3)] + [_f32(0, 0, 2)]},
)
def random_each_task_draws_with_its_own_launch_number():
    # the serial statements form a task (lane 0, draws 0, 1, 2, launch 0); the loop is the next task (launch 1); the
    # statement after the loop starts a third task (launch 2)
    @qd.kernel
    def k(x: F32_1):
        x[0] = qd.random()
        x[1] = qd.random()
        x[2] = qd.random()
        for i in range(3):
            x[3 + i] = qd.random()
        x[6] = qd.random()

    x = qd.ndarray(qd.f32, (7,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="random", stream=("x",), golden={"x": [_f32(2, d, 0) for d in range(4)]})
def random_draws_in_a_serial_inner_loop_advance_the_lane_counter():
    @qd.kernel
    def k(x: F32_1):
        for i in range(3):
            if i == 2:
                for d in range(4):
                    x[d] = qd.random()

    x = qd.ndarray(qd.f32, (4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="random", stream=("x",), golden={"x": [_f32(0, 0, 0), _f32(0, 0, 1), _f32(0, 0, 2)], "c": 0})
def random_do_while_passes_draw_fresh_numbers():
    @qd.kernel(graph=True)
    def k(x: F32_1, c: I0):
        while qd.graph.do_while(c):
            for _i in range(1):
                x[3 - c[()]] = qd.random()
            c[()] -= 1

    x, c = qd.ndarray(qd.f32, (3,)), qd.ndarray(qd.i32, ())
    c[()] = 3
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(
    section="random",
    stream=("x",),
    golden={"x": [float(np.float32(_f32(i, 0, 0)) + np.float32(_f32(i, 1, 0))) for i in range(4)]},
)
def random_in_a_func_draws_from_the_lane_of_the_calling_loop():
    @qd.func
    def draw():
        return qd.random()

    @qd.kernel
    def k(x: F32_1):
        for i in x:
            x[i] = draw() + draw()

    x = qd.ndarray(qd.f32, (4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="random", stream=("x",), golden={"x": [_f32(i, 0, 0) if i % 2 == 0 else -1.0 for i in range(6)]})
def random_values_do_not_depend_on_other_lanes():
    # odd lanes draw nothing; the even lanes still get the values of their own counters
    @qd.kernel
    def k(x: F32_1):
        for i in x:
            if i % 2 == 0:
                x[i] = qd.random()
            else:
                x[i] = -1.0

    x = qd.ndarray(qd.f32, (6,))
    k(x)
    return {"x": x.to_numpy()}


@case(
    section="random",
    stream=("x",),
    tol="transcendental",
    golden={"x": [_normal(i, 0, 0) for i in range(6)]},
)
def randn_is_box_muller_of_two_draws():
    @qd.kernel
    def k(x: F32_1):
        for i in x:
            x[i] = qd.randn()

    x = qd.ndarray(qd.f32, (6,))
    k(x)
    return {"x": x.to_numpy()}


# ---------------------------------------------------------------------------------------------------- errors


@case(section="random", raises=(qd.QuadrantsTypeError, "qd.random(i8) is not supported"))
def random_of_i8_is_a_type_error():
    @qd.kernel
    def k(x: I32_1):
        x[0] = qd.random(qd.i8)

    k(qd.ndarray(qd.i32, (1,)))


@case(section="random", raises=(qd.QuadrantsTypeError, "qd.randn() draws qd.f32 or qd.f64"))
def randn_of_int_is_a_type_error():
    @qd.kernel
    def k(x: F32_1):
        x[0] = qd.randn(qd.i32)

    k(qd.ndarray(qd.f32, (1,)))


@case(section="random", raises=(qd.QuadrantsSyntaxError, "can only be called from a @qd.kernel"))
def random_in_python_scope_is_an_error():
    qd.random()
