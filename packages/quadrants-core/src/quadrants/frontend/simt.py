"""``qd.simt`` in kernel code: the block model and its primitives (docs/simt.md).

A parallel loop that uses a block construct (``qd.simt.block.sync()``, ``SharedArray``, ``thread_idx()``, the
subgroup operations) becomes a **SIMT task**: its iterations are numbered row-major from 0 (the *linear index*) and
cut into blocks of ``block_dim`` consecutive iterations (``qd.loop_config(block_dim=...)``, default 128); lane
``t = linear % block_dim`` of block ``linear // block_dim``. ``block.sync()`` is a barrier over the block: every
iteration of the block finishes the statements before it before any starts the statements after it. Shared arrays are
per block. Subgroups are the 32 consecutive lanes ``32 k .. 32 k + 31`` of a block.

Every backend runs the same lowering (frontend/simt_lowering.py): the task becomes a parallel loop over block
*slots*; a slot runs its blocks one after another, and each block runs the statements between two barriers for all of
its lanes in lane order. Block storage (shared arrays, and the per-lane copies of the locals that live across a
barrier) is a hidden scratch ndarray of ``SLOTS`` rows (source ``("simt_scratch", shape)``), so no backend needs
anything beyond loads, stores and loops.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.dtypes import DataType
from quadrants.ir.nodes import SrcLoc
from quadrants.ir.ops import Op

__all__ = [
    "Barrier",
    "SimtTask",
    "scratch_array",
    "lane_linear_index",
    "thread_index",
    "SLOTS",
    "SUBGROUP_SIZE",
    "DEFAULT_BLOCK_DIM",
    "SCRATCH_SOURCE",
]

SLOTS = 256  # blocks in flight: rows of every scratch array
SUBGROUP_SIZE = 32
DEFAULT_BLOCK_DIM = 128
SCRATCH_SOURCE = "simt_scratch"  # CompileCtx.arg_sources kind of the hidden scratch arrays
_I32 = dtypes.i32


@dataclass(frozen=True)
class Barrier:
    """``block.sync()`` inside a SIMT task body: a marker that frontend/simt_lowering.py turns into phase breaks.

    It never reaches the IR a backend sees.
    """

    loc: SrcLoc | None = None


@dataclass
class SimtTask:
    """The block state of one parallel loop (kept in ``ctx.task_state``)."""

    loop: object  # frontend.context.Loop
    block_dim: int
    slot: ir.Var  # the parallel variable of the lowered task: which scratch row a block uses
    loc: SrcLoc | None
    exchange: dict = field(default_factory=dict)  # dtype -> NdarrayValue (SLOTS, block_dim): subgroup exchanges


def scratch_array(ctx, task: SimtTask, dtype: DataType, shape: tuple[int, ...], name: str, element_shape=()):
    """A block-private array of ``shape`` (one per slot): an NdarrayValue whose hidden first index is the slot."""
    from quadrants.frontend.values import NdarrayValue

    full = (SLOTS, *shape, *element_shape)
    # the static shape tells a GPU backend the size of one slot's row (llvm-cuda keeps it in block shared memory)
    spec = ir.NdarrayArg(f"{ir.SIMT_SCRATCH_PREFIX}{name}{len(ctx.args)}", dtype, len(full), full)
    index = ctx.add_arg(spec, (SCRATCH_SOURCE, full, uuid.uuid4().hex))
    return NdarrayValue(
        index,
        dtype,
        len(shape),
        spec.name,
        tuple(element_shape),
        tuple(shape),
        index_prefix=(ir.LocalRef(task.slot),),
    )


def lane_linear_index(lanes) -> ir.Expr:
    """The row-major linear index (i32) of the current iteration of the loop with ``lanes`` (refs, begins, ends)."""
    refs, begins, ends = lanes
    index = None
    for ref, begin, end in zip(refs, begins, ends):
        offset = ir.OpExpr(Op.SUB, (ref, begin), _I32)
        if index is None:
            index = offset
        else:
            extent = ir.OpExpr(Op.SUB, (end, begin), _I32)
            index = ir.OpExpr(Op.ADD, (ir.OpExpr(Op.MUL, (index, extent), _I32), offset), _I32)
    return index if index is not None else ir.Const(0, _I32)


def thread_index(task: SimtTask) -> ir.Expr:
    """``linear % block_dim``: the lane within the block."""
    return ir.OpExpr(Op.MOD, (lane_linear_index(task.loop.lanes), ir.Const(task.block_dim, _I32)), _I32)
