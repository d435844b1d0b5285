"""Task kernels for ``grid`` targets (NVPTX, AMDGPU): one kernel entry per task, lanes spread over hardware threads.

For task ``k`` the module defines the kernel ``P_task_k(ctx)``:

* serial block: the body, run by a launch of one thread;
* parallel loop: every thread evaluates the loop bounds, then walks the flat lanes with a **grid-stride loop**
  (``lane = block·block_size + thread``; ``lane += block_size·grid_size``), so any grid size is correct and the host
  picks it from the device's occupancy; consecutive threads take consecutive lanes (coalesced accesses along the
  last axis). The multi-axis index is decoded per lane with unsigned ``/`` and ``%`` (NVPTX turns the 64-bit
  divisions into 32-bit ones at run time when the values fit).

Reduction tasks and light bodies first run an unrolled loop of ``UNROLL`` lanes per iteration (several loads in flight
per thread), then the plain loop finishes the rest; light stencils over several axes take the row-blocked lanes of
:mod:`quadrants_llvm.builder.row_blocks` instead (recorded in ``rows_per_lane``: the host launches one thread per
row block for them). Reductions
(:mod:`quadrants.ir.reductions`: ndarray elements and kernel vars) accumulate per thread across the grid-stride loop;
at the end each warp combines its 32 accumulators with butterfly shuffles (``target.warp_shuffle``) and one lane
applies the atomic, so an ``n``-lane sum costs one atomic per warp instead of one per lane. Targets without a shuffle
apply one atomic per thread. The thread-index intrinsics, the kernel marking and the shuffle are data of the
:class:`TargetInfo`.
"""

from __future__ import annotations

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import i64 as _I64
from quadrants.ir.reductions import written_kernel_vars
from quadrants.ir.walk import iter_stmts
from quadrants_llvm.builder import (
    block_shared,
    disjoint,
    lane_split,
    numerics as nm,
    ordered_sums,
    row_blocks,
    simt_blocks,
)
from quadrants_llvm.builder.exprs import emit_expr
from quadrants_llvm.builder.lane_walk import Digits, indices, lane_body, set_lane_vars
from quadrants_llvm.builder.stmts import emit_block
from quadrants_llvm.builder.types import I8, I16, I32, I64, PTR, VOID, reg_type

__all__ = ["build_grid_tasks", "WARP_SIZE"]

WARP_SIZE = 32
UNROLL = 4  # lanes per iteration of the unrolled grid-stride loop (reductions and light bodies)
UNROLL_MAX_STMTS = 64  # a loop-free body up to this many statements is light
_DISPATCH_PTR = "llvm.amdgcn.dispatch.ptr"
_SHUFFLE_IDX = "llvm.nvvm.shfl.sync.idx.i32"  # read a register of a given warp lane (the split is NVPTX only)


def build_grid_tasks(bld) -> None:
    """Add one kernel per task of ``bld`` (a :class:`quadrants_llvm.builder.tasks._Builder`) to its module."""
    for k, item in enumerate(bld.tasks):
        fn = _parallel(bld, k, item) if isinstance(item, N.ParallelFor) else bld.serial_task(k, item)
        mark_kernel(bld.module, fn, bld.target)


def mark_kernel(module: ll.Module, fn: ll.Function, target) -> None:
    """Make ``fn`` a kernel entry: ``!nvvm.annotations`` ``"kernel"`` (NVPTX) or the target's calling convention."""
    if target.kernel_annotation:
        md = module.add_metadata([fn, ll.MetaDataString(module, "kernel"), ll.Constant(I32, 1)])
        module.add_named_metadata("nvvm.annotations", md)
    elif target.kernel_cc:
        fn.calling_convention = target.kernel_cc


def _read_index(em, which: int):
    """Thread id, block id, block size or grid size (in blocks) as i64."""
    b = em.b
    name = em.target.grid_index[which]
    if name:
        fn = em.module.globals.get(name) or ll.Function(em.module, ll.FunctionType(I32, []), name=name)
        return b.zext(b.call(fn, []), I64)
    # HSA dispatch packet: workgroup_size_x (u16 at byte 4), grid_size_x (u32 at byte 12, in work-items)
    disp = em.module.globals.get(_DISPATCH_PTR) or ll.Function(
        em.module, ll.FunctionType(ll.PointerType(addrspace=4), []), name=_DISPATCH_PTR
    )
    p = b.call(disp, [])
    wg = b.zext(b.load(b.gep(p, [ll.Constant(I64, 4)], source_etype=I8), typ=I16), I64)
    if which == 2:
        return wg
    grid = b.zext(b.load(b.gep(p, [ll.Constant(I64, 12)], source_etype=I8), typ=I32), I64)
    return b.udiv(grid, wg)


def _parallel(bld, k: int, item: N.ParallelFor, alone: bool = True) -> ll.Function:
    """Task ``k``'s kernel function; ``alone``: the kernel runs this task only (not a one-block ``do_while``)."""
    fn = bld.function(f"task_{k}", VOID, [PTR])
    em = bld.emitter(fn, written_kvars=written_kernel_vars(item.body, bld.kernel_var_ids))
    reductions = bld._accumulators(em, item)
    b = em.b
    zero = ll.Constant(I64, 0)
    begins, extents = [], []
    total = ll.Constant(I64, 1)
    for lo_e, hi_e in zip(item.begins, item.ends, strict=True):
        lo = nm.convert(em, lo_e.dtype, _I64, emit_expr(em, lo_e))
        hi = nm.convert(em, hi_e.dtype, _I64, emit_expr(em, hi_e))
        ext = b.sub(hi, lo)
        ext = b.select(b.icmp_signed("<", ext, zero), zero, ext)
        begins.append(lo)
        extents.append(ext)
        total = b.mul(total, ext)
    tid = _read_index(em, 0)
    block = _read_index(em, 1)
    bdim = _read_index(em, 2)
    first = b.add(b.mul(block, bdim), tid)
    stride = b.mul(bdim, _read_index(em, 3))
    if simt_blocks.plan(bld, item):  # a SIMT slot per thread block, its phases over the threads (simt_blocks.py)
        return _simt_slots(bld, em, item, fn, reductions, begins, total, tid, block, bdim)
    split = splits(bld, item)
    if split is not None:
        # S threads per lane (lane_split.py): lanes and their stride are counted in groups of S threads
        sub_lanes = lane_split.SubLanes(b, total, stride, first, split.most)
        first, stride = sub_lanes.lane(b, first), sub_lanes.lane(b, stride)
    done = em.new_block("grid.end")
    # row blocks only where the host sizes the grid by them (cuda/lane_grid.py), where they were measured to pay:
    # not in a one-block do_while kernel, whose one block would walk them with the grid-stride loop
    rows = row_blocks.plan(item) if alone and split is None and not reductions and _light(item) else None
    if rows is not None:
        bld.rows_per_lane[k] = rows
    if rows is not None:  # row-blocked lanes where the arrays are apart; the plain loop below where they overlap
        row_blocks.emit(em, item, rows, begins, extents, first, stride, done, alone)
    pos = em.alloca(I64, name="lane")
    b.store(first, pos)
    walk = Digits(em, extents, first, stride) if len(extents) > 1 else None
    if split is None and rows is None and (reductions or _light(item)):
        _unrolled_lanes(em, item, begins, walk, total, stride, pos, done, alone)
    head, body, latch = (em.new_block(n) for n in ("grid.head", "grid.body", "grid.latch"))
    b.branch(head)
    b.position_at_end(head)
    lane = b.load(pos, typ=I64)
    b.cbranch(b.icmp_signed("<", lane, total), body, done)
    b.position_at_end(body)
    if split is None:
        lane_body(em, item, begins, indices(lane, walk), latch, done)
    else:
        sub_lanes.current = lane
        _split_lane_body(em, item, split, sub_lanes, begins, indices(lane, walk), latch, done)
    b.position_at_end(latch)
    b.store(b.add(b.load(pos, typ=I64), stride), pos)
    if walk is not None:
        walk.advance()
    b.branch(head)
    b.position_at_end(done)
    _flush(em, reductions, tid)
    b.ret_void()
    em.finish()
    return fn


def _simt_slots(bld, em, item, fn, reductions, begins, total, tid, block, bdim) -> ll.Function:
    """The slot loop of a SIMT task: slot = block id, stride = grid size; phase loops go to the block's threads."""
    b = em.b
    leading = simt_blocks.leading_barriers(item.body)
    em.simt_phase = lambda em_, s: simt_blocks.emit_phase(em_, s, tid, bdim, leading)
    if block_shared.enabled():
        em.block_arrays = block_shared.place(em, item, fn.name, getattr(bld, "shared_pool", None))
    pos = em.alloca(I64, name="slot")
    b.store(block, pos)
    stride = _read_index(em, 3)
    head, body, latch, done = (em.new_block(n) for n in ("slots.head", "slots.body", "slots.latch", "slots.end"))
    b.branch(head)
    b.position_at_end(head)
    slot = b.load(pos, typ=I64)
    b.cbranch(b.icmp_signed("<", slot, total), body, done)
    b.position_at_end(body)
    lane_body(em, item, begins, [slot], latch, done)
    b.position_at_end(latch)
    b.store(b.add(b.load(pos, typ=I64), stride), pos)
    b.branch(head)
    b.position_at_end(done)
    _flush(em, reductions, tid)
    b.ret_void()
    em.finish()
    return fn


def _split_lane_body(em, item, split, sub_lanes, begins, indices, latch, done) -> None:
    """``lane_walk.lane_body`` for a lane shared by ``sub_lanes`` threads (:mod:`quadrants_llvm.builder.lane_split`)."""
    set_lane_vars(em, item, begins, indices)
    em.loops.append((latch, done))
    shuffle = lambda em_, value, offset, mask: _shuffle(em_, em_.target.warp_shuffle, value, offset, mask)  # noqa: E731
    if split.ordered:
        gather = lambda em_, value, lane, mask: _shuffle(em_, _SHUFFLE_IDX, value, lane, mask)  # noqa: E731
        ordered_sums.emit_ordered_lane(em, split, sub_lanes, emit_block, gather)
    else:
        lane_split.emit_split_lane(em, split, sub_lanes, emit_block, shuffle)
    em.loops.pop()
    em.wide_lanes.clear()
    em.branch_if_open(latch)


def splits(bld, item: N.ParallelFor):
    """The sub-lane split of ``item`` on this target (:func:`lane_split.plan`), or ``None``. NVPTX only: the
    combine needs ``shfl.sync`` with a member mask."""
    if not bld.target.triple.startswith("nvptx") or not bld.target.warp_shuffle:
        return None
    return lane_split.plan(item, bld.fast_math)


def _unrolled_lanes(em, item, begins, walk, total, stride, pos, done, read_only_path: bool) -> None:
    """While ``UNROLL`` more lanes of this thread exist, run them in one straight block (lane, lane + stride, …).

    A reduction's loop is otherwise one load and one dependent add per iteration; with the copies side by side the
    compiler issues their loads together, so each thread keeps several loads in flight (H100, f32 sum of 2^28:
    0.70 -> 0.91 of the copy bandwidth; Jacobi 8192^2: 0.54 -> 0.61). The plain grid-stride loop that follows
    finishes the remaining (< ``UNROLL``) lanes. The body is emitted ``UNROLL + 1`` times, so only reductions and
    light bodies (:func:`_light`) get this.
    """
    b = em.b
    used, written = disjoint.task_arrays(item)
    # the copies' loads may pass earlier copies' stores only where no written array overlaps another (disjoint.py)
    apart = disjoint.no_overlap(em, used, written) if written and len(used) > 1 else None
    head, body, step, exit_ = (em.new_block(n) for n in ("grid4.head", "grid4.body", "grid4.step", "grid4.exit"))
    b.branch(head)
    b.position_at_end(head)
    lane = b.load(pos, typ=I64)
    last = b.add(lane, b.mul(stride, ll.Constant(I64, UNROLL - 1)))
    more = b.icmp_signed("<", last, total)
    b.cbranch(more if apart is None else b.and_(more, apart), body, exit_)
    b.position_at_end(body)
    copies = []  # the blocks of each copy's code (its first block, then those its statements opened)
    for copy in range(UNROLL):
        after = em.new_block(f"grid4.copy{copy + 1}") if copy < UNROLL - 1 else step
        start, opened = b.block, len(em.fn.blocks)
        lane_body(em, item, begins, indices(b.add(lane, b.mul(stride, ll.Constant(I64, copy))), walk), after, done)
        copies.append([start, *em.fn.blocks[opened:]])
        b.position_at_end(after)
        if walk is not None:
            walk.advance()
    b.store(b.add(lane, b.mul(stride, ll.Constant(I64, UNROLL))), pos)
    b.branch(head)
    if apart is not None:
        disjoint.tag_accesses(em, copies, item, used, written, read_only_path)
    b.position_at_end(exit_)


def _light(item: N.ParallelFor) -> bool:
    """A loop-free body of at most ``UNROLL_MAX_STMTS`` statements (a body with loops is compute-bound anyway)."""
    for count, s in enumerate(iter_stmts(item.body), 1):
        if count > UNROLL_MAX_STMTS or isinstance(s, (N.RangeFor, N.Loop)):
            return False
    return True


def _flush(em, reductions: dict, tid) -> None:
    """Combine each thread's accumulators (per warp when the target can shuffle) and apply the atomics."""
    from quadrants_llvm.builder.atomics import combine, emit_atomic_rmw

    em.reductions = {}
    b = em.b
    shuffle = em.target.warp_shuffle
    for target, (acc, op, dtype) in reductions.items():
        value = b.load(acc, typ=reg_type(dtype))
        if shuffle:
            for offset in (16, 8, 4, 2, 1):
                other = _shuffle(em, shuffle, value, offset)
                value = combine(em, op, dtype, value, [other])
            leader = b.icmp_unsigned("==", b.and_(tid, ll.Constant(I64, WARP_SIZE - 1)), ll.Constant(I64, 0))
            with b.if_then(leader):
                em.at_target(target, lambda ptr, v=value, o=op, t=dtype: emit_atomic_rmw(em, o, t, ptr, [v]))
        else:
            em.at_target(target, lambda ptr, v=value, o=op, t=dtype: emit_atomic_rmw(em, o, t, ptr, [v]))


def _shuffle(em, name: str, value, offset, mask=None):
    """Exchange ``value`` (any int/float register type up to 64 bits) between warp lanes with shuffle ``name``: the
    butterfly reads lane ``lane ^ offset`` (an int), the indexed one lane ``offset`` (an i32 value); ``mask`` (an i32
    value) names the lanes that take part, the whole warp by default."""
    b = em.b
    fn = em.module.globals.get(name) or ll.Function(em.module, ll.FunctionType(I32, [I32] * 4), name=name)
    members = ll.Constant(I32, -1) if mask is None else mask
    other = offset if isinstance(offset, ll.Value) else ll.Constant(I32, offset)

    def shfl(word):
        args = [members, word, other, ll.Constant(I32, WARP_SIZE - 1)]
        return b.call(fn, args)

    t = value.type
    width = t.width if isinstance(t, ll.IntType) else {ll.FloatType: 32, ll.DoubleType: 64}[type(t)]
    bits = value if isinstance(t, ll.IntType) else b.bitcast(value, ll.IntType(width))
    if width <= 32:
        word = bits if width == 32 else b.zext(bits, I32)
        out = shfl(word)
        out = out if width == 32 else b.trunc(out, ll.IntType(width))
    else:
        lo = shfl(b.trunc(bits, I32))
        hi = shfl(b.trunc(b.lshr(bits, ll.Constant(I64, 32)), I32))
        out = b.or_(b.zext(lo, I64), b.shl(b.zext(hi, I64), ll.Constant(I64, 32)))
    return out if isinstance(t, ll.IntType) else b.bitcast(out, t)
