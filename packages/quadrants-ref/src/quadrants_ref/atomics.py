"""Atomic read-modify-writes applied in lane order, vectorised (docs/semantics.md §12).

The result of an ``AtomicRMW`` executed by many lanes must equal applying the active lanes one after another in lane
order, and each lane gets the value the element had just before its own update (the *old* value). The cases:

* every target index distinct (the common case): one gather, one vectorised combine, one scatter;
* duplicates: a stable sort groups lanes by target (keeping lane order inside a group), then

  - integer ``add``: exclusive prefix sums per group (exact, wraparound makes the subtraction trick exact too);
  - ``exchange``: each lane's old value is its predecessor's operand in the group;
  - everything else (and float ``add``, to stay exact): either one ``ufunc.accumulate`` per group, or "rounds" where
    round ``r`` applies the ``r``-th lane of every group at once, whichever needs fewer Python iterations;
  - ``cas`` per group jumps from one successful exchange to the next.
"""

from __future__ import annotations

import numpy as np

from quadrants.ir.dtypes import DataType
from quadrants.ir.numerics import OP_HANDLERS
from quadrants.ir.ops import Op

__all__ = ["combine", "apply_atomic", "elementwise_ufunc"]

_ELEMENTWISE = {
    Op.ATOMIC_ADD: Op.ADD,
    Op.ATOMIC_MUL: Op.MUL,
    Op.ATOMIC_MIN: Op.MIN,
    Op.ATOMIC_MAX: Op.MAX,
    Op.ATOMIC_AND: Op.BIT_AND,
    Op.ATOMIC_OR: Op.BIT_OR,
    Op.ATOMIC_XOR: Op.BIT_XOR,
}


def combine(op: Op, dtype: DataType, old, operands: list):
    """The new value of one element after one lane's update (elementwise over lanes with distinct targets)."""
    if op is Op.ATOMIC_EXCHANGE:
        return np.broadcast_to(np.asarray(operands[0], dtype.np), np.shape(old))
    if op is Op.ATOMIC_CAS:
        expected, desired = operands
        return np.where(old == expected, desired, old).astype(dtype.np, copy=False)
    return OP_HANDLERS[_ELEMENTWISE[op]]([old, operands[0]], dtype)


def _accumulate_ufunc(op: Op, dtype: DataType):
    """The ufunc whose ``accumulate`` is the sequential application of ``op`` (u1 arithmetic wraps to 1 bit)."""
    if dtype.is_bool:
        table = {Op.ATOMIC_ADD: np.bitwise_xor, Op.ATOMIC_MUL: np.bitwise_and, Op.ATOMIC_MIN: np.bitwise_and}
        table[Op.ATOMIC_MAX] = np.bitwise_or
    else:
        table = {Op.ATOMIC_ADD: np.add, Op.ATOMIC_MUL: np.multiply}
        table[Op.ATOMIC_MIN] = np.fmin if dtype.is_float else np.minimum
        table[Op.ATOMIC_MAX] = np.fmax if dtype.is_float else np.maximum
    table.update({Op.ATOMIC_AND: np.bitwise_and, Op.ATOMIC_OR: np.bitwise_or, Op.ATOMIC_XOR: np.bitwise_xor})
    return table[op]


def elementwise_ufunc(op: Op, dtype: DataType):
    """The ufunc computing ``op``'s new value for non-bool types (None for exchange, CAS and u1)."""
    if dtype.is_bool or op in (Op.ATOMIC_EXCHANGE, Op.ATOMIC_CAS):
        return None
    return _accumulate_ufunc(op, dtype)


def _apply_group(flat: np.ndarray, target: int, operands: list, op: Op, dtype: DataType) -> np.ndarray:
    """Apply every lane of one group (all aiming at ``flat[target]``) in order; return their old values."""
    first = flat[target]
    if op is Op.ATOMIC_EXCHANGE:
        values = operands[0]
        old = np.empty(len(values), dtype.np)
        old[0] = first
        old[1:] = values[:-1]
        flat[target] = values[-1]
        return old
    if op is Op.ATOMIC_CAS:
        return _cas_group(flat, target, operands, dtype)
    seq = np.empty(len(operands[0]) + 1, dtype.np)
    seq[0] = first
    seq[1:] = operands[0]
    acc = _accumulate_ufunc(op, dtype).accumulate(seq, dtype=dtype.np)
    flat[target] = acc[-1]
    return acc[:-1]


def _cas_group(flat: np.ndarray, target: int, operands: list, dtype: DataType) -> np.ndarray:
    expected, desired = operands
    count = len(expected)
    old = np.empty(count, dtype.np)
    cur = flat[target]
    pos = 0
    while pos < count:
        hits = np.flatnonzero(expected[pos:] == cur)
        if len(hits) == 0:
            old[pos:] = cur
            break
        hit = pos + int(hits[0])
        old[pos : hit + 1] = cur
        cur = desired[hit]
        pos = hit + 1
    flat[target] = cur
    return old


def _distinct(lin: np.ndarray, size: int) -> bool:
    if len(lin) <= 1:
        return True
    if size <= 8 * len(lin) + 4096:
        return int(np.bincount(lin, minlength=0).max()) <= 1
    s = np.sort(lin)
    return not bool((s[1:] == s[:-1]).any())


def apply_atomic(flat: np.ndarray, lin, operands: list, op: Op, dtype: DataType) -> np.ndarray:
    """Apply ``op`` for ``m`` lanes in order to ``flat[lin]``; return the ``m`` old values.

    ``lin`` is one int (every lane hits the same element) or an intp array of ``m`` bounds-checked flat indices;
    ``operands`` are arrays of ``m`` values of ``dtype`` (two for CAS: expected, desired).
    """
    if not isinstance(lin, np.ndarray):
        return _apply_group(flat, int(lin), operands, op, dtype)
    if _distinct(lin, flat.size):
        old = flat[lin]
        flat[lin] = combine(op, dtype, old, operands)
        return old
    order = np.argsort(lin, kind="stable")
    ls = lin[order]
    ops = [o[order] for o in operands]
    starts = np.flatnonzero(np.concatenate(([True], ls[1:] != ls[:-1])))
    counts = np.diff(np.append(starts, len(ls)))
    if op is Op.ATOMIC_ADD and dtype.is_integral and not dtype.is_bool:
        old_sorted = _int_add_groups(flat, ls, ops[0], starts, counts)
    elif op is Op.ATOMIC_EXCHANGE:
        old_sorted = _exchange_groups(flat, ls, ops[0], starts, counts)
    elif len(starts) <= int(counts.max()):
        old_sorted = np.empty(len(ls), dtype.np)
        for s, c in zip(starts.tolist(), counts.tolist(), strict=True):
            old_sorted[s : s + c] = _apply_group(flat, int(ls[s]), [o[s : s + c] for o in ops], op, dtype)
    else:
        old_sorted = _apply_rounds(flat, ls, ops, starts, counts, op, dtype)
    old = np.empty(len(ls), dtype.np)
    old[order] = old_sorted
    return old


def _int_add_groups(flat, ls, values, starts, counts) -> np.ndarray:
    # modular arithmetic makes (inclusive prefix - own value - prefix at group start) the exact exclusive prefix
    inclusive = np.cumsum(values, dtype=values.dtype)
    exclusive = inclusive - values
    base = np.repeat(exclusive[starts], counts)
    in_group = exclusive - base
    targets = ls[starts]
    first = flat[targets]
    old = np.repeat(first, counts) + in_group
    ends = starts + counts - 1
    flat[targets] = first + (inclusive[ends] - exclusive[starts])
    return old


def _exchange_groups(flat, ls, values, starts, counts) -> np.ndarray:
    old = np.empty_like(values)
    old[1:] = values[:-1]
    targets = ls[starts]
    old[starts] = flat[targets]
    flat[targets] = values[starts + counts - 1]
    return old


def _apply_rounds(flat, ls, ops, starts, counts, op, dtype) -> np.ndarray:
    """Round r applies the r-th lane of every group; targets inside one round are distinct."""
    rank = np.arange(len(ls)) - np.repeat(starts, counts)
    by_round = np.argsort(rank, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(rank))))
    old_sorted = np.empty(len(ls), dtype.np)
    for r in range(len(bounds) - 1):
        sel = by_round[bounds[r] : bounds[r + 1]]
        targets = ls[sel]
        old = flat[targets]
        flat[targets] = combine(op, dtype, old, [o[sel] for o in ops])
        old_sorted[sel] = old
    return old_sorted
