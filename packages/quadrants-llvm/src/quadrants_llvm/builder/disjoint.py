"""Disjoint arrays inside a GPU kernel: a run-time test and the alias tags it licenses (issue 18).

A light task's grid-stride loop runs ``UNROLL`` lanes per iteration (``grid.py``) so that each thread keeps several
loads in flight. That only happens when LLVM may move the loads of the later copies above the stores of the earlier
ones, which it may not while any two arrays of the task could overlap (two ndarray arguments may be views of one
buffer). Jacobi's ``b[i, j] = (a[i - 1, j] + ...)`` thus waited for each store before the next lane's four loads.

So the kernel tests, once per thread and before the unrolled loop, that no written array overlaps another array of
the task (address ranges from the launch context: base and shape words); when they overlap the threads skip the
unrolled loop and run the plain one, which is correct for any aliasing. Inside the unrolled loop every load and store
of an array carries ``!alias.scope`` (its own scope) and ``!noalias`` (every other array's), and loads of arrays the
task never writes carry ``!invariant.load``, which NVPTX turns into ``ld.global.nc`` (the read-only data path), so
that ``ptxas`` may issue them ahead of the stores. A written array that every access indexes with the lane's own loop
variables (``y[i] = a * x[i] + y[i]``) gets one scope per copy, since distinct lanes touch distinct elements, and its
loads take the read-only path too when they all come before its first write in the body. The read-only path only
where the kernel is the task alone: a one-block ``do_while`` kernel (``block_loops.py``) runs several
tasks between barriers, and another of them may write the array. Row-blocked lanes (``row_blocks.py``: the copies
are rows of one column, not lanes a stride apart) take the same test and the same tags.
"""

from __future__ import annotations

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.walk import contains, iter_stmts
from quadrants_llvm.builder.reductions import lane_own_arrays as own_index_arrays
from quadrants_llvm.builder.types import I1, I64, mem_type

__all__ = ["task_arrays", "no_overlap", "tag_accesses", "lane_own_arrays"]

_DOMAIN = "qd.arrays"
_BYTES = {ll.HalfType: 2, ll.FloatType: 4, ll.DoubleType: 8}


def _int_bytes(dtype) -> int:
    return max(1, mem_type(dtype).width // 8)  # u1 is stored as a byte


def task_arrays(item) -> tuple[list[int], frozenset[int]]:
    """The arrays ``item`` reads or writes (sorted) and those it writes (stores and atomics); none for a task that
    calls a program function (its callee reaches arrays through the launch context, out of sight here)."""
    used, written = set(), set()
    if contains([item], N.Call):
        return [], frozenset()
    for s in iter_stmts(item.body):
        if isinstance(s, (N.Load, N.Store, N.AtomicRMW)):
            used.add(s.arg)
            if not isinstance(s, N.Load):
                written.add(s.arg)
    return sorted(used), frozenset(written)


def _range(em, arg: int):
    """``(first byte, one past the last byte)`` of array ``arg`` as i64 values."""
    b = em.b
    spec = em.program.args[arg]
    count = ll.Constant(I64, 1)
    for axis in range(spec.ndim):
        count = b.mul(count, em.shape(arg, axis))
    size = ll.Constant(I64, _BYTES[type(mem_type(spec.dtype))] if spec.dtype.is_float else _int_bytes(spec.dtype))
    start = b.ptrtoint(em.base(arg), I64)
    return start, b.add(start, b.mul(count, size))


def no_overlap(em, used: list[int], written: frozenset[int]):
    """An i1: true when no written array of ``used`` overlaps another one (empty arrays overlap nothing)."""
    b = em.b
    ranges = {a: _range(em, a) for a in used}
    ok = ll.Constant(I1, 1)
    for i, a in enumerate(used):
        for c in used[i + 1 :]:
            if a in written or c in written:
                (a0, a1), (c0, c1) = ranges[a], ranges[c]
                apart = b.or_(b.icmp_unsigned("<=", a1, c0), b.icmp_unsigned("<=", c1, a0))
                ok = b.and_(ok, apart)
    return ok


def lane_own_arrays(item, written: frozenset[int]) -> frozenset[int]:
    """Written arrays that every access indexes with the lane's own loop variables (``y[i]`` in ``for i``,
    :func:`~quadrants_llvm.builder.reductions.lane_own_arrays`): the unrolled copies' accesses to them are apart."""
    return own_index_arrays(item) & written


class _Tags:
    """The scopes of one kernel: one per array, and one per unrolled copy for each lane-own array."""

    def __init__(self, em, used: list[int], owned: frozenset[int], copies: int):
        module = self.module = em.module
        domain = module.add_metadata([ll.MetaDataString(module, _DOMAIN)])

        def scope(name: str):
            return module.add_metadata([ll.MetaDataString(module, f"{_DOMAIN}.{name}"), domain])

        # (array, copy) -> scope; copy None for the arrays whose copies may touch the same elements
        self.scopes = {}
        for a in used:
            for c in range(copies) if a in owned else (None,):
                self.scopes[(a, c)] = scope(f"{a}" if c is None else f"{a}.{c}")
        self.owned = owned

    def lists(self, arg: int, copy: int):
        """``(alias.scope, noalias)`` metadata of an access to ``arg`` in unrolled copy ``copy``."""
        key = (arg, copy if arg in self.owned else None)
        own = self.module.add_metadata([self.scopes[key]])
        others = [md for k, md in self.scopes.items() if k != key and (k[0] != arg or arg in self.owned)]
        return own, self.module.add_metadata(others) if others else None


def tag_accesses(em, copies: list, item, used: list[int], written: frozenset[int], read_only_path: bool) -> int:
    """Tag the loads and stores of each unrolled copy's blocks (``copies[c]``) whose address is an element of one of
    ``used`` (see the module docstring); returns how many were tagged."""
    owned = lane_own_arrays(item, written)
    read_only = set(used) - written | _read_before_written(item, owned)
    tags = _Tags(em, used, owned, len(copies))
    empty = em.module.add_metadata([])
    bases = {id(em.base(a)): a for a in used}
    tagged = 0
    for copy, blocks in enumerate(copies):
        for instr in (i for block in blocks for i in block.instructions):
            arg = _array_of(instr, bases)
            if arg is None:
                continue
            own, others = tags.lists(arg, copy)
            instr.set_metadata("alias.scope", own)
            if others is not None:
                instr.set_metadata("noalias", others)
            if read_only_path and isinstance(instr, ll.LoadInstr) and arg in read_only:
                instr.set_metadata("invariant.load", empty)
            tagged += 1
    return tagged


def _read_before_written(item, owned: frozenset[int]) -> set[int]:
    """Lane-own arrays whose loads all come before their first store or atomic in the body (``y[i] = a * x[i] +
    y[i]``): each element is read once, by its own lane, before any write to it in this kernel, so its loads may take
    the read-only path too. A load after a write (``y[i] = 1; t = y[i]``) would read that write, so not those."""
    out = set(owned)
    seen_write: set[int] = set()
    for s in iter_stmts(item.body):
        if isinstance(s, N.Load) and s.arg in seen_write:
            out.discard(s.arg)
        elif isinstance(s, (N.Store, N.AtomicRMW)):
            seen_write.add(s.arg)
    return out


def _array_of(instr, bases: dict) -> int | None:
    """The array a load or store addresses (its pointer is a GEP chain from the array's base), else ``None``."""
    if isinstance(instr, ll.LoadInstr):
        ptr = instr.operands[0]
    elif isinstance(instr, ll.StoreInstr):
        ptr = instr.operands[1]
    else:
        return None
    while isinstance(ptr, ll.GEPInstr):
        ptr = ptr.pointer
    return bases.get(id(ptr))
