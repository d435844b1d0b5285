"""Conditional float sums split for in-order vectorisation, and fields' static shapes in the generated code (issue 23).

See builder/cond_sums.py and builder/function.py (``shape``): both must leave every result bit as it was.
"""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants.ir.verifier import IRVerificationError, verify
from quadrants_llvm.builder.cond_sums import split_conditional_sums
from quadrants_llvm.cpu import BACKEND

from .conftest import const, op, pfor, program, ref, run, var


def _pairwise(n: int, m: int, shape=None, read_after=False, start=0.0):
    """out[i] = sum over j != i of 2 * a[j] (a serial inner loop with a guarded float sum)."""
    i, j, acc, x, t = var("i"), var("j"), var("acc", T.f32), var("x", T.f32), var("t", T.f32)
    then = [
        N.Load(x, 0, (ref(j),)),
        N.Decl(t, op(Op.ADD, ref(acc), op(Op.MUL, ref(x), const(2.0, T.f32)))),
        N.Assign(acc, ref(t)),
    ]
    if read_after:  # reads the updated sum inside the if: the update cannot be deferred
        then.append(N.Store(1, (ref(i),), ref(acc)))
    body = [
        N.Decl(acc, const(start, T.f32)),
        N.RangeFor(j, const(0), const(m), (N.If(op(Op.NE, ref(i), ref(j)), tuple(then)),)),
        N.Store(1, (ref(i),), ref(acc)),
    ]
    args = [
        N.NdarrayArg("a", T.f32, 1, (m,) if shape else None),
        N.NdarrayArg("out", T.f32, 1, (n,) if shape else None),
    ]
    return program(args, [pfor([i], [0], [n], body)])


def _loop_body(prog: N.Program) -> tuple:
    loop = next(s for s in prog.items[0].body if isinstance(s, N.RangeFor))
    return loop.body


def _expected(a: np.ndarray, n: int, start: float) -> np.ndarray:
    out = np.empty(n, np.float32)
    for i in range(n):
        s = np.float32(start)
        for j, v in enumerate(a):
            if i != j:
                s = np.float32(s + np.float32(v * np.float32(2.0)))  # the same order, one rounding per step
        out[i] = s
    return out


def test_guarded_sum_is_split_into_an_unconditional_add():
    body = _loop_body(split_conditional_sums(_pairwise(8, 8)))
    decl, cond, add = body
    assert isinstance(decl, N.Decl) and decl.value == N.Const(-0.0, T.f32)
    assert np.signbit(decl.value.value)
    assert isinstance(cond, N.If) and isinstance(cond.then[-1], N.Assign) and cond.then[-1].var == decl.var
    assert isinstance(add, N.Assign) and add.value.op is Op.ADD and N.LocalRef(decl.var) in add.value.args


def test_sum_read_inside_the_if_is_left_alone():
    prog = _pairwise(8, 8, read_after=True)
    assert split_conditional_sums(prog) is prog


@pytest.mark.parametrize("shape", [False, True])
@pytest.mark.parametrize("start", [0.0, -0.0])
def test_split_sum_is_bit_identical(shape, start):
    n = m = 67  # not a multiple of any vector width: the remainder loop runs too
    rng = np.random.default_rng(3)
    a = (rng.standard_normal(m) * 10.0 ** rng.integers(-6, 6, m)).astype(np.float32)
    out = np.zeros(n, np.float32)
    run(_pairwise(n, m, shape=shape, start=start), a, out)
    np.testing.assert_array_equal(out.view(np.uint32), _expected(a, n, start).view(np.uint32))


def test_nothing_added_keeps_negative_zero():
    n = m = 1  # the only j equals i: the sum is never updated
    out = np.ones(n, np.float32)
    run(_pairwise(n, m, start=-0.0), np.ones(m, np.float32), out)
    assert out[0] == 0.0 and np.signbit(out[0])


def test_guarded_sum_over_static_shapes_vectorises_in_order():
    text = BACKEND.compile(_pairwise(1024, 1024, shape=True), CompileOptions()).ir_text
    assert "llvm.vector.reduce.fadd" in text  # the sequential (start-value) form: no reassociation
    assert "reassoc" not in text and "fast" not in text.split("llvm.vector.reduce.fadd")[1].split("\n")[0]
    assert "gather" not in text


def test_static_shape_must_fit_ndim():
    i = var("i")
    body = [N.Store(0, (ref(i),), const(1.0, T.f32))]
    bad = program([N.NdarrayArg("a", T.f32, 1, (4, 2))], [pfor([i], [0], [4], body)])
    with pytest.raises(IRVerificationError, match="static shape"):
        verify(bad)


def test_field_shape_reaches_the_ir_and_its_strides_are_constants():
    qd.init(arch=qd.cpu, offline_cache=False)
    from quadrants.runtime.state import current_session

    pos = qd.Vector.field(3, qd.f32, shape=(5, 7))

    @qd.kernel
    def fill():
        for i, j in pos:
            pos[i, j] = qd.Vector([i, j, i * j])

    fill()
    assert "shape=(5, 7, 3)" in current_session().compiled[-1][1]
    x = pos.to_numpy()
    i, j = np.meshgrid(np.arange(5), np.arange(7), indexing="ij")
    np.testing.assert_array_equal(x, np.stack([i, j, i * j], axis=-1).astype(np.float32))


def _row_copy(shape: tuple[int, int]) -> tuple[str, str]:
    """The optimised IR of a 2-D copy between two fields of ``shape``, and the context-pointer offset of the shape
    word ``a.shape[1]`` (what a run-time row stride is loaded from)."""
    i, j, v = var("i"), var("j"), var("v", T.f32)
    body = [N.Load(v, 0, (ref(i), ref(j))), N.Store(1, (ref(i), ref(j)), ref(v))]
    args = [N.NdarrayArg("a", T.f32, 2, shape), N.NdarrayArg("b", T.f32, 2, shape)]
    prog = program(args, [pfor([i, j], [0, 0], [shape[0], shape[1]], body)])
    art = BACKEND.compile(prog, CompileOptions())
    return art.ir_text, f"ptr %.1, i64 {8 * (art.layout.args[0] + 2)}\n"


def test_component_strides_are_constants_row_strides_stay_words():
    # a (64, 2) field is 64 vec2 elements: its row stride 2 is a constant; a (64, 64) field's row stride 64 is read
    # from the launch (constant row strides made LLVM vectorise clamped stencils badly, see function.py)
    small, small_word = _row_copy((64, 2))
    big, big_word = _row_copy((64, 64))
    assert small_word not in small
    assert big_word in big
