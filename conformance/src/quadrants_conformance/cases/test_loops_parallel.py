"""Conformance cases for docs/semantics.md §10: which loops are parallel, loop_config(serialize=True), break rules."""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
I32_2 = qd.types.NDArray[qd.i32, 2]
I32_0 = qd.types.NDArray[qd.i32, 0]


# ------------------------------------------------------------------------------------ parallel vs serial


@case(section="10", raises=(qd.QuadrantsSyntaxError, "Cannot break in the outermost loop"))
def break_in_parallel_loop_error():
    @qd.kernel
    def k(x: I32_1):
        for i in range(4):
            if i > 1:
                break
            x[i] = 1

    k(qd.ndarray(qd.i32, shape=(4,)))


@case(section="10", raises=(qd.QuadrantsSyntaxError, "Cannot break in the outermost loop"))
def break_in_parallel_struct_for_error():
    @qd.kernel
    def k(x: I32_1):
        for i in x:
            x[i] = 1
            break

    k(qd.ndarray(qd.i32, shape=(4,)))


@case(section="10", raises=(qd.QuadrantsSyntaxError, "Cannot break in the outermost loop"))
def break_in_loop_under_static_if_error():
    @qd.kernel
    def k(x: I32_1):
        if qd.static(True):
            for i in range(4):
                x[i] = 1
                break

    k(qd.ndarray(qd.i32, shape=(4,)))


@case(section="10", golden={"a": 100, "flagged": 3})
def loop_under_a_compile_time_if_is_serial():
    """``if True:`` (or a template value) without ``qd.static`` is an ``if`` block, as upstream: its loops are not
    top-level, so they run serially and may ``break``."""

    @qd.kernel
    def k(flag: qd.template()) -> qd.i32:
        a = 0
        if True:
            for i in range(1000):
                if i == 100:
                    break
                a += 1
        if flag:
            for i in range(10):
                if i == 3:
                    break
                a += 1
        return a

    return {"a": k(False), "flagged": k(True) - 100}


@case(section="10", raises=(qd.QuadrantsSyntaxError, "Cannot break in the outermost loop"))
def break_in_loop_of_top_level_func_error():
    @qd.func
    def work(x: I32_1):
        for i in range(4):
            x[i] = 1
            break

    @qd.kernel
    def k(x: I32_1):
        work(x)

    k(qd.ndarray(qd.i32, shape=(4,)))


@case(section="10", golden={"x": [1, 0, 1, 0, 1, 0, 1, 0]})
def continue_in_parallel_loop_allowed():
    @qd.kernel
    def k(x: I32_1):
        for i in range(8):
            if i % 2 == 1:
                continue
            x[i] = 1

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", golden={"x": [0, 1, 3, 6, 10, 15, 21, 28], "y": [0, 10, 20, 30, 40, 0, 0, 0]})
def loop_config_serialize_runs_in_order_and_allows_break():
    @qd.kernel
    def k(x: I32_1, y: I32_1):
        qd.loop_config(serialize=True)
        for i in range(1, 8):
            x[i] = x[i - 1] + i  # reads the previous iteration's write
        qd.loop_config(serialize=True)
        for i in range(8):
            if i == 5:
                break
            y[i] = i * 10

    x = qd.ndarray(qd.i32, shape=(8,))
    y = qd.ndarray(qd.i32, shape=(8,))
    k(x, y)
    return {"x": x.to_numpy(), "y": y.to_numpy()}


@case(section="10", golden={"x": [0, 1, 2, 3, 4, 5]})
def loop_config_serialize_visit_order_ascending():
    @qd.kernel
    def k(x: I32_1, c: I32_0):
        qd.loop_config(serialize=True)
        for i in range(6):
            x[c[()]] = i
            c[()] = c[()] + 1

    x = qd.ndarray(qd.i32, shape=(6,))
    c = qd.ndarray(qd.i32, shape=())
    k(x, c)
    return {"x": x.to_numpy()}


@case(section="10", raises=(qd.QuadrantsSyntaxError, "Cannot break in the outermost loop"))
def loop_config_applies_to_next_loop_only():
    @qd.kernel
    def k(x: I32_1):
        qd.loop_config(serialize=True)
        for i in range(4):
            if i == 2:
                break
        for i in range(4):
            if i == 2:
                break
            x[i] = 1

    k(qd.ndarray(qd.i32, shape=(4,)))


@case(section="10", golden={"x": [0, 2, 4, 6]})
def loop_config_other_options_accepted():
    @qd.kernel
    def k(x: I32_1):
        qd.loop_config(block_dim=32)
        for i in range(4):
            x[i] = i * 2

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", golden={"x": [1, 2, 3, 4], "y": [0, 1, 3, 6]})
def nested_loops_are_serial():
    @qd.kernel
    def k(x: I32_1, y: I32_1):
        for i in range(4):
            for j in range(10):
                if j > i:
                    break
                x[i] += 1
        for _ in range(1):
            for j in range(1, 4):
                y[j] = y[j - 1] + j

    x = qd.ndarray(qd.i32, shape=(4,))
    y = qd.ndarray(qd.i32, shape=(4,))
    k(x, y)
    return {"x": x.to_numpy(), "y": y.to_numpy()}


@case(section="10", golden={"x": [1, 1, 1, 0, 0], "y": [0, 1, 3, 6, 10]})
def loop_under_runtime_if_is_serial():
    @qd.kernel
    def k(x: I32_1, y: I32_1, a: qd.i32):
        if a > 0:
            for i in range(5):
                if i == 3:
                    break
                x[i] = 1
        if a > 0:
            for i in range(1, 5):
                y[i] = y[i - 1] + i

    x = qd.ndarray(qd.i32, shape=(5,))
    y = qd.ndarray(qd.i32, shape=(5,))
    k(x, y, 1)
    return {"x": x.to_numpy(), "y": y.to_numpy()}


@case(section="10", golden={"x": [2, 2, 2, 2]})
def loop_in_func_called_from_nested_loop_is_serial():
    @qd.func
    def count_to(lim):
        n = 0
        for j in range(100):
            if j == lim:
                break
            n += 1
        return n

    @qd.kernel
    def k(x: I32_1):
        for i in range(4):
            x[i] = count_to(2)

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", golden={"y": [100, 3, 4, 5, 6, 7, 8, 1], "s": [1]})
def top_level_program_order():
    @qd.kernel
    def k(x: I32_1, y: I32_1, s: I32_1):
        for i in range(8):
            x[i] = i + 1
        x[0] = 100  # a bare statement sees the loop's writes and precedes the next loop
        for i in range(8):
            y[i] = x[(i + 1) % 8] if i != 7 else x[7] - 7
        y[0] = x[0]
        s[0] = y[7]

    x = qd.ndarray(qd.i32, shape=(8,))
    y = qd.ndarray(qd.i32, shape=(8,))
    s = qd.ndarray(qd.i32, shape=(1,))
    k(x, y, s)
    return {"y": y.to_numpy(), "s": s.to_numpy()}


@case(section="10", golden={"x": np.arange(1000, dtype=np.int32) * 3})
def large_parallel_loop():
    @qd.kernel
    def k(x: I32_1):
        for i in range(1000):
            x[i] = i * 3

    x = qd.ndarray(qd.i32, shape=(1000,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", raises=(qd.QuadrantsSyntaxError, "Cannot break in the outermost loop"))
def break_in_loop_under_static_for_error():
    @qd.kernel
    def k(x: I32_1):
        for _ in qd.static(range(2)):
            for i in range(4):
                x[i] = 1
                break

    k(qd.ndarray(qd.i32, shape=(4,)))


@case(section="10", golden={"x": [0, 1, 2, 0, 0], "n": [3]})
def for_loop_inside_while_is_serial():
    @qd.kernel
    def k(x: I32_1, n: I32_1):
        j = 0
        while j < 1:
            for i in range(5):
                if i == 3:
                    break
                x[i] = i
                n[0] += 1
            j += 1

    x = qd.ndarray(qd.i32, shape=(5,))
    n = qd.ndarray(qd.i32, shape=(1,))
    k(x, n)
    return {"x": x.to_numpy(), "n": n.to_numpy()}
