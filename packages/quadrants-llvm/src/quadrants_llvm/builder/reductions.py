"""Per-thread reductions (issue 4): ``total[()] += x[i]`` in a parallel loop accumulates privately, combines once.

An ``AtomicRMW`` in a parallel task is a *reduction* when its old value is unused, its op is associative and
commutative on the type (integer add/min/max/and/or/xor, float add/min/max; not f16/u1), its indices are the same for
every lane (constants, scalar arguments, shapes, kernel vars the task does not write), and every access of that
ndarray in the task is such an atomic with the same op. Each worker chunk then keeps one accumulator per target
element, initialised to the op's identity, and applies one real atomic when the chunk ends.

Float add may be reassociated inside a chunk: the order of float atomic adds is unspecified (SEMANTICS.md §12), so
the accumulator's adds carry ``reassoc`` and vectorise.
"""

from __future__ import annotations

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType
from quadrants.ir.ops import Op
from quadrants.ir.walk import iter_stmts as walk_stmts

__all__ = ["find_reductions", "find_privatizable", "identity", "walk_stmts", "written_kernel_vars", "PRIVATE_LIMIT"]

_INT_OPS = {Op.ATOMIC_ADD, Op.ATOMIC_MIN, Op.ATOMIC_MAX, Op.ATOMIC_AND, Op.ATOMIC_OR, Op.ATOMIC_XOR}
_FLOAT_OPS = {Op.ATOMIC_ADD, Op.ATOMIC_MIN, Op.ATOMIC_MAX}


def written_kernel_vars(stmts, kernel_var_ids) -> frozenset[int]:
    """Kernel vars assigned anywhere in ``stmts``."""
    return frozenset(
        s.var.id for s in walk_stmts(stmts) if isinstance(s, (N.Assign, N.Decl)) and s.var.id in kernel_var_ids
    )


def _expr_vars(e, out: set) -> None:
    if isinstance(e, N.LocalRef):
        out.add(e.var.id)
    elif isinstance(e, N.OpExpr):
        for a in e.args:
            _expr_vars(a, out)


def read_var_ids(stmts) -> set[int]:
    """Ids of every var some expression in ``stmts`` reads."""
    out: set[int] = set()
    for s in walk_stmts(stmts):
        for name in ("value", "cond", "begin", "end"):
            e = getattr(s, name, None)
            if e is not None and not isinstance(e, str):
                _expr_vars(e, out)
        for name in ("indices", "operands", "parts"):
            for e in getattr(s, name, ()) or ():
                if not isinstance(e, str):
                    _expr_vars(e, out)
    return out


def _invariant(e, kernel_var_ids, written) -> bool:
    if isinstance(e, (N.Const, N.ArgRef, N.Shape)):
        return True
    if isinstance(e, N.LocalRef):
        return e.var.id in kernel_var_ids and e.var.id not in written
    if isinstance(e, N.OpExpr):
        return all(_invariant(a, kernel_var_ids, written) for a in e.args)
    return False


def _eligible(s: N.AtomicRMW, dtype: DataType, used: set[int]) -> bool:
    if (s.var is not None and s.var.id in used) or dtype.is_bool:
        return False
    if dtype.is_float:
        return dtype.bits != 16 and s.op in _FLOAT_OPS
    return s.op in _INT_OPS


def find_reductions(task: N.ParallelFor, program: N.Program) -> frozenset[tuple]:
    """The ``(arg, indices)`` targets of the reduction atomics of ``task``."""
    kv = frozenset(v.id for v in program.kernel_vars)
    written = written_kernel_vars(task.body, kv)
    ops: dict[int, set] = {}
    bad: set[int] = set()
    targets: set[tuple] = set()
    used = read_var_ids(task.body)
    for s in walk_stmts(task.body):
        if isinstance(s, (N.Load, N.Store)):
            bad.add(s.arg)
        elif isinstance(s, N.AtomicRMW):
            dtype = program.args[s.arg].dtype
            if _eligible(s, dtype, used) and all(_invariant(i, kv, written) for i in s.indices):
                ops.setdefault(s.arg, set()).add(s.op)
                targets.add((s.arg, s.indices))
            else:
                bad.add(s.arg)
    return frozenset(t for t in targets if t[0] not in bad and len(ops[t[0]]) == 1)


def identity(op: Op, dtype: DataType):
    """The value that leaves any element unchanged under ``op`` (NaN for float min/max: maximumNumber ignores it)."""
    if op is Op.ATOMIC_ADD:
        return -0.0 if dtype.is_float else 0
    if op in (Op.ATOMIC_MIN, Op.ATOMIC_MAX):
        if dtype.is_float:
            return float("nan")
        return dtype.max if op is Op.ATOMIC_MIN else dtype.min
    if op is Op.ATOMIC_AND:
        return -1 if dtype.kind == "int" else dtype.max
    return 0


PRIVATE_LIMIT = 2048  # elements: a privatised copy lives on the worker's stack


def find_privatizable(task: N.ParallelFor, program: N.Program, reductions: frozenset) -> tuple[int, ...]:
    """Ndarrays that a task only updates with ``add`` atomics at lane-dependent indices (histograms).

    Each worker chunk then adds into a private zeroed copy (when the array has at most :data:`PRIVATE_LIMIT`
    elements, checked at run time) and adds the non-zero entries to the real array once, instead of contending on
    a few hot cache lines with an atomic per lane. Integer adds are exact in any order; float add order is
    unspecified (SEMANTICS.md §12), and entries that stay +0.0 are skipped so untouched -0.0 elements keep their sign.
    """
    reduced = {arg for arg, _ in reductions}
    used = read_var_ids(task.body)
    lane_vars = {v.id for v in task.vars}
    candidates: dict[int, bool] = {}
    scattered: set[int] = set()  # args some atomic indexes with something other than the lane's own index
    for s in walk_stmts(task.body):
        if isinstance(s, (N.Load, N.Store)):
            candidates[s.arg] = False
        elif isinstance(s, N.AtomicRMW):
            dtype = program.args[s.arg].dtype
            ok = (
                s.op is Op.ATOMIC_ADD
                and (s.var is None or s.var.id not in used)
                and not dtype.is_bool
                and dtype.bits != 16
                and s.arg not in reduced
            )
            candidates[s.arg] = candidates.get(s.arg, True) and ok
            if not all(isinstance(i, N.LocalRef) and i.var.id in lane_vars for i in s.indices):
                scattered.add(s.arg)
    # `x[i] += 1` hits a distinct element per lane: no contention, a private copy would only add code
    return tuple(sorted(a for a, ok in candidates.items() if ok and a in scattered))
