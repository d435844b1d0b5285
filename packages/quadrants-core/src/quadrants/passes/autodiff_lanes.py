"""Reverse-mode autodiff's check for what the adjoint of a parallel loop cannot get right (as upstream refuses it):
an array with a gradient that one lane writes and another lane reads in the same loop."""

from __future__ import annotations

from quadrants.errors import QuadrantsRuntimeError
from quadrants.ir.nodes import (
    AtomicRMW,
    Load,
    LocalRef,
    ParallelFor,
    Program,
    RangeFor,
    ReadClock,
    Store,
    Var,
    VarAtomicRMW,
)
from quadrants.ir.walk import iter_stmts
from quadrants.passes.autodiff_util import refs

__all__ = ["check_cross_lane_access"]


def _lane_dependent_vars(task: ParallelFor) -> set[Var]:
    """The locals of a parallel task whose value may differ between lanes: the loop indices, loaded values and
    what is computed from them (serial loop counters are the same on every lane)."""
    dependent = set(task.vars)
    changed = True
    while changed:
        changed = False
        for stmt in iter_stmts(task.body):
            var = getattr(stmt, "var", None)
            if var is None or var in dependent or isinstance(stmt, RangeFor):
                continue
            if isinstance(stmt, (Load, AtomicRMW, VarAtomicRMW, ReadClock)) or refs(stmt.value) & dependent:
                dependent.add(var)
                changed = True
    return dependent


def check_cross_lane_access(program: Program, task: ParallelFor, grad_arg, kernel_vars: frozenset[Var]) -> None:
    """Upstream's check for what the adjoint cannot get right: in one parallel loop, an array with a gradient that is
    written at one element and read at another by a different lane (``x[i] = x[i - 1] * 0.5``). The read value's
    adjoint would have to flow into another lane's write, which the adjoint does not do. Accesses at the same index
    (``x[i] = x[i] + d``), on disjoint uniform slices (``x[t + 1, i]`` from ``x[t, i]``) and chains along a serial
    loop inside one lane (``x[k, j + 1]`` from ``x[k, j]``) are fine."""
    reads: dict[int, list] = {}
    writes: dict[int, list] = {}
    for stmt in iter_stmts(task.body):
        if isinstance(stmt, Load) and stmt.arg in grad_arg:
            reads.setdefault(stmt.arg, []).append(stmt)
        elif isinstance(stmt, (Store, AtomicRMW)) and stmt.arg in grad_arg:
            writes.setdefault(stmt.arg, []).append(stmt)
    if not any(arg in reads for arg in writes):
        return
    lanes = {LocalRef(v) for v in task.vars}
    dependent = _lane_dependent_vars(task)

    def conflict(r, w) -> bool:
        pairs = list(zip(r.indices, w.indices, strict=False))
        if any(a == b and a in lanes for a, b in pairs):
            return False  # one axis is the lane's own index: different lanes never meet
        if any(a != b and refs(a) <= kernel_vars and refs(b) <= kernel_vars for a, b in pairs):
            return False  # different slices, the same on every lane
        return any(a != b and (refs(a) | refs(b)) & dependent for a, b in pairs)

    for arg, written in writes.items():
        for w in written:
            for r in reads.get(arg, ()):
                if conflict(r, w):
                    raise QuadrantsRuntimeError(
                        f"Cross-iteration read-after-write on the `needs_grad` global field "
                        f"`{program.args[arg].name}` at the offload-level loop body is not supported in reverse-mode "
                        "autodiff: the cross-iteration adjoint chain is not generated and the backward pass would "
                        "return wrong gradients. Restructure the kernel so that the parallel loop reads and writes "
                        "the field at the same index (in-place accumulation such as `out[i] = out[i] + x` is fine), "
                        "or read from one field and write another (double buffering)",
                        r.loc or w.loc,
                    )
