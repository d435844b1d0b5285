"""break and continue in a qd.static loop act at compile time, as upstream 1.3.3: `break` stops the unrolling and
`continue` drops the rest of this copy of the body; under a run-time `if` they are a QuadrantsSyntaxError
(docs/language.md, "Loops and parallelism")."""

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]


@case(section="10", golden={"x": [1, 1, 1, 0, 0]})
def static_loop_break_stops_the_unrolling():
    @qd.kernel
    def k(x: I32_1):
        for i in qd.static(range(5)):
            x[i] = 1
            if qd.static(i == 2):
                break

    x = qd.ndarray(qd.i32, shape=(5,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", golden={"x": [1, 1, 0, 1, 1], "s": [8]})
def static_loop_continue_skips_one_copy_inside_a_parallel_loop():
    @qd.kernel
    def k(x: I32_1, s: I32_1):
        for j in range(1):
            for i in qd.static(range(5)):
                if qd.static(i == 2):
                    continue
                x[i] = 1
                s[j] += i

    x, s = qd.ndarray(qd.i32, shape=(5,)), qd.ndarray(qd.i32, shape=(1,))
    k(x, s)
    return {"x": x.to_numpy(), "s": s.to_numpy()}


@case(section="10", golden={"x": [3, 3, 0]})
def break_in_a_static_loop_leaves_only_the_static_loop():
    @qd.kernel
    def k(x: I32_1):
        for i in range(2):
            for j in qd.static(range(3)):
                if qd.static(j == 2):
                    break
                x[i] += j + 1

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="10", raises=(qd.QuadrantsSyntaxError, "You are trying to `break` a static `for` loop"))
def break_of_a_static_loop_under_a_runtime_if_is_an_error():
    @qd.kernel
    def k(x: I32_1):
        for i in qd.static(range(3)):
            if x[i] > 0:
                break
            x[i] = 1

    k(qd.ndarray(qd.i32, shape=(3,)))


@case(section="10", raises=(qd.QuadrantsSyntaxError, "'qd.static' cannot be nested"))
def nested_static_iterator_is_an_error():
    @qd.kernel
    def k(x: I32_1):
        for i in qd.static(qd.static(range(2))):
            x[i] = 1

    k(qd.ndarray(qd.i32, shape=(2,)))


@case(section="10", raises=(qd.QuadrantsSyntaxError, "'qd.grouped' cannot be nested"))
def nested_grouped_iterator_is_an_error():
    @qd.kernel
    def k(x: I32_1):
        for i in qd.grouped(qd.grouped(range(2))):
            x[i] = 1

    k(qd.ndarray(qd.i32, shape=(2,)))
