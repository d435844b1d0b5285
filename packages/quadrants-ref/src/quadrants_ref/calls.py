"""``Call`` statements: run a program :class:`~quadrants.ir.nodes.Function` (a recursive ``@qd.real_func``) on the
calling lanes.

A call is a new frame over the caller's lanes: the same :class:`~quadrants_ref.state.TaskState` with the caller's
active mask, fresh locals holding the parameters (one lane array or uniform value each), no loop break set and no
block layout (a function has no task vars). The body runs as any block does; a nested ``If`` narrows the mask, so a
recursive call inside it runs only for the lanes that took that branch, and a call whose mask is empty never runs
(blocks stop when no lane is left). Each lane therefore recurses to its own depth. Results are read with the entry
mask and declared in the caller for every lane, like a ``Decl``.

Frames are Python calls of the compiled closures. :data:`MAX_CALL_DEPTH` nested calls end the launch with a
:class:`~quadrants.errors.QuadrantsRuntimeError`; below it, Python's recursion limit is raised as needed so that a
deep recursion never surfaces as ``RecursionError``; the outermost call restores it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from quadrants.errors import QuadrantsRuntimeError
from quadrants.ir import nodes as N

__all__ = ["FunctionTable", "make_call", "MAX_CALL_DEPTH"]

MAX_CALL_DEPTH = 100_000  # nested calls in one launch, as quadrants_llvm.builder.calls (100k frames: ~1.7 s, 200 MB)
_PY_FRAMES_PER_CALL = 40  # Python frames one nested call may take (closures of loops, ifs, expressions); generous
_PY_MARGIN = 2_000


@dataclass
class FunctionTable:
    """The program's functions, each compiled on first use by ``compile`` (``(table, function) -> (body closure,
    result closures)``, see quadrants_ref.executable), so a recursive body compiles once and refers to its entry."""

    functions: tuple[N.Function, ...]
    compile: Callable
    compiled: dict[int, tuple] = field(default_factory=dict)

    def get(self, index: int) -> tuple:
        """``(param ids, body, result closures)`` of function ``index``."""
        hit = self.compiled.get(index)
        if hit is None:
            fn = self.functions[index]
            body, results = self.compile(self, fn)
            hit = self.compiled[index] = (tuple(p.id for p in fn.params), body, results)
        return hit


def make_call(table: FunctionTable, s: N.Call, arg_fns: tuple):
    """The closure of one ``Call`` statement whose argument closures are ``arg_fns`` (see the module docstring)."""
    index, loc = s.func, s.loc
    var_ids = tuple(v.id for v in s.vars)
    name = table.functions[index].name

    def call(st):
        params, body, results = table.get(index)
        args = [f(st) for f in arg_fns]
        launch = st.launch
        depth = launch.call_depth + 1
        if depth > MAX_CALL_DEPTH:
            raise QuadrantsRuntimeError(
                f"recursion of @qd.real_func '{name}' is deeper than {MAX_CALL_DEPTH} nested calls on the reference "
                "backend; bound the depth (an explicit stack in a loop)",
                loc,
            )
        limit = sys.getrecursionlimit()
        need = depth * _PY_FRAMES_PER_CALL + _PY_MARGIN
        if limit < need:
            sys.setrecursionlimit(2 * need)
        saved = st.locals, st.brk, st.mask, st.block
        st.locals = dict(zip(params, args, strict=True))
        st.brk, st.block = False, None
        launch.call_depth = depth
        try:
            body(st)
            st.mask = saved[2]
            values = [r(st) for r in results]
        finally:
            launch.call_depth = depth - 1
            st.locals, st.brk, st.mask, st.block = saved
            if depth == 1:  # the outermost call puts the limit back: the compiler relies on it (deep_compile.py)
                sys.setrecursionlimit(limit)
        for vid, v in zip(var_ids, values, strict=True):
            st.locals[vid] = v

    return call
