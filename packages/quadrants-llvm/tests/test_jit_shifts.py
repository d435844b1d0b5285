"""The llvm-cpu JIT re-optimises without SLP vectorisation when SLP packed a shift with out-of-range lanes.

LLVM 22's SLP vectoriser packs ``ashr`` (a sign extension) and ``and`` (a zero extension) of neighbouring stores into
one vector op; the unused lanes of the shift get amounts >= the width, and the x86 backend then miscompiles the blend
(``u8(-1)`` came out as -1). See ``quadrants_llvm.cpu.jit.Jit._optimized``.
"""

from __future__ import annotations

import numpy as np

import quadrants as qd
from quadrants_llvm.cpu.jit import get_jit, has_out_of_range_vector_shift


def test_detects_out_of_range_constant_lanes_only():
    bad = "%5 = ashr exact <4 x i32> %4, <i32 24, i32 255, i32 16, i32 65535>"
    assert has_out_of_range_vector_shift(bad)
    assert has_out_of_range_vector_shift("%1 = shl <2 x i8> %0, <i8 8, i8 1>")
    assert has_out_of_range_vector_shift("%1 = lshr <2 x i64> %0, <i64 -1, i64 1>")
    assert not has_out_of_range_vector_shift("%5 = ashr exact <4 x i32> %4, <i32 24, i32 poison, i32 16, i32 31>")
    assert not has_out_of_range_vector_shift("%5 = ashr i32 %4, 255")  # scalar shifts are not the SLP shape
    assert not has_out_of_range_vector_shift("%5 = ashr <4 x i32> %4, %amounts")


def test_mixed_sign_and_zero_extensions_of_neighbouring_stores():
    qd.init(arch=qd.cpu)

    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32, 1], o: qd.types.NDArray[qd.i32, 2]):
        for i in range(x.shape[0]):
            o[i, 0] = qd.cast(qd.cast(x[i], qd.i8), qd.i32)
            o[i, 1] = qd.cast(qd.cast(x[i], qd.u8), qd.i32)
            o[i, 2] = qd.cast(qd.cast(x[i], qd.i16), qd.i32)
            o[i, 3] = qd.cast(qd.cast(x[i], qd.u16), qd.i32)

    x = np.full(64, -1, np.int32)
    o = np.zeros((64, 4), np.int32)
    k(x, o)
    assert (o == [-1, 255, -1, 65535]).all()
    from quadrants_llvm.builder.tasks import build_module

    jit = get_jit()
    info = build_module(k._last.program, jit.target, "P", debug=False, fast_math=False)
    optimized = jit.optimized_ir(str(info.module))
    assert not has_out_of_range_vector_shift(optimized)


def test_optimized_ir_never_keeps_the_unsafe_shift():
    ir = """
define void @f(ptr noalias %x, ptr noalias %o, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %p = getelementptr inbounds i32, ptr %x, i64 %i
  %v = load i32, ptr %p
  %row = mul i64 %i, 4
  %t8 = trunc i32 %v to i8
  %s8 = sext i8 %t8 to i32
  %z8 = zext i8 %t8 to i32
  %t16 = trunc i32 %v to i16
  %s16 = sext i16 %t16 to i32
  %z16 = zext i16 %t16 to i32
  %o0 = getelementptr inbounds i32, ptr %o, i64 %row
  store i32 %s8, ptr %o0
  %r1 = add i64 %row, 1
  %o1 = getelementptr inbounds i32, ptr %o, i64 %r1
  store i32 %z8, ptr %o1
  %r2 = add i64 %row, 2
  %o2 = getelementptr inbounds i32, ptr %o, i64 %r2
  store i32 %s16, ptr %o2
  %r3 = add i64 %row, 3
  %o3 = getelementptr inbounds i32, ptr %o, i64 %r3
  store i32 %z16, ptr %o3
  %next = add i64 %i, 1
  %done = icmp eq i64 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}
"""
    jit = get_jit()
    text = f'target triple = "{jit.target.triple}"\ntarget datalayout = "{jit.target.data_layout}"\n' + ir
    assert not has_out_of_range_vector_shift(jit.optimized_ir(text))
