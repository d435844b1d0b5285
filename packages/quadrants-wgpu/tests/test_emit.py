"""WGSL emission on hand-built IR: table completeness, layouts, and shaders that the device accepts."""

from __future__ import annotations

import dataclasses

import pytest

from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import ATOMIC_OPS, OP_INFO, Op
from quadrants_wgpu.wgsl.emit import emit_program
from quadrants_wgpu.wgsl.exprs import DECLARED_GAPS, OP_EMITTERS
from quadrants_wgpu.wgsl.names import UnsupportedError, literal
from quadrants_wgpu.wgsl.target import ShaderTarget

from .conftest import op, var


def test_every_op_has_an_emitter_or_a_declared_gap():
    pure = {o for o, info in OP_INFO.items() if info.category != "atomic"}
    assert pure <= set(OP_EMITTERS) | set(DECLARED_GAPS)
    from quadrants_wgpu.wgsl.atomics import ELEMENTWISE

    assert set(ELEMENTWISE) | {Op.ATOMIC_EXCHANGE, Op.ATOMIC_CAS} >= ATOMIC_OPS


EMULATED = ShaderTarget()
NATIVE = ShaderTarget(f16=True, f64=True, int64=True, int64_atomics=True, f32_atomic_add=True)


def test_literals_are_exact():
    assert literal(-2147483648, T.i32, EMULATED) == "bitcast<i32>(0x80000000u)"
    assert literal(1 << 40, T.i64, EMULATED) == "vec2<u32>(0x0u, 0x100u)"
    assert literal(0.1, T.f32, EMULATED) == "0x1.99999a0000000p-4f"
    assert literal(float("inf"), T.f32, EMULATED).startswith("bitcast<f32>")
    assert literal(-0.0, T.f32, EMULATED) == "-0.0f"


def test_native_64_bit_literals_are_exact():
    # through bitcasts: naga cannot constant-convert a 64-bit literal to a narrower type (u32(32lu) is an error)
    assert literal(1 << 40, T.i64, NATIVE) == "bitcast<i64>(0x10000000000lu)"
    assert literal(-(2**63), T.i64, NATIVE) == "bitcast<i64>(0x8000000000000000lu)"
    assert literal(2**64 - 1, T.u64, NATIVE) == "bitcast<u64>(0xfffffffffffffffflu)"
    assert literal(0.1, T.f64, NATIVE) == "bitcast<f64>(0x3fb999999999999alu)"
    assert literal(float("-inf"), T.f64, NATIVE) == "bitcast<f64>(0xfff0000000000000lu)"
    assert literal(-0.0, T.f64, NATIVE) == "bitcast<f64>(0x8000000000000000lu)"


def _saxpy(debug=False) -> N.Program:
    i, xv = var("i"), var("xv", T.f32)
    body = (
        N.Load(xv, 0, (N.LocalRef(i),)),
        N.Store(1, (N.LocalRef(i),), op(Op.ADD, op(Op.MUL, N.LocalRef(xv), N.ArgRef(2, T.f32)), N.Const(1.0, T.f32))),
    )
    args = (N.NdarrayArg("x", T.f32, 1), N.NdarrayArg("y", T.f32, 1), N.ScalarArg("a", T.f32))
    pf = N.ParallelFor((i,), (N.Const(0, T.i32),), (N.Shape(0, 0, T.i32),), body)
    return N.Program("saxpy", args, (), (), (pf,), debug=debug)


def test_parallel_task_layout_and_text():
    emitted = emit_program(_saxpy())
    (shader,) = emitted.shaders
    assert shader.kind == "parallel"
    assert shader.bindings == ((0, True), (1, False))  # x read-only, y written
    assert "var<storage, read> qd_a0: array<f32>" in shader.wgsl
    assert "qd_opaque0_f32" in shader.wgsl  # no contraction / reassociation by the driver
    assert emitted.layout.scalar_offsets == {2: 2}
    assert "qd_fail" not in shader.wgsl


def test_debug_adds_bounds_checks():
    emitted = emit_program(_saxpy(debug=True))
    assert "qd_fail(" in emitted.shaders[0].wgsl
    assert [c.kind for c in emitted.tables.checks] == ["bounds", "bounds"]


def test_f64_is_a_declared_gap_without_shader_f64():
    x = var("x", T.f64)
    prog = N.Program("k", (), (), (), (N.SerialBlock((N.Decl(x, N.Const(1.0, T.f64)),)),))
    with pytest.raises(UnsupportedError, match="'shader-f64' and 'shader-int64'"):
        emit_program(prog)
    with pytest.raises(UnsupportedError, match="does not support f64"):  # shader-f64 alone is not enough
        emit_program(prog, ShaderTarget(f64=False, int64=False))
    assert "var v" in emit_program(prog, NATIVE).shaders[0].wgsl


def test_packed_store_uses_atomic_and_or():
    prog = N.Program(
        "k",
        (N.NdarrayArg("b", T.u8, 1),),
        (),
        (),
        (N.SerialBlock((N.Store(0, (N.Const(1, T.i32),), N.Const(7, T.u8)),)),),
    )
    wgsl = emit_program(prog).shaders[0].wgsl
    assert "array<atomic<u32>>" in wgsl and "atomicAnd" in wgsl and "atomicOr" in wgsl


@pytest.mark.parametrize("native", [False, True, "corrected"], ids=["emulated", "native", "corrected"])
@pytest.mark.parametrize("dtype", [T.i32, T.u32, T.f32, T.u8, T.i16, T.i64, T.u64, T.f64, T.f16])
def test_shaders_for_every_op_compile(device, dtype, native):
    """One shader applying every applicable op to ``dtype`` operands is valid WGSL for the device, with the device's
    shader features, with none of them, and with the correctly rounding division and sqrt helpers."""
    target = device.target if native else ShaderTarget(f16=device.target.f16)
    if native == "corrected":
        target = dataclasses.replace(device.target, corrected_div_sqrt=True)
    if (dtype == T.f64 and not target.f64) or (dtype == T.f16 and not target.f16):
        pytest.skip(f"{dtype} needs a shader feature this device lacks or that is off")
    a, b = var("a", dtype), var("b", dtype)
    stmts = [N.Load(a, 0, (N.Const(0, T.i32),)), N.Load(b, 0, (N.Const(1, T.i32),))]
    k = 2
    for o, info in OP_INFO.items():
        if info.category == "atomic" or o in (Op.SELECT, Op.CAST, Op.BITCAST):
            continue
        if (info.operands == "float" and not dtype.is_float) or (info.operands == "int" and dtype.is_float):
            continue
        args = (N.LocalRef(a), N.LocalRef(b))[: info.arity]
        rtype = T.u1 if info.category == "compare" else T.i32 if o in (Op.POPCNT, Op.CLZ, Op.FFS) else dtype
        e = N.OpExpr(o, args, rtype)
        if rtype != dtype:
            e = N.OpExpr(Op.CAST, (e,), dtype)
        stmts.append(N.Store(0, (N.Const(k, T.i32),), e))
        k += 1
    prog = N.Program("k", (N.NdarrayArg("x", dtype, 1),), (), (), (N.SerialBlock(tuple(stmts)),))
    device.device.create_shader_module(code=emit_program(prog, target).shaders[0].wgsl)
