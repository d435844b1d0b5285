"""Lowering of compound values: vectors and matrices become scalar IR, data_oriented and dataclass members become flat
arguments (only the members a kernel reads), fields become bound ndarray arguments."""

from __future__ import annotations

import dataclasses
import re
import typing

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import nodes as ir
from quadrants.ir.dtypes import f32, i32

F1 = qd.types.NDArray[qd.f32, 1]
I1 = qd.types.NDArray[qd.i32, 1]
V3F1 = qd.types.NDArray[qd.types.vector(3, qd.f32), 1]
M22F1 = qd.types.NDArray[qd.types.matrix(2, 2, qd.f32), 1]


def _arg_names(program) -> list[str]:
    return [a.name for a in program.args]


def _text_ops(text: str, op: str) -> int:
    return text.count(f"{op}(")


# ------------------------------------------------------------------------------------------ vectors and matrices


def test_vector_ndarray_is_a_scalar_ndarray_with_one_more_axis(lower):
    @qd.kernel
    def k(x: V3F1, m: M22F1):
        x[0] = qd.Vector([1.0, 2.0, 3.0])
        m[0] = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])

    program = lower(k, np.zeros((2, 3), np.float32), np.zeros((2, 2, 2), np.float32))
    assert program.args == (ir.NdarrayArg("x", f32, 2), ir.NdarrayArg("m", f32, 3))


def test_vector_expression_lowers_to_scalar_ops_only(lower_text):
    @qd.kernel
    def k(x: V3F1, o: F1):
        for i in range(4):
            v = x[i] * 2.0 + qd.Vector([1.0, 2.0, 3.0])
            o[i] = v.dot(v)

    text = lower_text(k, np.zeros((4, 3), np.float32), np.zeros(4, np.float32))
    # one scalar load per component, component index as a trailing constant axis
    for c in range(3):
        assert f"x[%1, i32 {c}]" in text
    assert _text_ops(text, "mul") == 3 + 3  # x*2 per component, then the three dot products
    assert "vector" not in text and "matrix" not in text


def test_vector_store_writes_each_component(lower_text):
    @qd.kernel
    def k(x: V3F1, a: qd.f32):
        x[1] = qd.Vector([a, a + 1.0, 0.5])

    text = lower_text(k, np.zeros((2, 3), np.float32), 1.0)
    assert text.count("store x[i32 1, i32 ") == 3


def test_compile_time_vector_operations_fold(lower_text):
    @qd.kernel
    def k(o: I1):
        o[0] = qd.Vector([1, 2]).dot(qd.Vector([3, 4]))
        o[1] = qd.Matrix([[1, 2], [3, 4]]).determinant()

    text = lower_text(k, np.zeros(2, np.int32))
    assert "store o[i32 0] = i32 11" in text
    assert "store o[i32 1] = i32 -2" in text


def test_matrix_vector_product_is_row_dot_products(lower_text):
    @qd.kernel
    def k(m: M22F1, v: F1, o: F1):
        w = m[0] @ qd.Vector([v[0], v[1]])
        o[0] = w[0]
        o[1] = w[1]

    text = lower_text(k, np.zeros((1, 2, 2), np.float32), np.zeros(2, np.float32), np.zeros(2, np.float32))
    assert _text_ops(text, "mul") == 4
    assert _text_ops(text, "add") == 2


def test_runtime_index_on_local_vector_is_a_select_chain(lower_text):
    @qd.kernel
    def k(o: I1, j: qd.i32, a: qd.i32):
        v = qd.Vector([a, a + 1, a + 2])
        o[0] = v[j]

    text = lower_text(k, np.zeros(1, np.int32), 0, 5)
    assert _text_ops(text, "select") == 2


def test_swizzle_reads_a_component(lower_text):
    @qd.kernel
    def k(x: V3F1, o: F1):
        o[0] = x[0].z

    text = lower_text(k, np.zeros((1, 3), np.float32), np.zeros(1, np.float32))
    found = re.search(r"(%\d+) \w+: f32 = load x\[i32 0, i32 2\]", text)
    assert found is not None
    assert f"store o[i32 0] = {found.group(1)}" in text


def test_elementwise_math_applies_per_component(lower_text):
    @qd.kernel
    def k(x: V3F1):
        x[0] = qd.sqrt(x[1])

    text = lower_text(k, np.zeros((2, 3), np.float32))
    assert _text_ops(text, "sqrt") == 3


def test_vector_atomic_is_one_atomic_per_component(lower_text):
    @qd.kernel
    def k(x: V3F1):
        for _ in range(4):
            x[0] += qd.Vector([1.0, 2.0, 3.0])

    text = lower_text(k, np.zeros((1, 3), np.float32))
    assert _text_ops(text, "atomic_add") == 3


def test_vector_truth_value_in_ternary_is_an_error(lower):
    @qd.kernel
    def k(o: I1):
        v = qd.Vector([1, 2])
        o[0] = 1 if v else 2

    with pytest.raises(qd.QuadrantsSyntaxError, match=re.escape('Please use "qd.select" instead')):
        lower(k, np.zeros(1, np.int32))


# ------------------------------------------------------------------------------------------ data_oriented


@qd.data_oriented
class Holder:
    def __init__(self):
        self.x = np.zeros(4, np.int32)
        self.n = 2
        self.label = "not a kernel type"
        self.unused = np.zeros(3, np.float32)
        self.items = [1, 2, 3]

    @qd.kernel
    def k(self):
        for i in range(self.n):
            self.x[i] = 1


def test_data_oriented_ndarray_member_is_a_flat_argument(lower):
    program = lower(Holder.k, Holder())
    assert _arg_names(program) == ["__qd_self__qd_x"]
    assert program.args[0] == ir.NdarrayArg("__qd_self__qd_x", i32, 1)


def test_data_oriented_unread_members_do_not_appear(lower_text):
    text = lower_text(Holder.k, Holder())
    assert "unused" not in text and "label" not in text and "items" not in text


def test_baked_primitive_member_is_a_constant(lower_text):
    text = lower_text(Holder.k, Holder())
    assert "[i32 0, i32 2)" in text  # range(self.n) with n baked to 2


def test_nested_member_flat_name(lower):
    @qd.data_oriented
    class Inner:
        def __init__(self):
            self.y = np.zeros(2, np.int32)

    @qd.data_oriented
    class Outer:
        def __init__(self):
            self.inner = Inner()

        @qd.kernel
        def k(self):
            self.inner.y[0] = 1

    assert _arg_names(lower(Outer.k, Outer())) == ["__qd_self__qd_inner__qd_y"]


def test_template_parameter_member_flat_name(lower):
    @qd.kernel
    def k(h: qd.template()):
        h.x[0] = h.n

    assert _arg_names(lower(k, Holder())) == ["__qd_h__qd_x"]


def test_template_primitives_false_lifts_a_scalar_argument(lower):
    @qd.data_oriented(template_primitives=False)
    class Sim:
        def __init__(self):
            self.x = np.zeros(4, np.int32)
            self.n = 3
            self.s = 0.5

        @qd.kernel
        def k(self):
            self.x[0] = self.n
            self.x[1] = int(self.s)

    program = lower(Sim.k, Sim())
    scalars = [a for a in program.args if isinstance(a, ir.ScalarArg)]
    assert scalars == [ir.ScalarArg("__qd_self__qd_n", i32), ir.ScalarArg("__qd_self__qd_s", f32)]


def test_func_method_is_inlined(lower_text):
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = np.zeros(4, np.int32)
            self.k_ = 7

        @qd.func
        def value(self):
            return self.k_

        @qd.kernel
        def k(self):
            self.x[0] = self.value()

    text = lower_text(Sim.k, Sim())
    assert "store __qd_self__qd_x[i32 0] = i32 7" in text


def test_assigning_a_primitive_member_is_an_error(lower):
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.n = 1

        @qd.kernel
        def k(self):
            self.n = 2

    with pytest.raises(qd.QuadrantsSyntaxError, match=re.escape("Variable 'self.n' cannot be assigned")):
        lower(Sim.k, Sim())


# ------------------------------------------------------------------------------------------ dataclasses


@dataclasses.dataclass
class Params:
    x: qd.types.NDArray[qd.i32, 1]
    n: int
    scale: float
    note: qd.f32
    spare: qd.types.NDArray[qd.f32, 1]


@dataclasses.dataclass(frozen=True)
class WithFinal:
    x: qd.types.NDArray[qd.i32, 1]
    n: typing.Final[int]


@dataclasses.dataclass
class Leaf:
    y: qd.types.NDArray[qd.i32, 1]


@dataclasses.dataclass
class Tree:
    leaf: Leaf
    k: int


def _params():
    return Params(x=np.zeros(4, np.int32), n=2, scale=0.5, note=1.5, spare=np.zeros(2, np.float32))


def test_dataclass_members_are_flat_arguments(lower):
    @qd.kernel
    def k(s: Params):
        s.x[0] = s.n
        s.x[1] = int(s.scale)

    program = lower(k, _params())
    assert set(program.args) == {
        ir.NdarrayArg("__qd_s__qd_x", i32, 1),
        ir.ScalarArg("__qd_s__qd_n", i32),
        ir.ScalarArg("__qd_s__qd_scale", f32),
    }


def test_dataclass_unread_members_are_pruned(lower):
    @qd.kernel
    def k(s: Params):
        s.x[0] = 1

    assert _arg_names(lower(k, _params())) == ["__qd_s__qd_x"]


def test_dataclass_final_member_is_a_constant(lower, lower_text):
    @qd.kernel
    def k(s: WithFinal):
        s.x[0] = s.n

    assert _arg_names(lower(k, WithFinal(x=np.zeros(2, np.int32), n=5))) == ["__qd_s__qd_x"]
    assert "i32 5" in lower_text(k, WithFinal(x=np.zeros(2, np.int32), n=5))


def test_nested_dataclass_flat_names(lower):
    @qd.kernel
    def k(t: Tree):
        t.leaf.y[0] = t.k

    names = _arg_names(lower(k, Tree(leaf=Leaf(y=np.zeros(2, np.int32)), k=1)))
    assert sorted(names) == ["__qd_t__qd_k", "__qd_t__qd_leaf__qd_y"]


def test_sub_struct_passed_to_func(lower_text):
    @qd.func
    def fill(leaf: Leaf, v):
        leaf.y[0] = v

    @qd.kernel
    def k(t: Tree):
        fill(t.leaf, t.k)

    text = lower_text(k, Tree(leaf=Leaf(y=np.zeros(2, np.int32)), k=1))
    assert "store __qd_t__qd_leaf__qd_y[i32 0] = " in text


def test_dataclass_member_is_immutable(lower):
    @qd.kernel
    def k(s: Params):
        s.n = 4

    with pytest.raises(qd.QuadrantsSyntaxError, match='Kernel argument "__qd_s__qd_n" is immutable'):
        lower(k, _params())


def test_dataclass_ndarray_member_dtype_checked(lower):
    @qd.kernel
    def k(s: Leaf):
        s.y[0] = 1

    with pytest.raises(TypeError, match="Expect element type i32 for argument __qd_s__qd_y, but get f32"):
        lower(k, Leaf(y=np.zeros(2, np.float32)))


# ------------------------------------------------------------------------------------------ fields


def test_template_field_is_a_bound_ndarray_argument(lower):
    f = qd.field(qd.i32, shape=(3,))
    v = qd.Vector.field(2, qd.f32, shape=(4,))

    @qd.kernel
    def k(a: qd.template(), b: qd.template()):
        a[0] = 1
        b[1] = qd.Vector([1.0, 2.0])

    program = lower(k, f, v)
    assert [(a.dtype, a.ndim) for a in program.args] == [(i32, 1), (f32, 2)]


def test_field_shape_is_compile_time(lower_text):
    f = qd.field(qd.i32, shape=(2, 5))

    @qd.kernel
    def k(a: qd.template(), o: I1):
        o[0] = a.shape[0] * a.shape[1]

    assert "store o[i32 0] = i32 10" in lower_text(k, f, np.zeros(1, np.int32))
