"""docs/semantics.md §17.4, §17.5 and §17.7: ``kernel.resume``: resuming into loops, resume labels and resume arguments.

Conventions: every array starts at 0 unless the case sets it; ``+k`` means a one-trip loop that adds ``k``; "implicit"
is a top-level (or do_while-body) for-loop, which ``checkpoints=True`` wraps in an implicit checkpoint (§17.2.1).
Labels used as ``Name.attr`` must be module globals of the kernel's module (§17.2.3), so ``Other`` lives here and
``Stage`` is imported from ``_graph_common``. The other checkpoint modules are listed in ``test_checkpoints.py``.
"""

import enum

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import I0, I1, Stage, _i0, _i1


class Other(enum.IntEnum):
    FIVE = 5


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


# ----------------------------------------------------------------------------- §17.7 resume arguments and the host loop


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
