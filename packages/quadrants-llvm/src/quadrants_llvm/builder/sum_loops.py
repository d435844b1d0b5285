"""No interleaving for in-order float sums in loops of unknown length (llvm-cpu, strict IEEE; issue 23).

With ``fast_math=False`` a float sum in a serial loop vectorises only as an *ordered* reduction (the JIT's
``-force-ordered-reductions``): each vector iteration computes ``VF`` terms at once, then adds them to the
accumulator one after the other, in loop order, so the results are those of the scalar loop. LLVM's cost model picks
the widest vectors and interleaves them as it would for a reassociable sum (on AVX-512: 16 lanes x 4 copies, 64 terms
per vector iteration, then an 8-lane epilogue, then the scalar loop). For an ordered sum that is a poor trade when the
loop is short: the additions stay serial whatever the shape, so the copies save nothing there, and a neighbour loop of
5 to 25 iterations (``for k in range(neighbor_count[i])``: position-based fluids, SPH, DEM) never reaches the 64-term
body and spends most of its time in the scalar remainder, with its scalar divisions and square roots.

So an innermost loop whose bounds are not both constants (a local declared once with a constant counts as one) and
which carries a float sum from one iteration to the next
(``acc = acc + x`` / ``acc - x`` on a float local declared outside it, as ``acc += x`` lowers) asks for one copy
(``llvm.loop.interleave.count`` 1). LLVM then vectorises the same loop without copies and its epilogue 4 lanes wide,
so a short loop runs mostly as vector code. Loops with constant bounds keep LLVM's choice (it knows their trip count,
and unrolls short ones), and so do ``fast_math=True`` programs, whose sums may become vector accumulators, and the GPU
targets.

The width itself cannot be asked for: ``llvm.loop.vectorize.width`` (like ``-force-vector-width``) also tells the
vectoriser that it may reorder float operations, and the sums then became vector accumulators, 1 ulp away from the
reference (``conformance/.../test_float_sums.py``). ``llvm.loop.interleave.count`` carries no such permission; a unit
test checks that the optimised code still adds in order (``tests/test_sum_loops.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from quadrants.ir import nodes as N
from quadrants.ir.ops import Op
from quadrants.ir.walk import iter_stmts, iter_tasks

__all__ = ["carries_float_sum", "constant_locals", "sum_loop_hints"]

_NONE: Mapping[int, N.Const] = MappingProxyType({})

_FLOATS = ("f32", "f64")  # f16 is widened and rounded per operation: no ordered reduction to shape
_SUMS = (Op.ADD, Op.SUB)


def sum_loop_hints(
    loop: N.RangeFor, *, grid: bool, fast_math: bool, constants: Mapping[int, N.Const] = _NONE
) -> tuple[tuple[str, int], ...]:
    """The ``llvm.loop`` hints of ``loop`` (empty: LLVM decides). Only innermost loops whose bounds are not both
    constants and that carry a float sum get any, and only on CPU targets under strict IEEE semantics.
    ``constants``: locals that hold a constant (:func:`constant_locals`); a bound read from one is a constant."""
    if grid or fast_math:
        return ()
    if _constant(loop.begin, constants) and _constant(loop.end, constants):
        return ()  # n-body's ``for j in range(self.n)`` (a local set to n): long, LLVM's copies pay off
    if not carries_float_sum(loop.body):
        return ()
    return (("llvm.loop.interleave.count", 1),)


def constant_locals(program: N.Program) -> dict[int, N.Const]:
    """The locals of ``program``'s tasks that are written once, by a declaration with a constant value (the frontend
    puts ``range(self.n)``'s bound in such a local). Kernel vars and ids that real functions use are left out."""
    writes: dict[int, int] = {}
    values: dict[int, N.Const] = {}
    for task in iter_tasks(program.items):
        for s in iter_stmts(task.body):
            for name in ("var", "target"):
                v = getattr(s, name, None)
                if isinstance(v, N.Var):
                    writes[v.id] = writes.get(v.id, 0) + 1
            for v in s.vars if isinstance(s, N.Call) else ():
                writes[v.id] = writes.get(v.id, 0) + 1
            if isinstance(s, N.Decl) and isinstance(s.value, N.Const):
                values[s.var.id] = s.value
    shared = {v.id for v in program.kernel_vars}
    for f in program.functions:
        shared.update(v.id for v in f.params)
        shared.update(s.var.id for s in iter_stmts(f.body) if isinstance(getattr(s, "var", None), N.Var))
    return {vid: c for vid, c in values.items() if writes.get(vid) == 1 and vid not in shared}


def _constant(e, constants: Mapping[int, N.Const]) -> bool:
    return isinstance(e, N.Const) or (isinstance(e, N.LocalRef) and e.var.id in constants)


def carries_float_sum(body: tuple) -> bool:
    """Whether ``body`` (a loop body without nested loops) adds to or subtracts from a float local that it assigns
    but does not declare, i.e. one whose value flows from an iteration to the next."""
    declared: set[int] = set()
    carried: set[int] = set()
    for s in iter_stmts(body):
        if isinstance(s, (N.RangeFor, N.Loop)):
            return False  # not innermost: the vectoriser only looks at the inner loop
        if isinstance(s, N.Decl):
            declared.add(s.var.id)
        elif isinstance(s, N.Assign) and s.var.dtype.name in _FLOATS:
            carried.add(s.var.id)
    carried -= declared
    if not carried:
        return False
    return any(isinstance(s, (N.Decl, N.Assign)) and _adds_to(s.value, carried) for s in iter_stmts(body))


def _adds_to(e, carried: set[int]) -> bool:
    """Whether ``e`` contains ``v + x``, ``x + v`` or ``v - x`` of a float type for a ``v`` in ``carried``."""
    if not isinstance(e, N.OpExpr):
        return False
    if e.op in _SUMS and e.dtype.name in _FLOATS:
        operands = e.args if e.op is Op.ADD else e.args[:1]
        if any(isinstance(a, N.LocalRef) and a.var.id in carried for a in operands):
            return True
    return any(_adds_to(a, carried) for a in e.args)
