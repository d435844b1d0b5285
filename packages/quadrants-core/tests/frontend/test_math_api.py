"""``qd.math`` functions lowered by the frontend (frontend/math_api.py): result types as upstream's, argument binding,
errors, IR shape (no duplicated expression trees, bit tests for isnan/isinf) and Python-scope use."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import quadrants as qd
from quadrants.frontend.math_api import KERNEL_FUNCTIONS
from quadrants.ir import nodes as ir
from quadrants.ir.walk import iter_stmts, iter_tasks

F64_1 = qd.types.NDArray[qd.f64, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]


def _decl_dtype(program, name: str):
    """The dtype of the local ``name`` (its first declaration) in the lowered program."""
    for task in iter_tasks(program.items):
        for stmt in iter_stmts(task.body):
            if isinstance(stmt, ir.Decl) and stmt.var.name == name:
                return stmt.var.dtype
    raise AssertionError(f"no local {name!r} in the program")


def _probe(fn, *dts):
    """A kernel computing ``r = fn(args)`` with arguments of the given types (an int ``dt`` is a literal)."""
    args = [qd.cast(1.5, dt) if isinstance(dt, qd.DataType) else dt for dt in dts]

    @qd.kernel
    def k(o: F64_1):
        r = fn(*[qd.cast(1.5, dt) if qd.static(isinstance(dt, qd.DataType)) else dt for dt in qd.static(dts)])
        o[0] = r

    del args
    return k


@pytest.mark.parametrize(
    "fn, dt, expected",
    [
        (qd.math.sign, qd.f64, qd.f32),  # float(x >= 0.0): default_fp whatever the operand
        (qd.math.sign, qd.i32, qd.f32),
        (qd.math.fract, qd.f64, qd.f64),
        (qd.math.fract, qd.f16, qd.f16),
        (qd.math.log2, qd.i32, qd.f32),
        (qd.math.log2, qd.f64, qd.f64),
        (qd.math.log2, qd.f16, qd.f32),  # log(f16) / f32 literal
        (qd.math.degrees, qd.f64, qd.f64),
        (qd.math.degrees, qd.i32, qd.f32),
        (qd.math.radians, qd.f16, qd.f32),
        (qd.math.isnan, qd.f64, qd.u1),
        (qd.math.isinf, qd.i32, qd.u1),
    ],
)
def test_unary_result_types_are_upstreams(lower, fn, dt, expected):
    program = lower(_probe(fn, dt), np.zeros(1, np.float64), optimize=False)
    assert _decl_dtype(program, "r") == expected


@pytest.mark.parametrize(
    "fn, dt, dt2, expected",
    [
        (qd.math.step, qd.f64, qd.f64, qd.f32),
        (qd.math.mod, qd.i32, qd.i32, qd.f32),  # the quotient is a float
        (qd.math.mod, qd.f64, qd.i32, qd.f64),
        (qd.math.max, qd.u8, qd.i32, qd.i32),
    ],
)
def test_binary_result_types_are_upstreams(lower, fn, dt, dt2, expected):
    program = lower(_probe(fn, dt, dt2), np.zeros(1, np.float64), optimize=False)
    assert _decl_dtype(program, "r") == expected


@pytest.mark.parametrize(
    "fn, dt, expected",
    [
        (qd.math.clamp, qd.i32, qd.i32),
        (qd.math.clamp, qd.u8, qd.i32),
        (qd.math.clamp, qd.f64, qd.f64),
        (qd.math.mix, qd.f16, qd.f32),  # 1.0 - a is f32
        (qd.math.mix, qd.i32, qd.f32),
        (qd.math.smoothstep, qd.f64, qd.f64),
    ],
)
def test_ternary_result_types_are_upstreams(lower, fn, dt, expected):
    program = lower(_probe(fn, dt, 0, 2), np.zeros(1, np.float64), optimize=False)
    assert _decl_dtype(program, "r") == expected


def test_complex_results_are_vec2_of_default_fp_and_division_promotes(lower):
    @qd.kernel
    def k(o: F64_1, x: qd.f64):
        z = qd.Vector([x, x])
        p = qd.math.cmul(z, z)  # vec2(...): f32
        q = qd.math.cdiv(z, z)  # vec2(...) / dot(z, z): f64
        o[0] = p[0] + q[0]

    program = lower(k, np.zeros(1, np.float64), 1.0, optimize=False)
    assert _decl_dtype(program, "p_0") == qd.f32
    assert _decl_dtype(program, "q_0") == qd.f64


def test_refract_keeps_the_incident_vectors_type_and_warns_on_the_narrowing(lower):
    @qd.kernel
    def k(o: F64_1, eta: qd.f32):
        r = qd.math.refract(qd.Vector([1, 1, 1]), qd.Vector([0, 1, 0]), eta)
        o[0] = r[0]

    with pytest.warns(qd.QuadrantsWarning, match="Assign may lose precision: i32 <- f32"):
        program = lower(k, np.zeros(1, np.float64), 0.5, optimize=False)
    assert _decl_dtype(program, "r_0") == qd.i32


def test_transforms_are_default_fp_matrices(lower):
    @qd.kernel
    def k(o: F64_1, a: qd.f64):
        m = qd.math.rotation2d(a)
        t = qd.math.translate(1, 2, 3)
        e = qd.math.eye(3)
        o[0] = m[0, 0] + t[0, 3] + e[2, 2]

    program = lower(k, np.zeros(1, np.float64), 0.5, optimize=False)
    assert _decl_dtype(program, "m_0") == qd.f32
    assert _decl_dtype(program, "t_3") == qd.f32
    assert _decl_dtype(program, "e_8") == qd.f32


def _op_count(program, op: str) -> int:
    """How many IR operations ``op`` (an ``Op`` member name) the program holds."""
    return repr(program).count(f"<Op.{op}:")


def test_shared_subexpressions_are_kept_in_locals_not_duplicated(lower):
    @qd.kernel
    def k(o: F32_1, x: qd.f32):
        o[0] = qd.math.smoothstep(0.0, 1.0, x)  # t used three times: one division

    program = lower(k, np.zeros(1, np.float32), 0.5)
    assert _op_count(program, "TRUEDIV") == 1


def test_isnan_and_isinf_test_bits_so_fast_math_cannot_fold_them(lower):
    @qd.kernel
    def k(o: F32_1, x: qd.f32, d: qd.f64):
        o[0] = qd.math.isnan(x) + qd.math.isinf(x) + qd.math.isnan(d)

    program = lower(k, np.zeros(1, np.float32), 1.0, 1.0)
    assert _op_count(program, "BITCAST") == 3
    assert _op_count(program, "BIT_AND") == 3


def test_python_scope_call_is_a_clear_error():
    with pytest.raises(qd.QuadrantsSyntaxError, match=r"qd.math.clamp\(\) can only be called from a @qd.kernel"):
        qd.math.clamp(1.5, 0.0, 1.0)


@pytest.mark.parametrize(
    "call, fragment",
    [
        ("missing", "Missing argument 'xmax'"),
        ("unexpected", "Unexpected argument 'lo'"),
        ("too_many", "Too many arguments"),
        ("twice", "Multiple values for argument 'x'"),
    ],
)
def test_bad_arguments_are_upstreams_func_errors(call, fragment):
    qd.init(arch=qd.ref)

    @qd.kernel
    def missing(o: F32_1):
        o[0] = qd.math.clamp(1.0, 2.0)

    @qd.kernel
    def unexpected(o: F32_1):
        o[0] = qd.math.clamp(1.0, 0.0, 2.0, lo=1.0)

    @qd.kernel
    def too_many(o: F32_1):
        o[0] = qd.math.sign(1.0, 2.0)

    @qd.kernel
    def twice(o: F32_1):
        o[0] = qd.math.clamp(1.0, 0.0, 2.0, x=1.0)

    kernels = {"missing": missing, "unexpected": unexpected, "too_many": too_many, "twice": twice}
    with pytest.raises(qd.QuadrantsSyntaxError, match=fragment):
        kernels[call](np.zeros(1, np.float32))


def test_keywords_bind_like_a_func():
    qd.init(arch=qd.ref)

    @qd.kernel
    def k(o: F32_1):
        o[0] = qd.math.clamp(1.5, xmax=1.0, xmin=0.0)
        o[1] = qd.math.mix(y=3.0, x=1.0, a=0.25)

    o = np.zeros(2, np.float32)
    k(o)
    assert o.tolist() == [1.0, 1.5]


def test_lists_are_vectors():
    qd.init(arch=qd.ref)

    @qd.kernel
    def k(o: F32_1):
        o[0] = qd.math.dot([1.0, 2.0], [3.0, 4.0])
        o[1] = qd.math.length([3, 4])

    o = np.zeros(2, np.float32)
    k(o)
    assert o.tolist() == [11.0, 5.0]


def test_eye_needs_a_compile_time_size():
    qd.init(arch=qd.ref)

    @qd.kernel
    def k(o: F32_1, n: qd.i32):
        o[0] = qd.math.eye(n)[0, 0]

    with pytest.raises(qd.QuadrantsTypeError, match="compile-time positive int"):
        k(np.zeros(1, np.float32), 3)


def test_shape_mismatch_is_a_type_error():
    qd.init(arch=qd.ref)

    @qd.kernel
    def k(o: F32_1):
        v = qd.math.clamp(qd.Vector([1.0, 2.0, 3.0]), qd.Vector([0.0, 0.0]), 1.0)
        o[0] = v[0]

    with pytest.raises(qd.QuadrantsTypeError, match="shapes"):
        k(np.zeros(1, np.float32))


def test_every_function_has_a_docstring_and_a_readable_repr():
    for name, fn in KERNEL_FUNCTIONS.items():
        assert fn.__doc__ and fn.__doc__.strip(), name
        assert repr(fn) == f"<qd.math.{name}>"
        assert getattr(qd.math, name) is fn


def test_constants_are_pythons():
    import math

    assert (qd.math.pi, qd.math.e, qd.math.inf) == (math.pi, math.e, math.inf)
    assert qd.math.nan != qd.math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert qd.math.max is qd.max and qd.math.pow is qd.pow
