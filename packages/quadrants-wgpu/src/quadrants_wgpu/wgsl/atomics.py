"""Atomic read-modify-writes in WGSL (docs/semantics.md §12): every atomic returns the old value.

Core WGSL only has atomics on 32-bit integer words; the optional shader features add more (:mod:`.target`). The
word type of each binding is :func:`~quadrants_wgpu.wgsl.packing.atomic_words`. Per element type:

* ``i32``/``u32`` (and ``i64``/``u64`` with ``shader-int64-atomic-all-ops``): native
  ``atomicAdd/Min/Max/And/Or/Xor/Exchange``; ``mul`` and ``cas`` are compare-exchange loops.
* ``f32``: with ``shader-float32-atomic``, and when the task only adds and exchanges on that ndarray, native
  ``atomicAdd``/``atomicExchange`` on ``atomic<f32>`` (WGSL has no float min/max/compare-exchange). Otherwise the
  words hold the float's bits (``atomic<u32>``); add/mul/min/max are compare-exchange loops on the bits
  (``atomicCompareExchangeWeak``), the new value computed with the same emitters as plain arithmetic (so NaN rules
  and rounding match); exchange is ``atomicExchange`` of the bits.
* ``f64`` (with ``shader-int64-atomic-all-ops``): the same compare-exchange loops on ``atomic<u64>`` bits.
* packed ``u1 i8 u8 i16 u16``: a compare-exchange loop on the containing word that replaces only the element's bits,
  so the update is linearizable and leaves neighbours intact.
* ``i64``/``u64`` on 32-bit words (no 64-bit atomics): ``add`` is an ``atomicAdd`` on the low word and one on the
  high word with the carry; ``and/or/xor`` act on each word. The final value is exact, but the returned old value is
  assembled from two separate atomics and can be torn under contention. Other 64-bit atomics are a declared gap
  (compile error naming it), and so is every f64 atomic.
* ``f16``: a declared gap.

Compare-exchange loops retry on a spurious failure of the *weak* exchange and on contention; the loop exits when the
exchange succeeded (or, for ``cas``, when the element differs from ``expected``).

Kernel vars (``VarAtomicRMW``, a reduction into a kernel-scope local) live in whole words of ``qd_kv`` (declared
``array<atomic<u32>>`` in a shader that updates one atomically): 32-bit and 64-bit types as above at word ``i`` (and
``i + 1``), and the narrow types as their canonical 32-bit value, updated by a compare-exchange loop on that word.
When such a shader updates a 64-bit kernel var and the device has 64-bit atomics, ``qd_kv`` is
``array<atomic<u64>>`` instead (64-bit vars sit at even words): a 64-bit var is one u64 word with native atomics (a
compare-exchange loop for f64 and for signed i64 min/max), and a narrower var is one half of a word, updated by a
compare-exchange loop on the whole word that replaces only its half.
"""

from __future__ import annotations

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType
from quadrants.ir.ops import Op
from quadrants_wgpu.wgsl.context import ExprCtx
from quadrants_wgpu.wgsl.exprs import OP_EMITTERS
from quadrants_wgpu.wgsl.names import (
    WORDS_ATOMIC64,
    UnsupportedError,
    is_packed,
    join_words,
    normalize,
    split_words,
    zero,
)
from quadrants_wgpu.wgsl.packing import ArgUse, atomic_words, cell, field_info

__all__ = [
    "atomic_function",
    "atomic_function_name",
    "kv_atomic_function",
    "kv_atomic_function_name",
    "combine",
    "ELEMENTWISE",
]

ELEMENTWISE = {
    Op.ATOMIC_ADD: Op.ADD,
    Op.ATOMIC_MUL: Op.MUL,
    Op.ATOMIC_MIN: Op.MIN,
    Op.ATOMIC_MAX: Op.MAX,
    Op.ATOMIC_AND: Op.BIT_AND,
    Op.ATOMIC_OR: Op.BIT_OR,
    Op.ATOMIC_XOR: Op.BIT_XOR,
}

_NATIVE = {
    Op.ATOMIC_ADD: "atomicAdd",
    Op.ATOMIC_MIN: "atomicMin",
    Op.ATOMIC_MAX: "atomicMax",
    Op.ATOMIC_AND: "atomicAnd",
    Op.ATOMIC_OR: "atomicOr",
    Op.ATOMIC_XOR: "atomicXor",
    Op.ATOMIC_EXCHANGE: "atomicExchange",
}


def atomic_function_name(op: Op, arg: int) -> str:
    """The WGSL name of the atomic ``op`` on ndarray argument ``arg``."""
    return f"qd_{op.value}_a{arg}"


_BIT_EXACT = frozenset({Op.ATOMIC_ADD, Op.ATOMIC_AND, Op.ATOMIC_OR, Op.ATOMIC_XOR, Op.ATOMIC_EXCHANGE})


def kv_atomic_function_name(op: Op, dtype: DataType) -> str:
    """The WGSL name of the atomic ``op`` on a ``dtype`` kernel var at word ``i`` of ``qd_kv``."""
    return f"qd_{op.value}_kv_{dtype.name}"


def combine(cx: ExprCtx, op: Op, dtype: DataType, old: str, operand: str) -> str:
    """WGSL for the new value after ``op`` with ``operand`` (the same emitters as plain arithmetic)."""
    return _combine(cx, op, dtype, old, operand)


def _combine(cx: ExprCtx, op: Op, dtype: DataType, old: str, operand: str) -> str:
    """WGSL for the element's new value after ``op`` with ``operand`` (exchange: the operand)."""
    if op is Op.ATOMIC_EXCHANGE:
        return operand
    var = N.LocalRef(N.Var(-1, "old", dtype))
    expr = N.OpExpr(ELEMENTWISE[op], (var, var), dtype)
    return OP_EMITTERS[ELEMENTWISE[op]](cx, expr, [old, operand])


def _params(op: Op, t: str) -> str:
    return f"i: u32, e: {t}, d: {t}" if op is Op.ATOMIC_CAS else f"i: u32, v: {t}"


def _native(cx: ExprCtx, op: Op, ref: str, dtype: DataType) -> str:
    """``ref``: the WGSL reference to the atomic word (``qd_a3[i]``, :func:`~.packing.cell`)."""
    t = cx.vt(dtype)
    if op in _NATIVE:
        return f"  return {_NATIVE[op]}(&{ref}, v);"
    if op is Op.ATOMIC_CAS:
        return (
            "  loop {\n"
            f"    let r = atomicCompareExchangeWeak(&{ref}, e, d);\n"
            "    if (r.exchanged || r.old_value != e) { return r.old_value; }\n"
            "  }"
        )
    new = _combine(cx, op, dtype, "old", "v")
    return (
        f"  var old: {t} = atomicLoad(&{ref});\n"
        "  loop {\n"
        f"    let r = atomicCompareExchangeWeak(&{ref}, old, {new});\n"
        "    if (r.exchanged) { return old; }\n"
        "    old = r.old_value;\n"
        "  }"
    )


def _float(cx: ExprCtx, op: Op, ref: str, dtype: DataType, words: str = "u32") -> str:
    """A float element held as its bits in ``atomic<words>`` (u32 for f32, u64 for f64) at reference ``ref``."""
    t = cx.vt(dtype)
    if op is Op.ATOMIC_EXCHANGE:
        return f"  return bitcast<{t}>(atomicExchange(&{ref}, bitcast<{words}>(v)));"
    new = _combine(cx, op, dtype, f"bitcast<{t}>(bits)", "v")
    return (
        f"  var bits = atomicLoad(&{ref});\n"
        "  loop {\n"
        f"    let r = atomicCompareExchangeWeak(&{ref}, bits, bitcast<{words}>({new}));\n"
        f"    if (r.exchanged) {{ return bitcast<{t}>(bits); }}\n"
        "    bits = r.old_value;\n"
        "  }"
    )


def _native_f32(op: Op, ref: str) -> str:
    """``atomic<f32>`` (shader-float32-atomic): add and exchange only (:data:`~.packing.NATIVE_F32_OPS`)."""
    return f"  return {_NATIVE[op]}(&{ref}, v);"


def _packed(cx: ExprCtx, op: Op, use: ArgUse) -> str:
    dtype = use.dtype
    word, t = cell(use, "wi"), cx.vt(dtype)
    per, bits = field_info(dtype)
    if dtype.is_bool:
        extract = "select(0u, 1u, extractBits(w, s, 8u) != 0u)"
    elif t == "i32":
        extract = f"extractBits(bitcast<i32>(w), s, {bits}u)"
    else:
        extract = f"extractBits(w, s, {bits}u)"
    if op is Op.ATOMIC_CAS:
        new, skip = "d", "    if (old != e) { return old; }\n"
    else:
        new, skip = normalize(dtype, _combine(cx, op, dtype, "old", "v")), ""
    raw = f"bitcast<u32>({new})" if t == "i32" else new
    return (
        f"  let wi = i >> {per.bit_length() - 1}u;\n"
        f"  let s = (i & {per - 1}u) * {bits}u;\n"
        f"  var w = atomicLoad(&{word});\n"
        "  loop {\n"
        f"    let old = {extract};\n"
        f"{skip}"
        f"    let r = atomicCompareExchangeWeak(&{word}, w, insertBits(w, {raw}, s, {bits}u));\n"
        "    if (r.exchanged) { return old; }\n"
        "    w = r.old_value;\n"
        "  }"
    )


def _wide(cx: ExprCtx, op: Op, lo: str, hi: str, dtype: DataType) -> str:
    """64-bit integer atomics on the 32-bit words ``lo`` and ``hi`` (WGSL references such as ``&qd_a3[2u * i]``);
    the value ``v`` is a pair or a native i64/u64."""
    if dtype.is_float:
        raise UnsupportedError(
            f"atomic {op.value.removeprefix('atomic_')} on f64 is not supported by the wgpu backend on this device "
            "(it needs the adapter feature 'shader-int64-atomic-all-ops')"
        )
    vlo, vhi = split_words("v", dtype, cx.target)
    if op is Op.ATOMIC_ADD:
        return (
            f"  let lo = atomicAdd({lo}, {vlo});\n"
            f"  let carry = select(0u, 1u, lo + {vlo} < lo);\n"
            f"  let hi = atomicAdd({hi}, {vhi} + carry);\n"
            f"  return {join_words('lo', 'hi', dtype, cx.target)};"
        )
    if op in (Op.ATOMIC_AND, Op.ATOMIC_OR, Op.ATOMIC_XOR):
        fn = _NATIVE[op]
        return f"  return {join_words(f'{fn}({lo}, {vlo})', f'{fn}({hi}, {vhi})', dtype, cx.target)};"
    raise UnsupportedError(
        f"atomic {op.value.removeprefix('atomic_')} on {dtype} is not supported by the wgpu backend on this device "
        "(without the adapter feature 'shader-int64-atomic-all-ops' only add, and, or, xor are emulated)"
    )


def _word(cx: ExprCtx, op: Op, dtype: DataType) -> str:
    """A narrow kernel var held as its canonical 32-bit value in word ``i`` of ``qd_kv``: a compare-exchange loop."""
    t = cx.vt(dtype)
    cur = "bitcast<i32>(w)" if t == "i32" else "w"
    if op is Op.ATOMIC_CAS:
        new, skip = "d", "    if (old != e) { return old; }\n"
    else:
        new, skip = normalize(dtype, _combine(cx, op, dtype, "old", "v")), ""
    raw = f"bitcast<u32>({new})" if t == "i32" else new
    return (
        "  var w = atomicLoad(&qd_kv[i]);\n"
        "  loop {\n"
        f"    let old = {cur};\n"
        f"{skip}"
        f"    let r = atomicCompareExchangeWeak(&qd_kv[i], w, {raw});\n"
        "    if (r.exchanged) { return old; }\n"
        "    w = r.old_value;\n"
        "  }"
    )


def _kv64(cx: ExprCtx, op: Op, dtype: DataType) -> str:
    """A kernel var in ``qd_kv`` declared ``array<atomic<u64>>`` (word offset ``i``): a 64-bit var is the u64 word
    ``i / 2``; a narrower one is one half of it, updated by a compare-exchange loop that replaces only that half."""
    if dtype.name == "u64":
        return _native(cx, op, "qd_kv[i >> 1u]", dtype)
    if dtype.name == "f64":
        return _float(cx, op, "qd_kv[i >> 1u]", dtype, "u64")
    if dtype.name == "i64" and op in _BIT_EXACT:  # same bits on signed and unsigned values
        return f"  return bitcast<i64>({_NATIVE[op]}(&qd_kv[i >> 1u], bitcast<u64>(v)));"
    t = cx.vt(dtype)
    if dtype.bits == 64:  # i64 min/max/mul/cas: signed, so not the u64 atomics
        shift, cur, put = "0u", "bitcast<i64>(w)", "bitcast<u64>({})"
        mask = "0lu"
    else:
        shift, mask = "(i & 1u) * 32u", "(w & ~(0xfffffffflu << s))"
        half = "u32(w >> s)"
        cur = f"bitcast<{t}>({half})" if t in ("i32", "f32") else half
        put = "u64(bitcast<u32>({})) << s" if t in ("i32", "f32") else "u64({}) << s"
    if op is Op.ATOMIC_CAS:
        new, skip = "d", "    if (old != e) { return old; }\n"
    else:
        new, skip = normalize(dtype, _combine(cx, op, dtype, "old", "v")), ""
    return (
        f"  let s = {shift};\n"
        "  var w = atomicLoad(&qd_kv[i >> 1u]);\n"
        "  loop {\n"
        f"    let old = {cur};\n"
        f"{skip}"
        f"    let r = atomicCompareExchangeWeak(&qd_kv[i >> 1u], w, {mask} | ({put.format(new)}));\n"
        "    if (r.exchanged) { return old; }\n"
        "    w = r.old_value;\n"
        "  }"
    )


def _function(cx: ExprCtx, name: str, op: Op, dtype: DataType, body: str) -> str:
    t = cx.vt(dtype)
    if body.endswith("  }"):  # naga needs a return after a loop that only exits by returning
        body += f"\n  return {zero(dtype, cx.target)};"
    return f"fn {name}({_params(op, t)}) -> {t} {{\n{body}\n}}"


def _check(op: Op, dtype: DataType) -> None:
    if dtype.name == "f16":
        raise UnsupportedError("atomics on f16 are not supported by the wgpu backend")
    if dtype.is_float and op in (Op.ATOMIC_CAS, Op.ATOMIC_AND, Op.ATOMIC_OR, Op.ATOMIC_XOR):
        raise UnsupportedError(f"atomic {op.value} on {dtype} needs integer operands")


def atomic_function(cx: ExprCtx, op: Op, use: ArgUse) -> str:
    """The WGSL function applying atomic ``op`` to element ``i`` of the ndarray of ``use``; it returns the old value."""
    dtype, arg = use.dtype, use.index
    _check(op, dtype)
    words = atomic_words(use)
    if is_packed(dtype):
        body = _packed(cx, op, use)
    elif dtype.bits == 64 and words == "u32":
        body = _wide(cx, op, f"&{cell(use, '2u * i')}", f"&{cell(use, '2u * i + 1u')}", dtype)
    elif words == "f32":
        body = _native_f32(op, cell(use, "i"))
    elif dtype.is_float:
        body = _float(cx, op, cell(use, "i"), dtype, words)
    else:
        body = _native(cx, op, cell(use, "i"), dtype)
    return _function(cx, atomic_function_name(op, arg), op, dtype, body)


def kv_atomic_function(cx: ExprCtx, op: Op, dtype: DataType) -> str:
    """The WGSL function applying atomic ``op`` to the kernel var at word ``i`` of ``qd_kv``; returns the old value."""
    _check(op, dtype)
    if cx.kv_words == WORDS_ATOMIC64:
        body = _kv64(cx, op, dtype)
    elif dtype.bits == 64:  # two u32 words of qd_kv, whatever the value representation
        body = _wide(cx, op, "&qd_kv[i]", "&qd_kv[i + 1u]", dtype)
    elif dtype.is_float:
        body = _float(cx, op, "qd_kv[i]", dtype)
    elif cx.vt(dtype) == "u32" and not is_packed(dtype):
        body = _native(cx, op, "qd_kv[i]", dtype)
    elif cx.vt(dtype) == "i32" and not is_packed(dtype) and op in _BIT_EXACT:
        # the words are atomic<u32>: these ops give the same bits on signed and unsigned values
        body = f"  return bitcast<i32>({_NATIVE[op]}(&qd_kv[i], bitcast<u32>(v)));"
    else:
        body = _word(cx, op, dtype)
    return _function(cx, kv_atomic_function_name(op, dtype), op, dtype, body)
