"""The optional shader features end to end (docs/backends/wgpu.md, "Optional shader features"): native 64-bit types,
f64, float and 64-bit atomics, and the fallbacks used without them (``vulkan_modes`` runs each test both ways)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.numerics import convert
from quadrants.ir.ops import Op
from quadrants_wgpu.runtime.backend import BACKEND
from quadrants_wgpu.wgsl.emit import emit_program
from quadrants_wgpu.wgsl.target import ShaderTarget

I32_1 = qd.types.NDArray[qd.i32, 1]
U32_1 = qd.types.NDArray[qd.u32, 1]
I64_1 = qd.types.NDArray[qd.i64, 1]
U64_1 = qd.types.NDArray[qd.u64, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
F64_1 = qd.types.NDArray[qd.f64, 1]

NATIVE = ShaderTarget(f16=True, f64=True, int64=True, int64_atomics=True, f32_atomic_add=True)


def _needs_f64(mode: str) -> None:
    if mode == "emulated":
        pytest.skip("f64 has no fallback: it is unsupported without shader-f64")
    if not BACKEND.capabilities.supports("f64"):
        pytest.skip("the adapter lacks shader-f64")


# ---------------------------------------------------------------------------------------------- conversions


def test_integer_widening_extends_by_the_source_signedness(vulkan_modes):
    # naga extends by the destination's signedness (u64(-1i) == 0xffffffff): the emitter must not rely on it
    @qd.kernel
    def k(a: I32_1, b: U32_1, w: I64_1, uw: U64_1):
        for i in range(a.shape[0]):
            w[2 * i] = qd.cast(a[i], qd.i64)
            w[2 * i + 1] = qd.cast(b[i], qd.i64)
            uw[2 * i] = qd.cast(a[i], qd.u64)
            uw[2 * i + 1] = qd.cast(b[i], qd.u64)

    a = np.array([-1, -(2**31), 5, 2**31 - 1], np.int32)
    b = np.array([2**32 - 1, 2**31, 5, 0], np.uint32)
    w, uw = np.zeros(8, np.int64), np.zeros(8, np.uint64)
    k(a, b, w, uw)
    np.testing.assert_array_equal(w, np.stack([a.astype(np.int64), b.astype(np.int64)], 1).ravel())
    np.testing.assert_array_equal(uw, np.stack([a.astype(np.int64).view(np.uint64), b.astype(np.uint64)], 1).ravel())


def test_sign_extended_values_compare_correctly(vulkan_modes):
    # lavapipe (Mesa 22.3) miscompiled i64(i32(x)) < 0 as false for a negative x (fuzz seeds 19 and 37)
    @qd.kernel
    def k(a: I32_1, o: I64_1):
        for i in range(a.shape[0]):
            c = qd.cast(a[i], qd.i64)
            o[i] = c * 10 + (c < 0) + 2 * (c > qd.i64(-5)) + 4 * (c % qd.i64(-3) == 0)

    a = np.array([-6, -1, 0, 7, -(2**31)], np.int32)
    o = np.zeros(len(a), np.int64)
    k(a, o)
    c = a.astype(np.int64)
    np.testing.assert_array_equal(o, c * 10 + (c < 0) + 2 * (c > -5) + 4 * (c % -3 == 0))


def test_f64_conversions_match_reference(vulkan_modes):
    _needs_f64(vulkan_modes)

    @qd.kernel
    def k(x: F64_1, i: I32_1, w: I64_1, uw: U64_1, f: F32_1, back: F64_1):
        for n in range(x.shape[0]):
            i[n] = qd.cast(x[n], qd.i32)
            w[n] = qd.cast(x[n], qd.i64)
            uw[n] = qd.cast(x[n], qd.u64)
            f[n] = qd.cast(x[n], qd.f32)
            back[n] = qd.cast(w[n], qd.f64) + qd.cast(uw[n], qd.f64)

    rng = np.random.default_rng(3)
    x = np.concatenate(
        [rng.normal(size=200) * 10.0 ** rng.integers(-3, 20, 200), [np.nan, np.inf, -np.inf, 2.0**63, -(2.0**63)]]
    )
    out = [np.zeros(len(x), t) for t in (np.int32, np.int64, np.uint64, np.float32, np.float64)]
    k(x, *out)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(out[0], convert(x, T.i32))
        np.testing.assert_array_equal(out[1], convert(x, T.i64))
        np.testing.assert_array_equal(out[2], convert(x, T.u64))
        np.testing.assert_array_equal(out[3], convert(x, T.f32))
        np.testing.assert_array_equal(out[4], out[1].astype(np.float64) + out[2].astype(np.float64))


def test_f64_scalars_fields_returns_and_print(vulkan_modes, capsys):
    _needs_f64(vulkan_modes)
    f = qd.field(qd.f64, shape=(3,))

    @qd.kernel
    def k(a: qd.f64, b: qd.i64) -> qd.f64:
        for n in range(3):
            f[n] = a * n + qd.f64(b)
        print(a, b)
        return f[1] + f[2]

    assert k(0.1, 2**40) == (0.1 + 2**40) + (0.2 + 2**40)
    np.testing.assert_array_equal(f.to_numpy(), [2**40, 0.1 + 2**40, 0.2 + 2**40])
    assert capsys.readouterr().out == f"0.100000000000 {2**40}\n"  # f64 prints as %.12f (as upstream)


# ------------------------------------------------------------------------------------------------- atomics


def test_float_and_64_bit_atomics(vulkan_modes):
    @qd.kernel
    def k(f: F32_1, g: F32_1, w: I64_1, old: F32_1):
        for i in range(1000):
            qd.atomic_add(f[0], 0.5)  # native atomicAdd with shader-float32-atomic
            qd.atomic_add(g[0], 1.0)  # g also takes a max: compare-exchange loops on its bits either way
            qd.atomic_max(g[1], i * 1.0)
            qd.atomic_add(w[0], qd.i64(2**33) + i)
        old[0] = qd.atomic_add(f[1], 2.0)

    f, g, w, old = np.array([0, 3], np.float32), np.zeros(2, np.float32), np.zeros(1, np.int64), np.zeros(1, np.float32)
    k(f, g, w, old)
    np.testing.assert_array_equal(f, [500.0, 5.0])
    np.testing.assert_array_equal(g, [1000.0, 999.0])
    assert w[0] == 1000 * 2**33 + 999 * 1000 // 2 and old[0] == 3.0


def test_64_bit_min_max_atomics_need_the_int64_atomic_feature(vulkan_modes):
    @qd.kernel
    def k(w: I64_1, u: U64_1):
        for i in range(100):
            qd.atomic_min(w[0], -qd.i64(2**40) * i)
            qd.atomic_max(u[0], qd.u64(2**63) + qd.u64(i))

    w, u = np.zeros(1, np.int64), np.zeros(1, np.uint64)
    if not BACKEND.capabilities.supports("atomic:i64"):  # emulated, or the adapter/process lacks the feature
        with pytest.raises(qd.QuadrantsCompilationError, match="shader-int64-atomic-all-ops"):
            k(w, u)
        return
    k(w, u)
    assert w[0] == -(2**40) * 99 and u[0] == 2**63 + 99


def test_reductions_into_64_bit_kernel_vars(vulkan_modes):
    # a task that reduces into i64/u64/f64 locals and 32-bit ones: with 64-bit atomics qd_kv is atomic<u64> words,
    # the 32-bit vars halves of them
    @qd.kernel
    def k(x: F64_1, n: I64_1, out: F64_1, iout: I64_1):
        s = qd.f64(0.0)
        t = qd.i64(0)
        m = qd.i64(-(2**62))
        c = 0
        h = qd.u64(0)
        for i in range(n.shape[0]):
            s += x[i]
            t += n[i]
            qd.atomic_max(m, n[i])
            c += 1
            h += qd.u64(1) << qd.u64(40)
        out[0] = s
        iout[0], iout[1], iout[2], iout[3] = t, m, c, qd.cast(h, qd.i64)

    if vulkan_modes == "emulated":
        pytest.skip("f64 has no fallback: it is unsupported without shader-f64")
    _needs_f64(vulkan_modes)
    n = np.arange(-500, 500, dtype=np.int64) * 2**33
    x = np.full(len(n), 0.25)
    out, iout = np.zeros(1), np.zeros(4, np.int64)
    k(x, n, out, iout)
    assert out[0] == 250.0
    np.testing.assert_array_equal(iout, [n.sum(), n.max(), len(n), len(n) * 2**40])


# --------------------------------------------------------------------------------------------- emitted WGSL


def _atomic_program(ops, dtype) -> N.Program:
    zero = N.Const(0, T.i32)
    stmts = tuple(N.AtomicRMW(None, op, 0, (zero,), (N.Const(1, dtype),)) for op in ops)
    return N.Program("k", (N.NdarrayArg("a", dtype, 1),), (), (), (N.SerialBlock(stmts),))


@pytest.mark.parametrize(
    ("ops", "dtype", "native", "declared", "uses_cas"),
    [
        ((Op.ATOMIC_ADD,), T.f32, True, "array<atomic<f32>>", False),
        ((Op.ATOMIC_ADD, Op.ATOMIC_EXCHANGE), T.f32, True, "array<atomic<f32>>", False),
        ((Op.ATOMIC_ADD, Op.ATOMIC_MAX), T.f32, True, "array<atomic<u32>>", True),  # no float atomicMax in WGSL
        ((Op.ATOMIC_ADD,), T.f32, False, "array<atomic<u32>>", True),
        ((Op.ATOMIC_ADD, Op.ATOMIC_MIN), T.i64, True, "array<atomic<i64>>", False),
        ((Op.ATOMIC_ADD,), T.i64, False, "array<atomic<u32>>", False),
        ((Op.ATOMIC_ADD,), T.f64, True, "array<atomic<u64>>", True),
    ],
)
def test_atomic_bindings_and_bodies(ops, dtype, native, declared, uses_cas):
    target = NATIVE if native else ShaderTarget()
    wgsl = emit_program(_atomic_program(ops, dtype), target).shaders[0].wgsl
    assert declared in wgsl
    assert ("atomicCompareExchangeWeak(&qd_a0" in wgsl) == uses_cas


def test_native_int64_has_no_pair_helpers():
    a, b = N.Var(1, "a", T.i64), N.Var(2, "b", T.i64)
    body = (
        N.Load(a, 0, (N.Const(0, T.i32),)),
        N.Decl(b, N.OpExpr(Op.FLOORDIV, (N.LocalRef(a), N.Const(-3, T.i64)), T.i64)),
        N.Store(0, (N.Const(1, T.i32),), N.OpExpr(Op.MUL, (N.LocalRef(b), N.LocalRef(a)), T.i64)),
    )
    prog = N.Program("k", (N.NdarrayArg("x", T.i64, 1),), (), (), (N.SerialBlock(body),))
    native = emit_program(prog, NATIVE).shaders[0].wgsl
    emulated = emit_program(prog, ShaderTarget()).shaders[0].wgsl
    assert "array<i64>" in native and "qd_floordiv_i64(" in native and "vec2<u32>" not in native
    assert "array<vec2<u32>>" in emulated and "qd_mul64(" in emulated
