"""docs/semantics.md §10: loops, parallel and serial execution."""

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
            for _j in range(n):
                n = n + 1  # does not change the trip count
                c[2] += 1

    c = qd.ndarray(qd.i32, shape=(3,))
    k(c)
    return {"c": c.to_numpy()}


@case(
    section="10",
    raises=(qd.QuadrantsSyntaxError, "Variable 'i' is already declared in the outer scope and cannot be used as loop"),
)
def loop_variable_already_declared_error():
    # a loop variable is always a new variable (upstream's rule): not an enclosing loop's, a local or a parameter
    @qd.kernel
    def k(c: I32_1):
        for i in range(2):
            for i in range(3):  # noqa: B007 - the reuse is the error under test
                c[0] += 1

    k(qd.ndarray(qd.i32, shape=(1,)))


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


@case(section="10", golden={"x": [0, 0, 0, 3, 4, 5]})
def range_bounds_from_zero_d_numpy_arrays():
    # a 0-d NumPy array captured from Python scope is the scalar it holds (here as loop bounds)
    import numpy as np

    begin = np.array(3, dtype=np.int32)
    end = (np.ones(1) * 6).astype(np.int64).reshape(())

    @qd.kernel
    def k(x: I32_1):
        for i in range(begin, end):
            x[i] = i

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x)
    return {"x": x.to_numpy()}
