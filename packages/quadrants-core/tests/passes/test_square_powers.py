"""square_powers: which powers become products, and that the products are the powers the reference computes."""

from __future__ import annotations

import numpy as np
import pytest

from quadrants.ir.dtypes import f16, f32, f64, i32, u1, u8
from quadrants.ir.nodes import ArgRef, Const, LocalRef, OpExpr, ParallelFor, Program, ScalarArg, SerialBlock, Store, Var
from quadrants.ir.numerics import fold
from quadrants.ir.ops import Op
from quadrants.passes import DEFAULT_PASSES, square_powers
from quadrants.passes.square_powers import MAX_OPERAND_NODES

IV = Var(0, "i", i32)
X = Var(1, "x", f32)


def pow_(a, b, dtype=None):
    return OpExpr(Op.POW, (a, b), dtype or a.dtype)


def add(a, b):
    return OpExpr(Op.ADD, (a, b), a.dtype)


def rewritten(value):
    """``value`` stored by a one-task program, after the pass."""
    program = Program("k", (ScalarArg("a", f32),), (), (), (ParallelFor((IV,), (Const(0, i32),), (Const(4, i32),),
                      (Store(0, (LocalRef(IV),), value),)),))  # fmt: skip
    return square_powers(program).items[0].body[0].value


def test_float_and_int_squares_become_products():
    x = LocalRef(X)
    assert rewritten(pow_(x, Const(2.0, f32))) == OpExpr(Op.MUL, (x, x), f32)
    n = LocalRef(Var(2, "n", i32))
    assert rewritten(pow_(n, Const(2, i32))) == OpExpr(Op.MUL, (n, n), i32)
    a = ArgRef(0, f32)
    diff = add(a, Const(-1.0, f32))
    assert rewritten(pow_(diff, Const(2.0, f32))) == OpExpr(Op.MUL, (diff, diff), f32)


@pytest.mark.parametrize(
    "expr",
    [
        pow_(LocalRef(X), Const(3.0, f32)),  # not a square
        pow_(LocalRef(X), Const(0.5, f32)),
        pow_(LocalRef(X), LocalRef(Var(3, "e", f32))),  # exponent known at run time only
        pow_(LocalRef(Var(4, "b", u1)), Const(True, u1)),
    ],
    ids=["cube", "root", "runtime", "bool"],
)
def test_other_powers_stay(expr):
    assert rewritten(expr) == expr


def test_large_operands_are_not_duplicated():
    big = LocalRef(X)
    while True:
        bigger = add(big, Const(1.0, f32))
        if sum(1 for _ in _nodes(bigger)) > MAX_OPERAND_NODES:
            break
        big = bigger
    assert rewritten(pow_(big, Const(2.0, f32))).op is Op.MUL
    assert rewritten(pow_(bigger, Const(2.0, f32))) == pow_(bigger, Const(2.0, f32))


def test_nested_squares_stay_bounded():
    x = LocalRef(X)
    e = x
    for _ in range(6):
        e = pow_(e, Const(2.0, f32))
    out = rewritten(e)
    # the inner squares double until an operand would pass the limit; the outer ones stay powers (2 nodes a level)
    assert out.op is Op.POW
    assert sum(1 for _ in _nodes(out)) <= 2 * MAX_OPERAND_NODES + 1 + 2 * 6


def test_a_cast_base_of_another_type_is_left_alone():
    k = LocalRef(Var(5, "k", i32))
    expr = pow_(k, Const(2.0, f32), f32)  # as if i32 ** 2.0 had not been converted: the operand types differ
    assert rewritten(expr) == expr


def test_serial_blocks_are_rewritten_too():
    store = Store(0, (Const(0, i32),), pow_(LocalRef(X), Const(2.0, f32)))
    program = Program("k", (), (), (), (SerialBlock((store,)),))
    assert square_powers(program).items[0].body[0].value.op is Op.MUL


def test_the_pass_runs_after_folding():
    names = [name for name, _ in DEFAULT_PASSES]
    assert names.index("square_powers") == names.index("fold_constants") + 1


@pytest.mark.parametrize("dtype", [f16, f32, f64])
def test_products_equal_the_reference_power_bit_for_bit(dtype):
    rng = np.random.default_rng(7)
    special = [0.0, -0.0, 1.0, -1.0, 3.3, -7.1, float("inf"), -float("inf"), float("nan"), 1e3, 3e4, 1e-3]
    values = np.concatenate([np.array(special), rng.standard_normal(500) * 10.0 ** rng.integers(-6, 6, 500)])
    with np.errstate(over="ignore"):
        values = values.astype(dtype.np)  # f16 overflows to inf for the largest
    for v in values:
        power = fold(Op.POW, (v, dtype.np.type(2)), (dtype, dtype), dtype)
        product = fold(Op.MUL, (v, v), (dtype, dtype), dtype)
        assert np.asarray(power).tobytes() == np.asarray(product).tobytes() or (np.isnan(power) and np.isnan(product))


def test_wrapping_integer_squares_equal_the_reference_power():
    for v in (np.int32(70000), np.int32(-46341), np.uint8(17)):
        dtype = i32 if v.dtype == np.int32 else u8
        assert fold(Op.POW, (v, v.dtype.type(2)), (dtype, dtype), dtype) == fold(Op.MUL, (v, v), (dtype, dtype), dtype)


def _nodes(e):
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, OpExpr):
            stack.extend(node.args)
