"""Ndarray storage in WGSL: the binding declaration and load/store accessor functions of each argument.

Storage is NumPy's byte layout (so host transfers are plain copies). Per element type:

* ``i32 u32 f32``: ``array<T>``; with atomics ``array<atomic<i32|u32>>``, and for f32 ``array<atomic<f32>>`` when
  the device has ``shader-float32-atomic`` and the task only adds/exchanges (WGSL has no float ``atomicMin``/``Max``
  or compare-exchange), else ``atomic<u32>`` words holding the float's bits;
* ``f16``: ``array<f16>`` (``shader-f16``);
* ``i64 u64 f64`` with ``shader-int64``: native ``array<i64|u64|f64>``; with atomics ``array<atomic<i64|u64>>``
  (f64 as ``atomic<u64>`` bits) when the device has ``shader-int64-atomic-all-ops``, else ``array<atomic<u32>>``
  with two words per element;
* ``i64 u64`` without ``shader-int64``: ``array<vec2<u32>>`` (``array<atomic<u32>>``, two words per element, with
  atomics);
* ``u1 i8 u8`` (1 byte) and ``i16 u16`` (2 bytes): packed into ``u32`` words. Loads extract the field and sign- or
  zero-extend it. A store must not clobber the neighbouring elements that other lanes may be storing to at the same
  time, so the words are ``atomic<u32>`` and a store is ``atomicAnd`` (clear the field) then ``atomicOr`` (set it):
  each touches only its own bits, so concurrent stores to different elements of one word all land.

Accessors are WGSL functions over the global binding (``qd_load_a3(i)``, ``qd_store_a3(i, v)``), where ``i`` is the
element's linear index as ``u32``. Atomics (:mod:`.atomics`) build on :func:`field_info` and :func:`atomic_words`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quadrants.ir.dtypes import DataType
from quadrants.ir.ops import Op
from quadrants_wgpu.wgsl.names import arg_buffer, is_packed, join_words, split_words, value_type
from quadrants_wgpu.wgsl.placement import Placement, view_bytes, view_name
from quadrants_wgpu.wgsl.target import ShaderTarget

__all__ = [
    "ArgUse",
    "declaration",
    "accessors",
    "field_info",
    "element_bytes",
    "atomic_words",
    "storage_element",
    "cell",
    "NATIVE_F32_OPS",
]

# The f32 atomics WGSL has on atomic<f32> (shader-float32-atomic): add (atomic_sub is an add of the negation) and
# exchange. A task that needs any other atomic on the same ndarray keeps the whole binding on u32 bits.
NATIVE_F32_OPS = frozenset({Op.ATOMIC_ADD, Op.ATOMIC_EXCHANGE})


@dataclass
class ArgUse:
    """How one task uses one ndarray argument (decides the declaration and the accessors it needs)."""

    index: int
    dtype: DataType
    target: ShaderTarget = field(default_factory=ShaderTarget)
    loads: bool = False
    stores: bool = False
    atomic_ops: set = field(default_factory=set)  # the atomic Ops the task applies to it
    placement: Placement | None = None  # None: its own binding (:mod:`.placement`)
    chunk: int = 0  # the window the functions being generated address (a chunked placement only)
    owner: int | None = None  # the argument whose binding holds this one's storage (an alias, .aliases)

    @property
    def atomics(self) -> bool:
        return bool(self.atomic_ops)

    @property
    def buffer(self) -> str:
        """The WGSL name of the binding that holds the argument's storage (its owner's, for an alias)."""
        return arg_buffer(self.index if self.owner is None else self.owner)

    @property
    def atomic_words(self) -> bool:
        """True when the binding is declared as an array of atomics."""
        return atomic_words(self) is not None


def atomic_words(use: ArgUse) -> str | None:
    """The ``T`` of the binding's ``array<atomic<T>>``, or None when it is a plain array. 64-bit elements on ``u32``
    words take two words each."""
    dt, target = use.dtype, use.target
    if is_packed(dt):
        return "u32" if (use.atomics or use.stores) else None
    if not use.atomics:
        return None
    if dt.name == "f32":
        return "f32" if target.f32_atomic_add and use.atomic_ops <= NATIVE_F32_OPS else "u32"
    if dt.bits == 64:
        if not target.int64_atomics:
            return "u32"
        return "u64" if dt.is_float else dt.name
    return value_type(dt, target)


def element_bytes(dtype: DataType) -> int:
    """Bytes per element in device storage (NumPy's itemsize; u1 is one byte)."""
    return 1 if dtype.is_bool else dtype.bits // 8


def field_info(dtype: DataType) -> tuple[int, int]:
    """``(elements per word, bits per element)`` of a packed type."""
    bits = element_bytes(dtype) * 8
    return 32 // bits, bits


def storage_element(use: ArgUse) -> str:
    """The element type ``T`` of the argument's ``array<T>`` storage declaration."""
    words = atomic_words(use)
    if words is not None:
        return f"atomic<{words}>"
    if is_packed(use.dtype):
        return "u32"
    return value_type(use.dtype, use.target)


def declaration(use: ArgUse, binding: int, name: str | None = None) -> str:
    """The WGSL ``var<storage>`` line of ``use``'s argument (``name``: of one window of a chunked array)."""
    access = "read_write" if (use.stores or use.atomics) else "read"
    name = name or use.buffer
    return f"@group(0) @binding({binding}) var<storage, {access}> {name}: array<{storage_element(use)}>;"


def cell(use: ArgUse, index: str) -> str:
    """The WGSL reference to element ``index`` (a u32 expression) of the argument's storage array: its own binding,
    one window of it (chunked), or its place in an arena view (:mod:`.placement`)."""
    where = use.placement
    if where is None:
        return f"{use.buffer}[{index}]"
    if where.chunks > 1:
        return f"{use.buffer}_c{use.chunk}[{index}]"
    elem = storage_element(use)
    base = where.arena_offset // view_bytes(elem)  # 16-byte aligned: exact in any view
    return f"{view_name(elem)}[{base}u + ({index})]"


def _word(use: ArgUse, index: str) -> str:
    ref = cell(use, index)
    return f"atomicLoad(&{ref})" if use.atomic_words else ref


def _packed_load(use: ArgUse) -> str:
    dt = use.dtype
    per, bits = field_info(dt)
    shift = f"(i & {per - 1}u) * {bits}u"
    w = _word(use, f"i >> {per.bit_length() - 1}u")
    if dt.is_bool:
        return f"select(0u, 1u, extractBits({w}, {shift}, 8u) != 0u)"
    if value_type(dt, use.target) == "i32":
        return f"extractBits(bitcast<i32>({w}), {shift}, {bits}u)"  # sign-extends
    return f"extractBits({w}, {shift}, {bits}u)"


def _load_fn(use: ArgUse) -> str:
    dt, k = use.dtype, use.index
    t = value_type(dt, use.target)
    words = atomic_words(use)
    if is_packed(dt):
        body = _packed_load(use)
    elif words is None:
        body = cell(use, "i")
    elif dt.bits == 64 and words == "u32":
        body = join_words(_word(use, "2u * i"), _word(use, "2u * i + 1u"), dt, use.target)
    elif words != t:  # a float on integer words
        body = f"bitcast<{t}>(atomicLoad(&{cell(use, 'i')}))"
    else:
        body = f"atomicLoad(&{cell(use, 'i')})"
    return f"fn qd_load_a{k}(i: u32) -> {t} {{\n  return {body};\n}}"


def _store_fn(use: ArgUse) -> str:
    dt, k = use.dtype, use.index
    t = value_type(dt, use.target)
    words = atomic_words(use)
    if is_packed(dt):
        per, bits = field_info(dt)
        mask = hex((1 << bits) - 1)
        raw = "bitcast<u32>(v)" if t == "i32" else "v"
        body = (
            f"  let w = i >> {per.bit_length() - 1}u;\n"
            f"  let s = (i & {per - 1}u) * {bits}u;\n"
            "  // clear then set only this element's bits: concurrent stores to neighbours in the word survive\n"
            f"  atomicAnd(&{cell(use, 'w')}, ~({mask}u << s));\n"
            f"  atomicOr(&{cell(use, 'w')}, ({raw} & {mask}u) << s);"
        )
    elif words is None:
        body = f"  {cell(use, 'i')} = v;"
    elif dt.bits == 64 and words == "u32":
        lo, hi = split_words("v", dt, use.target)
        body = f"  atomicStore(&{cell(use, '2u * i')}, {lo});\n  atomicStore(&{cell(use, '2u * i + 1u')}, {hi});"
    elif words != t:
        body = f"  atomicStore(&{cell(use, 'i')}, bitcast<{words}>(v));"
    else:
        body = f"  atomicStore(&{cell(use, 'i')}, v);"
    return f"fn qd_store_a{k}(i: u32, v: {t}) {{\n{body}\n}}"


def accessors(use: ArgUse) -> list[str]:
    """The WGSL accessor functions ``use`` needs (load and/or store)."""
    out = []
    if use.loads or use.atomics:
        out.append(_load_fn(use))
    if use.stores:
        out.append(_store_fn(use))
    return out
