"""docs/semantics.md §16.2, §17 and §19: do_while conditions and checkpoint flags reached through members.

Conditions and flags may be attribute chains ending at a 0-d i32 ndarray member of a ``@qd.data_oriented`` object
(``self.counter``, ``self.inner.flag``, ``obj.cnt`` for a template parameter) or a field of a
``dataclasses.dataclass`` parameter (``params.counter``, introspection label ``"__qd_params__qd_counter"``). The
flattened argument index of a data_oriented member is implementation-defined (§16.3), so the cases only check that it
is a valid index; for dataclasses it is fixed: parameters in order, each dataclass replaced by its fields depth first.
"""

import dataclasses
import enum
import re

import quadrants as qd
from quadrants_conformance import case

I1 = qd.types.NDArray[qd.i32, 1]
I0 = qd.types.NDArray[qd.i32, 0]


class Phase(enum.IntEnum):
    LOAD = 1
    SIM = 2


@dataclasses.dataclass
class Params:
    counter: I0
    flag: I0


@dataclasses.dataclass(frozen=True)
class FrozenParams:
    counter: I0
    flag: I0


@dataclasses.dataclass
class Leaf:
    m: int
    counter: I0


@dataclasses.dataclass
class Tree:
    n: int
    leaf: Leaf
    tail: I0


@dataclasses.dataclass
class WithScalar:
    n: int
    flag: I0


def _i0(value: int = 0):
    a = qd.ndarray(qd.i32, shape=())
    a[()] = value
    return a


def _i1(n: int):
    return qd.ndarray(qd.i32, shape=(n,))


def _line_of(marker: str) -> int:
    with open(__file__, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.rstrip().endswith("# " + marker):
                return n
    raise LookupError(marker)


def _at(marker: str, fn, *args, **kwargs):
    """Call ``fn``; a compile error must name the line marked ``# <marker>``; re-raise it."""
    try:
        return fn(*args, **kwargs)
    except qd.QuadrantsCompilationError as exc:
        line = _line_of(marker)
        if not re.search(rf"\bline {line}\b", str(exc)):
            raise AssertionError(f"the compile error does not point at line {line} (# {marker}): {exc}") from exc
        raise


def _levels(primal):
    return [(v.cond_arg_name, v.parent_id, v.cond_cpp_arg_id, v.checkpoint_id) for v in primal.graph_do_while_levels]


def _valid_index(i) -> bool:
    return isinstance(i, int) and not isinstance(i, bool) and i >= 0


# ------------------------------------------------------------------------------------------ data_oriented conditions


@case(
    section="19.2",
    golden={"x": [3, 3, 3, 3], "counter": 0, "name": "self.counter", "parent": -1, "cp": -1, "index_ok": True},
)
def data_oriented_self_counter_condition():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.counter = _i0(3)
            self.x = _i1(4)

        @qd.kernel(graph=True)
        def run(self):
            while qd.graph.do_while(self.counter):
                for i in range(4):
                    self.x[i] += 1
                self.counter[()] -= 1

    s = Sim()
    s.run()
    (name, parent, index, cp) = _levels(Sim.run._primal)[0]
    return {
        "x": s.x.to_numpy(),
        "counter": s.counter[()],
        "name": name,
        "parent": parent,
        "cp": cp,
        "index_ok": _valid_index(index),
    }


@case(section="19.2", golden={"x": [2, 4], "outer": 0, "names": ["self.outer", "self.inner.cnt"], "parents": [-1, 0]})
def data_oriented_nested_member_levels():
    @qd.data_oriented
    class Inner:
        def __init__(self):
            self.cnt = _i0()

    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.outer = _i0(2)
            self.inner = Inner()
            self.x = _i1(2)

        @qd.kernel(graph=True)
        def run(self):
            while qd.graph.do_while(self.outer):
                self.x[0] += 1
                self.inner.cnt[()] = 2
                while qd.graph.do_while(self.inner.cnt):
                    for _ in range(1):
                        self.x[1] += 1
                    self.inner.cnt[()] -= 1
                self.outer[()] -= 1

    s = Sim()
    s.run()
    levels = _levels(Sim.run._primal)
    return {
        "x": s.x.to_numpy(),
        "outer": s.outer[()],
        "names": [lv[0] for lv in levels],
        "parents": [lv[1] for lv in levels],
    }


@case(section="19.2", golden={"x": [4], "cnt": 0, "name": "obj.cnt"})
def template_parameter_member_condition():
    @qd.data_oriented
    class State:
        def __init__(self):
            self.cnt = _i0(4)

    @qd.kernel(graph=True)
    def k(obj: qd.template(), x: I1):
        while qd.graph.do_while(obj.cnt):
            for _ in range(1):
                x[0] += 1
            obj.cnt[()] -= 1

    st, x = State(), _i1(1)
    k(st, x)
    return {"x": x.to_numpy(), "cnt": st.cnt[()], "name": _levels(k._primal)[0][0]}


@case(section="19.2", golden={"x": [2, 2], "counter": 0})
def data_oriented_unbound_call_with_do_while():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.counter = _i0(2)
            self.x = _i1(2)

        @qd.kernel(graph=True)
        def run(self):
            while qd.graph.do_while(self.counter):
                for i in range(2):
                    self.x[i] += 1
                self.counter[()] -= 1

    s = Sim()
    Sim.run(s)
    return {"x": s.x.to_numpy(), "counter": s.counter[()]}


@case(section="19.2", golden={"old": 7, "new": 0, "x": [5], "old_before": 0, "compiles": 1})
def data_oriented_rebound_counter_used_without_recompiling():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.counter = _i0(2)
            self.x = _i1(1)

        @qd.kernel(graph=True)
        def run(self):
            while qd.graph.do_while(self.counter):
                for _ in range(1):
                    self.x[0] += 1
                self.counter[()] -= 1

    s = Sim()
    s.run()  # 2 passes
    old = s.counter
    old_before = old[()]
    old[()] = 7  # must not be touched any more
    s.counter = _i0(3)
    s.run()  # 3 passes on the new array
    return {
        "old": old[()],
        "new": s.counter[()],
        "x": s.x.to_numpy(),
        "old_before": old_before,
        "compiles": Sim.run._primal.compile_count,
    }


@case(section="19.2", golden={"a": [2], "b": [3], "ca": 0, "cb": 0})
def data_oriented_two_instances_own_counters():
    @qd.data_oriented
    class Sim:
        def __init__(self, n):
            self.counter = _i0(n)
            self.x = _i1(1)

        @qd.kernel(graph=True)
        def run(self):
            while qd.graph.do_while(self.counter):
                for _ in range(1):
                    self.x[0] += 1
                self.counter[()] -= 1

    a, b = Sim(2), Sim(3)
    a.run()
    b.run()
    return {"a": a.x.to_numpy(), "b": b.x.to_numpy(), "ca": a.counter[()], "cb": b.counter[()]}


# ------------------------------------------------------------------------------------------ data_oriented checkpoints


def _sim_with_checkpoints():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.counter = _i0(3)
            self.flag = _i0(0)
            self.log = _i1(2)

        @qd.kernel(graph=True, checkpoints=True)
        def step(self):
            while qd.graph.do_while(self.counter):
                for _ in range(1):
                    self.log[0] += 1  # implicit id 0
                with qd.checkpoint(Phase.SIM, yield_on=self.flag):  # id 1
                    for _ in range(1):
                        self.log[1] += 1
                        if self.log[1] == 2:
                            self.flag[()] = 1
                self.counter[()] -= 1

    return Sim


@case(
    section="17.1",
    golden={
        "statuses": [(True, 2), (False, None)],
        "is_sim": True,
        "log": [2, 3],
        "counter": 0,
        "labels": [None, 2],
        "args": [None, "self.flag"],
        "flag_index": [-1, True],
        "level": ("self.counter", -1, -1),
        "distinct": True,
    },
)
def data_oriented_bound_resume_host_loop():
    Sim = _sim_with_checkpoints()
    s = Sim()
    st = s.step()
    statuses = [(st.yielded, st.checkpoint)]
    is_sim = st.checkpoint is Phase.SIM
    while st.yielded and len(statuses) < 10:
        s.flag[()] = 0
        st = s.step.resume(from_checkpoint=st.checkpoint)
        statuses.append((st.yielded, st.checkpoint))
    p = Sim.step._primal
    ids = list(p.checkpoint_yield_on_cpp_arg_ids)
    (name, parent, index, cp) = _levels(p)[0]
    return {
        "statuses": statuses,
        "is_sim": is_sim,
        "log": s.log.to_numpy(),
        "counter": s.counter[()],
        "labels": list(p.checkpoint_user_labels_by_cp_id),
        "args": list(p.checkpoint_yield_on_args),
        "flag_index": [ids[0], _valid_index(ids[1])],
        "level": (name, parent, cp),
        "distinct": _valid_index(index) and index != ids[1],
    }


@case(section="17.1", golden={"yielded": False, "log": [2, 8], "counter": 0})
def data_oriented_bound_resume_as_first_call():
    # resume(SIM) as the very first call: the first pass skips implicit id 0 only
    Sim = _sim_with_checkpoints()
    s = Sim()
    s.log[1] = 5  # the flag is raised only when log[1] == 2: never here
    st = s.step.resume(from_checkpoint=Phase.SIM)
    return {"yielded": st.yielded, "log": s.log.to_numpy(), "counter": s.counter[()]}


@case(
    section="17.7",
    golden={"yielded": True, "checkpoint": 4, "x": [1, 0], "args": ["self.inner.flag", None], "flag": 1},
)
def data_oriented_nested_member_flag():
    @qd.data_oriented
    class Inner:
        def __init__(self):
            self.flag = _i0(1)

    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.inner = Inner()
            self.x = _i1(2)

        @qd.kernel(graph=True, checkpoints=True)
        def step(self):
            with qd.checkpoint(4, yield_on=self.inner.flag):
                for _ in range(1):
                    self.x[0] += 1
            for _ in range(1):
                self.x[1] += 1

    s = Sim()
    st = s.step()
    return {
        "yielded": st.yielded,
        "checkpoint": st.checkpoint,
        "x": s.x.to_numpy(),
        "args": list(Sim.step._primal.checkpoint_yield_on_args),
        "flag": s.inner.flag[()],
    }


@case(section="17.1", golden={"x": [0, 1], "yielded": False})
def data_oriented_bound_resume_with_extra_arguments():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.flag = _i0(0)

        @qd.kernel(graph=True, checkpoints=True)
        def step(self, x: I1, add: qd.i32):
            for _ in range(1):
                x[0] += add
            with qd.checkpoint(Phase.LOAD, yield_on=self.flag):
                for _ in range(1):
                    x[1] += add

    s, x = Sim(), _i1(2)
    st = s.step.resume(x, 1, from_checkpoint=Phase.LOAD)
    return {"x": x.to_numpy(), "yielded": st.yielded}


# ------------------------------------------------------------------------------------------ dataclass parameters


@case(
    section="19.3",
    golden={"x": [3], "counter": 0, "levels": [("__qd_params__qd_counter", -1, 1, -1)]},
)
def dataclass_counter_condition():
    @qd.kernel(graph=True)
    def k(x: I1, params: Params):
        while qd.graph.do_while(params.counter):
            for _ in range(1):
                x[0] += 1 + params.flag[()]
            params.counter[()] -= 1

    x, p = _i1(1), Params(counter=_i0(3), flag=_i0(0))
    k(x, p)
    return {"x": x.to_numpy(), "counter": p.counter[()], "levels": _levels(k._primal)}


@case(
    section="19.3",
    golden={
        "first": (True, 2),
        "second": (False, None),
        "x": [2, 3],
        "labels": [None, 2],
        "args": [None, "__qd_params__qd_flag"],
        "arg_ids": [-1, 2],
        "levels": [("__qd_params__qd_counter", -1, 1, -1)],
    },
)
def dataclass_flag_checkpoint_and_resume():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, params: Params):
        while qd.graph.do_while(params.counter):
            for _ in range(1):
                x[0] += 1  # implicit id 0
            with qd.checkpoint(Phase.SIM, yield_on=params.flag):  # id 1
                for _ in range(1):
                    x[1] += 1
                    if x[1] == 2:
                        params.flag[()] = 1
            params.counter[()] -= 1

    x, p = _i1(2), Params(counter=_i0(3), flag=_i0(0))
    a = k(x, p)
    p.flag[()] = 0
    b = k.resume(x, p, from_checkpoint=a.checkpoint)
    pr = k._primal
    return {
        "first": (a.yielded, a.checkpoint),
        "second": (b.yielded, b.checkpoint),
        "x": x.to_numpy(),
        "labels": list(pr.checkpoint_user_labels_by_cp_id),
        "args": list(pr.checkpoint_yield_on_args),
        "arg_ids": list(pr.checkpoint_yield_on_cpp_arg_ids),
        "levels": _levels(pr),
    }


@case(section="19.3", golden={"x": [3], "counter": 0, "yielded": False})
def frozen_dataclass_counter_condition():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, params: FrozenParams):
        while qd.graph.do_while(params.counter):
            with qd.checkpoint(1, yield_on=params.flag):
                for _ in range(1):
                    x[0] += 1
            params.counter[()] -= 1

    x, p = _i1(1), FrozenParams(counter=_i0(3), flag=_i0(0))
    st = k(x, p)
    return {"x": x.to_numpy(), "counter": p.counter[()], "yielded": st.yielded}


@case(section="19.3", golden={"x": [5], "old": 9, "new": 0, "compiles": 1})
def dataclass_rebound_counter_between_calls():
    @qd.kernel(graph=True)
    def k(x: I1, params: Params):
        while qd.graph.do_while(params.counter):
            for _ in range(1):
                x[0] += 1
            params.counter[()] -= 1

    x, p = _i1(1), Params(counter=_i0(2), flag=_i0(0))
    k(x, p)
    old = p.counter
    old[()] = 9
    p.counter = _i0(3)
    k(x, p)
    return {"x": x.to_numpy(), "old": old[()], "new": p.counter[()], "compiles": k._primal.compile_count}


@case(section="19.3", golden={"x": [2, 6], "tail": 0, "index": 3, "parents": [-1, 0]})
def nested_dataclass_counter_depth_first_index():
    # flattened: x=0, t.n=1, t.leaf.m=2, t.leaf.counter=3, t.tail=4
    @qd.kernel(graph=True)
    def k(x: I1, t: Tree):
        while qd.graph.do_while(t.tail):
            x[0] += t.n
            t.leaf.counter[()] = 3
            while qd.graph.do_while(t.leaf.counter):
                for _ in range(1):
                    x[1] += t.leaf.m
                t.leaf.counter[()] -= 1
            t.tail[()] -= 1

    x = _i1(2)
    t = Tree(n=1, leaf=Leaf(m=1, counter=_i0()), tail=_i0(2))
    k(x, t)
    (_, parent0, _, _), (_, parent1, index1, _) = _levels(k._primal)
    return {"x": x.to_numpy(), "tail": t.tail[()], "index": index1, "parents": [parent0, parent1]}


@case(section="19.3", golden={"arg_ids": [2], "args": ["__qd_w__qd_flag"], "yielded": True, "x": [1]})
def dataclass_scalar_field_takes_an_index():
    # flattened: x=0, w.n=1, w.flag=2
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, w: WithScalar):
        with qd.checkpoint(1, yield_on=w.flag):
            for _ in range(1):
                x[0] += w.n

    x = _i1(1)
    st = k(x, WithScalar(n=1, flag=_i0(1)))
    pr = k._primal
    return {
        "arg_ids": list(pr.checkpoint_yield_on_cpp_arg_ids),
        "args": list(pr.checkpoint_yield_on_args),
        "yielded": st.yielded,
        "x": x.to_numpy(),
    }


# ------------------------------------------------------------------------------------------ member errors


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "does not resolve to an ndarray kernel parameter"))
def data_oriented_primitive_member_condition_error():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.n = 3
            self.x = _i1(1)

        @qd.kernel(graph=True)
        def run(self):
            while qd.graph.do_while(self.n):  # MEM-PRIMITIVE
                self.x[0] += 1

    _at("MEM-PRIMITIVE", Sim().run)


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "must be a 0-d i32 ndarray"))
def data_oriented_one_dimensional_member_condition_error():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.c = _i1(1)
            self.x = _i1(1)

        @qd.kernel(graph=True)
        def run(self):
            while qd.graph.do_while(self.c):  # MEM-1D
                self.x[0] += 1

    _at("MEM-1D", Sim().run)


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "does not resolve to an ndarray kernel parameter"))
def dataclass_scalar_field_as_flag_error():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, w: WithScalar):
        with qd.checkpoint(1, yield_on=w.n):  # MEM-DC-SCALAR-FLAG
            for _ in range(1):
                x[0] += 1

    _at("MEM-DC-SCALAR-FLAG", k, _i1(1), WithScalar(n=1, flag=_i0()))


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "must be a 0-d i32 ndarray"))
def data_oriented_one_dimensional_member_flag_error():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.flag = _i1(2)
            self.x = _i1(1)

        @qd.kernel(graph=True, checkpoints=True)
        def step(self):
            with qd.checkpoint(1, yield_on=self.flag):  # MEM-1D-FLAG
                for _ in range(1):
                    self.x[0] += 1

    _at("MEM-1D-FLAG", Sim().step)
