"""docs/semantics.md §19.2 (with §16 and §17): ``@qd.data_oriented`` options (``template_primitives=False``,
``stable_members=True``) and member chains as do_while conditions and checkpoint flags.

Kernel methods take ``self`` as an implicit template; ndarray members are run-time arguments, primitive members and
read ``@property`` values are baked, fields are bound. Specialization is observed through
``kernel._primal.compile_count``, which counts the compiles of one kernel and does not depend on the backend (a
method kernel is reached as ``Cls.method._primal``, §17.7).
The other data-oriented modules are listed in ``test_data_oriented.py``.
"""

import quadrants as qd
from quadrants_conformance import case

# ------------------------------------------------------------------------------------------ template_primitives=False


@case(section="19.2", golden={"first": [1, 1, 0, 0], "second": [2, 2, 1, 1], "compiles": 1})
def runtime_primitive_member_value_change_without_recompile():
    @qd.data_oriented(template_primitives=False)
    class Sim:
        def __init__(self):
            self.n = 2
            self.x = qd.ndarray(qd.i32, shape=(4,))

        @qd.kernel
        def k(self):
            for i in range(self.n):
                self.x[i] += 1

    s = Sim()
    s.k()
    first = s.x.to_numpy()
    s.n = 4
    s.k()
    return {"first": first, "second": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(
    section="19.2",
    golden={"first": [0.0, 0.5, 1.0, 1.5], "second": [0.0, 0.25, 0.5, 0.75], "flags": [6, 5], "compiles": 1},
)
def runtime_float_and_bool_members():
    @qd.data_oriented(template_primitives=False)
    class Sim:
        def __init__(self):
            self.s = 0.5
            self.flag = True
            self.x = qd.ndarray(qd.f32, shape=(4,))
            self.g = qd.ndarray(qd.i32, shape=(2,))

        @qd.kernel
        def k(self, slot: qd.i32):
            for i in range(4):
                self.x[i] = i * self.s
            self.g[slot] = self.flag + 5  # bool is lifted as default_ip

    s = Sim()
    s.k(0)
    first = s.x.to_numpy()
    s.s = 0.25
    s.flag = False
    s.k(1)
    return {"first": first, "second": s.x.to_numpy(), "flags": s.g.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", raises=(TypeError, "coercing it would truncate"))
def runtime_int_member_rebound_to_float_error():
    @qd.data_oriented(template_primitives=False)
    class Sim:
        def __init__(self):
            self.n = 2
            self.x = qd.ndarray(qd.i32, shape=(4,))

        @qd.kernel
        def k(self):
            for i in range(self.n):
                self.x[i] = 1

    s = Sim()
    s.k()
    s.n = 2.5
    s.k()


@case(
    section="19.2",
    raises=(
        qd.QuadrantsSyntaxError,
        "'n' is a primitive member of a @qd.data_oriented(template_primitives=False) object, so it is a runtime "
        "kernel argument",
    ),
)
def runtime_primitive_member_in_static_error():
    @qd.data_oriented(template_primitives=False)
    class Sim:
        def __init__(self):
            self.n = 2
            self.x = qd.ndarray(qd.i32, shape=(4,))

        @qd.kernel
        def k(self):
            if qd.static(self.n):
                self.x[0] = 1

    Sim().k()


@case(section="19.2", golden={"a": [3, 3, 0, 0], "b": [5, 5, 0, 0], "c": [5, 5, 5, 5], "compiles": 2})
def template_primitives_false_properties_still_baked():
    @qd.data_oriented(template_primitives=False)
    class Sim:
        def __init__(self):
            self.half = 1
            self.v = 3
            self.x = qd.ndarray(qd.i32, shape=(4,))

        @property
        def count(self):
            return self.half * 2

        @qd.kernel
        def k(self):
            for i in qd.static(range(self.count)):  # a property is a compile-time value
                self.x[i] = self.v

    s = Sim()
    s.k()
    a = s.x.to_numpy()
    s.v = 5  # run-time member: no recompile
    s.k()
    b = s.x.to_numpy()
    s.half = 2  # the property changes: re-specializes
    s.k()
    return {"a": a, "b": b, "c": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


# ------------------------------------------------------------------------------------------ stable_members=True


@case(section="19.2", golden={"a": [1, 2, 3], "b": [30, 40, 50], "a2": [7, 8, 9], "compiles": 2})
def stable_members_unchanged_members_behave_normally():
    @qd.data_oriented(stable_members=True)
    class Sim:
        def __init__(self, scale):
            self.scale = scale
            self.x = qd.ndarray(qd.i32, shape=(3,))

        @qd.kernel
        def k(self, base: qd.i32):
            for i in range(3):
                self.x[i] = (base + i) * self.scale

    a, b = Sim(1), Sim(10)
    a.k(1)
    b.k(3)
    first = a.x.to_numpy()
    a.k(7)  # new scalar argument, members untouched
    return {"a": first, "b": b.x.to_numpy(), "a2": a.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"x": [2, 2, 2, 0], "y": [4, 4, 4, 0]})
def stable_members_with_template_primitives_false():
    @qd.data_oriented(stable_members=True, template_primitives=False)
    class Sim:
        def __init__(self):
            self.n = 3
            self.x = qd.ndarray(qd.i32, shape=(4,))

        @qd.kernel
        def k(self, v: qd.i32):
            for i in range(self.n):
                self.x[i] = v

    s = Sim()
    s.k(2)
    first = s.x.to_numpy()
    s.k(4)
    return {"x": first, "y": s.x.to_numpy()}


# ------------------------------------------------------------------------------------------ do_while member chains


@case(section="19.2", golden={"x": [3, 3, 3, 3], "cnt": 0, "label": "self.inner.cnt"})
def do_while_condition_member_chain():
    @qd.data_oriented
    class Inner:
        def __init__(self):
            self.cnt = qd.ndarray(qd.i32, shape=())

    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.inner = Inner()
            self.x = qd.ndarray(qd.i32, shape=(4,))

        @qd.kernel(graph=True)
        def k(self):
            while qd.graph.do_while(self.inner.cnt):
                for i in range(4):
                    self.x[i] += 1
                self.inner.cnt[()] -= 1

    s = Sim()
    s.inner.cnt[()] = 3
    s.k()
    label = Sim.k._primal.graph_do_while_levels[0].cond_arg_name
    return {"x": s.x.to_numpy(), "cnt": s.inner.cnt[()], "label": label}


@case(
    section="19.2",
    golden={
        "yielded": True,
        "label": 1,
        "x": [1, 1],
        "resumed": False,
        "x2": [11, 11],
        "flags": ["self.inner.flag", "self.inner.flag"],
    },
)
def checkpoint_flag_member_chain():
    @qd.data_oriented
    class Inner:
        def __init__(self):
            self.flag = qd.ndarray(qd.i32, shape=())

    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.inner = Inner()
            self.x = qd.ndarray(qd.i32, shape=(2,))

        @qd.kernel(graph=True, checkpoints=True)
        def k(self):
            with qd.checkpoint(1, yield_on=self.inner.flag):
                for i in range(2):
                    self.x[i] += 1
                for _ in range(1):
                    self.inner.flag[()] = 1
            with qd.checkpoint(2, yield_on=self.inner.flag):
                for i in range(2):
                    self.x[i] += 10

    s = Sim()
    status = s.k()
    x = s.x.to_numpy()
    s.inner.flag[()] = 0  # the host clears the flag before it resumes
    resumed = s.k.resume(from_checkpoint=2)
    return {
        "yielded": status.yielded,
        "label": status.checkpoint,
        "x": x,
        "resumed": resumed.yielded,
        "x2": s.x.to_numpy(),
        "flags": list(Sim.k._primal.checkpoint_yield_on_args),
    }
