"""Block shared memory for the scratch arrays of a SIMT slot loop that runs on thread blocks (NVPTX; docs/simt.md).

The frontend gives every ``qd.simt.block.SharedArray``, every group exchange and every lane local saved across a
barrier a hidden scratch ndarray with one row per block slot (frontend/simt.py; the arguments are named with
``ir.nodes.SIMT_SCRATCH_PREFIX``, their first index is the slot). Where a slot runs on a hardware block
(builder/simt_blocks.py), only that block's threads ever touch the slot's row, and a block works on one slot at a
time; so the row can live in the block's shared memory instead of device memory: one ``addrspace(3)`` array per
scratch argument, indexed without the slot (``FunctionEmitter``'s ``block_arrays``). Shared memory is on-chip: a
barrier-separated exchange through it costs tens of cycles, through device memory hundreds (Genesis's cooperative
line search and tiled Cholesky factor live on such exchanges).

A kernel's static shared memory is at most 48 KiB, so the rows go in smallest first (exchanges and saved lanes
before large tiles) while they fit; the others stay in device memory, which is always correct. Like device memory,
a row is not initialised: the lowering writes every entry before it reads it.
"""

from __future__ import annotations

import os

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_stmts
from quadrants_llvm.builder.types import mem_type

__all__ = ["enabled", "place", "scratch_args", "SHARED_SPACE", "MAX_BYTES"]

SHARED_SPACE = 3  # NVPTX's (and AMDGPU's) address space of block shared memory
MAX_BYTES = 48 * 1024  # static shared memory of one CUDA kernel without a per-function opt-in
_ACCESSES = (N.Load, N.Store, N.AtomicRMW)


def enabled() -> bool:
    """Scratch rows go to shared memory unless ``QD_CUDA_BLOCK_SHARED=0`` (read when a kernel is compiled)."""
    return os.environ.get("QD_CUDA_BLOCK_SHARED", "1") != "0"


def scratch_args(program: N.Program, item: N.ParallelFor) -> list[int]:
    """The scratch arrays (with a static shape) that slot loop ``item`` accesses, by argument index."""
    found = set()
    for s in iter_stmts(item.body):
        if isinstance(s, _ACCESSES):
            spec = program.args[s.arg]
            if spec.name.startswith(N.SIMT_SCRATCH_PREFIX) and spec.shape is not None:
                found.add(s.arg)
    return sorted(found)


def _row(spec: N.NdarrayArg) -> tuple[ll.Type, int]:
    count = 1
    for n in spec.shape[1:]:
        count *= n
    return mem_type(spec.dtype), count


def place(em, item: N.ParallelFor, prefix: str, pool: list[int] | None = None) -> dict[int, ll.GlobalVariable]:
    """One shared array per scratch row of ``item`` that fits (smallest first): argument index -> the ``addrspace(3)``
    global the row lives in. ``pool``: ``[bytes left]`` shared by the tasks of one kernel (a one-block ``do_while``
    kernel runs several, builder/block_loops.py), decremented here; ``None``: the task is its own kernel."""
    rows = []
    for arg in scratch_args(em.program, item):
        etype, count = _row(em.program.args[arg])
        rows.append((max(8, em.program.args[arg].dtype.bits) // 8 * count, arg, etype, count))
    pool = [MAX_BYTES] if pool is None else pool
    out = {}
    for nbytes, arg, etype, count in sorted(rows, key=lambda r: (r[0], r[1])):
        if nbytes > pool[0]:
            break
        typ = ll.ArrayType(etype, count)
        shared = ll.GlobalVariable(em.module, typ, name=f"{prefix}.shared.{arg}", addrspace=SHARED_SPACE)
        shared.linkage = "internal"
        shared.initializer = ll.Constant(typ, ll.Undefined)
        shared.align = 16
        shared.type = ll.PointerType(addrspace=SHARED_SPACE)  # opaque, as every other pointer of the module
        out[arg] = shared
        pool[0] -= nbytes
    return out
