"""Atomic read-modify-writes in WGSL (SEMANTICS.md §12): every atomic returns the old value.

WGSL only has atomics on 32-bit integer words. Per element type:

* ``i32``/``u32``: native ``atomicAdd/Min/Max/And/Or/Xor/Exchange``; ``mul`` and ``cas`` are compare-exchange loops.
* ``f32``: the words hold the float's bits (``atomic<u32>``); add/mul/min/max are compare-exchange loops on the bits
  (``atomicCompareExchangeWeak``), the new value computed with the same emitters as plain arithmetic (so NaN rules
  and rounding match); exchange is ``atomicExchange`` of the bits.
* packed ``u1 i8 u8 i16 u16``: a compare-exchange loop on the containing word that replaces only the element's bits,
  so the update is linearizable and leaves neighbours intact.
* ``i64``/``u64``: ``add`` is an ``atomicAdd`` on the low word and one on the high word with the carry; ``and/or/xor``
  act on each word. The final value is exact, but the returned old value is assembled from two separate atomics and
  can be torn under contention. Other 64-bit atomics are a declared gap (compile error naming it).
* ``f16``: a declared gap.

Compare-exchange loops retry on a spurious failure of the *weak* exchange and on contention; the loop exits when the
exchange succeeded (or, for ``cas``, when the element differs from ``expected``).

Kernel vars (``VarAtomicRMW``, a reduction into a kernel-scope local) live in whole words of ``qd_kv`` (declared
``array<atomic<u32>>`` in a shader that updates one atomically): 32-bit and 64-bit types as above at word ``i`` (and
``i + 1``), and the narrow types as their canonical 32-bit value, updated by a compare-exchange loop on that word.
"""

from __future__ import annotations

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType
from quadrants.ir.ops import Op
from quadrants_wgpu.wgsl.exprs import OP_EMITTERS, ExprCtx
from quadrants_wgpu.wgsl.names import UnsupportedError, arg_buffer, is_packed, is_wide, normalize, value_type, zero
from quadrants_wgpu.wgsl.packing import field_info

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


def _native(cx: ExprCtx, op: Op, name: str, dtype: DataType) -> str:
    t = value_type(dtype)
    if op in _NATIVE:
        return f"  return {_NATIVE[op]}(&{name}[i], v);"
    if op is Op.ATOMIC_CAS:
        return (
            "  loop {\n"
            f"    let r = atomicCompareExchangeWeak(&{name}[i], e, d);\n"
            "    if (r.exchanged || r.old_value != e) { return r.old_value; }\n"
            "  }"
        )
    new = _combine(cx, op, dtype, "old", "v")
    return (
        f"  var old: {t} = atomicLoad(&{name}[i]);\n"
        "  loop {\n"
        f"    let r = atomicCompareExchangeWeak(&{name}[i], old, {new});\n"
        "    if (r.exchanged) { return old; }\n"
        "    old = r.old_value;\n"
        "  }"
    )


def _float(cx: ExprCtx, op: Op, name: str, dtype: DataType) -> str:
    if op is Op.ATOMIC_EXCHANGE:
        return f"  return bitcast<f32>(atomicExchange(&{name}[i], bitcast<u32>(v)));"
    new = _combine(cx, op, dtype, "bitcast<f32>(bits)", "v")
    return (
        f"  var bits = atomicLoad(&{name}[i]);\n"
        "  loop {\n"
        f"    let r = atomicCompareExchangeWeak(&{name}[i], bits, bitcast<u32>({new}));\n"
        "    if (r.exchanged) { return bitcast<f32>(bits); }\n"
        "    bits = r.old_value;\n"
        "  }"
    )


def _packed(cx: ExprCtx, op: Op, arg: int, dtype: DataType) -> str:
    name, t = arg_buffer(arg), value_type(dtype)
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
        f"  var w = atomicLoad(&{name}[wi]);\n"
        "  loop {\n"
        f"    let old = {extract};\n"
        f"{skip}"
        f"    let r = atomicCompareExchangeWeak(&{name}[wi], w, insertBits(w, {raw}, s, {bits}u));\n"
        "    if (r.exchanged) { return old; }\n"
        "    w = r.old_value;\n"
        "  }"
    )


def _wide(cx: ExprCtx, op: Op, lo: str, hi: str, dtype: DataType) -> str:
    """64-bit atomics on the words ``lo`` and ``hi`` (WGSL references such as ``&qd_a3[2u * i]``)."""
    if op is Op.ATOMIC_ADD:
        return (
            f"  let lo = atomicAdd({lo}, v.x);\n"
            "  let carry = select(0u, 1u, lo + v.x < lo);\n"
            f"  let hi = atomicAdd({hi}, v.y + carry);\n"
            "  return vec2<u32>(lo, hi);"
        )
    if op in (Op.ATOMIC_AND, Op.ATOMIC_OR, Op.ATOMIC_XOR):
        fn = _NATIVE[op]
        return f"  return vec2<u32>({fn}({lo}, v.x), {fn}({hi}, v.y));"
    raise UnsupportedError(
        f"atomic {op.value.removeprefix('atomic_')} on {dtype} is not supported by the wgpu backend "
        "(WGSL has no 64-bit atomics; only add, and, or, xor are emulated)"
    )


def _word(cx: ExprCtx, op: Op, dtype: DataType) -> str:
    """A narrow kernel var held as its canonical 32-bit value in word ``i`` of ``qd_kv``: a compare-exchange loop."""
    t = value_type(dtype)
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


def _function(name: str, op: Op, dtype: DataType, body: str) -> str:
    t = value_type(dtype)
    if body.endswith("  }"):  # naga needs a return after a loop that only exits by returning
        body += f"\n  return {zero(dtype)};"
    return f"fn {name}({_params(op, t)}) -> {t} {{\n{body}\n}}"


def _check(op: Op, dtype: DataType) -> None:
    if dtype.name == "f16":
        raise UnsupportedError("atomics on f16 are not supported by the wgpu backend")
    if dtype.is_float and op in (Op.ATOMIC_CAS, Op.ATOMIC_AND, Op.ATOMIC_OR, Op.ATOMIC_XOR):
        raise UnsupportedError(f"atomic {op.value} on {dtype} needs integer operands")


def atomic_function(cx: ExprCtx, op: Op, arg: int, dtype: DataType) -> str:
    """The WGSL function applying atomic ``op`` to element ``i`` of ndarray ``arg``; it returns the old value."""
    _check(op, dtype)
    name = arg_buffer(arg)
    if is_wide(dtype):
        body = _wide(cx, op, f"&{name}[2u * i]", f"&{name}[2u * i + 1u]", dtype)
    elif is_packed(dtype):
        body = _packed(cx, op, arg, dtype)
    elif dtype.is_float:
        body = _float(cx, op, name, dtype)
    else:
        body = _native(cx, op, name, dtype)
    return _function(atomic_function_name(op, arg), op, dtype, body)


def kv_atomic_function(cx: ExprCtx, op: Op, dtype: DataType) -> str:
    """The WGSL function applying atomic ``op`` to the kernel var at word ``i`` of ``qd_kv``; returns the old value."""
    _check(op, dtype)
    if is_wide(dtype):
        body = _wide(cx, op, "&qd_kv[i]", "&qd_kv[i + 1u]", dtype)
    elif dtype.is_float:
        body = _float(cx, op, "qd_kv", dtype)
    elif value_type(dtype) == "u32" and not is_packed(dtype):
        body = _native(cx, op, "qd_kv", dtype)
    elif value_type(dtype) == "i32" and not is_packed(dtype) and op in _BIT_EXACT:
        # the words are atomic<u32>: these ops give the same bits on signed and unsigned values
        body = f"  return bitcast<i32>({_NATIVE[op]}(&qd_kv[i], bitcast<u32>(v)));"
    else:
        body = _word(cx, op, dtype)
    return _function(kv_atomic_function_name(op, dtype), op, dtype, body)
