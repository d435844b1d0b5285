"""Program functions (recursive ``@qd.real_func`` specializations) as LLVM functions, and ``Call`` statements.

Function ``k`` of a program becomes ``P_fn<k>_<name>(ctx, depth, params...) -> results`` with internal linkage:
``ctx`` is the launch context of the calling task (the body reads arguments and writes the status word through it, as
task code does), ``depth`` the number of calls under way in this lane including this one. One result is returned as
itself, several as a literal struct, none as ``void``. A recursive call is an ordinary LLVM call, so a lane recurses
on its own stack: the thread's stack on llvm-cpu, the per-thread local-memory stack on llvm-cuda (its size is the
``cuda_stack_limit`` init option there; PTX supports recursion with it).

``depth`` guards the stack: a call deeper than :data:`MAX_CALL_DEPTH` records a run-time check failure (the launch
ends with a ``QuadrantsRuntimeError`` naming the func) and returns zeros at once, so a runaway recursion stops
instead of overflowing the stack.
"""

from __future__ import annotations

import re

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants_llvm.builder.exprs import emit_expr
from quadrants_llvm.builder.types import I32, PTR, VOID, reg_type

__all__ = ["MAX_CALL_DEPTH", "declare_functions", "define_functions", "emit_call"]

# nested calls per lane: a runaway recursion stops before a default 8 MiB stack overflows (frames up to ~80 bytes)
MAX_CALL_DEPTH = 100_000


def _return_type(fn: N.Function) -> ll.Type:
    types = [reg_type(t) for t in fn.returns]
    if not types:
        return VOID
    return types[0] if len(types) == 1 else ll.LiteralStructType(types)


def declare_functions(bld) -> list[ll.Function]:
    """One LLVM function per program function (declared first: bodies call each other in any order)."""
    out = []
    for k, fn in enumerate(bld.program.functions):
        params = [PTR, I32] + [reg_type(p.dtype) for p in fn.params]
        lfn = bld.function(f"fn{k}_{re.sub(r'[^A-Za-z0-9_]', '_', fn.name)}", _return_type(fn), params)
        lfn.linkage = "internal"
        lfn.args[0].add_attribute("noalias")
        out.append(lfn)
    return out


def define_functions(bld, lfns: list[ll.Function], emit_block) -> None:
    """Emit the bodies of ``lfns`` with ``emit_block`` (quadrants_llvm.builder.stmts, which imports this module)."""
    for fn, lfn in zip(bld.program.functions, lfns, strict=True):
        em = bld.emitter(lfn)
        em.ret_type = lfn.function_type.return_type
        em.depth = lfn.args[1]
        b = em.b
        deep, go = em.new_block("too_deep"), em.new_block("call")
        b.cbranch(b.icmp_signed(">", em.depth, ll.Constant(I32, MAX_CALL_DEPTH)), deep, go).set_weights([1, 1 << 20])
        b.position_at_end(deep)
        message = (
            f"recursion of @qd.real_func '{fn.name}' is deeper than {MAX_CALL_DEPTH} nested calls; bound the depth "
            "(an explicit stack in a loop)"
        )
        em.record_failure(em.tables.add_check(kind="runtime", message=message, loc=fn.loc))
        em.return_zero()
        b.position_at_end(go)
        for param, value in zip(fn.params, lfn.args[2:], strict=True):
            em.write_var(param, value)
        emit_block(em, fn.body)
        values = [emit_expr(em, r) for r in fn.results]
        if not values:
            b.ret_void()
        elif len(values) == 1:
            b.ret(values[0])
        else:
            agg = ll.Constant(em.ret_type, None)
            for k, v in enumerate(values):
                agg = b.insert_value(agg, v, k)
            b.ret(agg)
        em.finish()


def emit_call(em, s: N.Call) -> None:
    """``Call``: evaluate the arguments, call the function one level deeper, declare the results."""
    lfn = em.functions[s.func]
    depth = ll.Constant(I32, 1) if em.depth is None else em.b.add(em.depth, ll.Constant(I32, 1))
    result = em.b.call(lfn, [em.ctx, depth, *(emit_expr(em, a) for a in s.args)])
    if len(s.vars) == 1:
        em.write_var(s.vars[0], result)
    else:
        for k, var in enumerate(s.vars):
            em.write_var(var, em.b.extract_value(result, k))
