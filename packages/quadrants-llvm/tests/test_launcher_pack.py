"""cpu/launcher.py's generated packer (``make_pack``): one ``pack_into`` of every argument word, the same words the
argument-by-argument loop wrote; what ``struct`` refuses reaches the caller's slow path."""

from __future__ import annotations

import ctypes
import struct
from types import SimpleNamespace

import pytest

from quadrants.ir import dtypes as T, nodes as N
from quadrants_llvm.cpu.launcher import arg_format, make_pack


def _program(args) -> N.Program:
    return N.Program(name="k", args=tuple(args), returns=(), kernel_vars=(), items=())


ARGS = [N.NdarrayArg("x", T.f32, 2), N.ScalarArg("n", T.i32), N.NdarrayArg("y", T.i64, 1), N.ScalarArg("s", T.f32)]


def test_the_generated_packer_writes_every_word_in_order():
    program = _program(ARGS)
    fmt = struct.Struct(arg_format(program))
    x, y = SimpleNamespace(packed=(0x1000, 3, 4)), SimpleNamespace(packed=(0x2000, 7))
    generated = ctypes.create_string_buffer(fmt.size)
    make_pack(program, fmt.pack_into)(generated, [x, -5, y, 1.5])
    expected = ctypes.create_string_buffer(fmt.size)
    fmt.pack_into(expected, 0, 0x1000, 3, 4, -5, 0x2000, 7, 1.5)
    assert generated.raw == expected.raw


def test_one_argument_and_none():
    one = _program([N.ScalarArg("n", T.i64)])
    fmt = struct.Struct(arg_format(one))
    buf = ctypes.create_string_buffer(fmt.size)
    make_pack(one, fmt.pack_into)(buf, [41])
    assert struct.unpack_from("<q", buf, fmt.size - 8)[0] == 41
    none = _program([])
    make_pack(none, struct.Struct(arg_format(none)).pack_into)(ctypes.create_string_buffer(8), [])


def test_what_struct_refuses_reaches_the_caller():
    program = _program(ARGS)
    fmt = struct.Struct(arg_format(program))
    pack = make_pack(program, fmt.pack_into)
    x, y = SimpleNamespace(packed=(0x1000, 3, 4)), SimpleNamespace(packed=(0x2000, 7))
    with pytest.raises((OverflowError, struct.error)):  # an f32 parameter given 1e300: the slow path converts it
        pack(ctypes.create_string_buffer(fmt.size), [x, 1, y, 1e300])
