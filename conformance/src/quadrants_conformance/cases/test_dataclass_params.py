"""docs/semantics.md §19.3 (with §8 and §19.1): ``dataclasses.dataclass`` parameters.

A parameter annotated with a dataclass type is flattened: ndarray members are run-time ndarrays, primitive members
run-time scalars (type only in the key), ``typing.Final`` members compile-time values, nested dataclasses recurse.
The dataclasses are module-level (their annotations must be importable); kernels are defined inside the cases.
"""

import dataclasses
import typing

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]

# The value of quadrants.lang._fast_caching.FIELD_METADATA_CACHE_VALUE (§18.4).
CACHE_VALUE = "add_value_to_cache_key"


@dataclasses.dataclass
class State:
    x: qd.types.NDArray[qd.i32, 1]
    n: int


@dataclasses.dataclass(frozen=True)
class FrozenState:
    x: qd.types.NDArray[qd.i32, 1]
    n: int


@dataclasses.dataclass
class Mixed:
    f: qd.types.NDArray[qd.f32, 1]
    scale: float
    shift: int


@dataclasses.dataclass
class Leaf:
    y: qd.types.NDArray[qd.i32, 1]
    k: int


@dataclasses.dataclass
class Mid:
    leaf: Leaf
    m: int


@dataclasses.dataclass
class Top:
    mid: Mid
    z: qd.types.NDArray[qd.i32, 1]


@dataclasses.dataclass(frozen=True)
class WithFinal:
    x: qd.types.NDArray[qd.i32, 1]
    n: typing.Final[int]


@dataclasses.dataclass
class MutableWithFinal:  # a Final member on a class whose members can be rebound: an error
    x: qd.types.NDArray[qd.i32, 1]
    n: typing.Final[int]


@dataclasses.dataclass
class WithCacheValue:
    x: qd.types.NDArray[qd.i32, 1]
    n: int = dataclasses.field(default=2, metadata={CACHE_VALUE: True})


@dataclasses.dataclass
class Typed:
    y: qd.types.NDArray[qd.i32, 1]


@dataclasses.dataclass
class Untyped:
    x: qd.types.ndarray()  # no dtype, no ndim: taken from each argument


@dataclasses.dataclass
class BareNdarray:
    x: qd.types.NDArray  # the bare annotation is not a kind of argument (upstream: "Invalid data type")


@dataclasses.dataclass
class Vecs:
    v: qd.types.NDArray[qd.types.vector(3, qd.f32), 1]
    out: qd.types.NDArray[qd.f32, 1]


@dataclasses.dataclass
class GraphParams:
    counter: qd.types.NDArray[qd.i32, 0]
    flag: qd.types.NDArray[qd.i32, 0]
    x: qd.types.NDArray[qd.i32, 1]


@dataclasses.dataclass
class WithField:
    f: qd.Template
    n: int


# ------------------------------------------------------------------------------------------ basics


@case(section="19.3", golden={"x": [3, 4, 5, 0]})
def ndarray_and_scalar_members():
    @qd.kernel
    def k(s: State):
        for i in range(s.n):
            s.x[i] = i + s.n

    s = State(x=qd.ndarray(qd.i32, shape=(4,)), n=3)
    k(s)
    return {"x": s.x.to_numpy()}


@case(section="19.3", golden={"f": [1.0, 2.5, 4.0]})
def float_and_int_scalar_members():
    @qd.kernel
    def k(m: Mixed):
        for i in range(3):
            m.f[i] = i * m.scale + m.shift

    m = Mixed(f=qd.ndarray(qd.f32, shape=(3,)), scale=1.5, shift=1)
    k(m)
    return {"f": m.f.to_numpy()}


@case(section="19.3", golden={"x": [7, 7, 0]})
def frozen_dataclass_accepted():
    @qd.kernel
    def k(s: FrozenState):
        for i in range(s.n):
            s.x[i] = 7

    s = FrozenState(x=qd.ndarray(qd.i32, shape=(3,)), n=2)
    k(s)
    return {"x": s.x.to_numpy()}


@case(section="19.3", golden={"x": [1, 1, 0, 0], "y": [2, 2, 2, 2], "compiles": 1})
def scalar_member_change_does_not_recompile():
    @qd.kernel
    def k(s: State):
        for i in range(s.n):
            s.x[i] += 1

    s = State(x=qd.ndarray(qd.i32, shape=(4,)), n=2)
    k(s)
    first = s.x.to_numpy()
    s.n = 4  # a plain primitive member is a run-time value
    k(s)
    s.n = 0
    k(s)
    s.x = qd.ndarray(qd.i32, shape=(4,))
    s.n = 4
    k(s)
    k(s)
    return {"x": first, "y": s.x.to_numpy(), "compiles": k._primal.compile_count}


@case(section="19.3", golden={"a": [5, 5], "b": [6, 6, 6], "c": [7], "compiles": 1})
def new_instances_and_rebound_ndarrays_do_not_recompile():
    @qd.kernel
    def k(s: State):
        for i in range(s.x.shape[0]):
            s.x[i] = s.n

    a = State(x=qd.ndarray(qd.i32, shape=(2,)), n=5)
    k(a)
    a_x = a.x
    a.x = qd.ndarray(qd.i32, shape=(3,))  # same dtype and ndim: no recompile
    a.n = 6
    k(a)
    b = State(x=qd.ndarray(qd.i32, shape=(1,)), n=7)  # another instance: same key (types only)
    k(b)
    return {"a": a_x.to_numpy(), "b": a.x.to_numpy(), "c": b.x.to_numpy(), "compiles": k._primal.compile_count}


@case(section="19.3", golden={"y": [4, 4], "z": [9, 9, 9]})
def nested_dataclasses_any_depth():
    @qd.kernel
    def k(t: Top):
        for i in range(2):
            t.mid.leaf.y[i] = t.mid.leaf.k
        for i in range(3):
            t.z[i] = t.mid.m

    t = Top(mid=Mid(leaf=Leaf(y=qd.ndarray(qd.i32, shape=(2,)), k=4), m=9), z=qd.ndarray(qd.i32, shape=(3,)))
    k(t)
    return {"y": t.mid.leaf.y.to_numpy(), "z": t.z.to_numpy()}


@case(section="19.3", golden={"n": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "out": [14.0, 77.0]})
def vector_ndarray_member():
    @qd.kernel
    def k(s: Vecs):
        for i in range(2):
            s.out[i] = s.v[i].dot(s.v[i])

    v = qd.Vector.ndarray(3, qd.f32, shape=(2,))
    v.from_numpy(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    s = Vecs(v=v, out=qd.ndarray(qd.f32, shape=(2,)))
    k(s)
    return {"n": s.v.to_numpy(), "out": s.out.to_numpy()}


@case(section="19.1", golden={"f": [3, 3, 0]})
def field_member():
    @qd.kernel
    def k(s: WithField):
        for i in range(s.n):
            s.f[i] = 3

    s = WithField(f=qd.field(qd.i32, shape=(3,)), n=2)
    k(s)
    return {"f": s.f.to_numpy()}


@case(section="19.3", golden={"i": [1, 2], "f": [1.5, 2.5], "compiles": 2})
def unannotated_dtype_member_type_in_key():
    @qd.kernel
    def k(s: Untyped):
        for i in range(2):
            s.x[i] = s.x[i] + i + 1

    a = Untyped(x=qd.ndarray(qd.i32, shape=(2,)))
    k(a)
    f = qd.ndarray(qd.f32, shape=(2,))
    f.fill(0.5)
    b = Untyped(x=f)  # the member type changes: a new specialization
    k(b)
    return {"i": a.x.to_numpy(), "f": b.x.to_numpy(), "compiles": k._primal.compile_count}


@case(section="19.3", golden={"x": [9, 9, 9]})
def dataclass_parameter_on_kernel_method():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.v = 9

        @qd.kernel
        def k(self, s: State):
            for i in range(s.n):
                s.x[i] = self.v

    s = State(x=qd.ndarray(qd.i32, shape=(3,)), n=3)
    Sim().k(s)
    return {"x": s.x.to_numpy()}


# ------------------------------------------------------------------------------------------ Final members


@case(section="19.3", golden={"x": [2, 2, 2, 0]})
def final_member_is_compile_time():
    @qd.kernel
    def k(s: WithFinal):
        for i in qd.static(range(s.n)):
            last = qd.static(s.n - 1)  # a compile-time name (a static store into x[i] is an error)
            s.x[i] = last

    s = WithFinal(x=qd.ndarray(qd.i32, shape=(4,)), n=3)
    k(s)
    return {"x": s.x.to_numpy()}


@case(section="19.3", raises=(TypeError, "but is not frozen"))
def final_member_on_mutable_dataclass_error():
    @qd.kernel
    def k(s: MutableWithFinal):
        s.x[0] = s.n

    k(MutableWithFinal(x=qd.ndarray(qd.i32, shape=(4,)), n=3))


@case(section="19.3", raises=(qd.QuadrantsCompilationError, "Invalid data type"))
def bare_ndarray_member_annotation_error():
    @qd.kernel
    def k(s: BareNdarray):
        s.x[0] = 1

    k(BareNdarray(x=qd.ndarray(qd.i32, shape=(2,))))


@case(section="19.3", golden={"a": [1, 1, 0, 0], "b": [2, 2, 1, 1], "c": [3, 3, 1, 1], "compiles": 2})
def final_member_value_specializes():
    @qd.kernel
    def k(s: WithFinal):
        for i in qd.static(range(s.n)):
            s.x[i] += 1

    x = qd.ndarray(qd.i32, shape=(4,))
    k(WithFinal(x=x, n=2))
    a = x.to_numpy()
    k(WithFinal(x=x, n=4))
    b = x.to_numpy()
    k(WithFinal(x=x, n=2))  # seen before: reused
    return {"a": a, "b": b, "c": x.to_numpy(), "compiles": k._primal.compile_count}


# ------------------------------------------------------------------------------------------ sub-structs


@case(section="19.3", golden={"y": [4, 0], "z": [0, 1, 0]})
def sub_struct_passed_to_func_positionally():
    @qd.func
    def fill(leaf: Leaf):
        leaf.y[0] = leaf.k

    @qd.func
    def mark(mid: Mid, t: Top):
        t.z[mid.m] = 1

    @qd.kernel
    def k(t: Top):
        fill(t.mid.leaf)
        mark(t.mid, t)

    t = Top(mid=Mid(leaf=Leaf(y=qd.ndarray(qd.i32, shape=(2,)), k=4), m=1), z=qd.ndarray(qd.i32, shape=(3,)))
    k(t)
    return {"y": t.mid.leaf.y.to_numpy(), "z": t.z.to_numpy()}


@case(section="19.3", golden={"y": [0, 6]})
def sub_struct_passed_to_func_by_keyword():
    @qd.func
    def fill(slot, leaf: Leaf):
        leaf.y[slot] = leaf.k

    @qd.kernel
    def k(m: Mid):
        fill(leaf=m.leaf, slot=1)

    m = Mid(leaf=Leaf(y=qd.ndarray(qd.i32, shape=(2,)), k=6), m=0)
    k(m)
    return {"y": m.leaf.y.to_numpy()}


@case(section="19.3", raises=(qd.QuadrantsTypeError, ""))
def sub_struct_through_local_error():
    @qd.func
    def fill(leaf: Leaf):
        leaf.y[0] = leaf.k

    @qd.kernel
    def k(m: Mid):
        t = m.leaf
        fill(t)

    k(Mid(leaf=Leaf(y=qd.ndarray(qd.i32, shape=(2,)), k=6), m=0))


# ------------------------------------------------------------------------------------------ errors


@case(section="19.3", raises=(TypeError, "Expect element type i32 for argument __qd_s__qd_y, but get f32"))
def ndarray_member_dtype_mismatch_error():
    @qd.kernel
    def k(s: Typed):
        s.y[0] = 1

    k(Typed(y=qd.ndarray(qd.f32, shape=(2,))))


@case(section="19.3", raises=(qd.QuadrantsSyntaxError, 'Kernel argument "__qd_s__qd_n" is immutable'))
def assign_member_in_kernel_error():
    @qd.kernel
    def k(s: State):
        s.n = 4

    k(State(x=qd.ndarray(qd.i32, shape=(2,)), n=2))


@case(
    section="19.3",
    raises=(qd.QuadrantsTypeError, "'Quadrants Expression' object cannot be interpreted as an integer"),
)
def plain_member_in_static_error():
    @qd.kernel
    def k(s: State):
        for i in qd.static(range(s.n)):
            s.x[i] = 1

    k(State(x=qd.ndarray(qd.i32, shape=(4,)), n=2))


@case(
    section="19.3",
    raises=(qd.QuadrantsTypeError, "'Quadrants Expression' object cannot be interpreted as an integer"),
)
def cache_value_member_in_static_error():
    @qd.kernel
    def k(s: WithCacheValue):
        for i in qd.static(range(s.n)):
            s.x[i] = 1

    k(WithCacheValue(x=qd.ndarray(qd.i32, shape=(4,)), n=2))


@case(section="19.3", golden={"a": [1, 1, 0, 0], "b": [2, 2, 1, 0], "compiles": 1})
def cache_value_member_is_run_time():
    @qd.kernel
    def k(s: WithCacheValue):
        for i in range(s.n):
            s.x[i] += 1

    x = qd.ndarray(qd.i32, shape=(4,))
    k(WithCacheValue(x=x, n=2))
    a = x.to_numpy()
    k(WithCacheValue(x=x, n=3))
    return {"a": a, "b": x.to_numpy(), "compiles": k._primal.compile_count}


@case(
    section="19.3",
    raises=(
        qd.QuadrantsSyntaxError,
        "Kernel arg 'p': field 'so' has @qd.data_oriented type 'S', which cannot be flattened",
    ),
)
def data_oriented_typed_member_error():
    @qd.data_oriented
    class S:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(2,))

    @dataclasses.dataclass
    class HasObject:
        so: S
        n: int

    @qd.kernel
    def k(p: HasObject):
        p.so.x[0] = p.n

    k(HasObject(so=S(), n=1))


@case(section="19.3", raises=(qd.QuadrantsSyntaxError, "qd.template()"))
def data_oriented_typed_member_error_suggests_template():
    @qd.data_oriented
    class S:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, shape=(2,))

    @dataclasses.dataclass
    class HasObject:
        so: S
        n: int

    @qd.kernel
    def k(p: HasObject):
        p.so.x[0] = p.n

    k(HasObject(so=S(), n=1))


@case(
    section="19.3",
    warns=(
        DeprecationWarning,
        "passing a @dataclasses.dataclass instance into a qd.Template-annotated kernel parameter",
    ),
    golden={"x": [3, 3, 3, 0]},
)
def dataclass_to_template_parameter_deprecated():
    @qd.kernel
    def k(s: qd.template()):
        for i in range(s.n):
            s.x[i] = s.n

    s = FrozenState(x=qd.ndarray(qd.i32, shape=(4,)), n=3)
    k(s)
    return {"x": s.x.to_numpy()}


@case(section="19.3", raises=(TypeError, "unhashable type"))
def mutable_dataclass_to_template_parameter_error():
    @qd.kernel
    def k(s: qd.template()):
        for i in range(s.n):
            s.x[i] = s.n

    k(State(x=qd.ndarray(qd.i32, shape=(4,)), n=3))  # a template value must be hashable: State is not frozen


# ------------------------------------------------------------------------------------------ graph members


@case(section="19.3", golden={"x": [4, 4, 4], "counter": 0, "label": "__qd_params__qd_counter"})
def do_while_condition_dataclass_member():
    @qd.kernel(graph=True)
    def k(params: GraphParams):
        while qd.graph.do_while(params.counter):
            for i in range(3):
                params.x[i] += 1
            params.counter[()] -= 1

    p = GraphParams(
        counter=qd.ndarray(qd.i32, shape=()), flag=qd.ndarray(qd.i32, shape=()), x=qd.ndarray(qd.i32, shape=(3,))
    )
    p.counter[()] = 4
    k(p)
    return {"x": p.x.to_numpy(), "counter": p.counter[()], "label": k._primal.graph_do_while_levels[0].cond_arg_name}


@case(
    section="19.3",
    golden={"yielded": True, "label": 7, "x": [100, 100, 100], "flags": ["__qd_params__qd_flag"]},
)
def checkpoint_flag_dataclass_member():
    @qd.kernel(graph=True, checkpoints=True)
    def k(params: GraphParams):
        with qd.checkpoint(7, yield_on=params.flag):
            for i in range(3):
                params.x[i] += 100
            for _ in range(1):
                params.flag[()] = 1

    p = GraphParams(
        counter=qd.ndarray(qd.i32, shape=()), flag=qd.ndarray(qd.i32, shape=()), x=qd.ndarray(qd.i32, shape=(3,))
    )
    status = k(p)
    return {
        "yielded": status.yielded,
        "label": status.checkpoint,
        "x": p.x.to_numpy(),
        "flags": list(k._primal.checkpoint_yield_on_args),
    }
