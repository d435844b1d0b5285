"""Struct types and values (frontend/struct_types.py, struct_values.py, struct_targets.py): the host ``qd.Struct``
API, ``@qd.dataclass``, and how struct code lowers (lazy member loads of field elements, one store per member,
atomics on members, leaves of parameters)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.frontend.struct_types import Struct, StructType, leaf_paths, same_struct_type

vec2 = qd.types.vector(2, qd.f32)
PAIR = qd.types.struct(a=qd.i32, v=vec2)
NESTED = qd.types.struct(p=PAIR, w=qd.f32)


# -------------------------------------------------------------------------------------------- host values


def test_struct_type_members_and_calls():
    assert list(PAIR.members) == ["a", "v"] and PAIR.members["a"] == qd.i32 and PAIR.methods == {}
    s = PAIR(1)
    assert s.a == 1 and list(np.asarray(s.v)) == [0.0, 0.0] and isinstance(s, PAIR)
    t = PAIR(2.7, (3, 4))
    assert t.a == 2 and list(np.asarray(t.v)) == [3.0, 4.0]  # ints truncate, as upstream's cast
    u = NESTED(1)  # a scalar for a struct member fills its first member
    assert u.p.a == 1 and u.w == 0.0
    assert not isinstance(qd.Struct(b=1), PAIR) and isinstance(qd.Struct(a=1, v=[0, 0]), PAIR)
    assert "a=i32" in repr(PAIR)
    with pytest.raises(TypeError, match="at most 2 positional"):
        PAIR(1, 2, 3)
    with pytest.raises(TypeError, match="no member"):
        PAIR(b=1)
    with pytest.raises(TypeError, match="needs 2 components"):
        PAIR(v=(1, 2, 3))
    with pytest.raises(qd.QuadrantsTypeError):
        qd.types.struct(a="not a type")


def test_host_struct_api():
    s = qd.Struct(v=[1, 2], t=1.0, inner={"k": 3})
    assert s.keys == ["v", "t", "inner"] and len(s) == 3
    assert s.to_dict() == {"v": [1, 2], "t": 1.0, "inner": {"k": 3}}
    assert s["t"] == 1.0 and s.inner.k == 3 and repr(s) == str(s.to_dict())
    s.t = 2.0
    s["inner"] = {"k": 5}
    assert s.t == 2.0 and s.inner.k == 5
    with pytest.raises(AttributeError, match="no member 'zz'"):
        _ = s.zz
    with pytest.raises(AttributeError):
        s.zz = 1
    with pytest.raises(TypeError, match="A number is expected"):
        s.t = "x"
    with pytest.raises(qd.QuadrantsSyntaxError, match="dictionary or keyword"):
        qd.Struct(1, 2)
    assert s.to_dict(include_methods=True)["__struct_methods"] == {}
    assert s.to_dict(include_ndim=True)["__matrix_ndim"] == {"v": 1}


def test_dataclass_members_and_methods():
    @qd.dataclass
    class Sphere:
        center: vec2
        radius: qd.f32

        @qd.func
        def area(self):
            return 3.0 * self.radius * self.radius

        def host_area(self):
            return 3.0 * self.radius * self.radius

    assert isinstance(Sphere, StructType) and Sphere.name == "Sphere"
    assert list(Sphere.members) == ["center", "radius"] and set(Sphere.methods) == {"area", "host_area"}
    sphere = Sphere(center=vec2(0), radius=2.0)
    assert sphere.host_area() == 12.0
    with pytest.raises(qd.QuadrantsSyntaxError):
        sphere.area()  # a @qd.func is for kernel code

    with pytest.raises(qd.QuadrantsSyntaxError, match="Default value in @dataclass is not supported"):

        @qd.dataclass
        class WithDefault:
            x: qd.f32 = 1.0


def test_leaves_and_type_equality():
    assert leaf_paths(NESTED) == [
        (("p", "a"), qd.i32),
        (("p", "v", (0,)), qd.f32),
        (("p", "v", (1,)), qd.f32),
        (("w",), qd.f32),
    ]
    assert same_struct_type(PAIR, qd.types.struct(a=qd.i32, v=vec2))
    assert not same_struct_type(PAIR, qd.types.struct(a=qd.i32, v=qd.types.vector(3, qd.f32)))
    assert not same_struct_type(PAIR, qd.types.struct(v=vec2, a=qd.i32))
    built = NESTED.from_leaves([1, 2.0, 3.0, 4.0])
    assert isinstance(built, Struct) and built.to_dict() == {"p": {"a": 1, "v": [2.0, 3.0]}, "w": 4.0}


# --------------------------------------------------------------------------------------------- lowering


F = None  # a field of structs captured by the kernels below (set by the tests)


@pytest.fixture
def ref_lower_text():
    """Lower a kernel in a ``ref`` session (fields need a backend that allocates) and return the IR text."""
    from quadrants.frontend.kernel import build_program
    from quadrants.ir.printer import format_program
    from quadrants.passes import DEFAULT_PASSES, run_pipeline
    from quadrants.runtime.args import bind_arguments, make_params
    from quadrants.runtime.state import current_session

    qd.init(arch="ref")

    def run(kernel, *args, optimize: bool = True):
        session = current_session()
        params = make_params(kernel.fn.__name__, kernel.resolved_signature(), session)
        bound = [p.convert(v, session) for p, v in zip(params, bind_arguments(params, args, {}))]
        _, program = build_program(kernel, session, bound, kernel.fn.__name__)
        if optimize:
            program = run_pipeline(program, DEFAULT_PASSES, verify=True)
        return format_program(program)

    yield run
    qd.reset()


def test_member_store_of_a_field_element_is_one_store_and_no_load(ref_lower_text):
    global F
    F = PAIR.field(shape=(4,))

    @qd.kernel
    def k():
        for i in F:
            F[i].a = i

    text = ref_lower_text(k)
    assert "store" in text and "load" not in text


def test_member_read_loads_only_that_member(ref_lower_text):
    global F
    F = PAIR.field(shape=(4,))

    @qd.kernel
    def k() -> qd.i32:
        return F[2].a

    text = ref_lower_text(k, optimize=False)
    assert text.count("load") == 1


def test_member_augmented_assignment_is_atomic(ref_lower_text):
    global F
    F = PAIR.field(shape=(4,))

    @qd.kernel
    def k():
        for i in range(8):
            F[i % 4].a += 1
            F[i % 4].v[1] += 2.0

    text = ref_lower_text(k)
    assert text.count("= atomic_add(") == 2 and "store" not in text


def test_struct_parameter_becomes_one_scalar_argument_per_leaf(lower, session):
    @qd.kernel
    def k(s: NESTED) -> qd.f32:
        return s.p.a + s.p.v[1] + s.w

    program = lower(k, NESTED(p=PAIR(a=1, v=[2, 3]), w=4.0))
    assert [a.name for a in program.args] == [
        "__qd_s__qd_p__qd_a",
        "__qd_s__qd_p__qd_v__qd_0",
        "__qd_s__qd_p__qd_v__qd_1",
        "__qd_s__qd_w",
    ]
    assert [str(a.dtype) for a in program.args] == ["i32", "f32", "f32", "f32"]


def test_constructor_errors_point_at_the_call(session, lower):
    @qd.kernel
    def too_many():
        PAIR(1, vec2(0), 3)

    @qd.kernel
    def unknown():
        PAIR(b=1)

    @qd.kernel
    def bad_vector():
        PAIR(v=(1, 2, 3))

    with pytest.raises(qd.QuadrantsSyntaxError, match="at most 2 positional"):
        lower(too_many)
    with pytest.raises(qd.QuadrantsSyntaxError, match="struct has no member 'b'"):
        lower(unknown)
    with pytest.raises(qd.QuadrantsTypeError, match=r"needs 2 components|2 components"):
        lower(bad_vector)


def test_dict_literals_are_compile_time_dicts(lower, session):
    @qd.kernel
    def k() -> qd.i32:
        d = {"a": 1, "b": 2}
        s = qd.Struct(d)
        return s.a + d["b"]

    lower(k)

    @qd.kernel
    def runtime_key(n: qd.i32):
        d = {n: 1}  # noqa: F841

    with pytest.raises(qd.QuadrantsTypeError, match="dict keys must be compile-time"):
        lower(runtime_key, 1)
