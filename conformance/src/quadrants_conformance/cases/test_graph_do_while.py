"""docs/semantics.md §16: ``graph=True`` kernels and ``qd.graph.do_while`` (execution, nesting, level table).

Every array starts at 0 unless the case sets it. ``+k`` in a comment means a one-trip loop that adds ``k``. Loop
counters are 0-d i32 ndarrays; the driver reads them after each pass and repeats while they are non-zero (§16.3).
Where a do_while may appear, ``graph=True`` without do_while and the deprecated alias are in
``test_graph_do_while_placement.py``; compile errors of §16.2 in ``test_graph_errors_do_while.py``; member-chain and
dataclass conditions in ``test_graph_members.py``.
"""

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import I0, I1, _i0, _i1


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
