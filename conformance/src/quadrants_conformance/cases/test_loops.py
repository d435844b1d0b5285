"""SEMANTICS.md §10: loops, parallel and serial execution."""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
I32_2 = qd.types.NDArray[qd.i32, 2]
I32_0 = qd.types.NDArray[qd.i32, 0]


# ------------------------------------------------------------------------------------------------ range


@case(section="10", golden={"x": [1, 1, 1, 0, 0, 0], "y": [0, 0, 2, 2, 2, 0]})
def range_one_and_two_arguments():
    @qd.kernel
    def k(x: I32_1, y: I32_1, n: qd.i32, a: qd.i32, b: qd.i32):
        for i in range(n):
            x[i] = 1
        for j in range(a, b):
            y[j] = 2

    x = qd.ndarray(qd.i32, shape=(6,))
    y = qd.ndarray(qd.i32, shape=(6,))
    k(x, y, 3, 2, 5)
    return {"x": x.to_numpy(), "y": y.to_numpy()}


@case(section="10", golden={"c": [0, 0, 0, 0, 0]})
def empty_ranges():
    @qd.kernel
    def k(c: I32_1, a: qd.i32, b: qd.i32, m: qd.i32):
        for _ in range(3, 1):
            c[0] += 1
        for _ in range(-2):
            c[1] += 1
        for _ in range(a, b):  # 3, 1
            c[2] += 1
        for _ in range(m):  # -2
            c[3] += 1
        for _ in range(a, a):
            c[4] += 1

    c = qd.ndarray(qd.i32, shape=(5,))
    k(c, 3, 1, -2)
    return {"c": c.to_numpy()}


@case(section="10", golden={"c": [1, 3, 3]})
def range_bounds_evaluated_once():
    @qd.func
    def bound(c: I32_1, v: qd.i32):
        c[0] += 1
        return v

    @qd.kernel
    def k(c: I32_1):
        for _ in range(bound(c, 3)):
            c[1] += 1
        for _ in range(1):
            n = 3
            for _ in range(n):
                n = n + 1  # does not change the trip count
                c[2] += 1

    c = qd.ndarray(qd.i32, shape=(3,))
    k(c)
    return {"c": c.to_numpy()}


@case(section="10", warns=(Warning, "Casting range_for boundary values"), golden={"c": [3]})
def range_float_bound_warns_and_truncates():
    @qd.kernel
    def k(c: I32_1, n: qd.f32):
        for _ in range(n):
            c[0] += 1

    c = qd.ndarray(qd.i32, shape=(1,))
    k(c, 3.7)
    return {"c": c.to_numpy()}


@case(section="10", warns=(Warning, "Casting range_for boundary values"), golden={"c": [4]})
def range_u32_bound_warns():
    @qd.kernel
    def k(c: I32_1, n: qd.u32):
        for _ in range(n):
            c[0] += 1

    c = qd.ndarray(qd.i32, shape=(1,))
    k(c, 4)
    return {"c": c.to_numpy()}


@case(section="10", requires=("i64",), warns=(Warning, "Casting range_for boundary values"), golden={"c": [2]})
def range_i64_bound_warns():
    @qd.kernel
    def k(c: I32_1, a: qd.i64, b: qd.i64):
        for _ in range(a, b):
            c[0] += 1

    c = qd.ndarray(qd.i32, shape=(1,))
    k(c, 5, 7)
    return {"c": c.to_numpy()}


@case(section="10", golden={"x": [1, 1, 1, 1], "y": [-1, -1, 0, 0]})
def range_loop_variable_is_i32():
    @qd.kernel
    def k(x: I32_1, y: I32_1, n: qd.u32):
        for i in range(n):
            x[i] = (i - 5) < 0  # signed comparison
            y[i] = (i - 2) // 2 if i < 2 else 0

    x = qd.ndarray(qd.i32, shape=(4,))
    y = qd.ndarray(qd.i32, shape=(4,))
    k(x, y, 4)
    return {"x": x.to_numpy(), "y": y.to_numpy()}


@case(section="10", golden={"x": [0, 1, 2, 3, 4]})
def serial_range_order_ascending():
    @qd.kernel
    def k(x: I32_1):
        for _ in range(1):
            c = 0
            for i in range(5):
                x[c] = i
                c += 1  # noqa: SIM113 (kernel code: no enumerate)

    x = qd.ndarray(qd.i32, shape=(5,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", raises=(qd.QuadrantsSyntaxError, "Range should have 1 or 2 arguments, found 3"))
def range_with_step_error():
    @qd.kernel
    def k(x: I32_1):
        for i in range(0, 4, 2):
            x[i] = 1

    k(qd.ndarray(qd.i32, shape=(4,)))


# ---------------------------------------------------------------------------------------------- ndrange


@case(section="10", golden={"x": [[0, 1, 2, 3], [0, 11, 12, 13], [0, 21, 22, 23]]})
def ndrange_ints_and_pairs():
    @qd.kernel
    def k(x: I32_2):
        for i, j in qd.ndrange(3, (1, 4)):
            x[i, j] = i * 10 + j

    x = qd.ndarray(qd.i32, shape=(3, 4))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", golden={"x": [[0, 0, 0], [0, 0, 0], [0, 0, 0]], "y": [[0, 5, 6], [0, 7, 8], [0, 0, 0]]})
def ndrange_runtime_bounds():
    @qd.kernel
    def k(x: I32_2, y: I32_2, n: qd.i32, a: qd.i32, b: qd.i32):
        for i, j in qd.ndrange(n, (a, b)):
            y[i, j] = 4 + i * 2 + j
        for i, j in qd.ndrange((b, a), n):  # empty first axis
            x[i, j] = 1

    x = qd.ndarray(qd.i32, shape=(3, 3))
    y = qd.ndarray(qd.i32, shape=(3, 3))
    k(x, y, 2, 1, 3)
    return {"x": x.to_numpy(), "y": y.to_numpy()}


@case(section="10", golden={"c": [0, 0, 0, 0]})
def ndrange_empty_axis_no_iterations():
    @qd.kernel
    def k(c: I32_1, z: qd.i32):
        for _i, _j in qd.ndrange(3, 0):
            c[0] += 1
        for _i, _j in qd.ndrange((2, 2), 4):
            c[1] += 1
        for _i, _j in qd.ndrange((3, 1), 2):
            c[2] += 1
        for _i, _j, _k in qd.ndrange(2, 3, z):
            c[3] += 1

    c = qd.ndarray(qd.i32, shape=(4,))
    k(c, 0)
    return {"c": c.to_numpy()}


@case(section="10", golden={"x": [0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]})
def ndrange_serial_order_last_axis_fastest():
    @qd.kernel
    def k(x: I32_1):
        for _ in range(1):
            c = 0
            for i, j, m in qd.ndrange(2, 2, 3):
                x[c] = i * 100 + j * 10 + m
                c += 1  # noqa: SIM113 (kernel code: no enumerate)

    x = qd.ndarray(qd.i32, shape=(12,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", golden={"x": [[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]], "y": [[0, 0], [11, 12], [21, 22]]})
def grouped_ndrange_index_vector():
    @qd.kernel
    def k(x: I32_2, y: I32_2):
        for I in qd.grouped(qd.ndrange(3, 4)):  # noqa: E741
            x[I] = I[0] * 10 + I[1]
        for J in qd.grouped(qd.ndrange((1, 3), (0, 2))):
            y[J] = J[0] * 10 + J[1] + 1

    x = qd.ndarray(qd.i32, shape=(3, 4))
    y = qd.ndarray(qd.i32, shape=(3, 2))
    k(x, y)
    return {"x": x.to_numpy(), "y": y.to_numpy()}


# ------------------------------------------------------------------------------------------- struct-for


@case(section="10", golden={"m": [[0, 1, 2], [10, 11, 12]], "v": [0, 2, 4, 6, 8]})
def struct_for_over_ndarray():
    @qd.kernel
    def k(m: I32_2, v: I32_1):
        for i, j in m:
            m[i, j] = i * 10 + j
        for i in v:
            v[i] = i * 2

    m = qd.ndarray(qd.i32, shape=(2, 3))
    v = qd.ndarray(qd.i32, shape=(5,))
    k(m, v)
    return {"m": m.to_numpy(), "v": v.to_numpy()}


@case(section="10", golden={"m": [[0, 100, 200], [1, 101, 201]], "c": [6]})
def struct_for_grouped_ndarray():
    @qd.kernel
    def k(m: I32_2, c: I32_1):
        for I in qd.grouped(m):  # noqa: E741
            m[I] = I[0] + I[1] * 100
            c[0] += 1

    m = qd.ndarray(qd.i32, shape=(2, 3))
    c = qd.ndarray(qd.i32, shape=(1,))
    k(m, c)
    return {"m": m.to_numpy(), "c": c.to_numpy()}


# ------------------------------------------------------------------------------------------------ static


@case(section="10", golden={"x": [0, 1, 4, 3, 1, 4, 50, 150, 200]})
def static_for_unrolls_with_python_values():
    @qd.kernel
    def k(x: I32_1):
        for v in qd.static(range(3)):
            x[v] = v * v
        n = 3
        for w in qd.static([3, 1, 4]):
            x[n] = w
            n += 1
            x[w // 2 + 6] = w * 50

    x = qd.ndarray(qd.i32, shape=(9,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", golden={"x": [0, 2, 3]})
def static_if_compiles_only_chosen_branch():
    @qd.kernel
    def k(x: I32_1):
        if qd.static(False):
            x[0] = undefined_name_in_dead_static_branch  # noqa: F821
        else:
            x[1] = 2
        if qd.static(1 + 1 == 2):
            x[2] = 3
        else:
            x[2] = "not even a number"

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", raises=(qd.QuadrantsCompilationError, "Input to qd.static must be compile-time constants"))
def static_of_runtime_value_error():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        if qd.static(a > 0):
            x[0] = 1

    k(qd.ndarray(qd.i32, shape=(1,)), 1)


# ------------------------------------------------------------------------------------------------- while


@case(section="10", golden={"x": [25, 11, 0, 1, 2, 3, 4]})
def while_with_break_and_continue():
    @qd.kernel
    def k(x: I32_1, lim: qd.i32):
        i = 0
        s = 0
        while True:
            i += 1
            if i > lim:
                break
            if i % 2 == 0:
                continue
            s += i
        x[0] = s
        x[1] = i
        j = 0
        while j < 5:
            x[2 + j] = j
            j += 1

    x = qd.ndarray(qd.i32, shape=(7,))
    k(x, 10)
    return {"x": x.to_numpy()}


@case(section="10", raises=(qd.QuadrantsSyntaxError, "'else' clause for 'while' not supported"))
def while_else_error():
    @qd.kernel
    def k(x: I32_1):
        i = 0
        while i < 3:
            i += 1
        else:
            x[0] = i

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="10", raises=(qd.QuadrantsSyntaxError, "'else' clause for 'for' not supported"))
def for_else_error():
    @qd.kernel
    def k(x: I32_1):
        for i in range(3):
            x[i] = 1
        else:
            x[0] = 2

    k(qd.ndarray(qd.i32, shape=(3,)))


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
