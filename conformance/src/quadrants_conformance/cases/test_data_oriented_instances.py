"""docs/semantics.md §19.2 (with §19.1): ``@qd.data_oriented`` instances, field members, nesting and assignment errors.

Kernel methods take ``self`` as an implicit template; ndarray members are run-time arguments, primitive members and
read ``@property`` values are baked, fields are bound. Specialization is observed through
``kernel._primal.compile_count``, which counts the compiles of one kernel and does not depend on the backend (a
method kernel is reached as ``Cls.method._primal``, §17.7).
The other data-oriented modules are listed in ``test_data_oriented.py``.
"""

import dataclasses

import quadrants as qd
from quadrants_conformance import case

# ------------------------------------------------------------------------------------------ instances


@case(section="19.2", golden={"a": [3, 3], "b": [3, 3], "compiles": 2, "again": 2})
def each_instance_specializes_separately():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.n = 3
            self.x = qd.ndarray(qd.i32, shape=(2,))

        @qd.kernel
        def k(self):
            for i in range(2):
                self.x[i] = self.n

    a, b = Sim(), Sim()  # equal values, distinct instances
    a.k()
    b.k()
    compiles = Sim.k._primal.compile_count
    a.k()
    return {"a": a.x.to_numpy(), "b": b.x.to_numpy(), "compiles": compiles, "again": Sim.k._primal.compile_count}


@case(section="19.2", golden={"a": [1, 1, 1], "b": [2, 2, 0], "compiles": 2})
def each_instance_to_free_kernel_specializes_separately():
    @qd.data_oriented
    class Holder:
        def __init__(self, n, v):
            self.n = n
            self.v = v
            self.x = qd.ndarray(qd.i32, shape=(3,))

    @qd.kernel
    def k(h: qd.template()):
        for i in range(h.n):
            h.x[i] = h.v

    a, b = Holder(3, 1), Holder(2, 2)
    k(a)
    k(b)
    k(a)
    return {"a": a.x.to_numpy(), "b": b.x.to_numpy(), "compiles": k._primal.compile_count}


@case(section="19.2", golden={"x": [5, 5, 5], "n": [4, 4]})
def nested_data_oriented_members():
    @qd.data_oriented
    class Leaf:
        def __init__(self):
            self.z = qd.ndarray(qd.i32, shape=(2,))
            self.k = 4

    @qd.data_oriented
    class Mid:
        def __init__(self):
            self.leaf = Leaf()
            self.y = qd.ndarray(qd.i32, shape=(3,))

    @qd.data_oriented
    class Top:
        def __init__(self):
            self.mid = Mid()
            self.v = 5

        @qd.kernel
        def k(self):
            for i in range(3):
                self.mid.y[i] = self.v
            for i in range(2):
                self.mid.leaf.z[i] = self.mid.leaf.k

    t = Top()
    t.k()
    return {"x": t.mid.y.to_numpy(), "n": t.mid.leaf.z.to_numpy()}


@case(section="19.2", golden={"first": [1, 1, 0, 0], "second": [1, 1, 1, 1], "compiles": 2})
def nested_baked_member_change_respecializes():
    @qd.data_oriented
    class Cfg:
        def __init__(self):
            self.n = 2

    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.cfg = Cfg()
            self.x = qd.ndarray(qd.i32, shape=(4,))

        @qd.kernel
        def k(self):
            for i in range(self.cfg.n):
                self.x[i] = 1

    s = Sim()
    s.k()
    first = s.x.to_numpy()
    s.cfg.n = 4
    s.k()
    return {"first": first, "second": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


# ------------------------------------------------------------------------------------------ fields


@case(section="19.2", golden={"f": [0, 10, 20, 30], "s": [1.0, 2.0]})
def field_member_is_bound():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.f = qd.field(qd.i32, shape=(4,))
            self.s = qd.field(qd.f32, shape=2)

        @qd.kernel
        def k(self):
            for i in self.f:
                self.f[i] = i * 10
            for i in range(2):
                self.s[i] = i + 1.0

    s = Sim()
    s.k()
    return {"f": s.f.to_numpy(), "s": s.s.to_numpy()}


@case(section="19.2", golden={"a": [1, 1], "b": [2, 2], "compiles": 2})
def field_member_rebound_to_another_field():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.f = qd.field(qd.i32, shape=(2,))

        @qd.kernel
        def k(self, v: qd.i32):
            for i in range(2):
                self.f[i] = v

    s = Sim()
    a = s.f
    s.k(1)
    b = qd.field(qd.i32, shape=(2,))
    s.f = b  # the key holds the field's identity (§13)
    s.k(2)
    return {"a": a.to_numpy(), "b": b.to_numpy(), "compiles": Sim.k._primal.compile_count}


# ------------------------------------------------------------------------------------------ nesting matrix


@dataclasses.dataclass
class Params:
    x: qd.types.NDArray[qd.i32, 1]
    n: int


@case(section="19.1", golden={"x": [0, 3, 6, 0]})
def data_oriented_holding_dataclass_member():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.p = Params(x=qd.ndarray(qd.i32, shape=(4,)), n=3)

        @qd.kernel
        def k(self):
            for i in range(self.p.n):
                self.p.x[i] = i * self.p.n

    s = Sim()
    s.k()
    return {"x": s.p.x.to_numpy()}


# ------------------------------------------------------------------------------------------ assignment errors


@case(section="19.2", raises=(qd.QuadrantsSyntaxError, "Variable 'self.n' cannot be assigned"))
def assign_primitive_member_in_kernel_error():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.n = 2

        @qd.kernel
        def k(self):
            self.n = 4

    Sim().k()


@case(section="19.2", raises=(qd.QuadrantsTypeError, ""))
def rebind_ndarray_member_in_kernel_error():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(2,))
            self.y = qd.ndarray(qd.i32, shape=(2,))

        @qd.kernel
        def k(self):
            self.x = self.y

    Sim().k()
