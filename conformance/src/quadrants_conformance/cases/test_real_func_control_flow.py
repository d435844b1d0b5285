"""docs/misc-functions.md ("Function kinds"): control flow in a ``@qd.real_func``.

Upstream compiles a real func as a real call: a ``return`` may sit in a run-time ``if``, ``for`` or ``while`` (several
loops deep), the func's loops run serially in the caller's thread (a ``break`` is allowed even when it is called at
the kernel's top level), and a func that ends without reaching a ``return`` gives zeros. Here the func is inlined
with the same results (frontend/func_exits.py). A plain ``@qd.func`` keeps upstream's rule: a ``return`` only at the
function level. The goldens were checked against upstream Quadrants 1.3.3 on ``qd.cpu``.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]


@qd.real_func
def _first_multiple(step: qd.i32, limit: qd.i32) -> qd.i32:
    for i in range(1, 100):
        if i * step > limit:
            return i * step
    return -1


@qd.real_func
def _running_sum_until(a: qd.i32) -> qd.i32:
    s = 0
    for i in range(100):
        if i == a + 1:
            return s
        s = s + i  # a plain update: the loop is serial in the real func, as upstream
    return s


@qd.real_func
def _while_return() -> qd.i32:
    i = 1
    while i:
        return 42


@qd.real_func
def _for_return() -> qd.i32:
    for i in range(10):
        return 40 + i


@case(section="7", golden={"out": [42, 40, 55, 4950, 21, -1]})
def real_func_returns_from_loops_at_the_kernel_top_level():
    @qd.kernel
    def k(a: qd.i32, b: qd.i32, out: I32_1):
        out[0] = _while_return()
        out[1] = _for_return()
        out[2] = _running_sum_until(a)
        out[3] = _running_sum_until(b)
        out[4] = _first_multiple(7, 20)
        out[5] = _first_multiple(1, 500)

    out = qd.ndarray(qd.i32, (6,))
    k(10, 200, out)
    return {"out": out.to_numpy()}


@qd.real_func
def _grid_find(n: qd.i32) -> qd.i32:
    i = 0
    while True:
        for j in range(5):
            k = 0
            while k < 3:
                if (i * 5 + j) * 3 + k == n:
                    return i * 100 + j * 10 + k
                k += 1
        i += 1
    return -1


@case(section="7", golden={"out": [0, 1, 12, 112, 412]})
def real_func_returns_from_three_nested_loops():
    @qd.kernel
    def k(n: I32_1, out: I32_1):
        for t in range(5):
            out[t] = _grid_find(n[t])

    n, out = qd.ndarray(qd.i32, (5,)), qd.ndarray(qd.i32, (5,))
    n.from_numpy(np.array([0, 1, 5, 20, 65], np.int32))  # n -> (i, j, k) with n = (5i + j) * 3 + k
    k(n, out)
    return {"out": out.to_numpy()}


@qd.real_func
def _classify(x: qd.i32) -> qd.i32:
    if x < 0:
        return -1
    if x == 0:
        return 0
    r = 1
    for b in range(31):
        if x >> b == 1:
            return b + r * 100
    return 99


@case(section="7", golden={"out": [-1, 0, 100, 101, 101, 103, 109, 130]})
def real_func_returns_in_each_lane_of_a_parallel_loop():
    @qd.kernel
    def k(x: I32_1, out: I32_1):
        for i in x:
            out[i] = _classify(x[i])

    x, out = qd.ndarray(qd.i32, (8,)), qd.ndarray(qd.i32, (8,))
    x.from_numpy(np.array([-5, 0, 1, 2, 3, 8, 1000, 2**30], np.int32))
    k(x, out)
    return {"out": out.to_numpy()}


@qd.real_func
def _break_count() -> qd.i32:
    a = 0
    for i in range(10):
        if i == 5:
            break
        a += 1
    return a


@qd.real_func
def _skip_odd(n: qd.i32) -> qd.i32:
    s = 0
    for i in range(n):
        if i % 2 == 1:
            continue
        s += i
    return s


@case(section="7", golden={"out": [5, 20]})
def real_func_break_and_continue_at_the_kernel_top_level():
    @qd.kernel
    def k(out: I32_1):
        out[0] = _break_count()
        out[1] = _skip_odd(9)

    out = qd.ndarray(qd.i32, (2,))
    k(out)
    return {"out": out.to_numpy()}


@qd.real_func
def _vec_at(n: qd.i32) -> qd.types.vector(2, qd.f32):
    for i in range(n):
        if i == 3:
            return qd.Vector([i, 2.5])
    return qd.Vector([-1.0, -1.0])


@qd.real_func
def _pair_at(n: qd.i32) -> tuple[qd.i32, qd.f32]:
    for i in range(n):
        if i * i > n:
            return i, i * 0.5
    return -1, 0.0


@case(section="7", golden={"v": [3.0, 2.5, -1.0, -1.0], "p": [4.0, 2.0, -1.0, 0.0]})
def real_func_returns_vectors_and_tuples_from_loops():
    @qd.kernel
    def k(v: F32_1, p: F32_1):
        a = _vec_at(5)
        b = _vec_at(2)
        v[0], v[1], v[2], v[3] = a[0], a[1], b[0], b[1]
        i, h = _pair_at(10)
        j, g = _pair_at(0)
        p[0], p[1], p[2], p[3] = i, h, j, g

    v, p = qd.ndarray(qd.f32, (4,)), qd.ndarray(qd.f32, (4,))
    k(v, p)
    return {"v": v.to_numpy(), "p": p.to_numpy()}


@qd.real_func
def _inner_find(row: qd.i32, x: qd.i32) -> qd.i32:
    for c in range(4):
        if row * 4 + c == x:
            return c
    return -1


@qd.real_func
def _outer_find(x: qd.i32) -> qd.i32:
    for r in range(4):
        c = _inner_find(r, x)
        if c >= 0:
            return r * 10 + c
    return -1


@case(section="7", golden={"out": [0, 3, 21, 33, -1]})
def real_func_with_loop_returns_calls_another():
    @qd.kernel
    def k(x: I32_1, out: I32_1):
        for i in range(5):
            out[i] = _outer_find(x[i])

    x, out = qd.ndarray(qd.i32, (5,)), qd.ndarray(qd.i32, (5,))
    x.from_numpy(np.array([0, 3, 9, 15, 16], np.int32))
    k(x, out)
    return {"out": out.to_numpy()}


@qd.real_func
def _no_return(n: qd.i32) -> qd.i32:
    for _i in range(n):
        pass


@qd.real_func
def _no_return_vec(n: qd.i32) -> qd.types.vector(2, qd.f32):
    for _i in range(n):
        pass


@case(section="7", golden={"out": [0.0, 0.0, 0.0]})
def real_func_without_a_reached_return_gives_zeros():
    @qd.kernel
    def k(out: F32_1):
        out[0] = _no_return(3)
        v = _no_return_vec(3)
        out[1], out[2] = v[0], v[1]

    out = qd.ndarray(qd.f32, (3,))
    k(out)
    return {"out": out.to_numpy()}


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Return inside non-static if/for is not supported"))
def plain_func_return_inside_a_loop_is_an_error():
    @qd.func
    def f() -> qd.i32:
        for _i in range(10):
            return 42
        return 0

    @qd.kernel
    def k(out: I32_1):
        out[0] = f()

    k(qd.ndarray(qd.i32, (1,)))


@qd.real_func
def _scale_in_place(a: qd.types.ref(qd.f32), b: qd.ref(qd.i32)):
    a *= 3.0
    b = 4  # noqa: F841 (a ref parameter: the caller's variable)


@qd.func
def _plain_ref(a: qd.types.ref(qd.f32)):
    a = 7.0  # noqa: F841 (an inlined plain func copies the parameter, as upstream)


@case(section="7", golden={"out": [6.0, 4.0, 5.0]})
def real_func_ref_parameters_are_the_callers_locals():
    @qd.kernel
    def k(out: F32_1):
        z = 2.0
        w = 1
        _scale_in_place(z, w)
        x = 5.0
        _plain_ref(x)
        out[0], out[1], out[2] = z, w, x

    out = qd.ndarray(qd.f32, (3,))
    k(out)
    return {"out": out.to_numpy()}
