"""GPU print: records appended to a buffer in the launch context, formatted by the host after the launch."""

from __future__ import annotations

import numpy as np

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.print_format import PrintLayout
from quadrants_llvm.cpu import BACKEND as CPU, host
from quadrants_llvm.cuda import compile_ptx

from .conftest import pfor, program, ref, var


def _printing() -> N.Program:
    i = var("i")
    body = [N.Print(("i =", ref(i), "half", N.Const(0.5, T.f32)))]
    return program([N.NdarrayArg("x", T.i32, 1)], [pfor([i], [0], [N.Shape(0, 0, T.i32)], body)])


def test_gpu_targets_reserve_records_with_one_atomic_and_cpu_calls_the_host():
    prog = _printing()
    art = compile_ptx(prog)
    lay = art.layout
    assert lay.print_capacity > 0 and lay.print_cursor < lay.packed_end  # the cursor is reset by every launch
    assert lay.size == lay.print_data + lay.print_capacity
    assert "atom.add.u64" in art.ptx or "atom.global.add.u64" in art.ptx
    assert "qd_print" not in art.ptx
    cpu = CPU.compile(prog, CompileOptions())
    assert cpu.layout.print_capacity == 0 and "qd_print" in cpu.ir_text


def test_programs_without_print_have_no_print_buffer():
    i = var("i")
    body = [N.Store(0, (ref(i),), ref(i))]
    prog = program([N.NdarrayArg("x", T.i32, 1)], [pfor([i], [0], [N.Shape(0, 0, T.i32)], body)])
    assert compile_ptx(prog).layout.print_capacity == 0


def _layout(*parts, specs=(), sep=" ", end="\n") -> PrintLayout:
    values = tuple(N.Const(0, p) if isinstance(p, T.DataType) else p for p in parts)
    return PrintLayout.of(N.Print(values, specs=specs, sep=sep, end=end))


def test_records_are_formatted_like_the_cpu_sink():
    formats = [_layout("a =", T.i32, T.u8), _layout("x", T.f32, specs=("%.2f",), sep="", end="|")]
    half = int(np.float64(0.5).view(np.int64))
    words = [1, -3, 255, 2, half, 1, 7, -1]
    lines = host.format_records(formats, words, cursor=8, capacity=16)
    assert lines == ["a = -3 255\n", "x0.50|", "a = 7 255\n"]  # u8 slots are read unsigned


def test_a_full_buffer_says_how_much_was_dropped():
    formats = [_layout("v", T.i32)]
    lines = host.format_records(formats, [1, 4, 1, 5, 0], cursor=10, capacity=5)  # the 0: a record that did not fit
    assert lines == ["v 4\n", "v 5\n", "[quadrants: print buffer full, 6 words of output dropped]\n"]
