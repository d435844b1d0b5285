"""Lowering of vector/matrix methods, swizzles, class-level constructors and upstream idioms (frontend/matrix_*.py,
frontend/swizzle.py, frontend/comprehensions.py, frontend/static_calls.py): the IR they produce, its types, and the
compile errors. Results on every backend are checked by the conformance modules test_vector_methods and test_idioms.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import nodes as ir

F1 = qd.types.NDArray[qd.f32, 1]
I1 = qd.types.NDArray[qd.i32, 1]
H1 = qd.types.NDArray[qd.f16, 1]
V3F1 = qd.types.NDArray[qd.types.vector(3, qd.f32), 1]
M55 = qd.types.NDArray[qd.types.matrix(5, 5, qd.f32), 1]


def _count(text: str, op: str) -> int:
    return text.count(f"{op}(")


def _stores(text: str, name: str) -> list[str]:
    return re.findall(rf"store {name}\[i32 (\d+)\] = (\S+)", text)


# ------------------------------------------------------------------------------------------ swizzles


def test_swizzle_assignment_writes_the_named_components_in_order(lower_text):
    @qd.kernel
    def k(o: F1, a: qd.f32):
        v = qd.Vector([a, a, a])
        v.zx = [1.0, 2.0]
        v.yy = [3.0, 4.0]  # the last write wins
        o[0] = v.x
        o[1] = v.y
        o[2] = v.z

    text = lower_text(k, np.zeros(3, np.float32), 0.5)
    # one local per component (v_0, v_1, v_2); the assignments in source order: z, x, then y twice
    assignments = re.findall(r"^\s+(%\d) = f32 ([\d.]+)$", text, re.MULTILINE)
    assert assignments == [("%3", "1.0"), ("%1", "2.0"), ("%2", "3.0"), ("%2", "4.0")]
    assert _stores(text, "o") == [("0", "%1"), ("1", "%2"), ("2", "%3")]


def test_swizzle_of_an_element_stores_to_the_element(lower_text):
    @qd.kernel
    def k(x: V3F1):
        x[1].zy = [5.0, 6.0]

    text = lower_text(k, np.zeros((2, 3), np.float32))
    assert "store x[i32 1, i32 2] = f32 5.0" in text
    assert "store x[i32 1, i32 1] = f32 6.0" in text


def _swizzle_w(o: F1):
    v = qd.Vector([1.0, 2.0, 3.0])
    o[0] = v.w


def _swizzle_ba(o: F1):
    v = qd.Vector([1.0, 2.0, 3.0])
    o[0] = v.ba[0]


def _swizzle_mixed_groups(o: F1):
    v = qd.Vector([1.0, 2.0, 3.0])
    o[0] = v.xg[0]


def _swizzle_too_long(o: F1):
    v = qd.Vector([1.0, 2.0, 3.0])
    o[0] = v.xyzxy[0]


@pytest.mark.parametrize(
    ("fn", "fragment"),
    [
        (_swizzle_w, "vec3 only has attributes=('x', 'y', 'z'), got=('w',)"),
        (_swizzle_ba, "vec3 only has attributes=('b', 'g', 'r'), got=('b', 'a')"),
        (_swizzle_mixed_groups, "no attribute 'xg'"),
        (_swizzle_too_long, "no attribute 'xyzxy'"),
    ],
)
def test_bad_swizzles_are_compile_errors(lower, fn, fragment):
    with pytest.raises(qd.QuadrantsSyntaxError, match=re.escape(fragment)):
        lower(qd.kernel(fn), np.zeros(1, np.float32))


# ------------------------------------------------------------------------------------------ methods and types


def test_norm_adds_a_float_zero_so_integer_and_f16_vectors_get_f32_norms(lower_text):
    @qd.kernel
    def k(o: F1, h: H1, a: qd.i32):
        o[0] = qd.Vector([a, a]).norm()
        o[1] = qd.Vector([h[0], h[1]]).norm()
        h[2] = qd.Vector([h[0], h[1]]).norm_sqr()  # the operand type: no conversion

    text = lower_text(k, np.zeros(1, np.float32), np.zeros(3, np.float16), 1)
    assert re.search(r"sqrt\(add\(cast<f32>\(add\(mul", text)  # i32 sum of squares, + 0.0 as f32, then sqrt
    assert re.search(r"sqrt\(add\(cast<f32>\(add\(mul\(%\d+, %\d+\)", text)
    assert "store h[i32 2] = add(mul(" in text  # f16 all the way


def test_inverse_of_an_integer_matrix_is_default_fp_and_folds(lower_text):
    @qd.kernel
    def k(o: F1):
        o[0] = qd.Matrix([[1, 2], [3, 4]]).inverse()[0, 0]
        o[1] = qd.Matrix([[1, 2], [3, 4]]).inverse()[1, 0]

    text = lower_text(k, np.zeros(2, np.float32))
    assert "store o[i32 0] = f32 -2.0" in text
    assert "store o[i32 1] = f32 1.5" in text


def test_inverse_of_a_5x5_matrix_swaps_rows_at_run_time(lower):
    @qd.kernel
    def k(m: M55):
        m[0] = m[0].inverse()

    program = lower(k, np.zeros((1, 5, 5), np.float32), optimize=False)
    ifs = []

    def walk(stmts):
        for s in stmts:
            if isinstance(s, ir.If):
                ifs.append(s)
            for attr in ("body", "then", "orelse"):
                walk(getattr(s, attr, ()) or ())

    for item in program.items:
        walk(item.body)
    assert len(ifs) == 4 + 3 + 2 + 1  # "if pivot == r: swap rows k and r" for every later row r of every column k


def test_determinant_of_a_4x4_matrix_follows_upstreams_expansion(lower_text):
    @qd.kernel
    def k(o: I1):
        o[0] = qd.Matrix([[2, 0, 0, 1], [0, 3, 0, 0], [0, 0, 1, 0], [1, 0, 0, 7]]).determinant()

    assert "store o[i32 0] = i32 39" in lower_text(k, np.zeros(1, np.int32))


def test_any_and_all_are_u1(lower_text):
    @qd.kernel
    def k(o: I1, a: qd.i32):
        t = qd.Vector([a, 0]).any()
        u = qd.Vector([a, a]).all()
        o[0] = t + u

    text = lower_text(k, np.zeros(1, np.int32), 1, optimize=False)
    assert re.search(r"t: u1 = bit_or\(ne\(arg a, i32 0\), ne\(i32 0, i32 0\)\)", text)
    assert re.search(r"u: u1 = bit_and\(ne\(arg a, i32 0\), ne\(arg a, i32 0\)\)", text)


def test_class_level_constructors_and_dt(lower_text):
    @qd.kernel
    def k(o: F1):
        o[0] = qd.Vector.unit(3, 1)[1] / 2  # dt defaults to int: i32 / i32 is f32 0.5
        o[1] = qd.Matrix.identity(qd.f32, 3).trace()
        o[2] = qd.Matrix.diag(2, 2.5).sum()
        o[3] = qd.Vector([1.9, 2.0], qd.i32)[0]
        o[4] = qd.Matrix.cols([[1, 2], [3, 4]])[0, 1]

    text = lower_text(k, np.zeros(5, np.float32))
    for index, value in enumerate(("0.5", "3.0", "5.0", "1.0", "3.0")):
        assert f"store o[i32 {index}] = f32 {value}" in text


def test_matrix_flat_list_is_a_vector(lower_text):
    @qd.kernel
    def k(o: I1):
        o[0] = qd.Matrix([1, 2, 3]).n * 10 + qd.Matrix([1, 2, 3]).x  # n is 3 and swizzles work: a vector

    assert "store o[i32 0] = i32 31" in lower_text(k, np.zeros(1, np.int32))


def test_transpose_of_a_vector_is_an_error(lower):
    @qd.kernel
    def k(o: F1):
        o[0] = qd.Vector([1.0, 2.0]).transpose()[0, 0]

    with pytest.raises(qd.QuadrantsCompilationError, match=re.escape("`transpose()` cannot apply to a vector")):
        lower(k, np.zeros(1, np.float32))


def test_method_keyword_arguments_are_checked(lower):
    @qd.kernel
    def k(o: F1):
        o[0] = qd.Vector([1.0, 2.0]).norm(epsilon=1.0)

    with pytest.raises(qd.QuadrantsTypeError, match="unexpected keyword argument 'epsilon'"):
        lower(k, np.zeros(1, np.float32))


def test_unbound_class_methods_lower_as_methods(lower_text):
    @qd.kernel
    def k(o: F1, a: qd.f32):
        v = qd.Vector([a, 2.0, 3.0])
        o[0] = qd.Vector.dot(v, v)
        o[1] = qd.Matrix.norm_sqr(v)

    text = lower_text(k, np.zeros(2, np.float32), 1.0)
    assert _count(text, "mul") >= 6


def test_captured_host_matrix_is_a_constant(lower_text):
    g = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])

    @qd.kernel
    def k(o: F1):
        o[0] = g.determinant()
        o[1] = g[1, 0]

    text = lower_text(k, np.zeros(2, np.float32))
    assert "store o[i32 0] = f32 -2.0" in text
    assert "store o[i32 1] = f32 3.0" in text


# ------------------------------------------------------------------------------------------ idioms


def test_list_comprehension_builds_a_vector(lower_text):
    @qd.kernel
    def k(o: F1, r: qd.types.NDArray[qd.f32, 2]):
        v = qd.Vector([r[1, c] * 2 for c in range(3) if c != 1])
        o[0] = v[1]

    text = lower_text(k, np.zeros(1, np.float32), np.zeros((2, 3), np.float32))
    assert "load r[i32 1, i32 2]" in text and "load r[i32 1, i32 1]" not in text


def test_comprehension_variable_does_not_leak(lower_text):
    @qd.kernel
    def k(o: F1):
        c = 7.0
        values = [c for c in range(2)]  # noqa: C416
        o[0] = c + values[1]

    text = lower_text(k, np.zeros(1, np.float32))
    assert "c: f32 = f32 7.0" in text  # the outer c is unchanged by the comprehension's c
    assert re.search(r"store o\[i32 0\] = add\(%\d+, f32 1.0\)", text)


def test_field_fill_is_a_parallel_loop_at_the_top_level_and_serial_inside_a_loop(lower):
    f = qd.field(qd.f32, shape=(4,))

    @qd.kernel
    def top(x: F1):
        f.fill(1.0)

    @qd.kernel
    def nested(x: F1):
        for _ in range(2):
            f.fill(1.0)

    assert any(isinstance(item, ir.ParallelFor) for item in lower(top, np.zeros(4, np.float32)).items)
    items = lower(nested, np.zeros(4, np.float32)).items
    assert len([i for i in items if isinstance(i, ir.ParallelFor)]) == 1  # the outer loop only


def test_ndarray_fill_and_ndim_in_kernels_are_errors(lower):
    @qd.kernel
    def fill(x: F1):
        x.fill(1.0)

    @qd.kernel
    def ndim(x: F1):
        x[0] = x.ndim

    with pytest.raises(qd.QuadrantsCompilationError, match="an ndarray has no 'fill' in kernel code"):
        lower(fill, np.zeros(4, np.float32))
    with pytest.raises(qd.QuadrantsCompilationError, match=r"len\(x\.shape\)"):
        lower(ndim, np.zeros(4, np.float32))


def test_scalar_stored_into_a_vector_element_is_broadcast(lower_text):
    @qd.kernel
    def k(x: V3F1):
        x[0] = 2.5

    text = lower_text(k, np.zeros((1, 3), np.float32))
    assert text.count("= f32 2.5") == 3


def test_list_of_the_wrong_shape_into_a_vector_element_is_an_error(lower):
    @qd.kernel
    def k(x: V3F1):
        x[0] = [1.0, 2.0]

    with pytest.raises(
        qd.QuadrantsTypeError, match=re.escape("cannot assign '[Tensor (2) f32]' to '[Tensor (3) f32]'")
    ):
        lower(k, np.zeros((1, 3), np.float32))


def test_static_print_prints_while_compiling(lower, capsys):
    @qd.kernel
    def k(o: F1, a: qd.f32):
        qd.static_print("n =", 3, a, qd.Vector([a, a]))
        o[0] = a

    lower(k, np.zeros(1, np.float32), 1.0)
    assert capsys.readouterr().out == "n = 3 <qd.Expr> <qd.Expr>\n"


def test_bit_shr_of_a_signed_value_shifts_its_unsigned_bits(lower_text):
    @qd.kernel
    def k(o: I1, a: qd.i32):
        o[0] = qd.bit_shr(a, 1)

    text = lower_text(k, np.zeros(1, np.int32), -8)
    assert re.search(r"bitcast<i32>\(shr\(bitcast<u32>\(", text)


def test_host_calls_of_kernel_only_intrinsics():
    qd.static_assert(True, "fine")
    with pytest.raises(AssertionError, match="broken"):
        qd.static_assert(False, "broken")
    with pytest.raises(qd.QuadrantsSyntaxError, match=re.escape("can only be called from a @qd.kernel")):
        qd.bit_shr(-8, 1)


def test_run_time_component_stores_are_guarded_per_component(lower_text):
    @qd.kernel
    def k(x: M55, i: qd.i32, j: qd.i32):
        m = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        m[i, j] = 9.0  # four candidates
        x[0][i, 1] = m[1, 1]  # five candidates (one per row of the element)

    text = lower_text(k, np.zeros((1, 5, 5), np.float32), 1, 1, optimize=False)
    assert text.count("if bit_and(eq(arg i, i32 ") == 4
    assert len(re.findall(r"if eq\(arg i, i32 \d\)", text)) == 5


def test_one_index_on_a_matrix_and_two_on_a_vector_are_errors(lower):
    @qd.kernel
    def row(o: F1):
        o[0] = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])[0][0]

    @qd.kernel
    def pair(o: F1):
        o[0] = qd.Vector([1.0, 2.0])[0, 0]

    with pytest.raises(qd.QuadrantsIndexError, match="Expected 2 indices, got 1"):
        lower(row, np.zeros(1, np.float32))
    with pytest.raises(qd.QuadrantsIndexError, match="Expected 1 indices, got 2"):
        lower(pair, np.zeros(1, np.float32))


def test_operator_functions_and_any_all_lower_as_the_expressions(lower_text):
    import operator

    @qd.kernel
    def k(o: I1, a: qd.i32):
        v = operator.mul(qd.Vector([a, a]), [2, 3])
        o[0] = v[1]
        o[1] = any(qd.Vector([a, 0]))
        o[2] = all(qd.Vector([a, a]))
        o[3] = operator.invert(a)

    text = lower_text(k, np.zeros(4, np.int32), 1)
    assert "store o[i32 0] = mul(arg a, i32 3)" in text  # v[1], recomputed where it is read
    assert "bit_or(ne(arg a, i32 0)" in text and "bit_and(ne(arg a, i32 0)" in text
    assert "store o[i32 3] = bit_not(arg a)" in text


def test_not_of_a_vector_is_componentwise(lower_text):
    @qd.kernel
    def k(o: I1, a: qd.i32):
        z = not qd.Vector([a, 0])
        o[0] = z[0]

    assert "logical_not(arg a)" in lower_text(k, np.zeros(1, np.int32), 1)
