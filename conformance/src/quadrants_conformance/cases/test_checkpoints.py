"""docs/semantics.md §17.6: the worked examples of checkpoints and ``kernel.resume`` (with the driver of §16.4).

Conventions: every array starts at 0 unless the case sets it; ``+k`` means a one-trip loop that adds ``k``; "implicit"
is a top-level (or do_while-body) for-loop, which ``checkpoints=True`` wraps in an implicit checkpoint (§17.2.1).
Labels used as ``Name.attr`` must be module globals of the kernel's module (§17.2.3): ``Stage`` is imported from
``_graph_common``.
The checkpoint cases are split by topic: ``test_checkpoints.py`` (the §17.6 worked examples),
``test_checkpoints_yield.py`` (acceptance vectors, §17.4 flag rules), ``test_checkpoints_resume.py`` (§17.5 resume and
loops, §17.4 resume labels, §17.7 resume arguments), ``test_checkpoints_compile.py`` (§17.2 compile-time rules) and
``test_checkpoints_status.py`` (§17.3 return value, ``qd.GraphStatus``, ``qd.checkpoint`` outside kernels).
Compile-time and call-time errors are in ``test_graph_errors_*.py``; member chains and dataclasses in
``test_graph_members.py``.
"""

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import I0, I1, Stage, _i0, _i1, _st


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
