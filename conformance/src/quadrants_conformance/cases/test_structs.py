"""Structs (docs/structs.md): ``qd.types.struct``, ``@qd.dataclass`` and ``qd.Struct`` in kernels and funcs.

A struct value in kernel code is copied when it is assigned to a name, passed to a ``@qd.func`` (unless the parameter
is ``qd.template()``) or returned; a method receives ``self`` by reference. Kernel parameters and returns of a struct
type are passed by value. Struct types are module-level (so that their annotations resolve); kernels are defined
inside the cases.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]

vec2 = qd.types.vector(2, qd.f32)
vec3 = qd.types.vector(3, qd.f32)
Pair = qd.types.struct(a=qd.i32, v=vec2)
Line = qd.types.struct(dir=vec3, length=qd.f32)
Segment = qd.types.struct(line=Line, idx=qd.i32)
IntPair = qd.types.struct(a=qd.i32, b=qd.types.vector(2, qd.i32))
Small = qd.types.struct(a=qd.i16, b=qd.f32)
Nested = qd.types.struct(a=qd.f32, b=Small)
WithMat = qd.types.struct(m=qd.types.matrix(3, 2, qd.f32), b=qd.f32)
Outer = qd.types.struct(a=qd.i32, inner=WithMat)
Circle = qd.types.struct(center=vec2, radius=qd.f32)


@qd.dataclass
class Particle:
    pos: vec3
    mass: qd.f32
    hits: qd.i32

    @qd.func
    def momentum(self, speed):
        return self.mass * speed

    @qd.func
    def bump(self):
        self.hits += 1
        self.pos[0] = 7.0


# ------------------------------------------------------------------------------------------- struct locals


@case(section="1", golden={"out": [5, 2.0, 9.0]})
def struct_local_members_read_and_write():
    @qd.kernel
    def k(out: F32_1):
        s = Pair(a=1, v=vec2(2, 3))
        s.a += 4
        s.v[1] = 9
        out[0] = s.a
        out[1] = s.v[0]
        out[2] = s.v[1]

    out = qd.ndarray(qd.f32, shape=(3,))
    k(out)
    return {"out": out.to_numpy()}


@case(section="1", golden={"out": [1, 1.0, 1.0, 1.0, 0.0, 0]})
def struct_positional_scalar_fills_first_member():
    # Segment(1): the first member (a Line) gets 1, whose first member (a vector) is filled with 1; the rest is 0
    @qd.kernel
    def k(out: F32_1):
        s = Segment(1)
        out[0] = s.line.dir[0] > 0.5
        out[1] = s.line.dir[0]
        out[2] = s.line.dir[1]
        out[3] = s.line.dir[2]
        out[4] = s.line.length
        out[5] = s.idx

    out = qd.ndarray(qd.f32, shape=(6,))
    k(out)
    return {"out": out.to_numpy()}


@case(section="1", golden={"ints": 6, "floats": 6.0})
def struct_constructor_converts_members():
    FloatPair = qd.types.struct(a=qd.f32, b=vec2)

    @qd.kernel
    def ints() -> qd.i32:
        s = IntPair(2.5, (2.5, 2.5))  # members are converted as by qd.cast: 2.5 -> 2
        return s.a + s.b[0] + s.b[1]

    @qd.kernel
    def floats() -> qd.f32:
        s = FloatPair(2, (2, 2))
        return s.a + s.b[0] + s.b[1]

    return {"ints": ints(), "floats": floats()}


@case(section="1", golden={"out": [2, 3, 5, 9]})
def struct_assignment_copies():
    @qd.kernel
    def k(out: I32_1):
        a = qd.Struct(a=2, b=3)
        b = a
        b.a = 5
        b.b = 9
        out[0] = a.a
        out[1] = a.b
        out[2] = b.a
        out[3] = b.b

    out = qd.ndarray(qd.i32, shape=(4,))
    k(out)
    return {"out": out.to_numpy()}


@case(section="1", golden={"out": [3, 4, 1.0, 2.0, 7]})
def untyped_struct_from_dict_and_keywords():
    @qd.kernel
    def k(out: F32_1):
        s = qd.Struct({"a": 3, "b": 4})
        t = qd.Struct(v=qd.Vector([1.0, 2.0]), n=7)
        out[0] = s.a
        out[1] = s.b
        out[2] = t.v[0]
        out[3] = t.v[1]
        out[4] = t.n

    out = qd.ndarray(qd.f32, shape=(5,))
    k(out)
    return {"out": out.to_numpy()}


HOST_STRUCT = None


@case(section="1", golden={"out": [2, 3, 10]})
def host_struct_captured_by_a_kernel():
    global HOST_STRUCT
    HOST_STRUCT = qd.Struct({"a": 2, "b": 3})

    @qd.kernel
    def k(out: I32_1):
        s = HOST_STRUCT
        out[0] = s.a
        out[1] = s.b
        s.a = 10  # the local copy only
        out[2] = s.a

    out = qd.ndarray(qd.i32, shape=(3,))
    k(out)
    return {"out": out.to_numpy()}


@case(section="1", golden={"out": [1, 0, 1, 0, 1]})
def local_struct_rebound_to_another_struct():
    @qd.kernel
    def k(out: I32_1):
        s = Pair(a=0)
        s = Pair(a=1, v=vec2(0, 1))  # assigns every member of the local
        out[0] = s.a
        out[1] = s.v[0]
        out[2] = s.v[1]
        t = Pair(a=0)
        t = s
        s.a = 0
        out[3] = s.a
        out[4] = t.a

    out = qd.ndarray(qd.i32, shape=(5,))
    k(out)
    return {"out": out.to_numpy()}


# --------------------------------------------------------------------------------------- funcs and methods


@case(section="1", golden={"out": [100, 1, 1, 300, 5, 2.5]})
def struct_arguments_of_funcs_copy_unless_template():
    @qd.func
    def annotated(c: Small):
        c.a = 100
        return c.a

    @qd.func
    def unannotated(c):
        c.a = 200

    @qd.func
    def by_reference(c: qd.template()):
        c.a = 300

    @qd.func
    def make() -> Small:
        return Small(a=5, b=2.5)

    @qd.kernel
    def k(out: F32_1):
        c = Small(a=1, b=2)
        out[0] = annotated(c)
        out[1] = c.a
        unannotated(c)
        out[2] = c.a
        by_reference(c)
        out[3] = c.a
        s = make()
        out[4] = s.a
        out[5] = s.b

    out = qd.ndarray(qd.f32, shape=(6,))
    k(out)
    return {"out": out.to_numpy()}


@case(section="1", golden={"out": [6.0, 1, 7.0, 2.0, 0]})
def dataclass_methods_take_self_by_reference():
    @qd.kernel
    def k(out: F32_1):
        p = Particle(pos=vec3(1, 2, 3), mass=2.0)
        out[0] = p.momentum(3.0)
        p.bump()
        out[1] = p.hits
        out[2] = p.pos[0]
        out[3] = p.pos[1]
        q = p
        q.bump()
        out[4] = p.hits - 1  # q is a copy: p was bumped once

    out = qd.ndarray(qd.f32, shape=(5,))
    k(out)
    return {"out": out.to_numpy()}


@case(section="1", golden={"hits": [1, 0, 0, 0], "pos0": [7.0, 0.0, 0.0, 0.0]})
def dataclass_method_on_a_field_element_writes_the_field():
    @qd.kernel
    def k(f: qd.template()):
        f[0].bump()
        c = f[1]
        c.bump()  # a copy

    f = Particle.field(shape=(4,))
    k(f)
    arrays = f.to_numpy()
    return {"hits": arrays["hits"], "pos0": arrays["pos"][:, 0]}


# ------------------------------------------------------------------------------------ kernel parameters


@case(section="8", golden={"r": 125.0, "r2": 3.0})
def struct_kernel_parameter_nested():
    @qd.kernel
    def k(s: Nested) -> qd.f32:
        return s.a + s.b.a + s.b.b

    # 65537 wraps to 1 in i16, as a scalar i16 parameter would
    return {"r": k(Nested(a=1, b=Small(a=65537, b=123))), "r2": k(Nested(a=1, b=Small(a=1, b=1)))}


@case(section="8", golden={"r": 1 + 123 + sum((i + 1) * (j + 2) * (i * 2 + j + 1) for i in range(3) for j in range(2))})
def struct_kernel_parameter_with_matrix_member():
    mat = qd.types.matrix(3, 2, qd.f32)

    @qd.kernel
    def k(s: Outer) -> qd.i32:
        total = s.a + s.inner.b
        for i in range(3):
            for j in range(2):
                total += s.inner.m[i, j] * (i + 1) * (j + 2)
        return total

    return {"r": k(Outer(a=1, inner=WithMat(m=mat(1, 2, 3, 4, 5, 6), b=123)))}


@case(section="8", golden={"r": 7.0})
def struct_kernel_parameter_members_are_writable_copies():
    @qd.kernel
    def k(s: Pair) -> qd.f32:
        s.a = 5
        s.v[1] += 1
        return s.a + s.v[1]

    arg = Pair(a=1, v=vec2(0, 1))
    r = k(arg)
    assert arg.a == 1  # the caller's struct is not changed
    return {"r": r}


@case(section="8", raises=(qd.QuadrantsRuntimeTypeError, "cannot be converted into required type"))
def struct_kernel_parameter_member_mismatch_error():
    @qd.kernel
    def k(s: Pair):
        pass

    k(Circle(center=vec2(1, 2), radius=2.0))


# --------------------------------------------------------------------------------------------- returns


@case(section="11", golden={"a": 1.0, "v": [100.0, 0.25, 3.0], "b": 1})
def struct_kernel_return_nested():
    R0 = qd.types.struct(v=vec3, b=qd.i16)
    R1 = qd.types.struct(a=qd.f32, r=R0)

    @qd.kernel
    def k() -> R1:
        return R1(a=1, r=R0(v=vec3(100, 0.25, 3), b=65537))

    ret = k()
    return {"a": ret.a, "v": np.asarray(ret.r.v), "b": ret.r.b}


@case(section="11", golden={"a": 7, "first": 3.0})
def struct_kernel_return_of_a_field_element_through_a_func():
    f = Pair.field(shape=(2,))
    f[1] = Pair(a=7, v=vec2(3, 4))

    @qd.func
    def get(i) -> Pair:
        return f[i]

    @qd.kernel
    def k() -> Pair:
        return get(1)

    ret = k()
    return {"a": ret.a, "first": float(np.asarray(ret.v)[0])}


@case(section="11", raises=(qd.QuadrantsCompilationError, "cannot be converted into required type"))
def struct_kernel_return_type_mismatch_error():
    Sphere = qd.types.struct(center=vec3, radius=qd.f32)

    @qd.kernel
    def k() -> Sphere:
        return Circle(center=vec2(1, 2), radius=2)

    k()


# ---------------------------------------------------------------------------------------------- errors


@case(section="1", raises=(qd.QuadrantsCompilationError, "has no attribute 'zz'"))
def struct_unknown_member_error():
    @qd.kernel
    def k():
        s = Pair(a=1)
        s.zz = 2

    k()


@case(section="1", raises=(qd.QuadrantsTypeError, "Only dict or Struct can be assigned to a Struct"))
def struct_rebound_to_a_scalar_error():
    @qd.kernel
    def k():
        s = Pair(a=1)
        s = 3  # noqa: F841

    k()


@case(section="1", raises=(qd.QuadrantsTypeError, "Invalid constant scalar data type"))
def struct_print_error():
    @qd.kernel
    def k():
        s = Pair(a=1)
        print(s)

    k()


@case(section="1", raises=(qd.QuadrantsSyntaxError, "Default value in @dataclass is not supported"))
def dataclass_default_value_error():
    @qd.dataclass
    class WithDefault:
        x: qd.f32 = 1.0
