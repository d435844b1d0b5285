"""docs/semantics.md §17.2: compile-time rules of ``checkpoints=True`` kernels (implicit checkpoints, labels, bodies).

Conventions: every array starts at 0 unless the case sets it; ``+k`` means a one-trip loop that adds ``k``; "implicit"
is a top-level (or do_while-body) for-loop, which ``checkpoints=True`` wraps in an implicit checkpoint (§17.2.1).
Labels used as ``Name.attr`` or as a name must be module globals of the kernel's module (§17.2.3), so ``CP_MAIN``
lives here. The other checkpoint modules are listed in ``test_checkpoints.py``.
"""

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import I0, I1, _i0, _i1

CP_MAIN = 3


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
