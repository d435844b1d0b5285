"""SEMANTICS.md §19.2 (with §7 and §8): ``@qd.data_oriented`` classes.

Kernel methods take ``self`` as an implicit template; ndarray members are run-time arguments, primitive members and
read ``@property`` values are baked, fields are bound. Specialization is observed through
``kernel._primal.compile_count``, which counts the compiles of one kernel and does not depend on the backend (a
method kernel is reached as ``Cls.method._primal``, §17.7).
"""

import dataclasses
import enum

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
I32_0 = qd.types.NDArray[qd.i32, 0]


def _i32(*values):
    a = qd.ndarray(qd.i32, shape=(len(values),))
    a.from_numpy(np.array(values, dtype=np.int32))
    return a


# ------------------------------------------------------------------------------------------ calling forms


@case(section="19.2", golden={"x": [5, 6, 7, 8]})
def kernel_method_implicit_self():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(4,))

        @qd.kernel
        def step(self, base: qd.i32):
            for i in range(4):
                self.x[i] = base + i

    s = Sim()
    s.step(5)
    return {"x": s.x.to_numpy()}


@case(section="19.2", golden={"x": [3, 3, 3], "y": [7, 7, 7], "compiles": 1})
def unbound_call_with_instance():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(3,))

        @qd.kernel
        def fill(self, v: qd.i32):
            for i in range(3):
                self.x[i] = v

    s = Sim()
    Sim.fill(s, 3)
    first = s.x.to_numpy()
    s.fill(v=7)  # keyword argument; same instance, same key
    return {"x": first, "y": s.x.to_numpy(), "compiles": Sim.fill._primal.compile_count}


@case(section="19.2", golden={"a": [0, 2, 4, 6], "b": [10, 11, 12, 13]})
def instance_to_free_kernel_through_template():
    @qd.data_oriented
    class Holder:
        def __init__(self, scale):
            self.x = qd.ndarray(qd.i32, shape=(4,))
            self.scale = scale

    @qd.kernel
    def k1(h: qd.template()):
        for i in range(4):
            h.x[i] = i * h.scale

    @qd.kernel
    def k2(h: qd.Template, base: qd.i32):
        for i in range(4):
            h.x[i] = base + i

    a = Holder(2)
    b = Holder(5)
    k1(a)
    k2(b, 10)
    return {"a": a.x.to_numpy(), "b": b.x.to_numpy()}


@case(section="19.2", golden={"x": [1, 11, 21, 31]})
def func_method_inlined_with_self():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(4,))
            self.offset = 1

        @qd.func
        def value(self, i):
            return i * 10 + self.offset

        @qd.kernel
        def k(self):
            for i in range(4):
                self.x[i] = self.value(i)

    s = Sim()
    s.k()
    return {"x": s.x.to_numpy()}


@case(section="19.2", golden={"x": [4, 4, 0], "y": [9, 9, 9], "compiles": 2})
def method_with_another_data_oriented_template_argument():
    @qd.data_oriented
    class Buf:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(3,))

    @qd.data_oriented
    class Sim:
        def __init__(self, n):
            self.n = n

        @qd.kernel
        def k(self, other: qd.template(), v: qd.i32):
            for i in range(self.n):
                other.x[i] = v

    a, b = Buf(), Buf()
    Sim(2).k(a, 4)
    Sim(3).k(b, 9)
    return {"x": a.x.to_numpy(), "y": b.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


# ------------------------------------------------------------------------------------------ baked members


@case(section="19.2", golden={"x": [2, 2, 2, 0, 0]})
def baked_primitive_is_compile_time():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.n = 3
            self.x = qd.ndarray(qd.i32, shape=(5,))

        @qd.kernel
        def k(self):
            for i in qd.static(range(self.n)):  # a baked member may drive qd.static
                self.x[i] = qd.static(self.n - 1)

    s = Sim()
    s.k()
    return {"x": s.x.to_numpy()}


@case(
    section="19.2",
    golden={
        "first": [1, 1, 0, 0, 0, 0],
        "second": [2, 2, 1, 1, 0, 0],
        "third": [3, 3, 1, 1, 0, 0],
        "compiles": 2,
    },
)
def baked_primitive_change_respecializes():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.n = 2
            self.x = qd.ndarray(qd.i32, shape=(6,))

        @qd.kernel
        def k(self):
            for i in range(self.n):
                self.x[i] += 1

    s = Sim()
    s.k()
    first = s.x.to_numpy()
    s.n = 4  # baked: the next call re-specializes and touches 4 elements
    s.k()
    second = s.x.to_numpy()
    s.n = 2  # a key seen before: no new compile
    s.k()
    return {"first": first, "second": second, "third": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"first": [2, 2, 0, 0, 0, 0], "second": [6, 6, 6, 6, 6, 6], "compiles": 2})
def read_property_is_baked_and_change_respecializes():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.m = 1
            self.x = qd.ndarray(qd.i32, shape=(6,))

        @property
        def count(self):
            return self.m * 2

        @qd.kernel
        def k(self):
            for i in range(self.count):
                self.x[i] = self.count

    s = Sim()
    s.k()
    first = s.x.to_numpy()
    s.m = 3
    s.k()
    return {"first": first, "second": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"f": [0.0, 0.5, 1.0, 1.5], "flag": [1, 0], "compiles": 2})
def baked_float_and_bool_members():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.scale = 0.5
            self.flag = True
            self.f = qd.ndarray(qd.f32, shape=(4,))
            self.g = qd.ndarray(qd.i32, shape=(2,))

        @qd.kernel
        def k(self, slot: qd.i32):
            for i in range(4):
                self.f[i] = i * self.scale
            if qd.static(self.flag):
                self.g[slot] = 1

    s = Sim()
    s.k(0)
    s.flag = False  # changes the key: the static branch is dropped
    s.k(1)
    return {"f": s.f.to_numpy(), "flag": s.g.to_numpy(), "compiles": Sim.k._primal.compile_count}


class Mode(enum.Enum):
    ADD = 1
    MUL = 2


@case(section="19.2", golden={"add": [5, 6, 7], "mul": [0, 5, 10], "compiles": 2})
def baked_enum_member():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.mode = Mode.ADD
            self.x = qd.ndarray(qd.i32, shape=(3,))

        @qd.kernel
        def k(self, v: qd.i32):
            for i in range(3):
                if qd.static(self.mode == Mode.ADD):
                    self.x[i] = i + v
                else:
                    self.x[i] = i * v

    s = Sim()
    s.k(5)
    add = s.x.to_numpy()
    s.mode = Mode.MUL
    s.k(5)
    return {"add": add, "mul": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"first": [1, 1, 1, 0], "second": [2, 2, 2, 0], "compiles": 1})
def unread_primitive_change_does_not_recompile():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.n = 3
            self.unused = 10
            self.x = qd.ndarray(qd.i32, shape=(4,))

        @qd.kernel
        def k(self):
            for i in range(self.n):
                self.x[i] += 1

    s = Sim()
    s.k()
    first = s.x.to_numpy()
    s.unused = 20  # not read: not in the key
    s.k()
    return {"first": first, "second": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


# ------------------------------------------------------------------------------------------ ndarray members


@case(section="19.2", golden={"a": [10, 11, 12], "b": [20, 21, 22], "compiles": 1})
def rebind_ndarray_same_dtype_ndim_uses_new_array():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(3,))

        @qd.kernel
        def k(self, v: qd.i32):
            for i in range(self.x.shape[0]):
                self.x[i] = v + i

    s = Sim()
    a = s.x
    s.k(10)
    b = qd.ndarray(qd.i32, shape=(3,))
    s.x = b
    s.k(20)  # writes b; a is untouched
    return {"a": a.to_numpy(), "b": b.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"a": [1, 2], "b": [1, 2, 3, 4, 5], "compiles": 1})
def rebind_ndarray_other_shape_does_not_recompile():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(2,))

        @qd.kernel
        def k(self):
            for i in range(self.x.shape[0]):
                self.x[i] = i + 1

    s = Sim()
    a = s.x
    s.k()
    s.x = qd.ndarray(qd.i32, shape=(5,))
    s.k()
    return {"a": a.to_numpy(), "b": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"f": [1.5, 2.5, 3.5], "i": [1, 2, 3], "f2": [1.5, 2.5, 3.5], "compiles": 2})
def rebind_ndarray_other_dtype_recompiles():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.f32, shape=(3,))

        @qd.kernel
        def k(self):
            for i in range(3):
                self.x[i] = self.x[i] + i + 1

    s = Sim()
    f = s.x
    f.fill(0.5)
    s.k()
    s.x = qd.ndarray(qd.i32, shape=(3,))  # new dtype: a new specialization
    s.k()
    i = s.x.to_numpy()
    f2 = qd.ndarray(qd.f32, shape=(3,))
    f2.fill(0.5)
    s.x = f2  # back to f32: the first specialization is reused
    s.k()
    return {"f": f.to_numpy(), "i": i, "f2": f2.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"one": [7, 7, 7], "two": [[7, 7], [7, 7]], "compiles": 2})
def rebind_ndarray_other_ndim_recompiles():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(3,))

        @qd.kernel
        def k(self):
            for idx in qd.grouped(self.x):
                self.x[idx] = 7

    s = Sim()
    one = s.x
    s.k()
    s.x = qd.ndarray(qd.i32, shape=(2, 2))
    s.k()
    return {"one": one.to_numpy(), "two": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


@case(section="19.2", golden={"old": [4, 4], "new": [4, 4], "n": [9, 9], "compiles": 1})
def nested_member_rebind_is_picked_up():
    @qd.data_oriented
    class Inner:
        def __init__(self):
            self.y = qd.ndarray(qd.i32, shape=(2,))

    @qd.data_oriented
    class Outer:
        def __init__(self):
            self.inner = Inner()

        @qd.kernel
        def k(self, v: qd.i32):
            for i in range(2):
                self.inner.y[i] = v

    o = Outer()
    old = o.inner.y
    o.k(4)
    new = qd.ndarray(qd.i32, shape=(2,))
    o.inner.y = new
    o.k(4)
    fresh = Inner()
    o.inner = fresh  # a new nested object with the same member types
    o.k(9)
    return {
        "old": old.to_numpy(),
        "new": new.to_numpy(),
        "n": fresh.y.to_numpy(),
        "compiles": Outer.k._primal.compile_count,
    }


@case(section="19.2", golden={"x": [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], "n": [14.0, 14.0]})
def vector_ndarray_member():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.v = qd.Vector.ndarray(3, qd.f32, shape=(2,))
            self.n = qd.ndarray(qd.f32, shape=(2,))

        @qd.kernel
        def k(self):
            for i in range(2):
                self.v[i] = qd.Vector([1.0, 2.0, 3.0])
                self.n[i] = self.v[i].norm_sqr()

    s = Sim()
    s.k()
    return {"x": s.v.to_numpy(), "n": s.n.to_numpy()}


@case(section="19.2", raises=(AttributeError, "'x'"))
def deleted_ndarray_member_attribute_error():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(2,))

        @qd.kernel
        def k(self):
            for i in range(2):
                self.x[i] = 1

    s = Sim()
    s.k()
    del s.x
    s.k()


@case(section="19.2", golden={"x": [2, 2], "compiles": 1})
def member_added_later_and_unread_does_not_matter():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(2,))

        @qd.kernel
        def k(self):
            for i in range(2):
                self.x[i] += 1

    s = Sim()
    s.k()
    s.extra = qd.ndarray(qd.f32, shape=(7, 7))
    s.more = 12
    s.k()
    return {"x": s.x.to_numpy(), "compiles": Sim.k._primal.compile_count}


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


@case(section="19.2", raises=(TypeError, "was lifted as an integer kernel argument"))
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
        "'n' is a primitive member of a @qd.data_oriented(template_primitives=False) object",
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
