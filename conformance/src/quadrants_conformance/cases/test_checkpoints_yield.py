"""docs/semantics.md §17.6 acceptance vectors and §17.4 flag rules: when a checkpoint yields, and what runs before it.

Conventions: every array starts at 0 unless the case sets it; ``+k`` means a one-trip loop that adds ``k``; "implicit"
is a top-level (or do_while-body) for-loop, which ``checkpoints=True`` wraps in an implicit checkpoint (§17.2.1).
Labels used as ``Name.attr`` must be module globals of the kernel's module (§17.2.3): ``Phase`` is imported from
``_graph_common``. The other checkpoint modules are listed in ``test_checkpoints.py``.
"""

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import I0, I1, Phase, _i0, _i1

# ------------------------------------------------------------------------------------------ more acceptance vectors


@case(section="17.6", golden={"x": 2, "yielded": True, "checkpoint": 7})
def vector_implicit_cp7_implicit_flag_set():
    # implicit(+1); CP 7(+1); implicit(+1) with flag=1 -> x=2, yields 7
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        for _ in range(1):
            x[0] += 1
        with qd.checkpoint(7, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        for _ in range(1):
            x[0] += 1

    x = _i1(1)
    s = k(x, _i0(1))
    return {"x": int(x.to_numpy()[0]), "yielded": s.yielded, "checkpoint": s.checkpoint}


@case(section="17.6", golden={"x": 1, "yielded": True, "checkpoint": 1, "is_load": True})
def vector_first_yielder_wins_both_flags():
    # CP LOAD(+1, flag1); CP SIM(+1, flag2), both flags 1 -> x=1, yields LOAD
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag1: I0, flag2: I0):
        with qd.checkpoint(Phase.LOAD, yield_on=flag1):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(Phase.SIM, yield_on=flag2):
            for _ in range(1):
                x[0] += 1

    x = _i1(1)
    s = k(x, _i0(1), _i0(1))
    return {
        "x": int(x.to_numpy()[0]),
        "yielded": s.yielded,
        "checkpoint": s.checkpoint,
        "is_load": s.checkpoint is Phase.LOAD,
    }


@case(section="17.6", golden={"fresh": 111, "resumed": 110, "fresh_yielded": False, "resumed_yielded": False})
def vector_resume_skips_earlier_implicit():
    # implicit(+1); CP 42(+10); implicit(+100): fresh -> 111; resume(42) on a zeroed x -> 110
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        for _ in range(1):
            x[0] += 1
        with qd.checkpoint(42, yield_on=flag):
            for _ in range(1):
                x[0] += 10
        for _ in range(1):
            x[0] += 100

    x, flag = _i1(1), _i0(0)
    a = k(x, flag)
    fresh = int(x.to_numpy()[0])
    x.fill(0)
    b = k.resume(x, flag, from_checkpoint=42)
    return {"fresh": fresh, "resumed": int(x.to_numpy()[0]), "fresh_yielded": a.yielded, "resumed_yielded": b.yielded}


@case(section="17.6", golden={"x": 1, "cnt": 5, "yielded": True, "checkpoint": 0, "label_type": "int"})
def vector_yield_in_loop_keeps_counter():
    # loop(cnt=5){CP 0(+1); for: cnt-=1} with flag=1 -> x=1, cnt=5, yields 0 (the decrement loop is implicit, skipped)
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, cnt: I0, flag: I0):
        while qd.graph.do_while(cnt):
            with qd.checkpoint(0, yield_on=flag):
                for _ in range(1):
                    x[0] += 1
            for _ in range(1):
                cnt[()] -= 1

    x, cnt = _i1(1), _i0(5)
    s = k(x, cnt, _i0(1))
    return {
        "x": int(x.to_numpy()[0]),
        "cnt": cnt[()],
        "yielded": s.yielded,
        "checkpoint": s.checkpoint,
        "label_type": type(s.checkpoint).__name__,
    }


@case(section="17.6", golden={"abc": [2, 1, 1], "yields": [1], "final_yielded": False})
def vector_host_loop_resumes_from_load():
    # CP LOAD(a+1); implicit(b+1); implicit(c+1); flag=1; the host loop resumes from LOAD -> a=2, b=1, c=1, one yield
    @qd.kernel(graph=True, checkpoints=True)
    def k(abc: I1, flag: I0):
        with qd.checkpoint(Phase.LOAD, yield_on=flag):
            for _ in range(1):
                abc[0] += 1
        for _ in range(1):
            abc[1] += 1
        for _ in range(1):
            abc[2] += 1

    abc, flag = _i1(3), _i0(1)
    s = k(abc, flag)
    yields = []
    while s.yielded and len(yields) < 10:
        yields.append(s.checkpoint)
        flag[()] = 0
        s = k.resume(abc, flag, from_checkpoint=s.checkpoint)
    return {"abc": abc.to_numpy(), "yields": yields, "final_yielded": s.yielded}


@case(section="17.6", golden={"abc": [3, 4, 3], "cnt": 0, "yields": [2], "launches": 2})
def vector_host_loop_in_do_while():
    # loop(cnt=3){implicit(a); CP SIM(b; sets its flag on its first run only); implicit(c); for: cnt-=1}
    @qd.kernel(graph=True, checkpoints=True)
    def k(abc: I1, cnt: I0, flag: I0):
        while qd.graph.do_while(cnt):
            for _ in range(1):
                abc[0] += 1
            with qd.checkpoint(Phase.SIM, yield_on=flag):
                for _ in range(1):
                    abc[1] += 1
                    if abc[1] == 1:
                        flag[()] = 1
            for _ in range(1):
                abc[2] += 1
            for _ in range(1):
                cnt[()] -= 1

    abc, cnt, flag = _i1(3), _i0(3), _i0(0)
    s = k(abc, cnt, flag)
    launches, yields = 1, []
    while s.yielded and launches < 10:
        yields.append(s.checkpoint)
        flag[()] = 0
        s = k.resume(abc, cnt, flag, from_checkpoint=s.checkpoint)
        launches += 1
    return {"abc": abc.to_numpy(), "cnt": cnt[()], "yields": yields, "launches": launches}


@case(section="17.6", golden={"x": [1, 1, 1, 1], "yielded": True, "checkpoint": 1})
def vector_flag_set_early_in_body_read_after_whole_body():
    # with CP 1: for: flag=1, then for i in range(n): x[i]+=1 in the same body -> x all 1, yields 1
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, n: qd.i32):
        with qd.checkpoint(1, yield_on=flag):
            for _ in range(1):
                flag[()] = 1
            for i in range(n):
                x[i] += 1

    x = _i1(4)
    s = k(x, _i0(0), 4)
    return {"x": x.to_numpy(), "yielded": s.yielded, "checkpoint": s.checkpoint}


@case(section="17.6", golden={"log": [1, 1, 0, 1], "outer": 1, "inner": 2, "yielded": True, "checkpoint": 1})
def vector_yield_in_inner_loop_exits_both_levels():
    # loop(outer=2){inner=3; loop(inner){CP 1(log0); inner-=1}; log1+=1; implicit(log2); outer-=1}; log3+=1; flag=1
    @qd.kernel(graph=True, checkpoints=True)
    def k(log: I1, outer: I0, inner: I0, flag: I0):
        while qd.graph.do_while(outer):
            inner[()] = 3
            while qd.graph.do_while(inner):
                with qd.checkpoint(1, yield_on=flag):
                    for _ in range(1):
                        log[0] += 1
                inner[()] -= 1
            log[1] += 1
            for _ in range(1):
                log[2] += 1
            outer[()] -= 1
        log[3] += 1

    log, outer, inner = _i1(4), _i0(2), _i0(0)
    s = k(log, outer, inner, _i0(1))
    return {
        "log": log.to_numpy(),
        "outer": outer[()],
        "inner": inner[()],
        "yielded": s.yielded,
        "checkpoint": s.checkpoint,
    }


# ------------------------------------------------------------------------------------------ §17.4 flag rules


@case(section="17.4", golden={"x": [1, 0], "yielded": True, "checkpoint": 2, "flag": 1})
def flag_set_by_earlier_outside_statement_body_runs_once():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        flag[()] = 1
        with qd.checkpoint(2, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        for _ in range(1):
            x[1] += 1

    x, flag = _i1(2), _i0(0)
    s = k(x, flag)
    return {"x": x.to_numpy(), "yielded": s.yielded, "checkpoint": s.checkpoint, "flag": flag[()]}


@case(section="17.4", golden={"cleared": [False, 0, 1], "set_late": [True, 1, 1]})
def flag_read_once_after_whole_body():
    # a flag raised then lowered inside the body does not yield; lowered then raised does
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, raise_first: qd.i32):
        with qd.checkpoint(1, yield_on=flag):
            for _ in range(1):
                flag[()] = raise_first
            for _ in range(1):
                x[0] += 1
            for _ in range(1):
                flag[()] = 1 - raise_first

    x, flag = _i1(1), _i0(0)
    a = k(x, flag, 1)
    cleared = [a.yielded, flag[()], int(x.to_numpy()[0])]
    x.fill(0)
    b = k(x, flag, 0)
    return {"cleared": cleared, "set_late": [b.yielded, flag[()], int(x.to_numpy()[0])]}


@case(section="17.4", golden={"minus_one": [True, -1], "seven": [True, 7]})
def any_nonzero_flag_yields_and_is_kept():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):
            for _ in range(1):
                x[0] += 1

    out = {}
    for name, value in (("minus_one", -1), ("seven", 7)):
        flag = _i0(value)
        s = k(_i1(1), flag)
        out[name] = [s.yielded, flag[()]]
    return out


@case(section="17.4", golden={"chained": [True, 20], "both_preset": [True, 10], "x_chained": [1, 1, 0]})
def checkpoint_sets_next_checkpoints_flag():
    # A (label 10, yield_on=fa) writes fb; B (label 20, yield_on=fb): yields 20; with both flags preset it yields 10
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, fa: I0, fb: I0):
        with qd.checkpoint(10, yield_on=fa):
            for _ in range(1):
                x[0] += 1
                fb[()] = 1
        with qd.checkpoint(20, yield_on=fb):
            for _ in range(1):
                x[1] += 1
        for _ in range(1):
            x[2] += 1

    x = _i1(3)
    a = k(x, _i0(0), _i0(0))
    x_chained = x.to_numpy()
    b = k(_i1(3), _i0(1), _i0(1))
    return {"chained": [a.yielded, a.checkpoint], "both_preset": [b.yielded, b.checkpoint], "x_chained": x_chained}


@case(section="17.4", golden={"x": [0, 1, 1], "yielded": False})
def gated_checkpoint_flag_is_not_read():
    # CP 1's flag is set, but resume(2) gates CP 1: its flag is read only if its body ran
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, fa: I0, fb: I0):
        with qd.checkpoint(1, yield_on=fa):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(2, yield_on=fb):
            for _ in range(1):
                x[1] += 1
        for _ in range(1):
            x[2] += 1

    x = _i1(3)
    s = k.resume(x, _i0(1), _i0(0), from_checkpoint=2)
    return {"x": x.to_numpy(), "yielded": s.yielded}


@case(section="17.4", golden={"x": [1, 1, 0], "yielded": True, "checkpoint": 2})
def shared_flag_second_checkpoint_yields():
    # two checkpoints share one flag; only the second one's body raises it
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(2, yield_on=flag):
            for _ in range(1):
                x[1] += 1
                flag[()] = 1
        with qd.checkpoint(3, yield_on=flag):
            for _ in range(1):
                x[2] += 1

    x = _i1(3)
    s = k(x, _i0(0))
    return {"x": x.to_numpy(), "yielded": s.yielded, "checkpoint": s.checkpoint}
