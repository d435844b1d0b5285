"""Which atomics of a parallel task are *reductions*: every lane combines into one target with one associative op.

An ``AtomicRMW`` in a parallel task is a reduction when its old value is unused, its op is associative and
commutative on the type (integer add/min/max/and/or/xor, float add/min/max; not f16/u1), its indices are the same for
every lane (constants, scalar arguments, shapes, kernel vars the task does not write), and every access of that
ndarray in the task is such an atomic with the same op.

A ``VarAtomicRMW`` (``s += a[i]`` into a kernel-scope local ``s``, docs/language.md "Reductions into a local") is a
reduction under the same rules: old value unused, an eligible op, and every other mention of ``s`` in the task is
such an atomic with the same op (no plain read or write of ``s``).

A backend may then give each thread (or block) a private accumulator, initialised to :func:`identity`, and apply one
real atomic per thread (or block) at the end: the final value is the same, and float add order is unspecified
(docs/language.md) so reassociation is allowed. This module only analyses; the backends emit.
"""

from __future__ import annotations

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType
from quadrants.ir.ops import Op
from quadrants.ir.walk import iter_stmts as walk_stmts

__all__ = ["find_reductions", "find_var_reductions", "identity", "read_var_ids", "written_kernel_vars"]

_INT_OPS = {Op.ATOMIC_ADD, Op.ATOMIC_MIN, Op.ATOMIC_MAX, Op.ATOMIC_AND, Op.ATOMIC_OR, Op.ATOMIC_XOR}
_FLOAT_OPS = {Op.ATOMIC_ADD, Op.ATOMIC_MIN, Op.ATOMIC_MAX}


def written_kernel_vars(stmts, kernel_var_ids) -> frozenset[int]:
    """Kernel vars assigned or updated atomically anywhere in ``stmts``."""
    out = set()
    for s in walk_stmts(stmts):
        if isinstance(s, (N.Assign, N.Decl, N.ReadClock)) and s.var.id in kernel_var_ids:
            out.add(s.var.id)
        elif isinstance(s, N.VarAtomicRMW):
            out.add(s.target.id)
    return frozenset(out)


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


def _eligible(s: N.AtomicRMW | N.VarAtomicRMW, dtype: DataType, used: set[int]) -> bool:
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


def find_var_reductions(task: N.ParallelFor) -> dict[N.Var, Op]:
    """The kernel vars of ``task`` updated only by eligible ``VarAtomicRMW``s with one op, and that op."""
    used = read_var_ids(task.body)
    ops: dict[N.Var, set] = {}
    bad: set[int] = set(used)  # a plain read of the kernel var must see the shared value, not a private partial
    for s in walk_stmts(task.body):
        if isinstance(s, (N.Assign, N.Decl)):
            bad.add(s.var.id)
        elif isinstance(s, N.VarAtomicRMW):
            ops.setdefault(s.target, set()).add(s.op)
            if not _eligible(s, s.target.dtype, used):
                bad.add(s.target.id)
    return {var: next(iter(o)) for var, o in ops.items() if var.id not in bad and len(o) == 1}


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
