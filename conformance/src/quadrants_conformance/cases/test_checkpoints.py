"""SEMANTICS.md §17: checkpoints, ``kernel.resume`` and ``qd.GraphStatus`` (with the driver of §16.4).

Conventions: every array starts at 0 unless the case sets it; ``+k`` means a one-trip loop that adds ``k``; "implicit"
is a top-level (or do_while-body) for-loop, which ``checkpoints=True`` wraps in an implicit checkpoint (§17.2.1).
Labels used as ``Name.attr`` must be module globals of the kernel's module (§17.2.3), so the enums live here.
Compile-time and call-time errors are in ``test_graph_errors.py``; member chains and dataclasses in
``test_graph_members.py``.
"""

import enum

import quadrants as qd
from quadrants_conformance import case

I1 = qd.types.NDArray[qd.i32, 1]
I0 = qd.types.NDArray[qd.i32, 0]


class Stage(enum.IntEnum):
    A = 5
    B = 6


class Phase(enum.IntEnum):
    LOAD = 1
    SIM = 2


class Other(enum.IntEnum):
    FIVE = 5


CP_MAIN = 3


def _i0(value: int = 0):
    a = qd.ndarray(qd.i32, shape=())
    a[()] = value
    return a


def _i1(n: int):
    return qd.ndarray(qd.i32, shape=(n,))


def _st(status):
    """The observable fields of a ``GraphStatus``."""
    return {"yielded": status.yielded, "checkpoint": status.checkpoint, "repr": repr(status)}


def _tables(kernel):
    p = kernel._primal
    return {
        "labels": list(p.checkpoint_user_labels_by_cp_id),
        "args": list(p.checkpoint_yield_on_args),
        "arg_ids": list(p.checkpoint_yield_on_cpp_arg_ids),
    }


# ------------------------------------------------------------------------------------------ §17.6 worked example d2


def _d2():
    @qd.kernel(graph=True, checkpoints=True)
    def d2(log: I1, cnt: I0, it: I0, flag: I0, yield_at: qd.i32):
        for _ in range(1):
            log[4] += 1  # implicit id 0 (top level)
        while qd.graph.do_while(cnt):  # level 0
            for _ in range(1):
                log[0] += 1  # implicit id 1
            it[()] = it[()] + 1  # outside, runs every pass
            with qd.checkpoint(7, yield_on=flag):  # explicit id 2, label 7
                for _ in range(1):
                    log[1] += 1
                    if it[()] == yield_at:
                        flag[()] = 1
            log[2] += 1  # outside
            for _ in range(1):
                log[3] += 1  # implicit id 3
            cnt[()] = cnt[()] - 1  # outside
        log[5] += 1  # outside, top level
        for _ in range(1):
            log[6] += 1  # implicit id 4

    return d2


def _d2_args(yield_at: int = 2):
    return _i1(7), _i0(4), _i0(0), _i0(0), yield_at


@case(
    section="17.6",
    golden={
        "labels": [None, None, 7, None, None],
        "args": [None, None, "flag", None, None],
        "arg_ids": [-1, -1, 3, -1, -1],
        "levels": [("cnt", -1, 1, -1)],
    },
)
def d2_introspection_tables():
    d2 = _d2()
    d2(*_d2_args())
    levels = [
        (v.cond_arg_name, v.parent_id, v.cond_cpp_arg_id, v.checkpoint_id) for v in d2._primal.graph_do_while_levels
    ]
    return {**_tables(d2), "levels": levels}


@case(
    section="17.6",
    golden={
        "yielded": True,
        "checkpoint": 7,
        "label_type": "int",
        "repr": "GraphStatus(yielded=True, checkpoint=7)",
        "log": [2, 2, 2, 1, 1, 1, 0],
        "cnt": 2,
        "it": 2,
        "flag": 1,
    },
)
def d2_step1_fresh_launch_yields():
    d2 = _d2()
    log, cnt, it, flag, at = _d2_args()
    s = d2(log, cnt, it, flag, at)
    return {
        **_st(s),
        "label_type": type(s.checkpoint).__name__,
        "log": log.to_numpy(),
        "cnt": cnt[()],
        "it": it[()],
        "flag": flag[()],  # the framework never writes a flag
    }


@case(
    section="17.6",
    golden={
        "yielded": False,
        "checkpoint": None,
        "repr": "GraphStatus(yielded=False)",
        "log": [3, 4, 4, 3, 1, 2, 1],
        "cnt": 0,
        "it": 4,
    },
)
def d2_step2_resume_after_clearing_flag():
    d2 = _d2()
    log, cnt, it, flag, at = _d2_args()
    d2(log, cnt, it, flag, at)
    flag[()] = 0
    s = d2.resume(log, cnt, it, flag, at, from_checkpoint=7)
    return {**_st(s), "log": log.to_numpy(), "cnt": cnt[()], "it": it[()]}


@case(
    section="17.6",
    golden={
        "yielded": True,
        "checkpoint": 7,
        "log": [2, 3, 3, 1, 1, 2, 0],
        "cnt": 1,
        "it": 3,
        "flag": 1,
    },
)
def d2_step3_resume_without_clearing_yields_again():
    d2 = _d2()
    log, cnt, it, flag, at = _d2_args()
    d2(log, cnt, it, flag, at)
    s = d2.resume(log, cnt, it, flag, at, from_checkpoint=7)
    return {
        "yielded": s.yielded,
        "checkpoint": s.checkpoint,
        "log": log.to_numpy(),
        "cnt": cnt[()],
        "it": it[()],
        "flag": flag[()],
    }


@case(
    section="17.6",
    golden={"statuses": [(True, 7), (False, None)], "log": [3, 4, 4, 3, 1, 2, 1], "cnt": 0, "it": 4, "flag": 0},
)
def d2_host_loop():
    d2 = _d2()
    log, cnt, it, flag, at = _d2_args()
    s = d2(log, cnt, it, flag, at)
    statuses = [(s.yielded, s.checkpoint)]
    while s.yielded and len(statuses) < 10:
        flag[()] = 0
        s = d2.resume(log, cnt, it, flag, at, from_checkpoint=s.checkpoint)
        statuses.append((s.yielded, s.checkpoint))
    return {"statuses": statuses, "log": log.to_numpy(), "cnt": cnt[()], "it": it[()], "flag": flag[()]}


@case(section="17.6", golden={"yielded": False, "log": [4, 4, 4, 4, 1, 1, 1], "cnt": 0, "it": 4})
def d2_never_yielding_runs_everything():
    d2 = _d2()
    log, cnt, it, flag, at = _d2_args(yield_at=0)
    s = d2(log, cnt, it, flag, at)
    return {"yielded": s.yielded, "log": log.to_numpy(), "cnt": cnt[()], "it": it[()]}


# ------------------------------------------------------------------------------------------ §17.6 top-level Stage table


def _stage_kernel():
    @qd.func
    def fn(x: I1):
        for _ in range(1):
            x[0] += 1000

    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, log: I1, flag: I0, sel: qd.i32):
        log[0] += 1
        for _ in range(1):
            x[0] += 1  # implicit id 0
        with qd.checkpoint(Stage.A, yield_on=flag):  # id 1
            for _ in range(1):
                x[0] += 10
        log[1] += 1
        fn(x)  # outside every checkpoint
        if sel > 0:
            for _ in range(1):
                x[0] += 100000  # outside every checkpoint
        for _ in range(1):
            x[0] += 100  # implicit id 2
        with qd.checkpoint(Stage.B, yield_on=flag):  # id 3
            for _ in range(1):
                x[0] += 10000000

    return k


def _stage_run(flag_value, resume=None):
    k = _stage_kernel()
    x, log, flag = _i1(1), _i1(2), _i0(flag_value)
    if resume is None:
        s = k(x, log, flag, 1)
    else:
        s = k.resume(x, log, flag, 1, from_checkpoint=resume)
    return {**_st(s), "x": int(x.to_numpy()[0]), "log": log.to_numpy(), "flag": flag[()]}


@case(
    section="17.6",
    golden={
        "yielded": False,
        "checkpoint": None,
        "repr": "GraphStatus(yielded=False)",
        "x": 10101111,
        "log": [1, 1],
        "flag": 0,
    },
)
def stage_table_fresh_flag_clear():
    return _stage_run(0)


@case(
    section="17.6",
    golden={
        "yielded": True,
        "checkpoint": 5,
        "repr": "GraphStatus(yielded=True, checkpoint=<Stage.A: 5>)",
        "is_stage_a": True,
        "x": 101011,
        "log": [1, 1],
        "flag": 1,
    },
)
def stage_table_fresh_flag_set_yields_a():
    k = _stage_kernel()
    x, log, flag = _i1(1), _i1(2), _i0(1)
    s = k(x, log, flag, 1)
    return {
        **_st(s),
        "is_stage_a": isinstance(s.checkpoint, Stage) and s.checkpoint is Stage.A,
        "x": int(x.to_numpy()[0]),
        "log": log.to_numpy(),
        "flag": flag[()],
    }


@case(section="17.6", golden={"yielded": False, "checkpoint": None, "x": 10101110, "log": [1, 1]})
def stage_table_resume_a():
    out = _stage_run(0, resume=Stage.A)
    return {key: out[key] for key in ("yielded", "checkpoint", "x", "log")}


@case(section="17.6", golden={"yielded": False, "checkpoint": None, "x": 10101000, "log": [1, 1]})
def stage_table_resume_b():
    out = _stage_run(0, resume=Stage.B)
    return {key: out[key] for key in ("yielded", "checkpoint", "x", "log")}


@case(
    section="17.6",
    golden={
        "yielded": True,
        "checkpoint": 6,
        "repr": "GraphStatus(yielded=True, checkpoint=<Stage.B: 6>)",
        "is_stage_b": True,
        "x": 10101000,
        "log": [1, 1],
    },
)
def stage_table_resume_int_six_with_flag_yields_declared_b():
    k = _stage_kernel()
    x, log, flag = _i1(1), _i1(2), _i0(1)
    s = k.resume(x, log, flag, 1, from_checkpoint=6)
    return {
        **_st(s),
        "is_stage_b": s.checkpoint is Stage.B,
        "x": int(x.to_numpy()[0]),
        "log": log.to_numpy(),
    }


@case(
    section="17.6",
    golden={
        "labels": [None, 5, None, 6],
        "args": [None, "flag", None, "flag"],
        "arg_ids": [-1, 2, -1, 2],
        "identity": [True, True],
    },
)
def stage_table_introspection():
    k = _stage_kernel()
    k(_i1(1), _i1(2), _i0(0), 1)
    out = _tables(k)
    labels = k._primal.checkpoint_user_labels_by_cp_id
    out["identity"] = [labels[1] is Stage.A, labels[3] is Stage.B]
    return out


@case(section="17.4", golden={"x": 10001110, "log": [1, 1]})
def stage_table_resume_with_sel_zero_skips_runtime_if():
    # the runtime if is outside every checkpoint: with sel=0 it adds nothing, on a resume as well
    k = _stage_kernel()
    x, log, flag = _i1(1), _i1(2), _i0(0)
    k.resume(x, log, flag, 0, from_checkpoint=Stage.A)
    return {"x": int(x.to_numpy()[0]), "log": log.to_numpy()}


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


# ------------------------------------------------------------------------------------------ §17.5 resume and loops


def _resume_into_inner_kernel():
    @qd.kernel(graph=True, checkpoints=True)
    def k(log: I1, outer: I0, inner: I0, flag: I0):
        while qd.graph.do_while(outer):
            inner[()] = 2
            while qd.graph.do_while(inner):
                for _ in range(1):
                    log[0] += 1  # implicit id 0
                inner[()] -= 1
            with qd.checkpoint(1, yield_on=flag):  # id 1
                for _ in range(1):
                    log[1] += 1
            outer[()] -= 1

    return k


@case(section="17.5", golden={"log": [3, 2], "outer": 0, "inner": 0, "yielded": False})
def resume_gates_only_first_pass_of_inner_loop():
    k = _resume_into_inner_kernel()
    log, outer, inner = _i1(2), _i0(2), _i0(0)
    s = k.resume(log, outer, inner, _i0(0), from_checkpoint=1)
    return {"log": log.to_numpy(), "outer": outer[()], "inner": inner[()], "yielded": s.yielded}


@case(section="17.5", golden={"log": [4, 2]})
def resume_gates_only_first_pass_fresh_reference():
    k = _resume_into_inner_kernel()
    log = _i1(2)
    k(log, _i0(2), _i0(0), _i0(0))
    return {"log": log.to_numpy()}


@case(section="17.5", golden={"abcd": [1, 3, 4, 2], "o": 0, "i": 0})
def resume_into_inner_loop_target():
    # loop(o=2){implicit a; i=2; loop(i){implicit b; CP 5 c; i-=1}; implicit d; o-=1}; resume(5):
    # first inner pass skips a and b only; everything after the first body boundary runs
    @qd.kernel(graph=True, checkpoints=True)
    def k(abcd: I1, o: I0, i: I0, flag: I0):
        while qd.graph.do_while(o):
            for _ in range(1):
                abcd[0] += 1  # id 0
            i[()] = 2
            while qd.graph.do_while(i):
                for _ in range(1):
                    abcd[1] += 1  # id 1
                with qd.checkpoint(5, yield_on=flag):  # id 2
                    for _ in range(1):
                        abcd[2] += 1
                i[()] -= 1
            for _ in range(1):
                abcd[3] += 1  # id 3
            o[()] -= 1

    abcd, o, i = _i1(4), _i0(2), _i0(0)
    k.resume(abcd, o, i, _i0(0), from_checkpoint=5)
    return {"abcd": abcd.to_numpy(), "o": o[()], "i": i[()]}


@case(section="17.5", golden={"x": [2, 1], "c": 0})
def resume_past_a_loop_still_runs_its_later_passes():
    # loop(c=3){implicit x0; c-=1}; CP 5(x1). resume(5): the loop's first pass is gated, the later two run in full
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, c: I0, flag: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                x[0] += 1
            c[()] -= 1
        with qd.checkpoint(5, yield_on=flag):
            for _ in range(1):
                x[1] += 1

    x, c = _i1(2), _i0(3)
    k.resume(x, c, _i0(0), from_checkpoint=5)
    return {"x": x.to_numpy(), "c": c[()]}


@case(
    section="17.5",
    golden={"x": [1, 1, 1, 0, 1, 1, 1], "a": 3, "b": 2, "c": 2, "yielded": True, "checkpoint": 9},
)
def yield_in_innermost_of_three_levels_exits_all():
    # x0: CP 9 in the innermost level; x1,x2,x3: outside statements after it at each level; x4-x6: after each loop
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, a: I0, b: I0, c: I0, flag: I0):
        while qd.graph.do_while(a):
            b[()] = 3
            while qd.graph.do_while(b):
                c[()] = 3
                while qd.graph.do_while(c):
                    with qd.checkpoint(9, yield_on=flag):
                        for _ in range(1):
                            x[0] += 1
                    x[1] += 1
                    c[()] -= 1
                x[2] += 1
                for _ in range(1):
                    x[3] += 1  # implicit: skipped after the yield
                b[()] -= 1
            x[4] += 1
            a[()] -= 1
        x[5] += 1
        if a[()] == 3:
            x[6] += 1

    x, a, b, c = _i1(7), _i0(4), _i0(0), _i0(0)
    s = k(x, a, b, c, _i0(1))
    return {"x": x.to_numpy(), "a": a[()], "b": b[()], "c": c[()], "yielded": s.yielded, "checkpoint": s.checkpoint}


@case(section="17.5", golden={"x": [3, 0], "c": 0, "flag": 1, "yielded": True, "resumed_x": [3, 1], "resumed_c": 0})
def checkpoint_containing_do_while_is_one_unit():
    # the loop in CP 3 runs to completion before the flag is read; resuming past CP 3 does not run the loop at all
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, c: I0, flag: I0, flag2: I0):
        with qd.checkpoint(3, yield_on=flag):
            for _ in range(1):
                c[()] = 3
            while qd.graph.do_while(c):
                for _ in range(1):
                    x[0] += 1
                    flag[()] = 1
                c[()] -= 1
        with qd.checkpoint(4, yield_on=flag2):
            for _ in range(1):
                x[1] += 1

    x, c, flag = _i1(2), _i0(0), _i0(0)
    s = k(x, c, flag, _i0(0))
    first = {"x": x.to_numpy(), "c": c[()], "flag": flag[()], "yielded": s.yielded}
    flag[()] = 0
    k.resume(x, c, flag, _i0(0), from_checkpoint=4)
    return {**first, "resumed_x": x.to_numpy(), "resumed_c": c[()]}


@case(section="16.3", golden={"levels": [("c", -1, 1, 1), ("d", -1, 2, -1)], "labels": [None, 3, None]})
def level_table_checkpoint_id_of_enclosing_checkpoint():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, c: I0, d: I0, flag: I0):
        for _ in range(1):
            x[0] += 1  # implicit id 0
        with qd.checkpoint(3, yield_on=flag):  # id 1
            while qd.graph.do_while(c):
                for _ in range(1):
                    x[1] += 1
        while qd.graph.do_while(d):
            for _ in range(1):
                x[2] += 1  # implicit id 2

    k(_i1(3), _i0(), _i0(), _i0())
    levels = [
        (v.cond_arg_name, v.parent_id, v.cond_cpp_arg_id, v.checkpoint_id) for v in k._primal.graph_do_while_levels
    ]
    return {"levels": levels, "labels": list(k._primal.checkpoint_user_labels_by_cp_id)}


@case(section="17.5", golden={"x": 3, "c": 0, "yielded": False})
def resume_into_finished_loop_runs_one_pass():
    # loop(c=2){CP 1(+1, flag when x==2); guarded c-=1}: the yield comes in the last pass; the resume runs one more pass
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, c: I0, flag: I0):
        while qd.graph.do_while(c):
            with qd.checkpoint(1, yield_on=flag):
                for _ in range(1):
                    x[0] += 1
                    if x[0] == 2:
                        flag[()] = 1
            if c[()] > 0:
                c[()] -= 1

    x, c, flag = _i1(1), _i0(2), _i0(0)
    k(x, c, flag)
    flag[()] = 0
    s = k.resume(x, c, flag, from_checkpoint=1)
    return {"x": int(x.to_numpy()[0]), "c": c[()], "yielded": s.yielded}


@case(section="17.5", golden={"statuses": [(True, 1), (True, 1), (False, None)], "ab": [3, 5], "cnt": 0})
def host_loop_two_yields_in_one_loop():
    # loop(cnt=5){implicit a; CP 1(b; flag when b is 2 or 4); cnt-=1}
    @qd.kernel(graph=True, checkpoints=True)
    def k(ab: I1, cnt: I0, flag: I0):
        while qd.graph.do_while(cnt):
            for _ in range(1):
                ab[0] += 1
            with qd.checkpoint(1, yield_on=flag):
                for _ in range(1):
                    ab[1] += 1
                    if ab[1] == 2 or ab[1] == 4:
                        flag[()] = 1
            cnt[()] -= 1

    ab, cnt, flag = _i1(2), _i0(5), _i0(0)
    s = k(ab, cnt, flag)
    statuses = [(s.yielded, s.checkpoint)]
    while s.yielded and len(statuses) < 10:
        flag[()] = 0
        s = k.resume(ab, cnt, flag, from_checkpoint=s.checkpoint)
        statuses.append((s.yielded, s.checkpoint))
    return {"statuses": statuses, "ab": ab.to_numpy(), "cnt": cnt[()]}


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


# ------------------------------------------------------------------------------------------ §17.2 compile-time rules


@case(section="17.2", golden={"labels": [None, None, 9], "fresh": 131, "resumed": 100})
def static_for_is_wrapped_as_one_implicit_checkpoint():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        for _ in range(1):
            x[0] += 1  # implicit id 0
        for _v in qd.static(range(3)):  # implicit id 1 (the whole static for)
            for _ in range(1):
                x[0] += 10
        with qd.checkpoint(9, yield_on=flag):  # id 2
            for _ in range(1):
                x[0] += 100

    x, flag = _i1(1), _i0(0)
    k(x, flag)
    fresh = int(x.to_numpy()[0])
    x.fill(0)
    k.resume(x, flag, from_checkpoint=9)
    return {"labels": list(k._primal.checkpoint_user_labels_by_cp_id), "fresh": fresh, "resumed": int(x.to_numpy()[0])}


@case(section="17.2", golden={"labels": [1, 2], "resumed": 110})
def static_if_loop_is_outside_every_checkpoint():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        if qd.static(True):
            for _ in range(1):
                x[0] += 10  # not wrapped: always runs
        with qd.checkpoint(2, yield_on=flag):
            for _ in range(1):
                x[0] += 100

    x = _i1(1)
    k.resume(x, _i0(0), from_checkpoint=2)
    return {"labels": list(k._primal.checkpoint_user_labels_by_cp_id), "resumed": int(x.to_numpy()[0])}


@case(section="17.2", golden={"x": [5, 6, 7, 8], "labels": [None]})
def loop_config_applies_to_wrapped_loop():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1):
        qd.loop_config(serialize=True)
        for i in range(1, 4):
            x[i] = x[i - 1] + 1

    x = _i1(4)
    x[0] = 5
    k(x)
    return {"x": x.to_numpy(), "labels": list(k._primal.checkpoint_user_labels_by_cp_id)}


@case(section="17.2", golden={"fresh": 11, "resumed": 10})
def runtime_if_directly_in_checkpoint_body_belongs_to_it():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, sel: qd.i32):
        with qd.checkpoint(1, yield_on=flag):
            if sel > 0:
                for _ in range(1):
                    x[0] += 1
        with qd.checkpoint(2, yield_on=flag):
            for _ in range(1):
                x[0] += 10

    x, flag = _i1(1), _i0(0)
    k(x, flag, 1)
    fresh = int(x.to_numpy()[0])
    x.fill(0)
    k.resume(x, flag, 1, from_checkpoint=2)
    return {"fresh": fresh, "resumed": int(x.to_numpy()[0])}


@case(section="17.2", golden={"x": [2], "labels": [4]})
def string_constant_allowed_in_checkpoint_body():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(4, yield_on=flag):
            "a string constant is allowed anywhere"
            for _ in range(1):
                x[0] += 2

    x = _i1(1)
    k(x, _i0(0))
    return {"x": x.to_numpy(), "labels": list(k._primal.checkpoint_user_labels_by_cp_id)}


@case(section="17.2", golden={"x": [2, 10], "labels": [3, None], "yielded": True, "checkpoint": 3, "label_type": "int"})
def module_global_int_constant_label():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(CP_MAIN, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        for _ in range(1):
            x[1] += 10

    x, flag = _i1(2), _i0(1)
    s = k(x, flag)
    flag[()] = 0
    k.resume(x, flag, from_checkpoint=CP_MAIN)
    return {
        "x": x.to_numpy(),
        "labels": list(k._primal.checkpoint_user_labels_by_cp_id),
        "yielded": s.yielded,
        "checkpoint": s.checkpoint,
        "label_type": type(s.checkpoint).__name__,
    }


@case(section="17.2", golden={"x": [11], "labels": [1, 2]})
def keyword_and_positional_argument_forms():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(cp_id=1, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(2, flag):
            for _ in range(1):
                x[0] += 10

    x = _i1(1)
    k(x, _i0(0))
    return {"x": x.to_numpy(), "labels": list(k._primal.checkpoint_user_labels_by_cp_id)}


@case(section="17.2", golden={"one": 1, "two": 10})
def same_label_in_discarded_static_branch_is_not_a_duplicate():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, mode: qd.template()):
        if qd.static(mode == 1):
            with qd.checkpoint(1, yield_on=flag):
                for _ in range(1):
                    x[0] += 1
        else:
            with qd.checkpoint(1, yield_on=flag):
                for _ in range(1):
                    x[0] += 10

    a, b = _i1(1), _i1(1)
    k(a, _i0(0), 1)
    k(b, _i0(0), 2)
    return {"one": int(a.to_numpy()[0]), "two": int(b.to_numpy()[0])}


# ------------------------------------------------------------------------------------------ §17.3 return value


@case(section="17.3", golden={"repr": "GraphStatus(yielded=False)", "yielded": False, "checkpoint": None, "x": [1, 1]})
def only_implicit_checkpoints_still_return_status():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1):
        for _ in range(1):
            x[0] += 1
        for _ in range(1):
            x[1] += 1

    x = _i1(2)
    s = k(x)
    return {**_st(s), "x": x.to_numpy()}


@case(section="17.3", golden={"is_status": True, "yielded": False, "checkpoint": None, "labels": [], "x": [3]})
def no_checkpoint_at_all_still_returns_status():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1):
        x[0] = 3

    x = _i1(1)
    s = k(x)
    return {
        "is_status": isinstance(s, qd.GraphStatus),
        "yielded": s.yielded,
        "checkpoint": s.checkpoint,
        "labels": list(k._primal.checkpoint_user_labels_by_cp_id),
        "x": x.to_numpy(),
    }


@case(section="17.3", golden={"is_status": True, "yielded": False, "x": [4]})
def none_return_annotation_accepted():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1) -> None:
        for _ in range(1):
            x[0] += 4

    x = _i1(1)
    s = k(x)
    return {"is_status": isinstance(s, qd.GraphStatus), "yielded": s.yielded, "x": x.to_numpy()}


@case(section="17.3", golden={"statuses": [(False, None), (False, None)], "x": [3], "c": 0})
def do_while_only_checkpoint_kernel_returns_status_every_call():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            x[0] += 1
            if c[()] > 0:
                c[()] -= 1

    x, c = _i1(1), _i0(2)
    a = k(x, c)
    b = k(x, c)  # c is 0: one pass
    return {"statuses": [(a.yielded, a.checkpoint), (b.yielded, b.checkpoint)], "x": x.to_numpy(), "c": c[()]}


# ------------------------------------------------------------------------------------------ §17.4 resume labels


@case(section="17.4", golden={"a": [0, 1], "b": [0, 1], "same": True})
def resume_enum_and_int_label_equivalent():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(Stage.A, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(Stage.B, yield_on=flag):
            for _ in range(1):
                x[1] += 1

    a, b = _i1(2), _i1(2)
    k.resume(a, _i0(0), from_checkpoint=Stage.B)
    k.resume(b, _i0(0), from_checkpoint=6)
    return {"a": a.to_numpy(), "b": b.to_numpy(), "same": bool((a.to_numpy() == b.to_numpy()).all())}


@case(section="17.4", golden={"yielded": True, "checkpoint": 5, "declared": True, "x": [1, 0]})
def resume_with_other_enum_of_equal_value_reports_declared_label():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(Stage.A, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        for _ in range(1):
            x[1] += 1

    x = _i1(2)
    s = k.resume(x, _i0(1), from_checkpoint=Other.FIVE)
    return {"yielded": s.yielded, "checkpoint": s.checkpoint, "declared": s.checkpoint is Stage.A, "x": x.to_numpy()}


@case(section="17.8", golden={"x": [0, 1, 0], "yielded": True, "checkpoint": 1, "label_type": "int"})
def resume_true_matches_label_one():
    # bool counts as int and True == 1; the status reports the declared label (the int 1)
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        for _ in range(1):
            x[0] += 1
        with qd.checkpoint(1, yield_on=flag):
            for _ in range(1):
                x[1] += 1
        for _ in range(1):
            x[2] += 1

    x = _i1(3)
    s = k.resume(x, _i0(1), from_checkpoint=True)
    return {
        "x": x.to_numpy(),
        "yielded": s.yielded,
        "checkpoint": s.checkpoint,
        "label_type": type(s.checkpoint).__name__,
    }


@case(section="20", golden={"status": (False, None), "x": [0, 10, 100], "compiles": 1, "then_fresh": [1, 20, 200]})
def resume_as_very_first_call_compiles_then_runs():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        for _ in range(1):
            x[0] += 1
        with qd.checkpoint(7, yield_on=flag):
            for _ in range(1):
                x[1] += 10
        for _ in range(1):
            x[2] += 100

    x = _i1(3)
    s = k.resume(x, _i0(0), from_checkpoint=7)
    first = x.to_numpy()
    k(x, _i0(0))
    return {
        "status": (s.yielded, s.checkpoint),
        "x": first,
        "compiles": k._primal.compile_count,
        "then_fresh": x.to_numpy(),
    }


@case(
    section="17.7",
    golden={"one": [1], "two": [2], "again": [1], "one_x": [1, 0], "two_x": [0, 1]},
)
def checkpoint_tables_per_specialization():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, mode: qd.template()):
        if qd.static(mode == 1):
            with qd.checkpoint(1, yield_on=flag):
                for _ in range(1):
                    x[0] += 1
        else:
            with qd.checkpoint(2, yield_on=flag):
                for _ in range(1):
                    x[1] += 1

    def labels():
        return list(k._primal.checkpoint_user_labels_by_cp_id)

    a, b = _i1(2), _i1(2)
    k.resume(a, _i0(0), 1, from_checkpoint=1)
    one = labels()
    k.resume(b, _i0(0), 2, from_checkpoint=2)
    two = labels()
    k(_i1(2), _i0(0), 1)
    return {"one": one, "two": two, "again": labels(), "one_x": a.to_numpy(), "two_x": b.to_numpy()}


# ------------------------------------------------------------------------------------------ qd.GraphStatus


@case(section="17.1", golden={"slots": ("yielded", "checkpoint"), "no_dict": True})
def graph_status_slots():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1):
        x[0] = 1

    s = k(_i1(1))
    return {"slots": tuple(qd.GraphStatus.__slots__), "no_dict": not hasattr(s, "__dict__")}


@case(section="17.1", golden={"own_eq": False, "equal_content_differs": True, "self_equal": True, "hash_ok": True})
def graph_status_has_no_eq():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1):
        x[0] = 1

    x = _i1(1)
    a, b = k(x), k(x)
    return {
        "own_eq": "__eq__" in vars(qd.GraphStatus),
        "equal_content_differs": (a != b) and not (a == b),  # noqa: SIM201
        "self_equal": a == a,
        "hash_ok": hash(a) == hash(a),
    }


@case(section="17.1", golden={"own_bool": False, "not_yielded_truthy": True, "yielded_truthy": True})
def graph_status_always_truthy():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(0, yield_on=flag):
            for _ in range(1):
                x[0] += 1

    x = _i1(1)
    a = k(x, _i0(0))
    b = k(x, _i0(1))
    return {"own_bool": "__bool__" in vars(qd.GraphStatus), "not_yielded_truthy": bool(a), "yielded_truthy": bool(b)}


@case(
    section="17.1",
    golden={
        "none": "GraphStatus(yielded=False)",
        "enum": "GraphStatus(yielded=True, checkpoint=<Phase.SIM: 2>)",
        "int": "GraphStatus(yielded=True, checkpoint=12)",
    },
)
def graph_status_repr_forms():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, fa: I0, fb: I0):
        with qd.checkpoint(Phase.SIM, yield_on=fa):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(12, yield_on=fb):
            for _ in range(1):
                x[0] += 1

    x = _i1(1)
    return {
        "none": repr(k(x, _i0(0), _i0(0))),
        "enum": repr(k(x, _i0(1), _i0(0))),
        "int": repr(k(x, _i0(0), _i0(1))),
    }


# ------------------------------------------------------------------------------------ qd.checkpoint outside kernels


@case(section="17.1", golden={"ran": [1, 2, 3], "propagated": True, "value_error": True})
def checkpoint_outside_kernels_is_noop_context_manager():
    ran = []
    with qd.checkpoint(1, 2):
        ran.append(1)
    with qd.checkpoint(cp_id=Stage.A, yield_on=None):
        ran.append(2)
    with qd.checkpoint("any", yield_on="thing"):
        ran.append(3)
    propagated = False
    try:
        with qd.checkpoint(1, 2):
            raise ValueError("inside")
    except ValueError:
        propagated = True
    return {"ran": ran, "propagated": propagated, "value_error": propagated}


@case(section="17.7", golden={"x": [0, 10, 100], "yielded": False})
def resume_with_keyword_arguments():
    # resume takes the same arguments as a call, keywords included
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, step: qd.i32):
        for _ in range(1):
            x[0] += step
        with qd.checkpoint(7, yield_on=flag):
            for _ in range(1):
                x[1] += 10 * step
        for _ in range(1):
            x[2] += 100 * step

    x = _i1(3)
    s = k.resume(x=x, step=1, flag=_i0(0), from_checkpoint=7)
    return {"x": x.to_numpy(), "yielded": s.yielded}


@case(
    section="17.6",
    golden={
        "launches": [
            {"status": (True, 1), "log": [1, 1, 0, 1], "outer": 1, "inner": 2},
            {"status": (False, None), "log": [4, 2, 1, 2], "outer": 0, "inner": 0},
        ]
    },
)
def host_loop_after_yield_in_inner_loop():
    # the V8 kernel under the host loop: CP 1 has internal id 0, so resume(1) gates nothing
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

    log, outer, inner, flag = _i1(4), _i0(2), _i0(0), _i0(1)
    launches = []
    s = k(log, outer, inner, flag)
    while True:
        launches.append(
            {"status": (s.yielded, s.checkpoint), "log": log.to_numpy(), "outer": outer[()], "inner": inner[()]}
        )
        if not s.yielded or len(launches) > 5:
            break
        flag[()] = 0
        s = k.resume(log, outer, inner, flag, from_checkpoint=s.checkpoint)
    return {"launches": launches}
