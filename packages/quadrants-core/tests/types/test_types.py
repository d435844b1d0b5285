"""``qd.types``: primitive types and their upstream aliases, type queries, annotations, enums, submodule paths."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.types import primitive_types as pt

ALIASES = {
    "int8": "i8",
    "int16": "i16",
    "int32": "i32",
    "int64": "i64",
    "uint1": "u1",
    "uint8": "u8",
    "uint16": "u16",
    "uint32": "u32",
    "uint64": "u64",
    "float16": "f16",
    "float32": "f32",
    "float64": "f64",
}


@pytest.mark.parametrize("long, short", sorted(ALIASES.items()))
def test_long_names_are_the_same_type_objects(long, short):
    dtype = getattr(qd, short)
    assert getattr(qd, long) is dtype
    assert getattr(qd.types, long) is dtype
    assert getattr(qd.types, short) is dtype
    assert getattr(pt, long) is dtype


def test_type_sets_are_upstreams():
    assert pt.real_types == {qd.f16, qd.f32, qd.f64, float}
    assert pt.integer_types == {qd.i8, qd.i16, qd.i32, qd.i64, qd.u1, qd.u8, qd.u16, qd.u32, qd.u64, int, bool}
    assert pt.all_types == pt.real_types | pt.integer_types
    assert id(qd.f32) in pt.real_type_ids and id(qd.u8) in pt.integer_type_ids and id(int) in pt.type_ids


@pytest.mark.parametrize(
    "dtype, integral, real, signed",
    [
        (qd.i8, True, False, True),
        (qd.i64, True, False, True),
        (qd.u1, True, False, False),
        (qd.u32, True, False, False),
        (qd.f16, False, True, None),
        (qd.f64, False, True, None),
    ],
)
def test_type_queries(dtype, integral, real, signed):
    assert qd.types.is_integral(dtype) is integral
    assert qd.types.is_real(dtype) is real
    assert qd.types.is_tensor(dtype) is False
    if signed is None:
        with pytest.raises(RuntimeError, match="is_integral"):
            qd.types.is_signed(dtype)
    else:
        assert qd.types.is_signed(dtype) is signed


def test_is_tensor_of_vector_and_matrix_types():
    assert qd.types.is_tensor(qd.types.vector(3, qd.f32))
    assert qd.types.is_tensor(qd.math.mat2)


@pytest.mark.parametrize("fn", ["is_integral", "is_real", "is_signed", "is_tensor"])
@pytest.mark.parametrize("value", [int, float, "f32", None])
def test_type_queries_reject_non_types(fn, value):
    with pytest.raises(TypeError, match="primitive type"):
        getattr(qd.types, fn)(value)


def test_ref_annotation_records_its_type():
    r = qd.types.ref(qd.f32)
    assert isinstance(r, pt.RefType) and r.tp is qd.f32 and qd.types.ref is pt.ref


def test_ref_parameter_of_an_inlined_func_is_a_copy():
    qd.init(arch=qd.ref)

    @qd.func
    def bump(x: qd.types.ref(qd.f32)) -> qd.f32:
        x += 1.0
        return x

    @qd.kernel
    def k(out: qd.types.NDArray[qd.types.float32, 1]):
        a = 2.0
        out[0] = bump(a)
        out[1] = a

    out = np.zeros(2, np.float32)
    k(out)
    assert out.tolist() == [3.0, 2.0]


def test_enums_have_upstreams_members_and_values():
    e = qd.types.enums
    assert {m.name: m.value for m in e.Layout} == {"AOS": 0, "SOA": 1, "NULL": 2}
    assert {m.name: m.value for m in e.AutodiffMode} == {"FORWARD": 0, "REVERSE": 1, "NONE": 2, "VALIDATION": 3}
    assert {m.name: m.value for m in e.BoundaryMode} == {"UNSAFE": 0, "CLAMP": 1}
    assert [m.name for m in e.SNodeGradType] == ["PRIMAL", "ADJOINT", "DUAL", "ADJOINT_CHECKBIT"]
    assert len(e.Format) == 44 and e.Format.unknown == 0 and e.Format.rgba32f.value == 40
    assert str(e.Layout.SOA) == "Layout.SOA" and int(e.Layout.SOA) == 1
    assert e.DeviceCapability.spirv_has_int64 == "spirv_has_int64"
    assert e.to_boundary_enum("clamp") is e.BoundaryMode.CLAMP
    with pytest.raises(ValueError, match="Valid options"):
        e.to_boundary_enum("wrap")
    assert qd.Format is e.Format and qd.DeviceCapability is e.DeviceCapability


def test_upstream_submodule_paths():
    from quadrants.types import annotations, compound_types, ndarray_type, utils

    assert annotations.template is qd.template and annotations.Template is qd.Template
    assert compound_types.vector is qd.types.vector and compound_types.matrix is qd.types.matrix
    assert ndarray_type.ndarray is qd.types.ndarray and ndarray_type.NDArray is qd.types.NDArray
    assert utils.is_real is qd.types.is_real


def test_quantized_types_are_out_of_scope():
    with pytest.raises(NotImplementedError, match="quantized types"):
        qd.types.quant  # noqa: B018
    with pytest.raises(AttributeError):
        qd.types.no_such_name  # noqa: B018


def test_long_names_annotate_kernels():
    qd.init(arch=qd.ref)

    @qd.kernel
    def k(x: qd.types.NDArray[qd.types.float64, 1], a: qd.int16, b: qd.uint8) -> qd.int64:
        x[0] = a + b
        return qd.int64(a) * 3

    x = np.zeros(1, np.float64)
    assert k(x, -5, 200) == -15
    assert x[0] == 195.0


def test_math_vector_types_follow_the_session_defaults():
    assert qd.math.ivec3 == qd.types.vector(3, qd.i32) and qd.math.uvec2 == qd.types.vector(2, qd.u32)
    assert qd.math.ivec2.resolved(qd.f32, qd.i64) == qd.types.vector(2, qd.i64)
    assert qd.math.uvec4.resolved(qd.f32, qd.i16) == qd.types.vector(4, qd.u16)
    assert qd.types.vector(2, qd.i32).resolved(qd.f32, qd.i64) == qd.types.vector(2, qd.i32)  # an explicit dtype stays
    qd.init(arch=qd.ref, default_ip=qd.i64, default_fp=qd.f64)
    try:

        @qd.kernel
        def k(o: qd.types.NDArray[qd.u64, 1], p: qd.types.NDArray[qd.f64, 1]):
            v = qd.math.uvec2(qd.u64(2**63 - 1))  # u64 components: nothing truncated
            o[0] = v[0]
            o[1] = qd.math.ivec2(-1, 2)[0] + 2**40  # i64 components
            p[0] = qd.math.vec3(3.14159265358)[0]  # f64 components

        o, p = np.zeros(2, np.uint64), np.zeros(1, np.float64)
        k(o, p)
        assert o.tolist() == [2**63 - 1, 2**40 - 1]
        assert p[0] == 3.14159265358
    finally:
        qd.init(arch=qd.ref)


def test_annotation_spellings_and_isinstance():
    from quadrants.frontend.annotations import parse_annotation

    # qd.template, qd.template() and qd.Template are one annotation
    assert qd.template() is qd.template is qd.Template
    assert parse_annotation(qd.template) is qd.Template
    # upstream's isinstance idioms over annotations (its annotation types are classes)
    assert isinstance(qd.template(), qd.Template) and not isinstance(qd.i32, qd.Template)
    assert isinstance(qd.types.NDArray[qd.f32, 2], qd.types.ndarray)
    assert isinstance(qd.types.ndarray(qd.i32, ndim=1), qd.types.NDArray)
    assert not isinstance(qd.Template, qd.types.ndarray) and not isinstance(qd.f32, qd.types.NDArray)


def test_python_number_components_follow_the_session_defaults():
    from quadrants.frontend.compound_types import vector

    assert vector(3, float) == vector(3, qd.f32) and vector(3, int) == vector(3, qd.i32)
    assert vector(3, float).resolved(qd.f64, qd.i64).dtype is qd.f64
    assert vector(3, int).resolved(qd.f64, qd.i64).dtype is qd.i64
    assert vector(3, qd.f32).resolved(qd.f64, qd.i64).dtype is qd.f32  # an explicit type never follows
    qd.init(arch=qd.ref, default_fp=qd.f64, default_ip=qd.i64)
    try:
        assert qd.Vector.ndarray(2, float, ()).dtype is qd.f64 and qd.Vector.ndarray(2, int, ()).dtype is qd.i64
        assert qd.field(qd.math.ivec2, ()).dtype is qd.i64 and qd.Matrix.field(2, 2, float, ()).dtype is qd.f64
        from quadrants.frontend.struct_types import StructType

        st = qd.types.struct(u=qd.math.uvec2, i=qd.math.ivec3, v=qd.types.vector(2, float))
        assert isinstance(st, StructType)
        assert [st.members[k].dtype for k in ("u", "i", "v")] == [qd.u64, qd.i64, qd.f64]
    finally:
        qd.reset()


def test_type_constructor_in_python_scope_concatenates():
    vec3i = qd.types.vector(3, qd.i32)
    mat2 = qd.types.matrix(2, 2, qd.f32)
    qd.init(arch=qd.ref)
    try:
        assert list(vec3i(1.8, qd.math.vec2(2.5, 3.5))) == [1, 2, 3]
        assert list(vec3i([1, 2], 3)) == [1, 2, 3]
        assert list(vec3i(7)) == [7, 7, 7]  # one scalar fills every component
        assert mat2(1, 2, 3, 4).to_numpy().tolist() == [[1, 2], [3, 4]]
        assert mat2(qd.math.vec2(1, 2), [3, 4]).to_numpy().tolist() == [[1, 2], [3, 4]]
    finally:
        qd.reset()
