"""docs/semantics.md §19.2, §19.3 and §18.4: member pruning.

Only the members a kernel reads take part in its specialization: unread members are ignored (a data_oriented
object's of any type; a dataclass parameter's members must each be annotated with a kind of kernel argument, read or
not, as upstream requires), and changing an unread member does not recompile. ``kernel._primal.used_member_paths`` maps
``(parameter name, class)`` to the member paths the kernel read; ``kernel._primal.compile_count`` counts compiles.
"""

import dataclasses

import quadrants as qd
from quadrants_conformance import case


@dataclasses.dataclass
class Loose:
    x: qd.types.NDArray[qd.i32, 1]
    n: int
    scale: qd.f32
    spare: qd.types.NDArray[qd.f32, 1]


@dataclasses.dataclass
class WithLabel:
    x: qd.types.NDArray[qd.i32, 1]
    n: int
    label: str  # not a kind of kernel argument: an error even though no kernel reads it


@dataclasses.dataclass
class Inner:
    y: qd.types.NDArray[qd.i32, 1]
    note: qd.f32


@dataclasses.dataclass
class Outer:
    inner: Inner
    k: int
    extra: qd.types.NDArray[qd.f32, 2]


def _paths(kernel, param, cls):
    return sorted(kernel._primal.used_member_paths[(param, cls)])


# ------------------------------------------------------------------------------------------ data_oriented


@case(section="19.2", golden={"x": [1, 1, 1], "y": [2, 2, 2], "compiles": 1})
def unread_members_of_unsupported_types_are_ignored():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(3,))
            self.name = "sim"
            self.items = [1, 2, 3]
            self.table = {"a": 1}
            self.handle = object()
            self.callback = lambda v: v + 1
            self.missing = None
            self.raw = b"bytes"

        @qd.kernel
        def k(self, v: qd.i32):
            for i in range(3):
                self.x[i] = v

    s = Sim()
    s.k(1)
    first = s.x.to_numpy()
    s.name = "renamed"  # unread members change freely
    s.items = {"now": "a dict"}
    s.handle = object()
    s.k(2)
    return {"x": first, "y": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"paths": [("inner", "y"), ("n",), ("x",)]})
def used_member_paths_lists_only_read_members():
    @qd.data_oriented
    class Inner:
        def __init__(self):
            self.y = qd.ndarray(qd.i32, shape=(2,))
            self.unused = "text"
            self.unused_nd = qd.ndarray(qd.f32, shape=(2,))

    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(2,))
            self.n = 3
            self.inner = Inner()
            self.unused = [1, 2]
            self.unused_nd = qd.ndarray(qd.f32, shape=(4,))
            self.unused_n = 9

        @qd.kernel
        def k(self):
            for i in range(2):
                self.x[i] = self.n
                self.inner.y[i] = i

    s = Sim()
    s.k()
    return {"paths": _paths(Sim.k, "self", Sim)}


@case(section="19.2", golden={"x": [4, 4], "compiles": 1})
def unread_property_is_not_evaluated():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(2,))
            self.m = 1

        @property
        def broken(self):
            raise RuntimeError("must not be evaluated")

        @property
        def count(self):
            return self.m * 10

        @qd.kernel
        def k(self):
            for i in range(2):
                self.x[i] = 4

    s = Sim()
    s.k()
    s.m = 5  # changes an unread property: no recompile
    s.k()
    return {"x": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"a": [1, 1], "b": [2, 2], "compiles": 1})
def member_only_in_untaken_static_branch_is_not_read():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.use_scale = False
            self.scale = 10
            self.other = "not an array"
            self.x = qd.ndarray(qd.i32, shape=(2,))

        @qd.kernel
        def k(self, v: qd.i32):
            for i in range(2):
                if qd.static(self.use_scale):
                    self.x[i] = v * self.scale
                    self.other[i] = 0
                else:
                    self.x[i] = v

    s = Sim()
    s.k(1)
    a = s.x.to_numpy()
    s.scale = 20  # read only by the branch that was not compiled
    s.k(2)
    return {"a": a, "b": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"x": [5, 5], "compiles": 1})
def unread_field_member_replaced_does_not_recompile():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(2,))
            self.f = qd.field(qd.i32, shape=(3,))

        @qd.kernel
        def k(self):
            for i in range(2):
                self.x[i] = 5

    s = Sim()
    s.k()
    s.f = qd.field(qd.f32, shape=(8,))
    s.k()
    return {"x": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"k1": 1, "k2": 2, "first": [3, 4], "x": [3, 8]})
def each_kernel_keys_on_its_own_reads():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.a = 3
            self.b = 4
            self.x = qd.ndarray(qd.i32, shape=(2,))

        @qd.kernel
        def k1(self):
            self.x[0] = self.a

        @qd.kernel
        def k2(self):
            self.x[1] = self.b

    s = Sim()
    s.k1()
    s.k2()
    first = s.x.to_numpy()
    s.b = 8  # read by k2 only
    s.k1()
    s.k2()
    return {
        "k1": Sim.k1._primal.compile_count,
        "k2": Sim.k2._primal.compile_count,
        "first": first,
        "x": s.x.to_numpy(),
    }


@case(section="19.2", golden={"a": [1, 1, 0], "b": [1, 1, 1], "compiles": 2})
def member_read_in_func_method_is_a_read():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.n = 2
            self.x = qd.ndarray(qd.i32, shape=(3,))

        @qd.func
        def limit(self):
            return self.n

        @qd.kernel
        def k(self):
            for i in range(self.limit()):
                self.x[i] = 1

    s = Sim()
    s.k()
    a = s.x.to_numpy()
    s.n = 3
    s.k()
    return {"a": a, "b": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"x": [7, 9]})
def str_member_read_through_static():
    @qd.data_oriented
    class Sim:
        def __init__(self, mode):
            self.mode = mode
            self.x = qd.ndarray(qd.i32, shape=(1,))

        @qd.kernel
        def k(self):
            if qd.static(self.mode == "a"):
                self.x[0] = 7
            else:
                self.x[0] = 9

    a, b = Sim("a"), Sim("b")
    a.k()
    b.k()
    return {"x": [a.x[0], b.x[0]]}


# ------------------------------------------------------------------------------------------ dataclasses


@case(section="19.3", golden={"x": [2, 2, 0], "compiles": 1})
def dataclass_unread_members_do_not_specialize():
    @qd.kernel
    def k(s: Loose):
        for i in range(s.n):
            s.x[i] = s.n

    s = Loose(x=qd.ndarray(qd.i32, shape=(3,)), n=2, scale=1.5, spare=qd.ndarray(qd.f32, shape=(2,)))
    k(s)
    s.scale = 2.5
    s.spare = qd.ndarray(qd.f32, shape=(7,))
    k(s)
    return {"x": s.x.to_numpy(), "compiles": k._primal.compile_count}


@case(section="19.3", raises=(qd.QuadrantsCompilationError, "Invalid data type"))
def dataclass_member_of_unsupported_type_error_even_unread():
    @qd.kernel
    def k(s: WithLabel):
        for i in range(s.n):
            s.x[i] = s.n

    k(WithLabel(x=qd.ndarray(qd.i32, shape=(3,)), n=2, label="abc"))


@case(section="19.3", golden={"paths": [("n",), ("x",)]})
def dataclass_used_member_paths():
    @qd.kernel
    def k(s: Loose):
        for i in range(s.n):
            s.x[i] = 1

    k(Loose(x=qd.ndarray(qd.i32, shape=(3,)), n=2, scale=0.5, spare=qd.ndarray(qd.f32, shape=(1,))))
    return {"paths": _paths(k, "s", Loose)}


@case(section="19.3", golden={"y": [6, 6], "paths": [("inner", "y"), ("k",)]})
def nested_dataclass_unread_members_are_pruned():
    @qd.kernel
    def k(o: Outer):
        for i in range(2):
            o.inner.y[i] = o.k

    o = Outer(inner=Inner(y=qd.ndarray(qd.i32, shape=(2,)), note=0.5), k=6, extra=qd.ndarray(qd.f32, shape=(2, 2)))
    k(o)
    return {"y": o.inner.y.to_numpy(), "paths": _paths(k, "o", Outer)}
