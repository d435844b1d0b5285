"""Ndarray storage in WGSL: the binding declaration and load/store accessor functions of each argument.

Storage is NumPy's byte layout (so host transfers are plain copies). Per element type:

* ``i32 u32 f32``: ``array<T>`` (``array<atomic<i32|u32>>`` when the task uses atomics on it; f32 atomics use
  ``atomic<u32>`` words holding the float's bits);
* ``f16``: ``array<f16>`` (``shader-f16``);
* ``i64 u64``: ``array<vec2<u32>>`` (``array<atomic<u32>>``, two words per element, with atomics);
* ``u1 i8 u8`` (1 byte) and ``i16 u16`` (2 bytes): packed into ``u32`` words. Loads extract the field and sign- or
  zero-extend it. A store must not clobber the neighbouring elements that other lanes may be storing to at the same
  time, so the words are ``atomic<u32>`` and a store is ``atomicAnd`` (clear the field) then ``atomicOr`` (set it):
  each touches only its own bits, so concurrent stores to different elements of one word all land.

Accessors are WGSL functions over the global binding (``qd_load_a3(i)``, ``qd_store_a3(i, v)``), where ``i`` is the
element's linear index as ``u32``. Atomics (:mod:`.atomics`) build on :func:`field_info`.
"""

from __future__ import annotations

from dataclasses import dataclass

from quadrants.ir.dtypes import DataType
from quadrants_wgpu.wgsl.names import arg_buffer, is_packed, is_wide, value_type

__all__ = ["ArgUse", "declaration", "accessors", "field_info", "element_bytes"]


@dataclass
class ArgUse:
    """How one task uses one ndarray argument (decides the declaration and the accessors it needs)."""

    index: int
    dtype: DataType
    loads: bool = False
    stores: bool = False
    atomics: bool = False

    @property
    def atomic_words(self) -> bool:
        """True when the binding is declared as ``array<atomic<...>>``."""
        return self.atomics or (is_packed(self.dtype) and self.stores)


def element_bytes(dtype: DataType) -> int:
    """Bytes per element in device storage (NumPy's itemsize; u1 is one byte)."""
    return 1 if dtype.is_bool else dtype.bits // 8


def field_info(dtype: DataType) -> tuple[int, int]:
    """``(elements per word, bits per element)`` of a packed type."""
    bits = element_bytes(dtype) * 8
    return 32 // bits, bits


def declaration(use: ArgUse, binding: int) -> str:
    """The WGSL ``var<storage>`` line of ``use``'s argument."""
    dt = use.dtype
    name = arg_buffer(use.index)
    if is_packed(dt) or is_wide(dt):
        elem = "atomic<u32>" if use.atomic_words else ("u32" if is_packed(dt) else "vec2<u32>")
    elif use.atomics:
        elem = "atomic<u32>" if dt.is_float else f"atomic<{value_type(dt)}>"
    else:
        elem = value_type(dt)
    access = "read_write" if (use.stores or use.atomics) else "read"
    return f"@group(0) @binding({binding}) var<storage, {access}> {name}: array<{elem}>;"


def _word(use: ArgUse, index: str) -> str:
    name = arg_buffer(use.index)
    return f"atomicLoad(&{name}[{index}])" if use.atomic_words else f"{name}[{index}]"


def _load_fn(use: ArgUse) -> str:
    dt, name, k = use.dtype, arg_buffer(use.index), use.index
    t = value_type(dt)
    if is_packed(dt):
        per, bits = field_info(dt)
        shift = f"(i & {per - 1}u) * {bits}u"
        w = _word(use, f"i >> {per.bit_length() - 1}u")
        if dt.is_bool:
            body = f"select(0u, 1u, extractBits({w}, {shift}, 8u) != 0u)"
        elif t == "i32":
            body = f"extractBits(bitcast<i32>({w}), {shift}, {bits}u)"  # sign-extends
        else:
            body = f"extractBits({w}, {shift}, {bits}u)"
    elif is_wide(dt):
        body = f"vec2<u32>({_word(use, '2u * i')}, {_word(use, '2u * i + 1u')})" if use.atomic_words else f"{name}[i]"
    elif use.atomics:
        body = f"bitcast<f32>(atomicLoad(&{name}[i]))" if dt.is_float else f"atomicLoad(&{name}[i])"
    else:
        body = f"{name}[i]"
    return f"fn qd_load_a{k}(i: u32) -> {t} {{\n  return {body};\n}}"


def _store_fn(use: ArgUse) -> str:
    dt, name, k = use.dtype, arg_buffer(use.index), use.index
    t = value_type(dt)
    if is_packed(dt):
        per, bits = field_info(dt)
        mask = hex((1 << bits) - 1)
        raw = "bitcast<u32>(v)" if t == "i32" else "v"
        body = (
            f"  let w = i >> {per.bit_length() - 1}u;\n"
            f"  let s = (i & {per - 1}u) * {bits}u;\n"
            "  // clear then set only this element's bits: concurrent stores to neighbours in the word survive\n"
            f"  atomicAnd(&{name}[w], ~({mask}u << s));\n"
            f"  atomicOr(&{name}[w], ({raw} & {mask}u) << s);"
        )
    elif is_wide(dt):
        if use.atomic_words:
            body = f"  atomicStore(&{name}[2u * i], v.x);\n  atomicStore(&{name}[2u * i + 1u], v.y);"
        else:
            body = f"  {name}[i] = v;"
    elif use.atomics:
        body = f"  atomicStore(&{name}[i], {'bitcast<u32>(v)' if dt.is_float else 'v'});"
    else:
        body = f"  {name}[i] = v;"
    return f"fn qd_store_a{k}(i: u32, v: {t}) {{\n{body}\n}}"


def accessors(use: ArgUse) -> list[str]:
    """The WGSL accessor functions ``use`` needs (load and/or store)."""
    out = []
    if use.loads or use.atomics:
        out.append(_load_fn(use))
    if use.stores:
        out.append(_store_fn(use))
    return out
