"""Atomic read-modify-writes with old-value returns (docs/semantics.md §12).

Native ``atomicrmw`` where its result equals the reference's combine (integer add/and/or/xor/xchg/min/max, float
``fadd``/``xchg``); ``cmpxchg`` for CAS; a compare-exchange loop for everything else (mul, float min/max with the
maximumNumber rule, f16, u1), where the new value is computed by the same op emitters as ordinary expressions, so an
atomic can never disagree with ``x = op(x, y)``. Floats are exchanged through their bit patterns (``cmpxchg`` takes
integers), which also makes the loop terminate when the element holds a NaN.
"""

from __future__ import annotations

import llvmlite.ir as ll

from quadrants.ir.dtypes import DataType
from quadrants.ir.ops import Op
from quadrants_llvm.builder.exprs import emit_op
from quadrants_llvm.builder.function import from_mem, to_mem
from quadrants_llvm.builder.types import mem_type

__all__ = ["ELEMENTWISE", "emit_atomic_rmw", "combine"]

ORDER = "seq_cst"

# the pure op whose result is an atomic's new value (reference: quadrants_ref.atomics.combine)
ELEMENTWISE = {
    Op.ATOMIC_ADD: Op.ADD,
    Op.ATOMIC_MUL: Op.MUL,
    Op.ATOMIC_MIN: Op.MIN,
    Op.ATOMIC_MAX: Op.MAX,
    Op.ATOMIC_AND: Op.BIT_AND,
    Op.ATOMIC_OR: Op.BIT_OR,
    Op.ATOMIC_XOR: Op.BIT_XOR,
}

_NATIVE_INT = {
    Op.ATOMIC_ADD: "add",
    Op.ATOMIC_AND: "and",
    Op.ATOMIC_OR: "or",
    Op.ATOMIC_XOR: "xor",
    Op.ATOMIC_EXCHANGE: "xchg",
}


def _native(op: Op, dtype: DataType) -> str | None:
    """The ``atomicrmw`` operation equal to the reference combine, or None (use a compare-exchange loop)."""
    if dtype.is_bool:
        return None
    if dtype.is_float:
        if dtype.bits == 16:
            return None
        return {Op.ATOMIC_ADD: "fadd", Op.ATOMIC_EXCHANGE: "xchg"}.get(op)
    if op in (Op.ATOMIC_MIN, Op.ATOMIC_MAX):
        prefix = "" if dtype.kind == "int" else "u"
        return prefix + ("min" if op is Op.ATOMIC_MIN else "max")
    return _NATIVE_INT.get(op)


def combine(em, op: Op, dtype: DataType, old, operands: list):
    """The new element value after one update (for loops and per-thread reductions)."""
    if op is Op.ATOMIC_EXCHANGE:
        return operands[0]
    if op is Op.ATOMIC_CAS:
        expected, desired = operands
        eq = emit_op(em, Op.EQ, [old, expected], [dtype, dtype], None)
        return em.b.select(eq, desired, old)
    return emit_op(em, ELEMENTWISE[op], [old, operands[0]], [dtype, dtype], dtype)


def emit_atomic_rmw(em, op: Op, dtype: DataType, ptr, operands: list):
    """Apply ``op`` atomically to the element at ``ptr``; return the old value (register type)."""
    b = em.b
    native = _native(op, dtype)
    if native is not None:
        return b.atomic_rmw(native, ptr, operands[0], ORDER)
    if op is Op.ATOMIC_CAS and not dtype.is_float and not dtype.is_bool:
        pair = b.cmpxchg(ptr, operands[0], operands[1], ORDER, ORDER)
        return b.extract_value(pair, 0)
    return _cas_loop(em, op, dtype, ptr, operands)


def _bits_type(dtype: DataType) -> ll.IntType:
    return ll.IntType(mem_type(dtype).width if not dtype.is_float else dtype.bits)


def _from_bits(em, dtype: DataType, bits):
    if dtype.is_float:
        return em.b.bitcast(bits, mem_type(dtype))
    return from_mem(em.b, dtype, bits)


def _to_bits(em, dtype: DataType, value, t: ll.IntType):
    if dtype.is_float:
        return em.b.bitcast(value, t)
    return to_mem(em.b, dtype, value)


def _cas_loop(em, op: Op, dtype: DataType, ptr, operands: list):
    b = em.b
    t = _bits_type(dtype)
    start = b.load_atomic(ptr, "monotonic", max(1, t.width // 8), typ=t)
    entry = b.block
    head, done = em.new_block("cas.loop"), em.new_block("cas.done")
    b.branch(head)
    b.position_at_end(head)
    cur_bits = b.phi(t)
    cur_bits.add_incoming(start, entry)
    cur = _from_bits(em, dtype, cur_bits)
    new_bits = _to_bits(em, dtype, combine(em, op, dtype, cur, operands), t)
    pair = b.cmpxchg(ptr, cur_bits, new_bits, ORDER, "monotonic")
    cur_bits.add_incoming(b.extract_value(pair, 0), b.block)
    b.cbranch(b.extract_value(pair, 1), done, head)
    b.position_at_end(done)
    return cur
