"""Row-blocked lanes for GPU stencils: one lane covers ``ROWS`` consecutive rows of one column (issue 18).

A light parallel loop over two or more axes whose body reads a read-only array at several rows of the second-to-last
loop variable (Jacobi's ``a[i - 1, j]`` and ``a[i + 1, j]``) loads each element of that array once per row it is a
neighbour of. Here a lane is instead ``ROWS`` consecutive values of the second-to-last axis at one value of the last
one: the lanes run over ``(outer axes..., ceil(rows / ROWS), columns)``, so consecutive threads still take
consecutive columns (coalesced), and the body is emitted ``ROWS`` times in one straight block for the rows
``r0, r0 + 1, ...``. Each copy sets the row variable to ``(begin + r0) + q`` with a constant ``q``, so the address of
``a[i + 1, j]`` in copy ``q`` and of ``a[i, j]`` in copy ``q + 1`` fold to the same SSA value; the copies' accesses
carry the alias scopes of :mod:`quadrants_llvm.builder.disjoint`, so LLVM's GVN keeps the loaded value in a register
instead of loading it again past the stores of the earlier copies (Jacobi: 4 loads a point become 14 per 4 points).
The integer work is per lane: the lane's digits are carried as in ``grid.py``, without a division per point.

It applies only where that is exact: the same run-time test as the unrolled lanes (no written array overlaps another
array of the task) picks the row-blocked loop or the plain grid-stride loop (any aliasing), and a written array that
the body also reads must be indexed by the lane's own loop variables (each row of a block touches its own elements).
A block whose rows run past the extent (its last one when the row count is not a multiple of ``ROWS``) takes a
guarded loop over its remaining rows instead. Reductions, bodies with loops and split lanes never get here; within a
row the body is unchanged, and every point of the loop runs exactly once.
"""

from __future__ import annotations

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.ops import Op
from quadrants.ir.walk import EXPR_TUPLE_FIELDS, iter_stmts
from quadrants_llvm.builder import disjoint
from quadrants_llvm.builder.lane_walk import Digits, lane_body
from quadrants_llvm.builder.types import I64

__all__ = ["plan", "applies", "emit", "ROWS", "ENABLED"]

ROWS = 4  # rows per lane (a CUDA C Jacobi with 4 rows a thread reached 0.89 of the copy bandwidth on an H100)


# On. A row-blocked task launches one thread per row block (the host does not cap its grid at the occupancy-sized one,
# cuda/lane_grid.py): on an H100 (eighteenth session, Jacobi 16384^2) that ran at 0.89 of the copy bandwidth with 4
# rows (8 rows 0.90) against 0.71 for the plain unrolled loop; walking the row blocks with a grid-stride loop over the
# occupancy-sized grid, as the tenth session did, ran at 0.46 (docs/backends/gpu.md#row-blocked-lanes).
ENABLED = True


def plan(item: N.ParallelFor) -> int | None:
    """:func:`applies` where row blocks are :data:`ENABLED`, else ``None`` (the grid lowering's question)."""
    return applies(item) if ENABLED else None


def applies(item: N.ParallelFor) -> int | None:
    """The rows per lane of ``item`` (:data:`ROWS`), or ``None`` where row blocks do not apply or gain nothing.

    The caller checks the rest (a light body, no reductions, no lane split); here: at least two axes, loop variables
    never assigned, arrays reached directly (no calls), some array written, every written array the body also reads
    lane-own, and some read-only array loaded at two or more rows ``i + c`` of the second-to-last variable ``i``
    with the same other indices (the loads a row block shares).
    """
    if len(item.vars) < 2:
        return None
    lane = {v.id for v in item.vars}
    if any(isinstance(s, N.Assign) and s.var.id in lane for s in iter_stmts(item.body)):
        return None
    used, written = disjoint.task_arrays(item)
    if not written or len(used) < 2:
        return None
    loads = [s for s in iter_stmts(item.body) if isinstance(s, N.Load)]
    if {s.arg for s in loads} & written - disjoint.lane_own_arrays(item, written):
        return None
    row = item.vars[-2].id
    rows_of: dict[tuple, set[int]] = {}  # (array, axis, the other indices) -> row offsets loaded
    for s in loads:
        if s.arg in written:
            continue
        for axis, index in enumerate(s.indices):
            offset = _row_offset(index, row)
            rest = s.indices[:axis] + s.indices[axis + 1 :]
            if offset is not None and not any(_mentions(e, row) for e in rest):
                rows_of.setdefault((s.arg, axis, rest), set()).add(offset)
    return ROWS if any(len(offsets) > 1 for offsets in rows_of.values()) else None


def _row_offset(e, row: int) -> int | None:
    """``c`` where ``e`` is ``row + c``, ``c + row``, ``row - c`` or ``row`` itself (integer constants ``c``)."""
    if isinstance(e, N.LocalRef):
        return 0 if e.var.id == row else None
    if not (isinstance(e, N.OpExpr) and e.op in (Op.ADD, Op.SUB) and e.dtype.kind == "int"):
        return None
    x, y = e.args
    if e.op is Op.ADD and isinstance(x, N.Const):
        x, y = y, x
    if isinstance(x, N.LocalRef) and x.var.id == row and isinstance(y, N.Const) and isinstance(y.value, int):
        return y.value if e.op is Op.ADD else -y.value
    return None


def _mentions(e, var: int) -> bool:
    if isinstance(e, N.LocalRef):
        return e.var.id == var
    return any(_mentions(a, var) for f in EXPR_TUPLE_FIELDS.get(type(e), ()) for a in getattr(e, f))


def emit(em, item: N.ParallelFor, rows: int, begins, extents, first, stride, done, read_only_path: bool):
    """Emit the row-blocked loop of ``item`` (``rows`` a power of two) where the run-time test passes (it ends at
    ``done``); returns the block, left as the builder's position, where the plain grid-stride loop must run instead
    (arrays that overlap)."""

    b = em.b
    shift = rows.bit_length() - 1
    assert rows > 1 and 1 << shift == rows  # a power of two: a block's first row is a shift of its digit
    used, written = disjoint.task_arrays(item)
    setup, plain = em.new_block("rows.setup"), em.new_block("rows.plain")
    b.cbranch(disjoint.no_overlap(em, used, written), setup, plain)
    b.position_at_end(setup)
    height = extents[-2]
    blocks = b.lshr(b.add(height, ll.Constant(I64, rows - 1)), ll.Constant(I64, shift))
    lane_extents = [*extents[:-2], blocks, extents[-1]]
    total = ll.Constant(I64, 1)
    for ext in lane_extents:
        total = b.mul(total, ext)
    pos = em.alloca(I64, name="row_lane")
    b.store(first, pos)
    walk = Digits(em, lane_extents, first, stride)
    head, body, full, tail, latch = (em.new_block(f"rows.{n}") for n in ("head", "body", "full", "tail", "latch"))
    b.branch(head)
    b.position_at_end(head)
    b.cbranch(b.icmp_signed("<", b.load(pos, typ=I64), total), body, done)
    b.position_at_end(body)
    digits = walk.values()
    r0 = b.shl(digits[-2], ll.Constant(I64, shift))
    # the copies index the row as (begin + r0) + q: constant steps, so neighbouring copies' addresses coincide
    row_begins = [*begins[:-2], b.add(begins[-2], r0), begins[-1]]
    left = b.sub(height, r0)  # rows of this block inside the extent (more than zero: the block's digit < blocks)
    b.cbranch(b.icmp_unsigned(">=", left, ll.Constant(I64, rows)), full, tail)
    b.position_at_end(full)
    copies = _block_copies(em, item, rows, row_begins, digits, latch, done)
    _tail_rows(em, item, row_begins, digits, left, tail, latch, done)
    b.position_at_end(latch)
    b.store(b.add(b.load(pos, typ=I64), stride), pos)
    walk.advance()
    b.branch(head)
    disjoint.tag_accesses(em, copies, item, used, written, read_only_path)
    b.position_at_end(plain)
    return plain


def _block_copies(em, item, rows: int, row_begins, digits, latch, done) -> list:
    """The body for rows ``q = 0 .. rows - 1`` of the block, one after the other (``continue`` goes to the next
    row); returns each copy's blocks (its first block, then those its statements opened)."""

    b = em.b
    copies = []
    for q in range(rows):
        after = em.new_block(f"rows.copy{q + 1}") if q < rows - 1 else latch
        start, opened = b.block, len(em.fn.blocks)
        indices = [*digits[:-2], ll.Constant(I64, q), digits[-1]]
        lane_body(em, item, row_begins, indices, after, done)
        copies.append([start, *em.fn.blocks[opened:]])
        if q < rows - 1:
            b.position_at_end(after)
    return copies


def _tail_rows(em, item, row_begins, digits, left, tail, latch, done) -> None:
    """At ``tail``: the body for the block's rows ``q`` while ``q < left`` (fewer than a block's worth), then
    ``latch``."""

    b = em.b
    b.position_at_end(tail)
    q_slot = em.alloca(I64, name="row_q")
    b.store(ll.Constant(I64, 0), q_slot)
    head, body, step = (em.new_block(f"rows.tail.{n}") for n in ("head", "body", "step"))
    b.branch(head)
    b.position_at_end(head)
    q = b.load(q_slot, typ=I64)
    b.cbranch(b.icmp_signed("<", q, left), body, latch)
    b.position_at_end(body)
    lane_body(em, item, row_begins, [*digits[:-2], q, digits[-1]], step, done)
    b.position_at_end(step)
    b.store(b.add(b.load(q_slot, typ=I64), ll.Constant(I64, 1)), q_slot)
    b.branch(head)
