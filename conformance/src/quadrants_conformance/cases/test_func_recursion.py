"""docs/semantics.md §7: compile-time recursion of ``@qd.func`` (docs/language.md, "Kernels and functions").

A func may call itself, directly or through others, as long as each recursive call changes a compile-time argument
(a ``qd.template()`` value) that a ``qd.static`` condition tests, so the inlining ends. The results here were checked
against upstream Quadrants 1.3.3 on ``qd.cpu``. A call with the same compile-time arguments as one already being
inlined, and nesting deeper than 512 inlined calls, are ``QuadrantsSyntaxError("Recursive @qd.func call")``: upstream
hangs on such programs (docs/semantics.md §20).
"""

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]


@case(section="7", golden={"fib": [0, 1, 55, 610]})
def fibonacci_over_a_template_argument():
    @qd.func
    def fib(n: qd.template()):
        r = 0
        if qd.static(n <= 1):
            r = n
        else:
            r = fib(n - 1) + fib(n - 2)
        return r

    @qd.kernel
    def k(out: I32_1):
        out[0] = fib(0)
        out[1] = fib(1)
        out[2] = fib(10)
        out[3] = fib(15)

    out = qd.ndarray(qd.i32, shape=(4,))
    k(out)
    return {"fib": out.to_numpy()}


@qd.func
def _chain(n: qd.template(), x):
    r = x
    if qd.static(n > 0):
        r = _chain(n - 1, x) + 1
    return r


@case(section="7", golden={"fact": [240, 2], "chain": 31})
def recursion_with_run_time_arguments():
    @qd.func
    def fact(n: qd.template(), x):
        r = x
        if qd.static(n > 1):
            r = fact(n - 1, x) * n
        return r

    @qd.kernel
    def k(x: qd.i32, out: I32_1):
        out[0] = fact(5, x)
        out[1] = fact(1, x)

    @qd.kernel
    def deep(x: qd.i32, n: qd.template()) -> qd.i32:
        return _chain(n, x)

    out = qd.ndarray(qd.i32, shape=(2,))
    k(2, out)
    return {"fact": out.to_numpy(), "chain": deep(1, 30)}


@case(section="7", golden={"chain": [151, 512]})
def compile_time_recursion_nests_up_to_512_calls():
    # Upstream runs out of memory on this shape beyond about 35 levels (docs/semantics.md §20); 512 nested inlined calls
    # are the documented limit here.
    @qd.kernel
    def deep(x: qd.i32, n: qd.template()) -> qd.i32:
        return _chain(n, x)

    return {"chain": [deep(1, 150), deep(1, 511)]}


@case(section="7", golden={"r": [0, 1, 1, 0]})
def mutual_recursion_over_a_template_argument():
    @qd.func
    def is_even(n: qd.template()):
        r = 1
        if qd.static(n > 0):
            r = is_odd(n - 1)
        return r

    @qd.func
    def is_odd(n: qd.template()):
        r = 0
        if qd.static(n > 0):
            r = is_even(n - 1)
        return r

    @qd.kernel
    def k(out: I32_1):
        out[0] = is_even(7)
        out[1] = is_odd(7)
        out[2] = is_even(10)
        out[3] = is_odd(10)

    out = qd.ndarray(qd.i32, shape=(4,))
    k(out)
    return {"r": out.to_numpy()}


@case(section="7", golden={"s": 21})
def recursion_over_a_static_tuple():
    @qd.func
    def total(values: qd.template(), i: qd.template()):
        r = 0
        if qd.static(i < len(values)):
            r = values[i] + total(values, i + 1)
        return r

    @qd.kernel
    def k(values: qd.template()) -> qd.i32:
        return total(values, 0)

    return {"s": k((1, 2, 3, 4, 5, 6))}


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Recursive @qd.func call"))
def recursion_with_the_same_template_argument_error():
    @qd.func
    def same(n: qd.template()):
        return same(n) + 1

    @qd.kernel
    def k() -> qd.i32:
        return same(3)

    k()


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Recursive @qd.func call"))
def recursion_deeper_than_512_calls_error():
    @qd.func
    def up(n: qd.template()):
        return up(n + 1)  # a new template value every time, but it never stops

    @qd.kernel
    def k() -> qd.i32:
        return up(0)

    k()
