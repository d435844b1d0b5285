"""How each Quadrants dtype is represented in WGSL: value types, storage layouts, literals and identifiers.

Values (locals, expression results) use a *representation type*, which depends on the device's
:class:`~quadrants_wgpu.wgsl.target.ShaderTarget`:

| dtype | WGSL value | invariant |
|---|---|---|
| ``u1`` | ``u32`` | 0 or 1 |
| ``i8 i16 i32`` | ``i32`` | sign-extended from the dtype's width (canonical) |
| ``u8 u16 u32`` | ``u32`` | zero-extended from the dtype's width (canonical) |
| ``f16`` / ``f32`` | ``f16`` / ``f32`` | native (``f16`` needs the ``shader-f16`` feature) |
| ``i64 u64`` with ``shader-int64`` | ``i64`` / ``u64`` | native |
| ``i64 u64`` without it | ``vec2<u32>`` | ``(low word, high word)``, two's complement (a *pair*) |
| ``f64`` | ``f64`` | native; only with ``shader-f64`` and ``shader-int64`` |

Every operation on a narrow integer re-establishes the invariant (:func:`normalize`), so the low bits are the
wrapped result and comparisons/divisions on the 32-bit value give the narrow type's answer.

Ndarrays are stored exactly as NumPy stores them (little-endian, C order), so host transfers are plain byte copies:
32-bit types, ``f16`` and native 64-bit types as native arrays, paired ``i64``/``u64`` as ``array<vec2<u32>>``, and
8/16-bit integers and ``u1`` packed 4 or 2 per 32-bit word (:mod:`quadrants_wgpu.wgsl.packing`). The argument and
kernel-var buffers hold 32-bit words: a 64-bit scalar takes two, low word first, whatever its representation.
"""

from __future__ import annotations

import math
import struct

import numpy as np

from quadrants.ir.dtypes import DataType
from quadrants_wgpu.wgsl.target import ShaderTarget

__all__ = [
    "UnsupportedError",
    "value_type",
    "is_pair",
    "is_native64",
    "is_packed",
    "normalize",
    "literal",
    "zero",
    "var_name",
    "arg_buffer",
    "words_of",
    "from_words",
    "to_words",
    "load_word_expr",
    "store_word_stmts",
    "join_words",
    "split_words",
    "WORDS_PLAIN",
    "WORDS_ATOMIC32",
    "WORDS_ATOMIC64",
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
}
_PAIR = "vec2<u32>"
_WIDE = frozenset({"i64", "u64"})


def value_type(dtype: DataType, target: ShaderTarget) -> str:
    """The WGSL type holding values of ``dtype``; raises :class:`UnsupportedError` for f64 without ``shader-f64``."""
    name = dtype.name
    if name in _WIDE:
        return name if target.int64 else _PAIR
    if name == "f64":
        if target.f64:
            return "f64"
        raise UnsupportedError(
            "the wgpu backend does not support f64 on this device (WGSL has 64-bit floats only with the adapter "
            "features 'shader-f64' and 'shader-int64')"
        )
    try:
        return _VALUE[name]
    except KeyError:
        raise UnsupportedError(f"the wgpu backend does not support {dtype}") from None


def is_pair(dtype: DataType, target: ShaderTarget) -> bool:
    """True for i64/u64 emulated as ``vec2<u32>`` (no ``shader-int64``)."""
    return dtype.name in _WIDE and not target.int64


def is_native64(dtype: DataType, target: ShaderTarget) -> bool:
    """True for 64-bit types held in native WGSL 64-bit values (i64, u64 with ``shader-int64``; f64)."""
    return dtype.bits == 64 and not is_pair(dtype, target)


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


def _bits_of(value: float, fmt: str, ufmt: str) -> int:
    return struct.unpack(ufmt, struct.pack(fmt, value))[0]


def _float_literal(value: float, dtype: DataType) -> str:
    if dtype.name == "f16":
        v = float(np.float16(value))
        if math.isfinite(v):
            # decimal: naga rejects long hex mantissas for f16; repr round-trips, and every f16 is exact in f64
            return f"{v!r}h" if v != 0 else ("-0.0h" if math.copysign(1, v) < 0 else "0.0h")
        bits = int(np.array(v, np.float16).view(np.uint16))
        # naga rejects non-finite literals and mistypes bitcast<vec2<f16>>(...).x; unpacking the half is exact
        return f"f16(unpack2x16float({bits}u).x)"
    if dtype.name == "f64":  # bits through a bitcast: see literal()
        return f"bitcast<f64>({_bits_of(float(value), '<d', '<Q'):#x}lu)"
    v = float(np.float32(value))
    if math.isfinite(v):
        if v == 0:
            return "-0.0f" if math.copysign(1, v) < 0 else "0.0f"
        return f"{v.hex()}f"  # exact: a hex float names the f32 value bit for bit
    return f"bitcast<f32>({_bits_of(v, '<f', '<I'):#x}u)"


def literal(value, dtype: DataType, target: ShaderTarget) -> str:
    """A WGSL expression of representation type for the (already converted) constant ``value`` of ``dtype``.

    Native 64-bit constants are written as ``bitcast<T>(0x…lu)``: naga 29's constant evaluator cannot convert a 64-bit
    literal to a narrower type (``u32(32lu)``, ``f32(2.5lf)`` and ``f64(5li)`` are shader-creation errors), and it
    does not evaluate through a bitcast, so the conversion happens at run time (drivers fold it).
    """
    t = value_type(dtype, target)
    if dtype.is_float:
        return _float_literal(float(value), dtype)
    v = int(value)
    if t == _PAIR:
        u = v & 0xFFFFFFFFFFFFFFFF
        return f"vec2<u32>({u & 0xFFFFFFFF:#x}u, {u >> 32:#x}u)"
    if t in ("i64", "u64"):  # see the docstring; -9223372036854775808li would not be a valid literal either
        return f"bitcast<{t}>({v & 0xFFFFFFFFFFFFFFFF:#x}lu)"
    if t == "u32":
        return f"{v & 0xFFFFFFFF}u"
    if v < 0:
        return f"bitcast<i32>({v & 0xFFFFFFFF:#x}u)"  # -2147483648i is not a valid WGSL literal
    return f"{v}i"


def zero(dtype: DataType, target: ShaderTarget) -> str:
    """The literal 0 of ``dtype``."""
    return literal(0, dtype, target)


def var_name(var) -> str:
    """The WGSL identifier of a local (ids are unique per program; the user's name is kept for reading dumps)."""
    safe = "".join(c if c.isalnum() else "_" for c in var.name)[:24]
    return f"v{var.id}_{safe}"


def arg_buffer(index: int) -> str:
    """The WGSL identifier of ndarray argument ``index``."""
    return f"qd_a{index}"


def words_of(dtype: DataType) -> int:
    """How many 32-bit words a scalar of ``dtype`` takes in the args/kernel-var buffers."""
    return 2 if dtype.bits == 64 else 1


def to_words(value, dtype: DataType) -> list[int]:
    """Host encoding of one scalar (already converted to ``dtype``) as 32-bit words (what :func:`from_words` reads)."""
    if dtype.name == "f64":
        u = int(np.array(np.float64(value)).view(np.uint64))
        return [u & 0xFFFFFFFF, u >> 32]
    if dtype.is_float:
        return [int(np.array(np.float32(value)).view(np.uint32))]  # f16 travels as its exact f32 value
    v = int(value) & 0xFFFFFFFFFFFFFFFF
    if dtype.bits == 64:
        return [v & 0xFFFFFFFF, v >> 32]
    return [v & 0xFFFFFFFF]  # canonical (sign-extended) narrow values keep their low 32 bits


def from_words(words, dtype: DataType):
    """Inverse of :func:`to_words` for values read back from the device, as a NumPy scalar of ``dtype``."""
    if dtype.bits == 64:
        u = int(words[0]) | (int(words[1]) << 32)
        return np.array(u, np.uint64).view(dtype.np)[()]
    if dtype.is_float:
        return dtype.np.type(np.array(words[0], np.uint32).view(np.float32))
    w = int(words[0]) & 0xFFFFFFFF
    if dtype.is_bool:
        return np.bool_(w & 1)
    w &= (1 << dtype.bits) - 1
    if dtype.kind == "int" and w >> (dtype.bits - 1):
        w -= 1 << dtype.bits
    return dtype.np.type(w)


def join_words(lo: str, hi: str, dtype: DataType, target: ShaderTarget) -> str:
    """A value of 64-bit ``dtype`` (representation type) from its low and high u32 words."""
    if is_pair(dtype, target):
        return f"vec2<u32>({lo}, {hi})"
    u = f"(u64({lo}) | (u64({hi}) << 32u))"
    return u if dtype.name == "u64" else f"bitcast<{dtype.name}>{u}"


def split_words(value: str, dtype: DataType, target: ShaderTarget) -> tuple[str, str]:
    """WGSL expressions of the low and high u32 words of a 64-bit value (``value`` must be a plain name)."""
    if is_pair(dtype, target):
        return f"{value}.x", f"{value}.y"
    u = value if dtype.name == "u64" else f"bitcast<u64>({value})"
    return f"u32({u})", f"u32({u} >> 32u)"


# The element type of a word buffer (qd_args, qd_kv): plain u32 words, atomic<u32>, or atomic<u64> (qd_kv in a shader
# that updates a 64-bit kernel var atomically with shader-int64-atomic-all-ops; 64-bit values then sit at even word
# offsets, so each is one u64 word, and a 32-bit value is one half of one).
WORDS_PLAIN, WORDS_ATOMIC32, WORDS_ATOMIC64 = "u32", "atomic<u32>", "atomic<u64>"


def _word_ref(buffer: str, offset: int, words: str) -> str:
    """The u32 word at ``offset``."""
    if words == WORDS_ATOMIC64:
        return f"u32(atomicLoad(&{buffer}[{offset // 2}]) >> {32 * (offset % 2)}u)"
    return f"atomicLoad(&{buffer}[{offset}])" if words == WORDS_ATOMIC32 else f"{buffer}[{offset}]"


def load_word_expr(buffer: str, offset: int, dtype: DataType, target: ShaderTarget, words: str = WORDS_PLAIN) -> str:
    """WGSL reading a scalar of ``dtype`` stored by :func:`to_words` at word ``offset`` of a word buffer whose
    elements are ``words``."""
    name = dtype.name
    if dtype.bits == 64:
        if words == WORDS_ATOMIC64:
            u = f"atomicLoad(&{buffer}[{offset // 2}])"
            return u if name == "u64" else f"bitcast<{name}>({u})"
        return join_words(_word_ref(buffer, offset, words), _word_ref(buffer, offset + 1, words), dtype, target)
    w = _word_ref(buffer, offset, words)
    if name == "f32":
        return f"bitcast<f32>({w})"
    if name == "f16":
        return f"f16(bitcast<f32>({w}))"
    if value_type(dtype, target) == "i32":
        return f"bitcast<i32>({w})"
    return w


def _word32(dtype: DataType, value: str, target: ShaderTarget) -> str:
    """The u32 word of a 32-bit-or-narrower ``value`` (representation type)."""
    if dtype.name == "f16":
        return f"bitcast<u32>(f32({value}))"
    if dtype.name == "f32" or value_type(dtype, target) == "i32":
        return f"bitcast<u32>({value})"
    return value


def store_word_stmts(
    buffer: str, offset: int, dtype: DataType, value: str, target: ShaderTarget, words: str = WORDS_PLAIN
) -> str:
    """WGSL statements storing ``value`` (representation type) as :func:`to_words` words at ``offset`` of a word
    buffer whose elements are ``words``."""
    if words == WORDS_ATOMIC64:
        ref = f"&{buffer}[{offset // 2}]"
        if dtype.bits == 64:
            return f"atomicStore({ref}, {value if dtype.name == 'u64' else f'bitcast<u64>({value})'});"
        # one half of the u64 word: clear it, then set it (a concurrent update of the other half survives)
        shift = 32 * (offset % 2)
        keep = 0xFFFFFFFF00000000 if shift == 0 else 0x00000000FFFFFFFF
        word = _word32(dtype, value, target)
        return f"{{ atomicAnd({ref}, {keep:#x}lu); atomicOr({ref}, u64({word}) << {shift}u); }}"

    def put(k: int, word: str) -> str:
        if words == WORDS_ATOMIC32:
            return f"atomicStore(&{buffer}[{offset + k}], {word});"
        return f"{buffer}[{offset + k}] = {word};"

    if dtype.bits == 64:
        lo, hi = split_words("w", dtype, target)
        return f"{{ let w = {value}; {put(0, lo)} {put(1, hi)} }}"
    return put(0, _word32(dtype, value, target))
