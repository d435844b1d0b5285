"""Fields of structs (docs/structs.md): ``MyStruct.field(shape=..., layout=...)``, ``qd.Struct.field({...})``.

Each member is a field of its own (``x.pos``); ``x[i]`` is one struct. In kernels, ``x[i].a`` loads or stores one
member, ``x[i] = s`` stores every member, ``x[i].a += v`` is atomic like any global element. In Python scope,
``x[i].a`` reads and writes the element and ``to_numpy()``/``from_numpy()`` take a dict of member arrays. Fields
are allocated inside the cases, after ``qd.init``.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

vec2 = qd.types.vector(2, qd.f32)
vec3 = qd.types.vector(3, qd.f32)
Pair = qd.types.struct(a=qd.i32, v=vec2)
Line = qd.types.struct(dir=vec3, length=qd.f32)
Segment = qd.types.struct(line=Line, idx=qd.i32)


def _flat(arrays: dict, prefix: str = "") -> dict:
    """A (nested) dict of member arrays as one flat dict of observables."""
    out = {}
    for k, v in arrays.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


@case(section="13", golden={"a": [0, 1, 2, 3], "v": [[0.0, 0.5], [1.0, 1.5], [2.0, 2.5], [3.0, 3.5]]})
def struct_field_members_written_in_a_struct_for():
    x = Pair.field(shape=(4,))

    @qd.kernel
    def k():
        for i in x:
            x[i].a = i
            x[i].v = vec2(i, i + 0.5)

    k()
    return _flat(x.to_numpy())


@case(
    section="13",
    golden={
        "aos.a": [0, 2, 4],
        "aos.v": [[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]],
        "soa.a": [0, 2, 4],
        "soa.v": [[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]],
        "same_parent": (True, False),
    },
)
def struct_field_layouts_aos_and_soa_agree():
    aos = Pair.field(shape=(3,), layout=qd.Layout.AOS)
    soa = Pair.field(shape=(3,), layout=qd.Layout.SOA)

    @qd.kernel
    def k(f: qd.template()):
        for i in f:
            f[i] = Pair(a=2 * i, v=vec2(i, i + 1))

    k(aos)
    k(soa)
    same_parent = (aos.a.snode.parent() == aos.v.snode.parent(), soa.a.snode.parent() == soa.v.snode.parent())
    return {**_flat(aos.to_numpy(), "aos."), **_flat(soa.to_numpy(), "soa."), "same_parent": same_parent}


@case(section="13", golden={"a": [1, 3, 5], "v": [[0.0, 0.0], [4.0, 6.0], [8.0, 12.0]]})
def struct_field_members_as_fields_in_kernels():
    x = Pair.field(shape=(3,))

    @qd.kernel
    def k():
        for i in x.a:
            x.a[i] = 2 * i + 1
            x.v[i] = vec2(4 * i, 6 * i)

    k()
    return _flat(x.to_numpy())


@case(
    section="13",
    golden={
        "m": [[[0.0, 0.0], [5.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]], [[1.0, 2.0], [3.0, 4.0]]],
        "v": [[3, 3], [3, 4], [0, 0]],
        "r": 17.0,
    },
)
def struct_matrix_members_and_scalar_broadcast():
    mat = qd.types.matrix(2, 2, qd.f32)
    WithMat = qd.types.struct(m=mat, v=qd.types.vector(2, qd.i32), a=qd.f32)
    x = WithMat.field(shape=(3,))

    @qd.kernel
    def k() -> qd.f32:
        x[0].m[1, 0] = 5
        x[0].v = 3  # a scalar fills every component
        x[1].v = [3, 4]
        x[2].m = mat([[1, 2], [3, 4]])
        s = WithMat(a=2)
        s.m[0, 1] = 7
        s.m += 1
        s.v = [5, 6]
        return s.m[0, 1] + s.m[1, 1] + s.v[1] + s.a

    r = k()
    arrays = x.to_numpy()
    return {"m": arrays["m"], "v": arrays["v"], "r": r}


@case(
    section="13",
    golden={
        "idx": [0, 1, 2, 3],
        "dir": [[1.0] * 3] * 4,
        "length": [0.5, 1.5, 2.5, 3.5],
        "copied": [0.5, 1.5, 2.5, 3.5],
    },
)
def nested_struct_field_whole_and_member_stores():
    x = Segment.field(shape=(4,))
    y = Line.field(shape=(4,))

    @qd.kernel
    def k():
        for i in y:
            y[i] = Line(dir=vec3(1), length=i + 0.5)
        for i in x:
            x[i].idx = i
            x[i].line = y[i]

    k()
    arrays = x.to_numpy()
    return {
        "idx": arrays["idx"],
        "dir": arrays["line"]["dir"],
        "length": arrays["line"]["length"],
        "copied": np.array([x[i].line.length for i in range(4)], dtype=np.float32),
    }


@case(section="12", golden={"a": [16, 16, 16, 16], "v": [[16.0, 16.0]] * 4})
def struct_field_member_updates_are_atomic():
    x = Pair.field(shape=(4,))

    @qd.kernel
    def k():
        for i in range(64):
            x[i % 4].a += 1
            x[i % 4].v += 1.0

    k()
    return _flat(x.to_numpy())


@case(section="12", golden={"v0": [24.0, 24.0, 24.0, 24.0], "v1": [16.0, 16.0, 16.0, 16.0]})
def struct_field_vector_member_component_atomics():
    x = Pair.field(shape=(4,))

    @qd.kernel
    def k():
        for i in range(64):
            qd.atomic_add(x[i % 4].v[0], 1.5)
            x[i % 4].v[1] += 1.0

    k()
    arrays = x.to_numpy()
    return {"v0": arrays["v"][:, 0], "v1": arrays["v"][:, 1]}


@case(section="13", golden={"a": [5, 7], "v": [[1.0, 2.0], [9.0, 0.0]], "read": (5, 2.0)})
def struct_field_elements_in_python_scope():
    x = Pair.field(shape=(2,))
    x[0] = Pair(a=5, v=vec2(1, 2))
    x[1] = {"a": 7, "v": [0, 0]}
    x[1].v = vec2(9, 0)
    read = (x[0].a, float(np.asarray(x[0].v)[1]))
    return {**_flat(x.to_numpy()), "read": read}


@case(section="14", golden={"a": [3, 4, 5], "v": [[1.0, 1.0], [2.0, 2.0], [0.5, 0.5]], "filled": [7, 7, 7]})
def struct_field_to_numpy_and_from_numpy_dicts():
    x = qd.Struct.field({"a": qd.i32, "v": vec2}, shape=(3,))
    x.from_numpy(
        {"a": np.array([3, 4, 5], dtype=np.int32), "v": np.array([[1, 1], [2, 2], [0.5, 0.5]], dtype=np.float32)}
    )
    before = _flat(x.to_numpy())
    y = Pair.field(shape=(3,))
    y.fill(7)
    return {**before, "filled": y.to_numpy()["a"]}


@case(section="13", golden={"a": [0, 10, 20], "v": [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]})
def struct_field_placed_later_with_an_snode():
    x = Pair.field()
    qd.root.dense(qd.i, 3).place(x)

    @qd.kernel
    def k():
        for i in x:
            x[i] = Pair(a=10 * i, v=vec2(i))

    k()
    return _flat(x.to_numpy())


@case(section="13", golden={"out": [1, 3, 5, 7]})
def struct_field_element_copied_into_a_local():
    x = Pair.field(shape=(4,))

    @qd.kernel
    def k(out: qd.types.NDArray[qd.i32, 1]):
        for i in x:
            x[i].a = i
        for i in x:
            s = x[i]
            s.a = 2 * s.a + 1  # the copy only
            out[i] = s.a
        for i in x:
            if x[i].a != i:
                out[i] = -1

    out = qd.ndarray(qd.i32, shape=(4,))
    k(out)
    return {"out": out.to_numpy()}


@case(section="13", raises=(qd.QuadrantsTypeError, "Only dict or Struct can be assigned to a Struct"))
def struct_field_element_assigned_a_scalar_error():
    x = Pair.field(shape=(2,))

    @qd.kernel
    def k():
        x[0] = 1

    k()


@case(section="19", golden={"grad": [0, 1], "dual": [0, 0], "layout_none": 1, "dlpack_refused": 1})
def struct_field_gradient_flags_and_layout():
    s = qd.Struct.field({"a": qd.f32, "b": qd.i32}, shape=4)
    g = qd.Struct.field({"a": qd.f32, "b": qd.f32}, shape=4, needs_grad=True)
    try:
        s.to_dlpack()
        refused = 0
    except NotImplementedError:
        refused = 1
    return {
        "grad": [int(s.has_grad()), int(g.has_grad())],
        "dual": [int(s.has_dual()), int(g.has_dual())],
        "layout_none": int(s.layout is None),
        "dlpack_refused": refused,
    }
