"""docs/semantics.md §19.2 (with §7 and §8): ``@qd.data_oriented`` classes: calling forms, baked and ndarray members.

Kernel methods take ``self`` as an implicit template; ndarray members are run-time arguments, primitive members and
read ``@property`` values are baked, fields are bound. Specialization is observed through
``kernel._primal.compile_count``, which counts the compiles of one kernel and does not depend on the backend (a
method kernel is reached as ``Cls.method._primal``, §17.7).
The data-oriented cases are split by topic: ``test_data_oriented.py`` (calling forms, baked and ndarray members),
``test_data_oriented_instances.py`` (instances, fields, nesting, assignment errors) and
``test_data_oriented_options.py`` (``template_primitives=False``, ``stable_members=True``, do_while member chains).
"""

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
                last = qd.static(self.n - 1)  # a compile-time name (a static store into x[i] is an error)
                self.x[i] = last

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
