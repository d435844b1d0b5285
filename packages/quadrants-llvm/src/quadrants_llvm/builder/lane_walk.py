"""A lane's place in a grid-stride loop and its body (builder/grid.py and the lowerings it calls, e.g.
builder/row_blocks.py): the carried multi-axis index, the loop variables set from it, and the body emitted for it."""

from __future__ import annotations

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_stmts
from quadrants_llvm.builder.stmts import emit_block
from quadrants_llvm.builder.types import I64, reg_type

__all__ = ["Digits", "indices", "lane_body", "set_lane_vars"]


class Digits:
    """A thread's multi-axis index, kept in step with its grid-stride lane without a division per lane.

    The first lane and the stride are decoded once per thread (mixed radix, the extents as digits); each step adds
    the stride's digits with a carry, one compare and select per axis. A 2-d stencil thus spends its integer work on
    addresses, not on a 64-bit division per element (Jacobi on an H100 was bound by that work, not by memory).
    """

    def __init__(self, em, extents, first, stride):
        b = self.b = em.b
        one, zero = ll.Constant(I64, 1), ll.Constant(I64, 0)
        # an empty axis means no lane runs; a divisor of one keeps the decode defined before the loop finds that out
        self.extents = [b.select(b.icmp_unsigned("==", e, zero), one, e) for e in extents]
        self.slots = [em.alloca(I64, name=f"axis{k}") for k in range(len(extents))]
        for slot, digit in zip(self.slots, self._decode(first), strict=True):
            b.store(digit, slot)
        self.step = self._decode(stride)

    def _decode(self, value) -> list:
        b, digits, rest = self.b, [], value
        for ext in reversed(self.extents[1:]):
            digits.append(b.urem(rest, ext))
            rest = b.udiv(rest, ext)
        return [rest, *reversed(digits)]  # the outermost digit is unbounded: the lane < total test ends the loop

    def values(self) -> list:
        return [self.b.load(slot, typ=I64) for slot in self.slots]

    def advance(self) -> None:
        """Move to the lane one stride further (each digit stays below its extent; a carry moves outwards)."""
        b = self.b
        carry = ll.Constant(I64, 0)
        for axis in range(len(self.slots) - 1, -1, -1):
            digit = b.add(b.add(b.load(self.slots[axis], typ=I64), self.step[axis]), carry)
            if axis:
                ext = self.extents[axis]
                wrap = b.icmp_unsigned(">=", digit, ext)
                digit = b.select(wrap, b.sub(digit, ext), digit)
                carry = b.zext(wrap, I64)
            b.store(digit, self.slots[axis])


def indices(lane, walk: Digits | None) -> list:
    """The per-axis offsets of ``lane``: the lane itself on one axis, the tracked digits on several."""
    return [lane] if walk is None else walk.values()


def lane_body(em, item: N.ParallelFor, begins, indices, latch, done) -> None:
    """Set the loop variables from the per-axis ``indices``, emit the body (``continue`` goes to ``latch``), branch
    to ``latch``."""
    set_lane_vars(em, item, begins, indices)
    em.loops.append((latch, done))
    emit_block(em, item.body)
    em.loops.pop()
    em.wide_lanes.clear()  # the values belong to this lane's blocks
    em.branch_if_open(latch)


def set_lane_vars(em, item: N.ParallelFor, begins, indices) -> None:
    b = em.b
    assigned = {s.var.id for s in iter_stmts(item.body) if isinstance(s, N.Assign)}
    for axis, idx in enumerate(indices):
        v = item.vars[axis]
        value = b.add(begins[axis], idx)
        t = reg_type(v.dtype)
        em.write_var(v, b.trunc(value, t) if t.width < 64 else value)
        if v.id not in assigned and v.dtype.kind == "int":
            em.wide_lanes[v.id] = value  # the lane's index as i64 (its bounds are i32: the same value)
