"""docs/semantics.md §13: kernel print and assert."""

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]


# ------------------------------------------------------------------------------------------------- print


@case(section="13", requires=("print",), stdout="a = 3 x0 0\n")
def print_strings_and_values():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        print("a =", a, "x0", x[0])

    k(qd.ndarray(qd.i32, shape=(1,)), 3)


@case(section="13", requires=("print",), stdout="1\n4\n-5\nhello\n")
def print_statements_in_program_order():
    @qd.kernel
    def k(a: qd.i32):
        print(1)
        print(a + 1)
        print(-5)
        print("hello")

    k(3)


@case(section="13", requires=("print",), stdout="i 0\ni 1\ni 2\n")
def print_in_serialized_loop_is_ordered():
    @qd.kernel
    def k(n: qd.i32):
        qd.loop_config(serialize=True)
        for i in range(n):
            print("i", i)

    k(3)


@case(section="13", requires=("print",), stdout="4294967295 -2147483648 7\n")
def print_integer_types():
    @qd.kernel
    def k(u: qd.u32, m: qd.i32, a: qd.i32):
        print(u, m, a * 7)

    k(4294967295, -(2**31), 1)


@case(section="13", requires=("print",), stdout="from func 6\nafter 2\n")
def print_in_func_and_across_launches():
    @qd.func
    def say(v):
        print("from func", v * 2)

    @qd.kernel
    def k(a: qd.i32):
        say(a)

    @qd.kernel
    def k2(a: qd.i32):
        print("after", a)

    k(3)
    k2(2)


# ------------------------------------------------------------------------------------------------ assert


@case(section="13", requires=("assert",), debug=True, raises=(qd.QuadrantsAssertionError, "a is too small"))
def assert_false_raises_under_debug():
    @qd.kernel
    def k(a: qd.i32):
        assert a > 5, "a is too small"

    k(3)


@case(section="13", requires=("assert",), debug=True, golden={"x": [7]})
def assert_true_passes_under_debug():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        assert a > 5, "a is too small"
        x[0] = a

    x = qd.ndarray(qd.i32, shape=(1,))
    k(x, 7)
    return {"x": x.to_numpy()}


@case(section="13", requires=("assert",), debug=True, raises=(qd.QuadrantsAssertionError, "element too big"))
def assert_in_parallel_loop_under_debug():
    @qd.kernel
    def k(x: I32_1):
        for i in range(x.shape[0]):
            assert x[i] < 5, "element too big"

    x = qd.ndarray(qd.i32, shape=(8,))
    x[6] = 9
    k(x)


@case(section="13", requires=("assert",), debug=True, raises=(qd.QuadrantsAssertionError, "checked in func"))
def assert_in_func_under_debug():
    @qd.func
    def check(v):
        assert v != 0, "checked in func"

    @qd.kernel
    def k(a: qd.i32):
        check(a)

    k(0)


@case(
    section="13",
    requires=("assert",),
    debug=True,
    golden={"assertion": True, "runtime": True, "message": True},
)
def assertion_error_is_python_assertion_error():
    @qd.kernel
    def k(a: qd.i32):
        assert a == 1, "custom message 42"

    result = {"assertion": False, "runtime": False, "message": False}
    try:
        k(2)
    except AssertionError as e:
        result["assertion"] = True
        result["runtime"] = isinstance(e, qd.QuadrantsRuntimeError)
        result["message"] = "custom message 42" in str(e)
    return result


@case(section="13", golden={"x": [1], "c": [0]})
def assert_is_noop_in_release_and_condition_not_evaluated():
    @qd.func
    def bump(c: I32_1):
        c[0] += 1
        return c[0]

    @qd.kernel
    def k(x: I32_1, c: I32_1, a: qd.i32):
        assert bump(c) == 12345, "never checked in release"
        assert a > 5, "never checked either"
        x[0] = 1

    x = qd.ndarray(qd.i32, shape=(1,))
    c = qd.ndarray(qd.i32, shape=(1,))
    k(x, c, 3)
    return {"x": x.to_numpy(), "c": c.to_numpy()}
