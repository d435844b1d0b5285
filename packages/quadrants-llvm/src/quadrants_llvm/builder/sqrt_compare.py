"""Comparisons of a square root with a constant, decided on the root's argument (llvm-cpu; issue 23).

A distance test such as ``(p - pos[j]).norm() < h`` computes ``sqrt(d2) < h``. The square root has a latency of
15-20 cycles, and the branch or mask that depends on the comparison waits for it; in a neighbour search, where the
test is an unpredictable branch, that wait is paid on every misprediction. ``d2 < h * h`` is not the same test
(``h * h`` is rounded), but an exact one exists: IEEE ``sqrt`` is correctly rounded, so ``S(x) = RN(sqrt(x))`` is
non-decreasing in ``x``, and for a constant ``c`` the set of ``x >= 0`` with ``S(x) < c`` is an interval
``[0, T)``, where ``T`` is the least ``x >= 0`` with ``S(x) >= c``. With ``U`` the least ``x >= 0`` with
``S(x) > c``:

==============  ===================================================  ========================================
comparison      becomes                                              why
==============  ===================================================  ========================================
``S(x) < c``    ``x >= 0 and x < T``                                 ``S`` of a negative ``x`` is NaN: false
``S(x) <= c``   ``x >= 0 and x < U``
``S(x) >= c``   ``x >= T``                                           ``T >= +0``, so negative ``x`` stay false
``S(x) > c``    ``x >= U``
==============  ===================================================  ========================================

``c < S(x)`` and the other mirrored forms are the same tests. NaN ``x`` fails every form, as it fails the original;
``-0`` (``S(-0) = -0``) compares as zero on both sides. ``x >= 0`` is left out where ``x`` is known to be ``+0``, a
positive number, ``+inf`` or NaN: a sum or product of squares (``d.dot(d)``, as ``norm`` lowers), absolute values,
non-negative constants and square roots of such values. ``T`` and ``U`` are found by a binary search over the bit
patterns of the non-negative floats of the type (NumPy's square root is IEEE's), so every result bit is the
original's.

The root's argument is read where the root is: inline (``lt(sqrt(x), c)``, ``x`` is a pure expression), or through
locals that are written once (``length = r.norm()``, ``tmp = length``, ``0 < tmp``), in which case the argument gets
a local of its own, declared right before the root (``length.sq = x; length = sqrt(length.sq)``), and the comparison
reads that. The root itself stays wherever it is used otherwise. Only ``f32`` and ``f64`` with a finite constant are
rewritten.

Measured single-threaded (Zen 4), ``pbf2d``'s ``predict`` (a neighbour search over the 3 x 3 surrounding cells, one
``norm() < h`` test per candidate): 800 -> 650 us.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants.ir.rewrite import map_blocks, map_exprs
from quadrants.ir.walk import iter_stmts
from quadrants_llvm.builder.cond_sums import FreshVars

__all__ = ["compare_on_squares", "root_threshold"]

_TYPES = {"f32": (np.float32, np.uint32), "f64": (np.float64, np.uint64)}
_MIRROR = {Op.LT: Op.GT, Op.LE: Op.GE, Op.GT: Op.LT, Op.GE: Op.LE}
# comparison -> (the threshold: least x with S(x) >= c, or with S(x) > c; the comparison of x with it; needs x >= 0)
_FORMS = {
    Op.LT: (False, Op.LT, True),
    Op.LE: (True, Op.LT, True),
    Op.GE: (False, Op.GE, False),
    Op.GT: (True, Op.GE, False),
}
_NONNEG_OPS = (Op.ADD, Op.MUL, Op.TRUEDIV, Op.SQRT)  # of operands in [+0, +inf] or NaN: a result in the same set


def compare_on_squares(program: N.Program) -> N.Program:
    """``program`` with every comparison of a square root with a constant done on the root's argument (see the
    module docstring); the same program when it has none."""
    rewrite = _Rewrite(program)
    out = map_exprs(program, rewrite.expr)
    if not rewrite.args:
        return program if out is program else out
    return map_blocks(out, rewrite.block)


def root_threshold(dtype_name: str, c: float, strict: bool) -> float:
    """The least non-negative ``x`` of the float type with ``RN(sqrt(x)) > c`` (``strict``) or ``>= c``; ``+inf``
    when only infinity qualifies. ``c`` must be finite and exact in the type."""
    ftype, utype = _TYPES[dtype_name]
    c = ftype(c)

    def holds(bits: int) -> bool:
        root = np.sqrt(np.array(bits, utype).view(ftype))
        return bool(root > c) if strict else bool(root >= c)

    lo, hi = 0, int(np.array(np.inf, ftype).view(utype))  # holds(hi): sqrt(+inf) = +inf beats any finite c
    while lo < hi:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid + 1
    return float(np.array(lo, utype).view(ftype))


class _Rewrite:
    """The program's locals that are written once (with their values), and the argument locals created so far."""

    def __init__(self, program: N.Program):
        writes: dict[int, int] = {}
        decls: dict[int, N.Decl] = {}
        for task in _tasks(program.items):
            for s in iter_stmts(task.body):
                for v in _written(s):
                    writes[v.id] = writes.get(v.id, 0) + 1
                if isinstance(s, N.Decl):
                    decls[s.var.id] = s
        # locals of tasks only: a kernel var is shared by the tasks (its argument local would live in one of them),
        # and ids that a real function uses are left alone in case they coincide with a task's
        shared = {v.id for v in program.kernel_vars}
        for f in program.functions:
            shared.update(v.id for v in f.params)
            shared.update(v.id for s in iter_stmts(f.body) for v in _written(s))
        self.values = {vid: d.value for vid, d in decls.items() if writes.get(vid) == 1 and vid not in shared}
        self.fresh = FreshVars(program)
        self.args: dict[int, N.Var] = {}  # root local id -> the local holding the root's argument

    # -------------------------------------------------------------------------------------------------- expressions
    def expr(self, e):
        if not (isinstance(e, N.OpExpr) and e.op in _MIRROR):
            return e
        a, b = e.args
        if a.dtype.name not in _TYPES:
            return e
        if isinstance(b, N.Const):
            root, c, op = a, b, e.op
        elif isinstance(a, N.Const):
            root, c, op = b, a, _MIRROR[e.op]
        else:
            return e
        value = float(c.value)
        ftype = _TYPES[c.dtype.name][0]
        if not math.isfinite(value) or float(ftype(value)) != value:
            return e
        x = self._root_arg(root)
        if x is None:
            return e
        strict, cmp, nonneg = _FORMS[op]
        limit = N.Const(root_threshold(c.dtype.name, value, strict), c.dtype)
        out = N.OpExpr(cmp, (x, limit), T.u1)
        if nonneg and not self._nonneg(x):
            out = N.OpExpr(Op.BIT_AND, (N.OpExpr(Op.GE, (x, N.Const(0.0, c.dtype)), T.u1), out), T.u1)
        return out

    def _root_arg(self, e):
        """The argument of the square root ``e`` is (inline or through locals written once), or ``None``."""
        if isinstance(e, N.OpExpr):
            return e.args[0] if e.op is Op.SQRT else None
        var = None
        for _ in range(16):  # a chain of copies
            if not isinstance(e, N.LocalRef) or e.var.id not in self.values:
                return None
            var, e = e.var, self.values[e.var.id]
            if isinstance(e, N.OpExpr):
                break
        if not (isinstance(e, N.OpExpr) and e.op is Op.SQRT):
            return None
        if var.id not in self.args:
            self.args[var.id] = self.fresh.var(f"{var.name}.sq", var.dtype)
            self.values[self.args[var.id].id] = e.args[0]  # for _nonneg
        return N.LocalRef(self.args[var.id])

    def _nonneg(self, e, depth: int = 0) -> bool:
        """Whether ``e`` is ``+0``, positive, ``+inf`` or NaN whatever its inputs (never ``-0``, never negative)."""
        if depth > 16:
            return False
        if isinstance(e, N.Const):
            v = float(e.value)
            return v != v or (v >= 0.0 and math.copysign(1.0, v) > 0.0)
        if isinstance(e, N.LocalRef):
            value = self.values.get(e.var.id)
            return value is not None and self._nonneg(value, depth + 1)
        if not isinstance(e, N.OpExpr) or e.dtype.name not in _TYPES:
            return False
        if e.op is Op.ABS or (e.op is Op.MUL and e.args[0] == e.args[1]):
            return True  # |x|, x * x: +0 for either zero
        return e.op in _NONNEG_OPS and all(self._nonneg(a, depth + 1) for a in e.args)

    # ------------------------------------------------------------------------------------------------------- blocks
    def block(self, stmts: tuple) -> tuple:
        """Declare each root's argument local right before the root."""
        if not any(isinstance(s, N.Decl) and s.var.id in self.args for s in stmts):
            return stmts
        out = []
        for s in stmts:
            arg = self.args.get(s.var.id) if isinstance(s, N.Decl) else None
            if arg is None:
                out.append(s)
                continue
            root = s.value
            out.append(N.Decl(arg, root.args[0], s.loc))
            out.append(replace(s, value=replace(root, args=(N.LocalRef(arg),))))
        return tuple(out)


def _tasks(items):
    for item in items:
        if isinstance(item, (N.ParallelFor, N.SerialBlock)):
            yield item
        else:
            yield from _tasks(item.body)


def _written(s):
    """The locals statement ``s`` writes."""
    for name in ("var", "target"):
        v = getattr(s, name, None)
        if isinstance(v, N.Var):
            yield v
    if isinstance(s, N.Call):
        yield from s.vars
