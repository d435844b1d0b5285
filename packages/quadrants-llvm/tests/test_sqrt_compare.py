"""Square roots compared with a constant, decided on their arguments with exact thresholds (builder/sqrt_compare.py)."""

from __future__ import annotations

import numpy as np
import pytest

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants.ir.walk import iter_stmts
from quadrants_llvm.builder.sqrt_compare import compare_on_squares, root_threshold
from quadrants_llvm.cpu import BACKEND

from .conftest import const, op, pfor, program, ref, run, var

_NP = {"f32": (np.float32, np.uint32), "f64": (np.float64, np.uint64)}
H = float(np.float32(1.1))  # constants reach the IR rounded to their type
_CMP = {Op.LT: np.less, Op.LE: np.less_equal, Op.GT: np.greater, Op.GE: np.greater_equal}


def _neighbours(ftype, x: float, count: int = 300) -> np.ndarray:
    """``count`` floats of type ``ftype`` on each side of ``x`` (bit patterns next to it), non-negative only."""
    utype = _NP[np.dtype(ftype).name.replace("float", "f")][1]
    bits = int(np.array(ftype(x)).view(utype))
    lo = max(0, bits - count)
    return np.arange(lo, bits + count, dtype=np.uint64).astype(utype).view(ftype)


@pytest.mark.parametrize("name", ["f32", "f64"])
@pytest.mark.parametrize("c", [1.1, 0.3, 2.0, 1e-30, 3e18, 7.0e-45, 1.0e300])
def test_thresholds_are_exact_around_the_boundary(name, c):
    ftype = _NP[name][0]
    with np.errstate(over="ignore"):
        c = float(ftype(c))
    if not np.isfinite(c) or c == 0.0:
        pytest.skip("not a finite non-zero constant of this type")
    for strict in (False, True):
        limit = ftype(root_threshold(name, c, strict))
        xs = _neighbours(ftype, limit)  # past +inf: NaN patterns, false on both sides
        with np.errstate(invalid="ignore"):
            roots = np.sqrt(xs)
        want = roots > ftype(c) if strict else roots >= ftype(c)
        np.testing.assert_array_equal(xs >= limit, want)


def test_threshold_of_a_root_beyond_every_finite_square_is_infinity():
    assert root_threshold("f32", 3.0e19, False) == np.inf  # sqrt(FLT_MAX) is about 1.8e19
    assert root_threshold("f32", 0.0, True) == np.float32(1.4e-45)  # the least x with sqrt(x) > 0: denorm_min


def _compare_kernel(cmp: Op, c: float, dtype, *, through_local: bool, const_left: bool):
    """out[i] = (sqrt(a[i]) cmp c) as i32; the root inline or through two locals (``r = sqrt(a); t = r``)."""
    i, a, r, t = var("i"), var("a", dtype), var("r", dtype), var("t", dtype)
    root = op(Op.SQRT, ref(a))
    body = [N.Load(a, 0, (ref(i),))]
    if through_local:
        body += [N.Decl(r, root), N.Decl(t, ref(r))]
        root = ref(t)
    k = const(c, dtype)
    test = op(cmp, k, root, dtype=T.u1) if const_left else op(cmp, root, k, dtype=T.u1)
    body.append(N.Store(1, (ref(i),), op(Op.CAST, test, dtype=T.i32)))
    if through_local:  # the root is still used for its value
        body.append(N.Store(2, (ref(i),), ref(r)))
    args = [N.NdarrayArg("a", dtype, 1), N.NdarrayArg("out", T.i32, 1), N.NdarrayArg("root", dtype, 1)]
    return program(args, [pfor([i], [0], [N.Shape(0, 0, T.i32)], body)])


def _mentions_root(e) -> bool:
    """Whether ``e`` takes a square root or reads the root's locals ``r``/``t`` (the test kernels' names)."""
    if isinstance(e, N.LocalRef):
        return e.var.name in ("r", "t")
    return isinstance(e, N.OpExpr) and (e.op is Op.SQRT or any(_mentions_root(a) for a in e.args))


def _inputs(ftype, c):
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, -1.0, -1e-40, 1e-45, 5e-324, np.finfo(ftype).max]
    limits = [root_threshold(np.dtype(ftype).name.replace("float", "f"), float(c), s) for s in (False, True)]
    near = np.concatenate([_neighbours(ftype, x, 40) for x in limits if np.isfinite(x)])
    rng = np.random.default_rng(1)
    wide = (rng.random(200) * float(c) * float(c) * 2).astype(ftype)
    return np.concatenate([np.array(special, dtype=ftype), near, wide]).astype(ftype)


@pytest.mark.parametrize("name", ["f32", "f64"])
@pytest.mark.parametrize("cmp", [Op.LT, Op.LE, Op.GT, Op.GE])
@pytest.mark.parametrize("c", [1.1, 0.0, -0.0, -2.0])
@pytest.mark.parametrize("through_local", [False, True])
def test_rewritten_comparisons_match_ieee(name, cmp, c, through_local):
    ftype, dtype = _NP[name][0], getattr(T, name)
    for const_left in (False, True):
        prog = _compare_kernel(cmp, float(ftype(c)), dtype, through_local=through_local, const_left=const_left)
        test = next(s for s in compare_on_squares(prog).items[0].body if isinstance(s, N.Store) and s.arg == 1)
        assert not _mentions_root(test.value)
        a = _inputs(ftype, abs(c) or 1.0)
        out, roots = np.zeros(len(a), np.int32), np.zeros(len(a), ftype)
        with np.errstate(invalid="ignore"):
            r = np.sqrt(a)
            want = _CMP[cmp](ftype(c), r) if const_left else _CMP[cmp](r, ftype(c))
        run(prog, a, out, roots)
        np.testing.assert_array_equal(out, want.astype(np.int32), err_msg=f"{cmp} const_left={const_left}")
        if through_local:
            np.testing.assert_array_equal(roots.view(_NP[name][1]), r.view(_NP[name][1]))


def test_distance_test_needs_no_sign_check_and_no_root():
    i, j, x, y, hit = var("i"), var("j"), var("x", T.f32), var("y", T.f32), var("hit", T.u1)
    d2 = op(Op.ADD, op(Op.MUL, ref(x), ref(x)), op(Op.MUL, ref(y), ref(y)))
    body = [
        N.Load(x, 0, (ref(i),)),
        N.Load(y, 0, (ref(j),)),
        N.Decl(hit, op(Op.LT, op(Op.SQRT, d2), const(H, T.f32), dtype=T.u1)),
        N.Store(1, (ref(i),), op(Op.CAST, ref(hit), dtype=T.i32)),
    ]
    args = [N.NdarrayArg("p", T.f32, 1, (64,)), N.NdarrayArg("out", T.i32, 1, (64,))]
    prog = program(args, [pfor([i], [0], [64], [N.Decl(j, const(3)), *body])])
    rewritten = compare_on_squares(prog).items[0].body
    decl = next(s for s in iter_stmts(rewritten) if isinstance(s, N.Decl) and s.var == hit)
    limit = N.Const(root_threshold("f32", H, False), T.f32)
    assert decl.value == N.OpExpr(Op.LT, (d2, limit), T.u1)  # a sum of squares: no x >= 0 conjunct
    text = BACKEND.compile(prog, CompileOptions()).ir_text
    assert "llvm.sqrt" not in text  # the only root was the compared one


def test_locals_written_twice_or_comparisons_with_variables_are_left_alone():
    i, a, r, b = var("i"), var("a", T.f32), var("r", T.f32), var("b", T.f32)
    reassigned = [
        N.Load(a, 0, (ref(i),)),
        N.Decl(r, op(Op.SQRT, ref(a))),
        N.Assign(r, op(Op.ADD, ref(r), const(1.0, T.f32))),
        N.Store(1, (ref(i),), op(Op.CAST, op(Op.LT, ref(r), const(2.0, T.f32), dtype=T.u1), dtype=T.i32)),
    ]
    variable = [
        N.Load(a, 0, (ref(i),)),
        N.Load(b, 0, (ref(i),)),
        N.Store(1, (ref(i),), op(Op.CAST, op(Op.LT, op(Op.SQRT, ref(a)), ref(b), dtype=T.u1), dtype=T.i32)),
    ]
    args = [N.NdarrayArg("a", T.f32, 1, (8,)), N.NdarrayArg("out", T.i32, 1, (8,))]
    for body in (reassigned, variable):
        prog = program(args, [pfor([i], [0], [8], body)])
        assert compare_on_squares(prog) is prog
