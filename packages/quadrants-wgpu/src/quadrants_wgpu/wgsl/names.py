"""How each Quadrants dtype is represented in WGSL: value types, storage layouts, literals and identifiers.

Values (locals, expression results) use a *representation type*:

| dtype | WGSL value | invariant |
|---|---|---|
| ``u1`` | ``u32`` | 0 or 1 |
| ``i8 i16 i32`` | ``i32`` | sign-extended from the dtype's width (canonical) |
| ``u8 u16 u32`` | ``u32`` | zero-extended from the dtype's width (canonical) |
| ``f16`` / ``f32`` | ``f16`` / ``f32`` | native (``f16`` needs the ``shader-f16`` feature) |
| ``i64 u64`` | ``vec2<u32>`` | ``(low word, high word)``, two's complement |

Every operation on a narrow integer re-establishes the invariant (:func:`normalize`), so the low bits are the
wrapped result and comparisons/divisions on the 32-bit value give the narrow type's answer.

Ndarrays are stored exactly as NumPy stores them (little-endian, C order), so host transfers are plain byte copies:
32-bit types and ``f16`` as native arrays, ``i64``/``u64`` as ``array<vec2<u32>>``, and 8/16-bit integers and ``u1``
packed 4 or 2 per 32-bit word (:mod:`quadrants_wgpu.wgsl.packing`).
"""

from __future__ import annotations

import math
import struct

import numpy as np

from quadrants.ir.dtypes import DataType

__all__ = [
    "UnsupportedError",
    "value_type",
    "is_wide",
    "is_packed",
    "normalize",
    "literal",
    "zero",
    "var_name",
    "arg_buffer",
    "words_of",
    "from_words",
    "to_words",
]


class UnsupportedError(TypeError):
    """A program needs something this backend declares as a capability gap (f64, f16 without shader-f16, ...)."""


_VALUE = {
    "u1": "u32",
    "i8": "i32",
    "i16": "i32",
    "i32": "i32",
    "u8": "u32",
    "u16": "u32",
    "u32": "u32",
    "f16": "f16",
    "f32": "f32",
    "i64": "vec2<u32>",
    "u64": "vec2<u32>",
}


def value_type(dtype: DataType) -> str:
    """The WGSL type holding values of ``dtype``; raises :class:`UnsupportedError` for f64."""
    try:
        return _VALUE[dtype.name]
    except KeyError:
        raise UnsupportedError(f"the wgpu backend does not support {dtype} (WGSL has no 64-bit floats)") from None


def is_wide(dtype: DataType) -> bool:
    """True for the emulated 64-bit integer types."""
    return dtype.name in ("i64", "u64")


def is_packed(dtype: DataType) -> bool:
    """True for element types stored several per 32-bit word (u1, 8- and 16-bit integers)."""
    return dtype.name in ("u1", "i8", "u8", "i16", "u16")


def normalize(dtype: DataType, expr: str) -> str:
    """``expr`` (a 32-bit value of ``dtype``'s representation) wrapped to ``dtype``'s width (canonical form)."""
    name = dtype.name
    if name == "u1":
        return f"(({expr}) & 1u)"
    if name in ("u8", "u16"):
        return f"(({expr}) & {hex((1 << dtype.bits) - 1)}u)"
    if name in ("i8", "i16"):
        s = 32 - dtype.bits
        return f"((({expr}) << {s}u) >> {s}u)"  # arithmetic shift back sign-extends
    return expr


def _float_literal(value: float, dtype: DataType) -> str:
    if dtype.name == "f16":
        v = float(np.float16(value))
        if math.isfinite(v):
            # decimal: naga rejects long hex mantissas for f16; repr round-trips, and every f16 is exact in f64
            return f"{v!r}h" if v != 0 else ("-0.0h" if math.copysign(1, v) < 0 else "0.0h")
        bits = int(np.array(v, np.float16).view(np.uint16))
        # naga rejects non-finite literals and mistypes bitcast<vec2<f16>>(...).x; unpacking the half is exact
        return f"f16(unpack2x16float({bits}u).x)"
    v = float(np.float32(value))
    if math.isfinite(v):
        if v == 0:
            return "-0.0f" if math.copysign(1, v) < 0 else "0.0f"
        return f"{v.hex()}f"  # exact: a hex float names the f32 value bit for bit
    return f"bitcast<f32>({struct.unpack('<I', struct.pack('<f', v))[0]:#x}u)"


def literal(value, dtype: DataType) -> str:
    """A WGSL expression of representation type for the (already converted) constant ``value`` of ``dtype``."""
    if dtype.is_float:
        value_type(dtype)
        return _float_literal(float(value), dtype)
    v = int(value)
    if is_wide(dtype):
        u = v & 0xFFFFFFFFFFFFFFFF
        return f"vec2<u32>({u & 0xFFFFFFFF:#x}u, {u >> 32:#x}u)"
    if value_type(dtype) == "u32":
        return f"{v & 0xFFFFFFFF}u"
    if v < 0:
        return f"bitcast<i32>({v & 0xFFFFFFFF:#x}u)"  # -2147483648i is not a valid WGSL literal
    return f"{v}i"


def zero(dtype: DataType) -> str:
    """The literal 0 of ``dtype``."""
    return literal(0, dtype)


def var_name(var) -> str:
    """The WGSL identifier of a local (ids are unique per program; the user's name is kept for reading dumps)."""
    safe = "".join(c if c.isalnum() else "_" for c in var.name)[:24]
    return f"v{var.id}_{safe}"


def arg_buffer(index: int) -> str:
    """The WGSL identifier of ndarray argument ``index``."""
    return f"qd_a{index}"


def words_of(dtype: DataType) -> int:
    """How many 32-bit words a scalar of ``dtype`` takes in the args/kernel-var buffers."""
    return 2 if is_wide(dtype) else 1


def to_words(value, dtype: DataType) -> list[int]:
    """Host encoding of one scalar (already converted to ``dtype``) as 32-bit words (what :func:`from_words` reads)."""
    if dtype.is_float:
        return [int(np.array(np.float32(value)).view(np.uint32))]  # f16 travels as its exact f32 value
    v = int(value) & 0xFFFFFFFFFFFFFFFF
    if is_wide(dtype):
        return [v & 0xFFFFFFFF, v >> 32]
    return [v & 0xFFFFFFFF]  # canonical (sign-extended) narrow values keep their low 32 bits


def from_words(words, dtype: DataType):
    """Inverse of :func:`to_words` for values read back from the device, as a NumPy scalar of ``dtype``."""
    if dtype.is_float:
        return dtype.np.type(np.array(words[0], np.uint32).view(np.float32))
    if is_wide(dtype):
        u = int(words[0]) | (int(words[1]) << 32)
        return np.array(u, np.uint64).view(dtype.np)[()]
    w = int(words[0]) & 0xFFFFFFFF
    if dtype.is_bool:
        return np.bool_(w & 1)
    w &= (1 << dtype.bits) - 1
    if dtype.kind == "int" and w >> (dtype.bits - 1):
        w -= 1 << dtype.bits
    return dtype.np.type(w)


def _word_ref(buffer: str, offset: int, atomic: bool) -> str:
    return f"atomicLoad(&{buffer}[{offset}])" if atomic else f"{buffer}[{offset}]"


def load_word_expr(buffer: str, offset: int, dtype: DataType, atomic: bool = False) -> str:
    """WGSL reading a scalar of ``dtype`` stored by :func:`to_words` at word ``offset`` of a ``array<u32>`` buffer
    (``atomic``: an ``array<atomic<u32>>`` buffer)."""
    w = _word_ref(buffer, offset, atomic)
    name = dtype.name
    if is_wide(dtype):
        return f"vec2<u32>({w}, {_word_ref(buffer, offset + 1, atomic)})"
    if name == "f32":
        return f"bitcast<f32>({w})"
    if name == "f16":
        return f"f16(bitcast<f32>({w}))"
    if value_type(dtype) == "i32":
        return f"bitcast<i32>({w})"
    return w


def store_word_stmts(buffer: str, offset: int, dtype: DataType, value: str, atomic: bool = False) -> str:
    """WGSL statements storing ``value`` (representation type) as :func:`to_words` words at ``offset``
    (``atomic``: of an ``array<atomic<u32>>`` buffer)."""

    def put(k: int, word: str) -> str:
        if atomic:
            return f"atomicStore(&{buffer}[{offset + k}], {word});"
        return f"{buffer}[{offset + k}] = {word};"

    name = dtype.name
    if is_wide(dtype):
        return f"{{ let w = {value}; {put(0, 'w.x')} {put(1, 'w.y')} }}"
    if name == "f32":
        return put(0, f"bitcast<u32>({value})")
    if name == "f16":
        return put(0, f"bitcast<u32>(f32({value}))")
    if value_type(dtype) == "i32":
        return put(0, f"bitcast<u32>({value})")
    return put(0, value)
