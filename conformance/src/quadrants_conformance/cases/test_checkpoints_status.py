"""docs/semantics.md §17.1 and §17.3: the ``qd.GraphStatus`` a ``checkpoints=True`` kernel returns, and
``qd.checkpoint``
outside kernels.

Conventions: every array starts at 0 unless the case sets it; ``+k`` means a one-trip loop that adds ``k``; "implicit"
is a top-level (or do_while-body) for-loop, which ``checkpoints=True`` wraps in an implicit checkpoint (§17.2.1).
Labels used as ``Name.attr`` must be module globals of the kernel's module (§17.2.3): ``Phase`` and ``Stage`` are
imported from ``_graph_common``. The other checkpoint modules are listed in ``test_checkpoints.py``.
"""

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import I0, I1, Phase, Stage, _i0, _i1, _st

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
