"""The IR math library of the GPU targets (``quadrants_llvm.builder.mathlib``), run on the host CPU against NumPy.

The functions are plain LLVM IR, so the host JIT runs exactly what NVPTX/AMDGPU compile; f64 results must stay within
the conformance ``transcendental`` budget (4 ULP; ``pow``: 8 ULP) on typical arguments, and special values must match.
"""

from __future__ import annotations

import ctypes

import llvmlite.binding as llvm
import llvmlite.ir as ll
import numpy as np
import pytest

from quadrants_llvm.builder.mathlib import _function
from quadrants_llvm.builder.types import F64
from quadrants_llvm.cpu.jit import get_jit

UNARY = {
    "exp": (np.exp, (-700, 700)),
    "log": (np.log, (1e-300, 1e300)),
    "sin": (np.sin, (-1e4, 1e4)),
    "cos": (np.cos, (-1e4, 1e4)),
    "tan": (np.tan, (-1e3, 1e3)),
    "asin": (np.arcsin, (-1, 1)),
    "acos": (np.arccos, (-1, 1)),
    "atan": (np.arctan, (-1e6, 1e6)),
    "sinh": (np.sinh, (-700, 700)),
    "cosh": (np.cosh, (-700, 700)),
    "tanh": (np.tanh, (-30, 30)),
}
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, np.inf, -np.inf, np.nan, 1e-310, 2.0, 710.0, -746.0, 1e-20, 3.0]


def _compile(name: str, arity: int):
    module = ll.Module(name=f"m_{name}")
    module.triple = get_jit().target.triple
    inner = _function(module, name)
    fn = ll.Function(module, ll.FunctionType(ll.VoidType(), [ll.PointerType()] * (arity + 1) + [ll.IntType(64)]), "f")
    b = ll.IRBuilder(fn.append_basic_block())
    n = fn.args[-1]
    i_ptr = b.alloca(ll.IntType(64))
    b.store(ll.Constant(ll.IntType(64), 0), i_ptr)
    head, body, done = fn.append_basic_block("h"), fn.append_basic_block("b"), fn.append_basic_block("d")
    b.branch(head)
    b.position_at_end(head)
    i = b.load(i_ptr, typ=ll.IntType(64))
    b.cbranch(b.icmp_signed("<", i, n), body, done)
    b.position_at_end(body)
    xs = [b.load(b.gep(fn.args[k + 1], [i], source_etype=F64), typ=F64) for k in range(arity)]
    b.store(b.call(inner, xs), b.gep(fn.args[0], [i], source_etype=F64))
    b.store(b.add(i, ll.Constant(ll.IntType(64), 1)), i_ptr)
    b.branch(head)
    b.position_at_end(done)
    b.ret_void()
    jit = get_jit()
    mod = llvm.parse_assembly(str(module))
    mod.verify()
    tm = llvm.Target.from_triple(jit.target.triple).create_target_machine(cpu=jit.target.cpu, opt=2, jit=True)
    engine = llvm.create_mcjit_compiler(mod, tm)  # takes ownership of tm
    engine.finalize_object()
    addr = engine.get_function_address("f")
    proto = ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * (arity + 1)), ctypes.c_int64)
    cfn = proto(addr)

    def run(*arrays):
        arrays = [np.ascontiguousarray(a, dtype=np.float64) for a in arrays]
        out = np.empty_like(arrays[0])
        cfn(out.ctypes.data, *[a.ctypes.data for a in arrays], out.size)
        return out

    run.engine = engine  # keep the code alive
    return run


def _ulps(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    ia, ib = a.view(np.int64), b.view(np.int64)
    ia = np.where(ia < 0, np.int64(-(2**63)) - ia, ia)
    ib = np.where(ib < 0, np.int64(-(2**63)) - ib, ib)
    with np.errstate(over="ignore"):
        d = np.abs((ia - ib).astype(np.float64))
    both_nan = np.isnan(a) & np.isnan(b)
    same = (a == b) | both_nan
    return np.where(same, 0, d)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_accuracy_and_special_values(name):
    ref, (lo, hi) = UNARY[name]
    rng = np.random.default_rng(1)
    if lo > 0:
        x = np.exp(rng.uniform(np.log(lo), np.log(hi), 20000))
    else:
        x = np.concatenate([rng.uniform(lo, hi, 10000), rng.uniform(-2, 2, 10000)])
    fn = _compile(name, 1)
    with np.errstate(all="ignore"):
        want = ref(x)
        special = ref(np.array(SPECIAL))
    ulps = _ulps(fn(x), want)
    assert ulps.max() <= 4, (name, x[np.argmax(ulps)], ulps.max())
    got = fn(np.array(SPECIAL))
    close = (_ulps(got, special) <= 4) | (np.abs(got - special) <= 2.0**-51)
    assert close.all(), (name, np.array(SPECIAL)[~close], got[~close], special[~close])


def test_atan2_pow_fmod():
    rng = np.random.default_rng(2)
    y, x = rng.uniform(-10, 10, 20000), rng.uniform(-10, 10, 20000)
    assert _ulps(_compile("atan2", 2)(y, x), np.arctan2(y, x)).max() <= 4
    s = np.array(SPECIAL)
    yy, xx = np.meshgrid(s, s)
    with np.errstate(all="ignore"):
        assert (_ulps(_compile("atan2", 2)(yy.ravel(), xx.ravel()), np.arctan2(yy.ravel(), xx.ravel())) <= 4).all()
        # f64 pow is exp(y·log x) in double: within 8 ULP while |y·log x| stays small (docs/backends/gpu.md)
        base, e = rng.uniform(0.5, 2, 20000), rng.uniform(-2, 2, 20000)
        assert _ulps(_compile("pow", 2)(base, e), np.power(base, e)).max() <= 8
        got = _compile("pow", 2)(xx.ravel(), yy.ravel())
        want = np.power(xx.ravel(), yy.ravel())
        # special values: the same class (NaN, ±inf, ±0, sign) and, for finite results, a close value
        bad = (_ulps(got, want) > 8) & ~np.isclose(got, want, rtol=1e-12, atol=0)
        bad |= (np.signbit(got) != np.signbit(want)) & ~np.isnan(want)
        bad |= np.isnan(got) != np.isnan(want)
        assert not bad.any(), list(zip(xx.ravel()[bad], yy.ravel()[bad], got[bad], want[bad], strict=True))
        a, b = rng.uniform(-1e6, 1e6, 20000), rng.uniform(-10, 10, 20000)
        np.testing.assert_array_equal(_compile("frem", 2)(a, b), np.fmod(a, b))
        got = _compile("frem", 2)(xx.ravel(), yy.ravel())
        np.testing.assert_array_equal(got, np.fmod(xx.ravel(), yy.ravel()))


def test_pow_stays_accurate_where_y_log_x_is_large():
    rng = np.random.default_rng(3)
    base = np.exp(rng.uniform(np.log(1e-300), np.log(1e300), 20000))
    # exponents that keep |y·log x| up to ~700, where a plain f64 log would cost hundreds of ULP
    e = rng.uniform(-700, 700, 20000) / np.abs(np.log(base))
    with np.errstate(all="ignore"):
        want = np.power(base, e)
    finite = np.isfinite(want) & (np.abs(want) > 2.3e-308)
    got = _compile("pow", 2)(base[finite], e[finite])
    ulps = _ulps(got, want[finite])
    assert ulps.max() <= 8, (base[finite][np.argmax(ulps)], e[finite][np.argmax(ulps)], ulps.max())
    exact = _compile("pow", 2)(np.array([10.0, 2.0, 10.0, 7.0]), np.array([300.0, -1074.0, -300.0, 3.0]))
    assert (_ulps(exact, np.array([1e300, 5e-324, 1e-300, 343.0])) <= 2).all(), exact


def test_trigonometry_next_to_multiples_of_half_pi():
    k = np.arange(1, 2000, dtype=np.float64)
    x = np.concatenate([k * (np.pi / 2), np.nextafter(k * (np.pi / 2), np.inf), np.nextafter(k * (np.pi / 2), 0)])
    for name, ref in (("sin", np.sin), ("cos", np.cos), ("tan", np.tan)):
        ulps = _ulps(_compile(name, 1)(x), ref(x))
        assert ulps.max() <= 4, (name, x[np.argmax(ulps)], ulps.max())
