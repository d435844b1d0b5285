"""``qd.stop_grad(x)``: a gradient barrier for the reads of a field in one block (docs/autodiff.md).

Upstream's rule, which this follows: the call marks field ``x`` in the innermost enclosing block (the kernel body, a
loop body, a branch of a run-time ``if``; ``qd.static`` code and inlined ``@qd.func`` bodies belong to the block they
are lowered into), and every read of ``x`` anywhere in that block, nested blocks included and *before the call as
well as after it*, carries no derivative. Writes are not affected.

Lowering: the call records the field on the current statement list (:meth:`CompileCtx.stop_gradients`); when that
list is closed (:meth:`CompileCtx.block`, or the end of the kernel for its top level) :func:`mark` rewrites every
:class:`~quadrants.ir.nodes.Load` of the field's argument in it with ``stop_grad=True``, the IR marker the autodiff
passes read (``passes/autodiff.py``, ``passes/autodiff_forward.py``).
"""

from __future__ import annotations

from dataclasses import replace

from quadrants.errors import QuadrantsRuntimeError, QuadrantsTypeError
from quadrants.frontend.values import NdarrayValue
from quadrants.ir import nodes as ir

__all__ = ["stop_grad", "mark", "stopped_args"]

_NESTED = ("then", "orelse", "body")  # the fields of statements and items that hold nested statements or items


def mark(stmts, args: frozenset[int]) -> tuple:
    """``stmts`` (statements, or items: tasks and graph nodes) with every load of an argument in ``args``, nested
    ones included, marked ``stop_grad``."""
    return tuple(_mark(s, args) for s in stmts)


def _mark(node, args):
    if isinstance(node, ir.Load):
        return replace(node, stop_grad=True) if node.arg in args and not node.stop_grad else node
    changes = {}
    for name in _NESTED:
        inner = getattr(node, name, None)
        if inner:
            new = mark(inner, args)
            if any(a is not b for a, b in zip(new, inner, strict=True)):
                changes[name] = new
    return replace(node, **changes) if changes else node


def stopped_args(arg_sources, fields) -> frozenset[int]:
    """The launch arguments bound to the field objects in ``fields`` (compared by identity)."""
    ids = {id(f) for f in fields}
    return frozenset(k for k, src in enumerate(arg_sources) if src[0] == "field" and id(src[1]) in ids)


def _leaf_fields(field) -> list:
    """A field, or every member field of a field of structs (nested structs opened)."""
    if getattr(field, "_qd_struct_field", False):
        return [leaf for member in field.field_dict.values() for leaf in _leaf_fields(member)]
    return [field]


def _lower(ctx, node, x):
    from quadrants.frontend.struct_values import StructFieldRef

    if isinstance(x, StructFieldRef):
        # every member (upstream stops only the first member's reads: docs/semantics/differences.md #28)
        ctx.stop_gradients(_leaf_fields(x.field))
        return None
    if isinstance(x, NdarrayValue):
        source = ctx.arg_sources[x.arg]
        if source[0] == "field":
            ctx.stop_gradients([source[1]])
            return None
        raise QuadrantsTypeError(
            f"qd.stop_grad() takes a field, not the ndarray '{x.name}' (upstream has no gradient barrier for "
            "ndarrays either); to give an ndarray argument no gradient at all, annotate its parameter "
            "qd.types.ndarray(needs_grad=False), or copy it into a field",
            ctx.loc(node),
        )
    what = getattr(x, "dtype", None)
    what = f"a value of type {what}" if what is not None else repr(x)
    raise QuadrantsTypeError(
        f"qd.stop_grad() takes a field (qd.field, qd.Vector.field, qd.Matrix.field or qd.Struct.field), got {what}; "
        "it stops the gradient of every read of that field in the enclosing block",
        ctx.loc(node),
    )


class _StopGrad:
    """The ``qd.stop_grad`` object: kernel code reaches :meth:`_qd_constructor` (frontend/calls.py)."""

    __name__ = __qualname__ = "stop_grad"

    def __repr__(self) -> str:
        return "<quadrants function qd.stop_grad>"

    def __call__(self, x):
        """``qd.stop_grad(x)`` in kernel code: no gradient flows through any read of field ``x`` in the enclosing
        block (the kernel body, a loop body or a branch of a run-time ``if``, nested blocks included, reads before
        the call too). Reverse mode adds nothing into ``x.grad`` for those reads and forward mode gives them a zero
        dual; values are unchanged. ``x`` is a field (of scalars, vectors, matrices or structs)."""
        raise QuadrantsRuntimeError(
            "qd.stop_grad() can only be called in kernel code (a @qd.kernel or a @qd.func): it marks the reads of a "
            "field in the enclosing block of the kernel"
        )

    def _qd_constructor(self, ctx, node, args, kwargs):
        if len(args) + len(kwargs) != 1 or (kwargs and "x" not in kwargs):
            given = len(args) + len(kwargs)
            raise QuadrantsTypeError(
                f"qd.stop_grad() takes one argument, the field (x), but {given} were given; call it once per field",
                ctx.loc(node),
            )
        return _lower(ctx, node, args[0] if args else kwargs["x"])


stop_grad = _StopGrad()
stop_grad.__doc__ = _StopGrad.__call__.__doc__
