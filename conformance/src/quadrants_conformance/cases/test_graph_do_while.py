"""SEMANTICS.md §16: ``graph=True`` kernels and ``qd.graph.do_while`` (execution, nesting, level table, alias).

Every array starts at 0 unless the case sets it. ``+k`` in a comment means a one-trip loop that adds ``k``. Loop
counters are 0-d i32 ndarrays; the driver reads them after each pass and repeats while they are non-zero (§16.3).
Compile errors of §16.2 live in ``test_graph_errors.py``; member-chain and dataclass conditions in
``test_graph_members.py``.
"""

import warnings

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I1 = qd.types.NDArray[qd.i32, 1]
I0 = qd.types.NDArray[qd.i32, 0]


def _i0(value: int = 0):
    """A 0-d i32 ndarray holding ``value``."""
    a = qd.ndarray(qd.i32, shape=())
    a[()] = value
    return a


def _i1(n: int):
    """A zeroed 1-d i32 ndarray of ``n`` elements."""
    return qd.ndarray(qd.i32, shape=(n,))


def _levels(kernel):
    """The level table of the most recent specialization as plain tuples."""
    return [
        (lv.cond_arg_name, lv.parent_id, lv.cond_cpp_arg_id, lv.checkpoint_id)
        for lv in kernel._primal.graph_do_while_levels
    ]


# ------------------------------------------------------------------------------------------ §16.4 example table


@case(section="16.4", golden={"log": [1, 3, 3, 0], "c": 0})
def do_while_bare_first_statement_runs_every_pass():
    # log[0]+=1; loop(c=3){log[1]+=1 (bare, first); for: log[2]+=1; c-=1}
    @qd.kernel(graph=True)
    def k(log: I1, c: I0):
        log[0] += 1
        while qd.graph.do_while(c):
            log[1] += 1
            for _ in range(1):
                log[2] += 1
            c[()] -= 1

    log, c = _i1(4), _i0(3)
    k(log, c)
    return {"log": log.to_numpy(), "c": c[()]}


@case(section="16.4", golden={"seen": 1, "x": [105, 5, 5, 5], "c": 0})
def do_while_bare_top_level_statements_run_once():
    # seen+=1; x[0]=100; loop(c=5){for i: x[i]+=1; bare c-=1}
    @qd.kernel(graph=True)
    def k(seen: I0, x: I1, c: I0):
        seen[()] += 1
        x[0] = 100
        while qd.graph.do_while(c):
            for i in range(x.shape[0]):
                x[i] += 1
            c[()] = c[()] - 1

    seen, x, c = _i0(), _i1(4), _i0(5)
    k(seen, x, c)
    return {"seen": seen[()], "x": x.to_numpy(), "c": c[()]}


@case(section="16.4", golden={"x": [210], "c": 0})
def do_while_between_top_level_loops():
    # for: x+=100; loop(c=5){for: x+=1; c-=1}; for: x*=2  ->  (100+5)*2
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        for _ in range(1):
            x[0] += 100
        while qd.graph.do_while(c):
            for _ in range(1):
                x[0] += 1
            c[()] -= 1
        for _ in range(1):
            x[0] *= 2

    x, c = _i1(1), _i0(5)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.4", golden={"x": [1052], "outer": 0, "inner": 0})
def do_while_nested_inner_counter_reset_each_pass():
    # for: +1000; loop(outer=4){inner=3; for: +10; loop(inner){for: +1; inner-=1}; outer-=1}  ->  1000+4*10+4*3
    @qd.kernel(graph=True)
    def k(x: I1, outer: I0, inner: I0):
        for _ in range(1):
            x[0] += 1000
        while qd.graph.do_while(outer):
            inner[()] = 3
            for _ in range(1):
                x[0] += 10
            while qd.graph.do_while(inner):
                for _ in range(1):
                    x[0] += 1
                inner[()] -= 1
            outer[()] -= 1

    x, outer, inner = _i1(1), _i0(4), _i0()
    k(x, outer, inner)
    return {"x": x.to_numpy(), "outer": outer[()], "inner": inner[()]}


@case(section="16.4", golden={"x": [5], "c": 0})
def do_while_func_loop_at_top_level_and_in_body():
    @qd.func
    def bump(x: I1):
        for _ in range(1):
            x[0] += 1

    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        bump(x)
        while qd.graph.do_while(c):
            bump(x)
            c[()] -= 1

    x, c = _i1(1), _i0(4)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.4", golden={"x": [1], "keep": 0})
def do_while_body_runs_once_when_cleared():
    # loop(keep=0){for: x+=1; keep=0}
    @qd.kernel(graph=True)
    def k(x: I1, keep: I0):
        while qd.graph.do_while(keep):
            for _ in range(1):
                x[0] += 1
            keep[()] = 0

    x, keep = _i1(1), _i0(0)
    k(x, keep)
    return {"x": x.to_numpy(), "keep": keep[()]}


# ------------------------------------------------------------------------------------------ §16.3 condition rule


@case(section="16.3", golden={"x": [1], "c": 0})
def do_while_zero_at_launch_still_runs_once():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                x[0] += 1

    x, c = _i1(1), _i0(0)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.3", golden={"x": [3], "c": 0})
def do_while_negative_counter_keeps_looping():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                x[0] += 1
            c[()] += 1  # -3 -> -2 -> -1 -> 0

    x, c = _i1(1), _i0(-3)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.3", golden={"x": [4], "c": 0})
def do_while_any_nonzero_value_repeats():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                x[0] += 1
            c[()] -= 2  # 8 -> 6 -> 4 -> 2 -> 0

    x, c = _i1(1), _i0(8)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.3", golden={"passes": 3, "c": 0, "x": [3, 3, 3, 3]})
def do_while_reads_counter_after_parallel_work():
    # each pass decrements the counter from 4 parallel iterations; the read sees all of them
    @qd.kernel(graph=True)
    def k(passes: I0, c: I0, x: I1):
        while qd.graph.do_while(c):
            passes[()] += 1
            for i in range(4):
                x[i] += 1
                qd.atomic_sub(c[()], 1)

    passes, c, x = _i0(), _i0(12), _i1(4)
    k(passes, c, x)
    return {"passes": passes[()], "c": c[()], "x": x.to_numpy()}


@case(section="16.3", golden={"x": [0, 3, 6, 9, 12], "c": 0})
def do_while_body_parallel_loop_over_elements():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for i in range(x.shape[0]):
                x[i] += i
            c[()] -= 1

    x, c = _i1(5), _i0(3)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.3", golden={"x": [2, 2], "c": 0})
def do_while_runtime_if_bare_in_body():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            if c[()] % 2 == 0:
                x[0] += 1
            else:
                x[1] += 1
            c[()] -= 1

    x, c = _i1(2), _i0(4)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.3", golden={"x": [3, 0], "c": 0})
def do_while_first_body_statement_is_runtime_if():
    # a bare runtime if as the first body statement, right after a bare top-level statement: runs every pass
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        x[1] = 0
        while qd.graph.do_while(c):
            if c[()] > 0:
                x[0] += 1
            c[()] -= 1

    x, c = _i1(2), _i0(3)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


# ------------------------------------------------------------------------------------------ nesting and siblings


@case(section="16.3", golden={"x": [2, 30], "a": 0, "b": 0})
def do_while_sibling_loops():
    @qd.kernel(graph=True)
    def k(x: I1, a: I0, b: I0):
        while qd.graph.do_while(a):
            for _ in range(1):
                x[0] += 1
            a[()] -= 1
        while qd.graph.do_while(b):
            for _ in range(1):
                x[1] += 10
            b[()] -= 1

    x, a, b = _i1(2), _i0(2), _i0(3)
    k(x, a, b)
    return {"x": x.to_numpy(), "a": a[()], "b": b[()]}


@case(section="16.3", golden={"x": [12, 4, 2, 1], "o": 0, "m": 0, "i": 0})
def do_while_three_levels():
    # loop(o=2){m=2; loop(m){i=3; loop(i){+1 x0; i-=1}; x1+=1; m-=1}; for: x2+=1; o-=1}; x3+=1
    @qd.kernel(graph=True)
    def k(x: I1, o: I0, m: I0, i: I0):
        while qd.graph.do_while(o):
            m[()] = 2
            while qd.graph.do_while(m):
                i[()] = 3
                while qd.graph.do_while(i):
                    for _ in range(1):
                        x[0] += 1
                    i[()] -= 1
                x[1] += 1
                m[()] -= 1
            for _ in range(1):
                x[2] += 1
            o[()] -= 1
        x[3] += 1

    x, o, m, i = _i1(4), _i0(2), _i0(), _i0()
    k(x, o, m, i)
    return {"x": x.to_numpy(), "o": o[()], "m": m[()], "i": i[()]}


@case(section="16.3", golden={"x": [2, 6, 2, 4], "a": 0, "b": 0, "c": 0})
def do_while_two_inner_siblings_in_outer():
    # loop(a=2){b=3; loop(b){+1 x1; b-=1}; x0+=1; c=2; loop(c){+1 x3; c-=1}; for: x2+=1; a-=1}
    @qd.kernel(graph=True)
    def k(x: I1, a: I0, b: I0, c: I0):
        while qd.graph.do_while(a):
            b[()] = 3
            while qd.graph.do_while(b):
                for _ in range(1):
                    x[1] += 1
                b[()] -= 1
            x[0] += 1
            c[()] = 2
            while qd.graph.do_while(c):
                for _ in range(1):
                    x[3] += 1
                c[()] -= 1
            for _ in range(1):
                x[2] += 1
            a[()] -= 1

    x, a, b, c = _i1(4), _i0(2), _i0(), _i0()
    k(x, a, b, c)
    return {"x": x.to_numpy(), "a": a[()], "b": b[()], "c": c[()]}


@case(section="16.3", golden={"x": [2, 3], "c": 0})
def do_while_one_counter_for_two_sibling_loops():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            x[0] += 1
            c[()] -= 1
        c[()] = 3
        while qd.graph.do_while(c):
            x[1] += 1
            c[()] -= 1

    x, c = _i1(2), _i0(2)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.2", golden={"x": [5], "c1": 0, "c2": 0, "compiles": 1})
def do_while_counter_may_be_another_array_each_call():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                x[0] += 1
            c[()] -= 1

    x, c1, c2 = _i1(1), _i0(2), _i0(3)
    k(x, c1)
    k(x, c2)
    return {"x": x.to_numpy(), "c1": c1[()], "c2": c2[()], "compiles": k._primal.compile_count}


@case(section="16.2", golden={"x": [3], "c": 0})
def do_while_condition_generic_ndarray_annotation():
    # a bare qd.types.ndarray() parameter specializes on the actual dtype and ndim: a 0-d i32 array is accepted
    @qd.kernel(graph=True)
    def k(x: I1, c: qd.types.ndarray()):
        while qd.graph.do_while(c):
            for _ in range(1):
                x[0] += 1
            c[()] -= 1

    x, c = _i1(1), _i0(3)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


# ------------------------------------------------------------------------------------------ allowed places


@case(section="16.2", golden={"on": [3], "off": [100], "c_on": 0, "c_off": 5})
def do_while_in_static_if_branch():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0, mode: qd.template()):
        if qd.static(mode == 1):
            while qd.graph.do_while(c):
                for _ in range(1):
                    x[0] += 1
                c[()] -= 1
        else:
            for _ in range(1):
                x[0] += 100

    on, c_on = _i1(1), _i0(3)
    k(on, c_on, 1)
    off, c_off = _i1(1), _i0(5)
    k(off, c_off, 0)
    return {"on": on.to_numpy(), "off": off.to_numpy(), "c_on": c_on[()], "c_off": c_off[()]}


@case(section="16.2", golden={"x": [10, 3], "c": 0})
def do_while_in_func_called_at_top_level():
    @qd.func
    def drain(x: I1, c: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                x[1] += 1
            c[()] -= 1

    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        x[0] = 10
        drain(x, c)

    x, c = _i1(2), _i0(3)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.2", golden={"x": [2, 6], "outer": 0, "inner": 0})
def do_while_in_func_called_in_do_while_body():
    @qd.func
    def drain(x: I1, inner: I0):
        inner[()] = 3
        while qd.graph.do_while(inner):
            for _ in range(1):
                x[1] += 1
            inner[()] -= 1

    @qd.kernel(graph=True)
    def k(x: I1, outer: I0, inner: I0):
        while qd.graph.do_while(outer):
            x[0] += 1
            drain(x, inner)
            outer[()] -= 1

    x, outer, inner = _i1(2), _i0(2), _i0()
    k(x, outer, inner)
    return {"x": x.to_numpy(), "outer": outer[()], "inner": inner[()]}


@case(section="16.2", golden={"x": [2], "c": 0})
def do_while_requires_top_level_func_in_body():
    @qd.func(requires_top_level=True)
    def step(x: I1):
        for _ in range(1):
            x[0] += 1

    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            step(x)
            c[()] -= 1

    x, c = _i1(1), _i0(2)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.2", golden={"x": [2, 4, 6], "c": 0})
def do_while_static_for_in_body():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for v in qd.static(range(3)):
                for _ in range(1):
                    x[v] += v + 1
            c[()] -= 1

    x, c = _i1(3), _i0(2)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.2", golden={"x": [20, 21, 22, 23], "c": 0})
def do_while_loop_config_serialize_in_body():
    # loop_config is a bare statement of the body; it serializes the next loop, whose iterations depend on each other
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            x[0] += 10
            qd.loop_config(serialize=True)
            for i in range(1, 4):
                x[i] = x[i - 1] + 1
            c[()] -= 1

    x, c = _i1(4), _i0(2)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.2", golden={"x": [2, 2, 2, 0, 0], "c": 0})
def do_while_serialized_loop_with_break_in_body():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            qd.loop_config(serialize=True)
            for i in range(5):
                if i == 3:
                    break
                x[i] += 1
            c[()] -= 1

    x, c = _i1(5), _i0(2)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.2", golden={"x": [6], "c": 0})
def do_while_plain_while_nested_in_for_allowed():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                j = 0
                while j < 3:
                    x[0] += 1
                    j += 1
            c[()] -= 1

    x, c = _i1(1), _i0(2)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


# ------------------------------------------------------------------------------------------ graph=True without do_while


@case(section="16.1", golden={"x": [0, 1, 2, 3]})
def graph_kernel_without_do_while_may_use_plain_while():
    @qd.kernel(graph=True)
    def k(x: I1):
        i = 0
        while i < 4:
            x[i] = i
            i += 1

    x = _i1(4)
    k(x)
    return {"x": x.to_numpy()}


@case(section="16.1", golden={"graph": [7, 8, 9, 10], "plain": [7, 8, 9, 10]})
def graph_kernel_equals_plain_kernel():
    @qd.kernel(graph=True)
    def g(x: I1, n: qd.i32):
        x[0] = n
        for i in range(1, 4):
            x[i] = i
        for i in range(1, 4):
            x[i] += n
        if n > 0:
            x[0] += 0

    @qd.kernel
    def p(x: I1, n: qd.i32):
        x[0] = n
        for i in range(1, 4):
            x[i] = i
        for i in range(1, 4):
            x[i] += n
        if n > 0:
            x[0] += 0

    a, b = _i1(4), _i1(4)
    g(a, 7)
    p(b, 7)
    return {"graph": a.to_numpy(), "plain": b.to_numpy()}


@case(section="11", golden={"r": 10, "x": [1, 2, 3, 4]})
def graph_kernel_may_return_a_value():
    @qd.kernel(graph=True)
    def k(x: I1) -> qd.i32:
        for i in range(4):
            x[i] = i + 1
        return x[0] + x[1] + x[2] + x[3]

    x = _i1(4)
    r = k(x)
    return {"r": r, "x": x.to_numpy()}


@case(section="16.1", golden={"first": [3, 3], "second": [6, 6], "c": 0})
def do_while_kernel_called_twice():
    # every launch starts with the driver state reset; the counter is set by the host before each call
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for i in range(2):
                x[i] += 1
            c[()] -= 1

    x, c = _i1(2), _i0(3)
    k(x, c)
    first = x.to_numpy()
    c[()] = 3
    k(x, c)
    return {"first": first, "second": x.to_numpy(), "c": c[()]}


# ------------------------------------------------------------------------------------------ level table


@case(
    section="16.3",
    golden={"levels": [("outer", -1, 1, -1), ("inner", 0, 2, -1), ("side", -1, 3, -1)]},
)
def level_table_nested_and_sibling():
    @qd.kernel(graph=True)
    def k(x: I1, outer: I0, inner: I0, side: I0):
        while qd.graph.do_while(outer):
            inner[()] = 1
            while qd.graph.do_while(inner):
                x[0] += 1
                inner[()] -= 1
            outer[()] -= 1
        while qd.graph.do_while(side):
            x[1] += 1
            side[()] -= 1

    k(_i1(2), _i0(1), _i0(), _i0(1))
    return {"levels": _levels(k)}


@case(
    section="16.3",
    golden={
        "levels": [("a", -1, 6, -1), ("b", 0, 2, -1), ("c", 0, 4, -1), ("d", 2, 5, -1), ("e", -1, 7, -1)],
        "x": [1, 1, 1, 1, 1],
    },
)
def level_table_source_order_and_flattened_indices():
    # scalar parameters take flattened indices too: x=0, n=1, b=2, m=3, c=4, d=5, a=6, e=7
    @qd.kernel(graph=True)
    def k(x: I1, n: qd.i32, b: I0, m: qd.i32, c: I0, d: I0, a: I0, e: I0):
        while qd.graph.do_while(a):
            while qd.graph.do_while(b):
                x[0] += n
            while qd.graph.do_while(c):
                while qd.graph.do_while(d):
                    x[1] += m
                x[2] += 1
            x[3] += 1
        while qd.graph.do_while(e):
            x[4] += 1

    x = _i1(5)
    k(x, 1, _i0(), 1, _i0(), _i0(), _i0(), _i0())
    return {"levels": _levels(k), "x": x.to_numpy()}


@case(section="16.3", golden={"levels": [], "x": [1]})
def level_table_empty_without_do_while():
    @qd.kernel(graph=True)
    def k(x: I1):
        for _ in range(1):
            x[0] += 1

    x = _i1(1)
    k(x)
    return {"levels": _levels(k), "x": x.to_numpy()}


@case(
    section="16.3",
    golden={"one": [("a", -1, 1, -1)], "two": [("b", -1, 2, -1)], "again": [("a", -1, 1, -1)]},
)
def level_table_per_specialization():
    @qd.kernel(graph=True)
    def k(x: I1, a: I0, b: I0, mode: qd.template()):
        if qd.static(mode == 1):
            while qd.graph.do_while(a):
                x[0] += 1
        else:
            while qd.graph.do_while(b):
                x[0] += 2

    x = _i1(1)
    k(x, _i0(), _i0(), 1)
    one = _levels(k)
    k(x, _i0(), _i0(), 2)
    two = _levels(k)
    k(x, _i0(), _i0(), 1)
    return {"one": one, "two": two, "again": _levels(k)}


@case(section="16.3", golden={"types": ["GraphDoWhileLevel", "GraphDoWhileLevel"], "list": True})
def level_table_record_type():
    @qd.kernel(graph=True)
    def k(x: I1, a: I0, b: I0):
        while qd.graph.do_while(a):
            x[0] += 1
        while qd.graph.do_while(b):
            x[0] += 1

    k(_i1(1), _i0(), _i0())
    levels = k._primal.graph_do_while_levels
    return {"types": [type(lv).__name__ for lv in levels], "list": isinstance(levels, list)}


# ------------------------------------------------------------------------------------------ deprecated alias


@case(section="16.2", warns=(DeprecationWarning, "qd.graph_do_while() is deprecated"), golden={"x": [3], "c": 0})
def graph_do_while_alias_works_and_warns():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph_do_while(c):
            for _ in range(1):
                x[0] += 1
            c[()] -= 1

    x, c = _i1(1), _i0(3)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="20", golden={"after_first": 1, "after_repeat": 1, "after_new_specialization": 2, "x": [15]})
def graph_do_while_alias_warns_once_per_specialization():
    # SEMANTICS §20 row 25: once per compiled specialization, not once per call or compile pass
    @qd.kernel(graph=True)
    def k(x: I1, c: I0, step: qd.template()):
        while qd.graph_do_while(c):
            for _ in range(1):
                x[0] += step
            c[()] -= 1

    def count(log):
        return sum(
            1
            for w in log
            if issubclass(w.category, DeprecationWarning) and "qd.graph_do_while() is deprecated" in str(w.message)
        )

    x = _i1(1)
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        k(x, _i0(1), 1)
        first = count(log)
        k(x, _i0(2), 1)
        k(x, _i0(1), 1)
        repeat = count(log)
        k(x, _i0(1), 11)
        new = count(log)
    return {"after_first": first, "after_repeat": repeat, "after_new_specialization": new, "x": x.to_numpy()}


@case(section="16.2", golden={"warned": 0, "x": [2]})
def graph_do_while_no_warning_for_new_spelling():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                x[0] += 1
            c[()] -= 1

    x = _i1(1)
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        k(x, _i0(2))
    warned = sum(1 for w in log if issubclass(w.category, DeprecationWarning))
    return {"warned": warned, "x": x.to_numpy()}


@case(section="16.3", golden={"x": np.array([4, 4, 4], dtype=np.int32), "c": 0})
def do_while_numpy_array_arguments():
    # ndarray parameters accept NumPy arrays passed directly (§7): writes are visible, the counter included
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for i in range(3):
                x[i] += 1
            c[()] -= 1

    x = np.zeros(3, dtype=np.int32)
    c = np.array(4, dtype=np.int32)
    k(x, c)
    return {"x": x, "c": int(c[()])}
